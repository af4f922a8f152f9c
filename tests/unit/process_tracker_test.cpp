// Tracked processes: reading /proc, the process events connector's messages, and the
// tracker over a /proc of the test's own making (scans, delays, reloads), then over the real
// one (a pidfd reports a child's exit; the kernel's process events where they work).
#include <gtest/gtest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "daemon/process_tracker.hpp"
#include "temp_dir.hpp"
#include "vipd/os/processes.hpp"

extern char** environ;

namespace vipd {
namespace {

using namespace std::chrono_literals;

// A /proc entry: stat with the name and state, and a command line.
void fake_process(const TempDir& dir, int pid, const std::string& comm, char state,
                  const std::vector<std::string>& argv) {
    const auto base = dir.path() + "/" + std::to_string(pid);
    std::filesystem::create_directories(base);
    std::ofstream(base + "/stat") << pid << " (" << comm << ") " << state << " 1 1 1 0 -1\n";
    std::string cmdline;
    for (const auto& a : argv)
        cmdline += a + '\0';
    std::ofstream(base + "/cmdline", std::ios::binary) << cmdline;
}

TEST(ProcFs, NameStateAndCommandLine) {
    TempDir dir;
    fake_process(dir, 10, "odd) name", 'S', {"/usr/bin/odd", "-x", ""});
    fake_process(dir, 11, "gone", 'Z', {});
    fake_process(dir, 9, "init", 'S', {"/sbin/init"});
    std::filesystem::create_directories(dir.path() + "/self");
    EXPECT_EQ(os::list_pids(dir.path()), (std::vector<int>{9, 10, 11}));
    const auto odd = os::read_process(10, true, dir.path());
    ASSERT_TRUE(odd);
    EXPECT_EQ(odd->comm, "odd) name");  // up to the last ')'
    EXPECT_EQ(odd->argv, (std::vector<std::string>{"/usr/bin/odd", "-x", ""}));
    EXPECT_TRUE(os::read_process(10, false, dir.path())->argv.empty());
    EXPECT_FALSE(os::read_process(11, true, dir.path()));  // a zombie runs no more
    EXPECT_FALSE(os::read_process(12, true, dir.path()));
}

TEST(ProcFs, ThisProcess) {
    const auto me = os::read_process(::getpid(), true);
    ASSERT_TRUE(me);
    EXPECT_EQ(me->comm, "process_tracker");  // the kernel keeps 15 bytes of the name
    ASSERT_FALSE(me->argv.empty());
    EXPECT_NE(me->argv[0].find("process_tracker_test"), std::string::npos);
}

// One connector message as the kernel sends it.
std::vector<std::uint8_t> event_message(const proc_event& ev) {
    std::vector<std::uint8_t> out(NLMSG_HDRLEN + sizeof(cn_msg) + sizeof ev);
    nlmsghdr h{};
    h.nlmsg_len = static_cast<std::uint32_t>(out.size());
    h.nlmsg_type = NLMSG_DONE;
    cn_msg msg{};
    msg.id.idx = CN_IDX_PROC;
    msg.id.val = CN_VAL_PROC;
    msg.len = sizeof ev;
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + NLMSG_HDRLEN, &msg, sizeof msg);
    std::memcpy(out.data() + NLMSG_HDRLEN + sizeof msg, &ev, sizeof ev);
    return out;
}

TEST(ProcessEvents, ForkExecCommAndExitOfProcessesNotThreads) {
    std::vector<std::uint8_t> datagram;
    const auto add = [&](const proc_event& ev) {
        const auto m = event_message(ev);
        datagram.insert(datagram.end(), m.begin(), m.end());
    };
    proc_event ev{};
    ev.what = proc_event::PROC_EVENT_FORK;
    ev.event_data.fork.child_pid = ev.event_data.fork.child_tgid = 200;
    add(ev);
    ev.event_data.fork.child_pid = 201;  // a thread of 200
    add(ev);
    ev = {};
    ev.what = proc_event::PROC_EVENT_EXEC;
    ev.event_data.exec.process_pid = ev.event_data.exec.process_tgid = 200;
    add(ev);
    ev = {};
    ev.what = proc_event::PROC_EVENT_UID;
    add(ev);
    ev = {};
    ev.what = proc_event::PROC_EVENT_COMM;
    ev.event_data.comm.process_pid = ev.event_data.comm.process_tgid = 200;
    add(ev);
    ev = {};
    ev.what = proc_event::PROC_EVENT_EXIT;
    ev.event_data.exit.process_pid = 202;  // a thread ends
    ev.event_data.exit.process_tgid = 200;
    add(ev);
    ev.event_data.exit.process_pid = 200;
    add(ev);
    std::vector<os::ProcessEvent> out;
    os::parse_process_events(datagram, out);
    using K = os::ProcessEvent::Kind;
    EXPECT_EQ(out, (std::vector<os::ProcessEvent>{
                       {K::Fork, 200}, {K::Exec, 200}, {K::Comm, 200}, {K::Exit, 200}}));
    // Cut short anywhere: the whole messages before the cut are read, in order, and
    // nothing after it (nor past the end: the sanitized build checks that).
    const auto all = out;
    for (std::size_t n = 0; n < datagram.size(); ++n) {
        out.clear();
        os::parse_process_events(std::span(datagram).first(n), out);
        ASSERT_LE(out.size(), all.size());
        EXPECT_TRUE(std::equal(out.begin(), out.end(), all.begin())) << n;
        const std::size_t whole = n / event_message({}).size();  // messages fully inside
        std::vector<os::ProcessEvent> prefix;
        os::parse_process_events(std::span(datagram).first(whole * event_message({}).size()),
                                 prefix);
        EXPECT_EQ(out, prefix) << n;
    }
}

std::shared_ptr<spdlog::logger> quiet() {
    return std::make_shared<spdlog::logger>("test",
                                            std::make_shared<spdlog::sinks::null_sink_mt>());
}

// /bin/sleep with `arg` (a marker no other process has); its pid.
pid_t spawn_sleep(const std::string& arg) {
    char* argv[] = {const_cast<char*>("/bin/sleep"), const_cast<char*>(arg.c_str()), nullptr};
    pid_t pid = 0;
    EXPECT_EQ(::posix_spawn(&pid, "/bin/sleep", nullptr, nullptr, argv, environ), 0);
    return pid;
}

// Runs `io` until `done()` holds, for 5 s at most.
void run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < until)
        io.run_for(10ms);
}

config::ProcessConfig tracked(const std::string& name, ProcessPattern pattern,
                              std::size_t quorum = 1) {
    config::ProcessConfig c;
    c.name = name;
    c.pattern = std::move(pattern);
    c.quorum = quorum;
    return c;
}

struct FakeProcTracker : ::testing::Test {
    TempDir proc;
    boost::asio::io_context io;
    os::SimulatedTime time;
    int changes = 0;
    ProcessTracker tracker{
        io, time, quiet(), [this] { ++changes; },
        ProcessTracker::Options{
            .proc = proc.path(), .scan_interval = 1s, .events = false, .pidfds = false}};
};

TEST_F(FakeProcTracker, ScansCountMatchesAgainstTheQuorum) {
    fake_process(proc, 100, "haproxy", 'S', {"/usr/sbin/haproxy", "-f", "a.cfg"});
    fake_process(proc, 101, "nginx", 'S', {"nginx: master"});
    tracker.configure(
        {tracked("lb", {.process = "haproxy"}, 2), tracked("web", {.process = "nginx"})});
    EXPECT_EQ(tracker.source(), ProcessTracker::Source::Scan);
    EXPECT_FALSE(tracker.up("lb"));  // one of two
    EXPECT_TRUE(tracker.up("web"));
    EXPECT_FALSE(tracker.up("unknown"));
    EXPECT_EQ(changes, 0);  // configure() reports through its caller

    fake_process(proc, 102, "haproxy", 'S', {"/usr/sbin/haproxy", "-f", "b.cfg"});
    std::filesystem::remove_all(proc.path() + "/101");
    time.advance(1s);
    EXPECT_TRUE(tracker.up("lb"));
    EXPECT_FALSE(tracker.up("web"));
    EXPECT_EQ(tracker.count("lb"), 2U);
    EXPECT_EQ(changes, 1);                        // one scan, one call for both
    fake_process(proc, 102, "haproxy", 'Z', {});  // exited, not yet reaped
    time.advance(1s);
    EXPECT_FALSE(tracker.up("lb"));
    EXPECT_EQ(changes, 2);
}

TEST_F(FakeProcTracker, TerminateDelayRidesOutARestart) {
    fake_process(proc, 100, "haproxy", 'S', {});
    auto c = tracked("lb", {.process = "haproxy"});
    c.terminate_delay = 3s;
    tracker.configure({c});
    ASSERT_TRUE(tracker.up("lb"));
    std::filesystem::remove_all(proc.path() + "/100");
    time.advance(1s);  // seen gone at the scan
    EXPECT_TRUE(tracker.up("lb"));
    fake_process(proc, 140, "haproxy", 'S', {});  // restarted under a new pid
    time.advance(1s);
    time.advance(5s);
    EXPECT_TRUE(tracker.up("lb"));
    EXPECT_EQ(changes, 0);
    std::filesystem::remove_all(proc.path() + "/140");
    time.advance(3s);  // seen at the next scan, down 3 s after that
    EXPECT_TRUE(tracker.up("lb"));
    time.advance(1s);
    EXPECT_FALSE(tracker.up("lb"));
    EXPECT_EQ(changes, 1);
}

TEST_F(FakeProcTracker, AReloadKeepsTheStateOfWhatDidNotChangeAndNothingRunsWithoutTrackers) {
    fake_process(proc, 100, "haproxy", 'S', {});
    auto c = tracked("lb", {.process = "haproxy"});
    c.terminate_delay = 10s;
    tracker.configure({c});
    std::filesystem::remove_all(proc.path() + "/100");
    time.advance(1s);
    ASSERT_TRUE(tracker.up("lb"));  // down is pending
    c.line += 3;                    // a reload of a file with lines added above it
    c.weight = -20;                 // and another weight: the count is the same
    tracker.configure({c});         // the delay under way goes on
    EXPECT_TRUE(tracker.up("lb"));
    time.advance(10s);
    EXPECT_FALSE(tracker.up("lb"));
    tracker.configure({});
    EXPECT_EQ(tracker.source(), ProcessTracker::Source::None);
    EXPECT_EQ(time.pending(), 0U);
}

// A real child: its pidfd reports the exit at once, without waiting for a scan.
TEST(ProcessTracker, APidfdReportsTheExitOfARealProcess) {
    boost::asio::io_context io;
    os::RealTime time(io);
    int changes = 0;
    ProcessTracker tracker(io, time, quiet(), [&] { ++changes; },
                           {.scan_interval = 1h, .events = false, .pidfds = true});
    const std::string marker = "987654.321";  // sleep's argument: this test's own process
    const pid_t pid = spawn_sleep(marker);
    ASSERT_GT(pid, 0);
    tracker.configure({tracked("sleeper", {.process = "/bin/sleep",
                                           .args = {marker},
                                           .param_match = ParamMatch::Exact,
                                           .full_command = true})});
    EXPECT_TRUE(tracker.up("sleeper"));
    ::kill(pid, SIGKILL);
    run_until(io, [&] { return changes > 0; });
    EXPECT_FALSE(tracker.up("sleeper"));
    EXPECT_EQ(changes, 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

// The tracker on the kernel's events (where they work): a real child's exec and exit.
TEST(ProcessTracker, KernelEventsReportARealProcess) {
    boost::asio::io_context io;
    os::RealTime time(io);
    int changes = 0;
    ProcessTracker tracker(io, time, quiet(), [&] { ++changes; },
                           {.scan_interval = 1h, .events = true, .pidfds = false});
    const std::string marker = "987654.322";
    tracker.configure({tracked("sleeper", {.process = "/bin/sleep",
                                           .args = {marker},
                                           .param_match = ParamMatch::Exact,
                                           .full_command = true})});
    if (tracker.source() != ProcessTracker::Source::Events)
        GTEST_SKIP() << "no process events here (" << tracker.source_text() << ")";
    EXPECT_FALSE(tracker.up("sleeper"));
    const pid_t pid = spawn_sleep(marker);
    ASSERT_GT(pid, 0);
    run_until(io, [&] { return changes >= 1; });
    EXPECT_TRUE(tracker.up("sleeper"));  // from the exec event: no scan runs within the hour
    ::kill(pid, SIGKILL);
    run_until(io, [&] { return changes >= 2; });
    EXPECT_FALSE(tracker.up("sleeper"));
    int status = 0;
    ::waitpid(pid, &status, 0);
}

// The kernel's process events: only in the initial network namespace, and as root.
TEST(ProcessEvents, TheKernelReportsAnExecAndAnExit) {
    auto events = os::ProcessEvents::open();
    if (!events) GTEST_SKIP() << "no process events here: " << events.error().message();
    const pid_t pid = spawn_sleep("30");
    ASSERT_GT(pid, 0);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    bool exec = false, exit = false;
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!(exec && exit) && std::chrono::steady_clock::now() < until) {
        std::vector<os::ProcessEvent> out;
        (void)events.value()->drain(out);
        for (const auto& e : out) {
            if (e.pid != pid) continue;
            exec = exec || e.kind == os::ProcessEvent::Kind::Exec;
            exit = exit || e.kind == os::ProcessEvent::Kind::Exit;
        }
        ::usleep(10000);
    }
    EXPECT_TRUE(exec);
    EXPECT_TRUE(exit);
}

}  // namespace
}  // namespace vipd
