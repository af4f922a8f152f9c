// ProcessRunner against real processes (/bin/sh, coreutils, setpriv): exit statuses, output
// capture and its bound, the child's environment, signals and descriptors, timeouts that kill
// the whole group, and lifetimes. Plus the pure helper insecure_path_reason.
#include "vipd/os/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "temp_dir.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;
using os::ScriptResult;
using os::ScriptSpec;
using Outcome = ScriptResult::Outcome;

constexpr const char* kMinimalPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

ScriptSpec sh(const std::string& script, Duration timeout = 10s) {
    ScriptSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.timeout = timeout;
    return spec;
}

ScriptSpec program(std::vector<std::string> argv, Duration timeout = 10s) {
    ScriptSpec spec;
    spec.argv = std::move(argv);
    spec.timeout = timeout;
    return spec;
}

template <typename Pred>
bool poll_until(Pred done, Duration limit) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Exact, because the test process adopts orphans (see ProcessTest::SetUp) and reaps them
// here: PID 1 in a container may never reap a killed grandchild, leaving a zombie.
bool process_gone(pid_t pid) {
    ::waitpid(pid, nullptr, WNOHANG);
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

std::vector<pid_t> pids_in(const std::string& text) {
    std::vector<pid_t> out;
    std::istringstream in(text);
    long pid = 0;
    while (in >> pid)
        out.push_back(static_cast<pid_t>(pid));
    return out;
}

class ProcessTest : public testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }

    // Runs the loop until `done` holds or `limit` passes; false on timeout.
    template <typename Pred>
    bool run_until(Pred done, Duration limit) {
        const auto deadline = Clock::now() + limit;
        while (!done()) {
            if (Clock::now() >= deadline) return false;
            io_.restart();
            io_.run_for(10ms);
        }
        return true;
    }

    std::optional<ScriptResult> run(const ScriptSpec& spec, Duration limit = 15s) {
        std::optional<ScriptResult> result;
        runner_->run(spec, [&](ScriptResult r) { result = std::move(r); });
        run_until([&] { return result.has_value(); }, limit);
        return result;
    }

    boost::asio::io_context io_;
    std::unique_ptr<os::ProcessRunner> runner_ = std::make_unique<os::ProcessRunner>(io_);
};

// --- exit status ---------------------------------------------------------------------------

TEST_F(ProcessTest, ExitZeroIsSuccess) {
    const auto r = run(program({"/bin/true"}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Exited);
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_TRUE(r->success());
    EXPECT_EQ(r->describe(), "exit 0");
    EXPECT_GT(r->run_time, Duration::zero());
    EXPECT_EQ(runner_->running(), 0U);
}

TEST_F(ProcessTest, NonZeroExitIsReportedWithItsCode) {
    const auto r = run(sh("exit 3"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Exited);
    EXPECT_EQ(r->exit_code, 3);
    EXPECT_FALSE(r->success());
    EXPECT_EQ(r->describe(), "exit 3");
}

TEST_F(ProcessTest, DeathBySignalIsReported) {
    const auto r = run(sh("kill -TERM $$"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Signaled);
    EXPECT_EQ(r->signal, SIGTERM);
    EXPECT_FALSE(r->success());
    EXPECT_EQ(r->describe(), "killed by signal 15");
}

TEST(ScriptResultTest, DescribesEveryOutcome) {
    ScriptResult r;
    r.outcome = Outcome::TimedOut;
    r.run_time = 2000ms;
    EXPECT_EQ(r.describe(), "timed out after 2000 ms");
    r.outcome = Outcome::SpawnFailed;
    r.error = std::make_error_code(std::errc::permission_denied);
    EXPECT_EQ(r.describe(), "could not start: Permission denied");
    EXPECT_FALSE(r.success());
}

// --- output --------------------------------------------------------------------------------

TEST_F(ProcessTest, StdoutAndStderrAreCapturedTogether) {
    const auto r = run(sh("echo out; echo err >&2; echo out2"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->output, "out\nerr\nout2\n");
    EXPECT_FALSE(r->output_truncated);
}

TEST_F(ProcessTest, OutputExactlyAtTheLimitIsNotTruncated) {
    auto spec = sh("printf abcde");
    spec.output_limit = 5;
    const auto r = run(spec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->output, "abcde");
    EXPECT_FALSE(r->output_truncated);

    spec.output_limit = 4;
    const auto cut = run(spec);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->output, "abcd");
    EXPECT_TRUE(cut->output_truncated);
}

// Far more than a pipe holds (64 KiB): if the runner stopped reading at the limit, the script
// would block on write and time out instead of exiting.
TEST_F(ProcessTest, OutputBeyondTheLimitIsReadAndDiscarded) {
    auto spec = sh("yes abc | head -c 1000000; exit 4", 10s);
    spec.output_limit = 10;
    const auto r = run(spec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Exited);
    EXPECT_EQ(r->exit_code, 4);
    EXPECT_EQ(r->output, "abc\nabc\nab");
    EXPECT_TRUE(r->output_truncated);
}

TEST_F(ProcessTest, StdinIsDevNull) {
    const auto cat = run(program({"/bin/cat"}, 10s));
    ASSERT_TRUE(cat);
    EXPECT_EQ(cat->outcome, Outcome::Exited);
    EXPECT_EQ(cat->exit_code, 0);
    EXPECT_EQ(cat->output, "");

    const auto link = run(program({"/usr/bin/readlink", "/proc/self/fd/0"}));
    ASSERT_TRUE(link);
    EXPECT_EQ(link->output, "/dev/null\n");
}

// --- what the child inherits ---------------------------------------------------------------

TEST_F(ProcessTest, EnvironmentIsOnlyPathAndTheExtras) {
    ASSERT_EQ(::setenv("VIPD_TEST_MUST_NOT_LEAK", "1", 1), 0);
    auto spec = program({"/usr/bin/env"});
    spec.env = {"VIPD_STATE=MASTER", "VIPD_INSTANCE=web"};
    const auto r = run(spec);
    ::unsetenv("VIPD_TEST_MUST_NOT_LEAK");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->output, std::string(kMinimalPath) + "\nVIPD_STATE=MASTER\nVIPD_INSTANCE=web\n");
}

// vipd blocks the signals its signal_set handles and ignores SIGPIPE; a script must start
// with none blocked or ignored.
TEST_F(ProcessTest, SignalMaskAndIgnoredSignalsAreReset) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    sigset_t old_mask;
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction old_pipe {};
    struct sigaction old_hup {};
    ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &old_pipe), 0);
    ASSERT_EQ(::sigaction(SIGHUP, &ignore, &old_hup), 0);

    const auto r = run(program({"/bin/grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"}));

    ::sigaction(SIGPIPE, &old_pipe, nullptr);
    ::sigaction(SIGHUP, &old_hup, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    ASSERT_TRUE(r);
    std::istringstream in(r->output);
    std::string blk_label;
    std::string ign_label;
    std::uint64_t blocked = 0;
    std::uint64_t ignored = 0;
    in >> blk_label >> std::hex >> blocked >> ign_label >> ignored;
    ASSERT_EQ(blk_label + ign_label, "SigBlk:SigIgn:") << r->output;
    EXPECT_EQ(blocked, 0U) << r->output;
    // glibc's posix_spawn leaves its own internal signals (32 and 33, below SIGRTMIN) ignored
    // and posix_spawnattr_setsigdefault can't name them; a glibc program re-arms them itself.
    for (int sig = 32; sig < SIGRTMIN; ++sig)
        ignored &= ~(std::uint64_t{1} << (sig - 1));
    EXPECT_EQ(ignored, 0U) << r->output;
}

TEST_F(ProcessTest, ScriptLeadsItsOwnProcessGroup) {
    // Field 5 of /proc/PID/stat is the process group ("(sh)" has no spaces).
    const auto r = run(sh("echo $$; cut -d' ' -f5 /proc/$$/stat"));
    ASSERT_TRUE(r);
    const auto ids = pids_in(r->output);
    ASSERT_EQ(ids.size(), 2U) << r->output;
    EXPECT_EQ(ids[0], ids[1]);
    EXPECT_NE(ids[1], ::getpgrp());
}

TEST_F(ProcessTest, NoDescriptorBeyondStdioIsInherited) {
    // Opened without O_CLOEXEC on purpose: the runner must not rely on everyone else's care.
    const int careless = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(careless, 0);
    const auto r = run(program({"/bin/ls", "/proc/self/fd"}));
    ::close(careless);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->output, "0\n1\n2\n3\n");  // 3: ls's own handle on the directory
}

// --- timeouts and process groups -----------------------------------------------------------

TEST_F(ProcessTest, TimeoutKillsTheWholeGroup) {
    const auto timeout = 300ms;
    const auto start = Clock::now();
    const auto r = run(sh("sleep 30 & echo $!; sleep 30", timeout));
    const auto elapsed = Clock::now() - start;
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::TimedOut);
    EXPECT_FALSE(r->success());
    EXPECT_GE(r->run_time, timeout);
    EXPECT_LT(elapsed, timeout + 3s);
    EXPECT_TRUE(r->describe().starts_with("timed out after ")) << r->describe();
    const auto pids = pids_in(r->output);
    ASSERT_EQ(pids.size(), 1U) << r->output;
    EXPECT_TRUE(poll_until([&] { return process_gone(pids[0]); }, 5s))
        << "background child " << pids[0] << " survived the timeout";
}

// The script has exited but a background child still holds the pipe: the result must not
// wait for that child (which dies with the group).
TEST_F(ProcessTest, ExitIsReportedWhileABackgroundChildHoldsThePipe) {
    const auto start = Clock::now();
    const auto r = run(sh("sleep 30 & echo $!", 20s));
    const auto elapsed = Clock::now() - start;
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Exited);
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_LT(elapsed, 5s);
    const auto pids = pids_in(r->output);
    ASSERT_EQ(pids.size(), 1U) << r->output;
    EXPECT_TRUE(poll_until([&] { return process_gone(pids[0]); }, 5s));
}

TEST_F(ProcessTest, ExitWinsOverATimeoutThatDidNotFire) {
    const auto r = run(sh("exit 0", 10s));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::Exited);
}

// --- spawn failures ------------------------------------------------------------------------

TEST_F(ProcessTest, MissingProgramIsSpawnFailedReportedLater) {
    bool called = false;
    ScriptResult result;
    runner_->run(program({"/nonexistent/vipd-check"}), [&](ScriptResult r) {
        called = true;
        result = std::move(r);
    });
    EXPECT_FALSE(called) << "done ran inside run()";
    EXPECT_EQ(runner_->running(), 1U);
    ASSERT_TRUE(run_until([&] { return called; }, 5s));
    EXPECT_EQ(result.outcome, Outcome::SpawnFailed);
    EXPECT_EQ(result.error, std::errc::no_such_file_or_directory);
    EXPECT_EQ(result.describe(), "could not start: No such file or directory");
    EXPECT_EQ(runner_->running(), 0U);
}

// A cancelled run's whole process group is killed, and its callback never runs.
TEST_F(ProcessTest, CancelKillsTheRunWithoutCallingBack) {
    bool called = false;
    const auto id = runner_->run(sh("sleep 30 & sleep 30"), [&](ScriptResult) { called = true; });
    ASSERT_NE(id, 0U);
    run_until([] { return false; }, 100ms);  // both sleeps started
    runner_->cancel(id);
    EXPECT_EQ(runner_->running(), 0U);
    run_until([&] { return called; }, 300ms);
    EXPECT_FALSE(called);
    runner_->cancel(id);  // again, or an unknown one: ignored
    runner_->cancel(12345);
}

// One cap on vipd's children (issue 13): beyond it a run fails to start with EAGAIN, which
// the health checks treat as vipd's own failure, not the service's.
TEST_F(ProcessTest, RunsBeyondTheCapFailToStart) {
    runner_ = std::make_unique<os::ProcessRunner>(io_, 2);
    std::vector<ScriptResult> results;
    for (int i = 0; i < 3; ++i)
        runner_->run(sh("sleep 0.2"), [&](ScriptResult r) { results.push_back(std::move(r)); });
    ASSERT_TRUE(run_until([&] { return results.size() == 3; }, 5s));
    EXPECT_EQ(results[0].outcome, Outcome::SpawnFailed);  // the third, reported first
    EXPECT_EQ(results[0].error, std::errc::resource_unavailable_try_again);
    EXPECT_EQ(results[1].outcome, Outcome::Exited);
    EXPECT_EQ(results[2].outcome, Outcome::Exited);
    EXPECT_EQ(runner_->running(), 0U);
}

TEST_F(ProcessTest, NonExecutableFileIsSpawnFailed) {
    TempDir tmp;
    const auto r = run(program({tmp.file("check.sh", 0644)}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(r->error, std::errc::permission_denied);
}

TEST_F(ProcessTest, RelativeOrEmptyCommandIsSpawnFailed) {
    const auto relative = run(program({"true"}));
    ASSERT_TRUE(relative);
    EXPECT_EQ(relative->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(relative->error, std::errc::invalid_argument);
    const auto empty = run(program({}));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->outcome, Outcome::SpawnFailed);
}

// --- concurrency and lifetimes -------------------------------------------------------------

// A rendezvous on a FIFO: the reader's open() blocks until the writer opens it, so both can
// only finish if they run at the same time.
TEST_F(ProcessTest, TwoScriptsRunConcurrently) {
    TempDir tmp;
    const std::string fifo = tmp.path() + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::optional<ScriptResult> reader;
    std::optional<ScriptResult> writer;
    runner_->run(sh("read line < " + fifo + "; echo got $line", 5s),
                 [&](ScriptResult r) { reader = std::move(r); });
    runner_->run(sh("echo hello > " + fifo, 5s), [&](ScriptResult r) { writer = std::move(r); });
    EXPECT_EQ(runner_->running(), 2U);
    ASSERT_TRUE(run_until([&] { return reader && writer; }, 10s));
    EXPECT_TRUE(reader->success()) << reader->describe();
    EXPECT_TRUE(writer->success()) << writer->describe();
    EXPECT_EQ(reader->output, "got hello\n");
    EXPECT_EQ(runner_->running(), 0U);
}

TEST_F(ProcessTest, DestructorKillsRunningScriptsWithoutReporting) {
    TempDir tmp;
    const std::string ready = tmp.path() + "/pids";
    bool called = false;
    runner_->run(
        sh("sleep 30 & echo $$ $! > " + ready + ".tmp && mv " + ready + ".tmp " + ready + "; wait"),
        [&](ScriptResult) { called = true; });
    ASSERT_TRUE(run_until([&] { return std::filesystem::exists(ready); }, 10s));
    std::ifstream in(ready);
    const auto pids = pids_in(std::string(std::istreambuf_iterator<char>(in), {}));
    ASSERT_EQ(pids.size(), 2U);

    runner_.reset();
    // The script itself was reaped by the destructor, so it is gone entirely.
    EXPECT_EQ(::kill(pids[0], 0), -1);
    EXPECT_EQ(errno, ESRCH);
    EXPECT_TRUE(poll_until([&] { return process_gone(pids[1]); }, 5s));
    // Handlers still queued must neither call back nor touch the runner.
    io_.restart();
    io_.run_for(50ms);
    EXPECT_FALSE(called);
}

TEST_F(ProcessTest, DoneMayDestroyTheRunner) {
    bool called = false;
    runner_->run(sh("echo bye"), [&](ScriptResult r) {
        called = true;
        EXPECT_EQ(r.output, "bye\n");
        runner_.reset();
    });
    ASSERT_TRUE(run_until([&] { return called; }, 10s));
    EXPECT_EQ(runner_, nullptr);
}

TEST_F(ProcessTest, DoneMayStartAnotherScript) {
    std::optional<ScriptResult> second;
    runner_->run(sh("exit 1"), [&](ScriptResult) {
        runner_->run(sh("echo again"), [&](ScriptResult r) { second = std::move(r); });
    });
    ASSERT_TRUE(run_until([&] { return second.has_value(); }, 10s));
    EXPECT_EQ(second->output, "again\n");
}

// --- another user --------------------------------------------------------------------------

// Puts CAP_NET_RAW into this thread's inheritable set (which survives execve and a uid change)
// for the lifetime of the object.
class InheritableNetRaw {
public:
    InheritableNetRaw() {
        if (::syscall(SYS_capget, &header_, saved_.data()) != 0) return;
        auto raised = saved_;
        raised[0].inheritable |= 1U << CAP_NET_RAW;
        ok_ = ::syscall(SYS_capset, &header_, raised.data()) == 0;
    }
    ~InheritableNetRaw() {
        if (ok_) ::syscall(SYS_capset, &header_, saved_.data());
    }
    InheritableNetRaw(const InheritableNetRaw&) = delete;
    InheritableNetRaw& operator=(const InheritableNetRaw&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }

private:
    __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> saved_{};
    bool ok_ = false;
};

TEST_F(ProcessTest, RunsAsAnotherUserWithoutCapabilities) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to change user";
    const auto nobody = os::lookup_user("nobody");
    ASSERT_TRUE(nobody) << nobody.error();
    auto spec = sh("id -u; id -g; id -G; grep -E '^Cap(Inh|Prm|Eff|Amb):' /proc/self/status");
    spec.user = *nobody;
    const InheritableNetRaw inheritable;  // must not reach the script
    ASSERT_TRUE(inheritable.ok());
    const auto r = run(spec);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->success()) << r->describe() << ": " << r->output;
    const auto uid = std::to_string(nobody->uid);
    const auto gid = std::to_string(nobody->gid);
    EXPECT_EQ(r->output, uid + "\n" + gid + "\n" + gid +
                             "\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\n"
                             "CapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n");
}

TEST_F(ProcessTest, AnotherUserGetsTheSameMinimalEnvironment) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to change user";
    const auto nobody = os::lookup_user("nobody");
    ASSERT_TRUE(nobody) << nobody.error();
    auto spec = program({"/usr/bin/env"});
    spec.user = *nobody;
    spec.env = {"VIPD_STATE=BACKUP"};
    const auto r = run(spec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->output, std::string(kMinimalPath) + "\nVIPD_STATE=BACKUP\n");
}

TEST_F(ProcessTest, AnotherUserTimeoutKillsTheWholeGroup) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to change user";
    const auto nobody = os::lookup_user("nobody");
    ASSERT_TRUE(nobody) << nobody.error();
    auto spec = sh("sleep 30 & echo $!; sleep 30", 300ms);
    spec.user = *nobody;
    const auto r = run(spec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::TimedOut);
    const auto pids = pids_in(r->output);
    ASSERT_EQ(pids.size(), 1U) << r->output;
    EXPECT_TRUE(poll_until([&] { return process_gone(pids[0]); }, 5s));
}

// setpriv would exit 127; the runner reports it as a direct spawn would.
TEST_F(ProcessTest, AnotherUserMissingProgramIsSpawnFailed) {
    auto spec = program({"/nonexistent/vipd-check"});
    spec.user = os::UserIds{"nobody", 65534, 65534};
    const auto r = run(spec);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(r->error, std::errc::no_such_file_or_directory);
}

TEST(LookupUserTest, FindsUsersAndRejectsUnknownOnes) {
    const auto root = os::lookup_user("root");
    ASSERT_TRUE(root) << root.error();
    EXPECT_EQ(root->name, "root");
    EXPECT_EQ(root->uid, 0U);
    EXPECT_EQ(root->gid, 0U);

    const auto missing = os::lookup_user("vipd-no-such-user");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), "user vipd-no-such-user does not exist");
    EXPECT_FALSE(os::lookup_user(""));
    EXPECT_FALSE(os::lookup_user(std::string_view("root\0x", 6)));
}

// --- insecure_path_reason ------------------------------------------------------------------

// Our own uid stands in for the script user, so the tests pass with or without root
// (mkdtemp makes the directory ours; /tmp is sticky).
class InsecurePathTest : public testing::Test {
protected:
    std::optional<std::string> reason(const std::string& path) {
        return os::insecure_path_reason(path, ::geteuid());
    }
    TempDir tmp_;
};

TEST_F(InsecurePathTest, SafeScriptPasses) {
    tmp_.dir("checks", 0755);
    const auto script = tmp_.file("checks/check.sh", 0755);
    EXPECT_EQ(reason(script), std::nullopt);
    EXPECT_EQ(reason(tmp_.path() + "/./checks/../checks/check.sh"), std::nullopt);
}

TEST_F(InsecurePathTest, SystemProgramsThroughMergedUsrSymlinksPass) {
    // /bin is a symlink to usr/bin on Debian 12; both are root's.
    EXPECT_EQ(os::insecure_path_reason("/bin/sh", 0), std::nullopt);
    EXPECT_EQ(os::insecure_path_reason("/usr/bin/env", 0), std::nullopt);
}

TEST_F(InsecurePathTest, WorldWritableDirectoryIsRejected) {
    const auto dir = tmp_.dir("open", 0777);
    const auto script = tmp_.file("open/check.sh", 0755);
    EXPECT_EQ(reason(script), "script " + script + ": directory " + dir + " is writable by others");
}

TEST_F(InsecurePathTest, GroupWritableFileIsRejected) {
    const auto script = tmp_.file("check.sh", 0775);
    EXPECT_EQ(reason(script), "script " + script + ": file " + script + " is writable by group");
}

TEST_F(InsecurePathTest, StickyWorldWritableDirectoryWithATrustedFileIsAccepted) {
    tmp_.dir("sticky", 01777);
    const auto script = tmp_.file("sticky/check.sh", 0755);
    EXPECT_EQ(reason(script), std::nullopt);
}

TEST_F(InsecurePathTest, StickyDirectoryWithSomeoneElsesFileIsRejected) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
    const auto dir = tmp_.dir("sticky", 01777);
    const auto script = tmp_.file("sticky/check.sh", 0755);
    ASSERT_EQ(::chown(script.c_str(), 1000, 1000), 0);
    EXPECT_EQ(os::insecure_path_reason(script, 0), "script " + script + ": directory " + dir +
                                                       " is writable by others and " + script +
                                                       " is owned by uid 1000");
}

TEST_F(InsecurePathTest, DirectoryOwnedBySomeoneElseIsRejected) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
    const auto dir = tmp_.dir("theirs", 0755);
    ASSERT_EQ(::chown(dir.c_str(), 1000, 1000), 0);
    const auto script = tmp_.file("theirs/check.sh", 0755);
    EXPECT_EQ(os::insecure_path_reason(script, 0),
              "script " + script + ": directory " + dir + " is owned by uid 1000, not root");
    EXPECT_EQ(os::insecure_path_reason(script, 1000), std::nullopt);  // the script user's own
}

TEST_F(InsecurePathTest, NonExecutableFileIsRejected) {
    const auto script = tmp_.file("check.sh", 0644);
    EXPECT_EQ(reason(script), "script " + script + ": file " + script + " is not executable");
}

TEST_F(InsecurePathTest, MissingFileAndDirectoryAreRejected) {
    const auto missing = tmp_.path() + "/nothing.sh";
    EXPECT_EQ(reason(missing), "script " + missing + ": does not exist");
    const auto under = tmp_.path() + "/nodir/check.sh";
    EXPECT_EQ(reason(under), "script " + under + ": " + tmp_.path() + "/nodir does not exist");
}

TEST_F(InsecurePathTest, RelativePathIsRejected) {
    EXPECT_EQ(reason("checks/check.sh"), "script checks/check.sh: path is not absolute");
    EXPECT_EQ(reason(""), "script : path is not absolute");
}

TEST_F(InsecurePathTest, DirectoryIsNotAScript) {
    EXPECT_EQ(reason(tmp_.path()),
              "script " + tmp_.path() + ": " + tmp_.path() + " is not a regular file");
}

// A symlink is only as safe as the directory it sits in: others could re-point it.
TEST_F(InsecurePathTest, SymlinksAreFollowedAndTheirDirectoriesChecked) {
    const auto script = tmp_.file("check.sh", 0755);
    const auto safe_link = tmp_.path() + "/link.sh";
    ASSERT_EQ(::symlink("check.sh", safe_link.c_str()), 0);
    EXPECT_EQ(reason(safe_link), std::nullopt);

    const auto open = tmp_.dir("open", 0777);
    const auto exposed = open + "/link.sh";
    ASSERT_EQ(::symlink(script.c_str(), exposed.c_str()), 0);
    EXPECT_EQ(reason(exposed),
              "script " + exposed + ": directory " + open + " is writable by others");

    // And the target's directories are checked as well.
    const auto hidden = tmp_.file("open/real.sh", 0755);
    const auto to_exposed = tmp_.path() + "/to-open.sh";
    ASSERT_EQ(::symlink(hidden.c_str(), to_exposed.c_str()), 0);
    EXPECT_EQ(reason(to_exposed),
              "script " + to_exposed + ": directory " + open + " is writable by others");

    const auto loop = tmp_.path() + "/loop";
    ASSERT_EQ(::symlink("loop", loop.c_str()), 0);
    EXPECT_EQ(reason(loop), "script " + loop + ": too many levels of symbolic links");
}

// --- insecure_command_reason: the whole command line ----------------------------------------

// "/bin/sh /srv/x/check.sh": the script handed to the interpreter runs as the script user
// just as the program does (issue 13's first finding).
TEST_F(InsecurePathTest, AFileArgumentOthersCanReplaceIsRejected) {
    tmp_.dir("open", 0777);
    const auto script = tmp_.file("open/check.sh", 0644);  // read by sh: need not be executable
    EXPECT_EQ(
        os::insecure_command_reason({"/bin/sh", script}, ::geteuid()),
        "script argument " + script + ": directory " + tmp_.path() + "/open is writable by others");
    tmp_.dir("safe", 0755);
    const auto safe = tmp_.file("safe/check.sh", 0644);
    EXPECT_EQ(os::insecure_command_reason({"/bin/sh", safe}, ::geteuid()), std::nullopt);
}

TEST_F(InsecurePathTest, ArgumentsThatNameNoFileAreNotPaths) {
    tmp_.dir("open", 0777);
    EXPECT_EQ(os::insecure_command_reason({"/bin/sh", "-c", "exit 0", tmp_.path() + "/open/none",
                                           "--flag=" + tmp_.path() + "/open", tmp_.path()},
                                          ::geteuid()),
              std::nullopt);  // options, words, missing files and directories
}

TEST_F(InsecurePathTest, ARelativeFileArgumentIsCheckedFromTheWorkingDirectory) {
    const auto open = tmp_.dir("open", 0777);
    tmp_.file("open/check.sh", 0644);
    const auto here = std::filesystem::current_path();
    std::filesystem::current_path(open);
    const auto why = os::insecure_command_reason({"/bin/sh", "check.sh"}, ::geteuid());
    std::filesystem::current_path(here);
    EXPECT_EQ(
        why, "script argument " + open + "/check.sh: directory " + open + " is writable by others");
}

TEST_F(InsecurePathTest, TheInterpreterOfAScriptIsChecked) {
    tmp_.dir("open", 0777);
    const auto interpreter = tmp_.file("open/sh", 0755);
    const auto script = tmp_.file("check.sh", 0755, "#! " + interpreter + " -e\nexit 0\n");
    EXPECT_EQ(os::insecure_command_reason({script}, ::geteuid()),
              "interpreter " + interpreter + " of " + script + ": directory " + tmp_.path() +
                  "/open is writable by others");
    const auto good = tmp_.file("good.sh", 0755, "#!/bin/sh\nexit 0\n");
    EXPECT_EQ(os::insecure_command_reason({good}, ::geteuid()), std::nullopt);
    const auto missing = tmp_.file("missing.sh", 0755, "#!/nonexistent/sh\n");
    EXPECT_EQ(os::insecure_command_reason({missing}, ::geteuid()),
              "interpreter /nonexistent/sh of " + missing + ": /nonexistent does not exist");
}

// "/usr/bin/env python3 check.py" and "#!/usr/bin/env bash": the program env finds in the
// scripts' PATH is checked where it is found, and a PATH directory searched before it must
// not let others plant one of that name.
TEST_F(InsecurePathTest, AProgramEnvFindsThroughThePathIsChecked) {
    const auto open = tmp_.dir("open", 0777);
    const auto safe = tmp_.dir("safe", 0755);
    tmp_.file("safe/tool", 0755);
    const auto env = std::string("/usr/bin/env");
    EXPECT_EQ(os::insecure_command_reason({env, "tool"}, ::geteuid(), safe), std::nullopt);
    EXPECT_EQ(os::insecure_command_reason({env, "A=1", "-u", "B", "tool"}, ::geteuid(),
                                          open + ":" + safe),
              "program tool run by env (searched in " + open + "): directory " + open +
                  " is writable by others, who could create " + open + "/tool");
    const auto planted = tmp_.file("open/tool", 0755);
    EXPECT_EQ(
        os::insecure_command_reason({env, "tool"}, ::geteuid(), open + ":" + safe),
        "program tool run by env (" + planted + "): directory " + open + " is writable by others");
    const auto script = tmp_.file("check.sh", 0755, "#!/usr/bin/env tool -x\nexit 0\n");
    EXPECT_EQ(os::insecure_command_reason({script}, ::geteuid(), safe), std::nullopt);
    EXPECT_EQ(os::insecure_command_reason({script}, ::geteuid(), open),
              "interpreter tool of " + script + " (" + planted + "): directory " + open +
                  " is writable by others");
    // -S splits its string (in a #! line the kernel's one argument, split already), and a
    // PATH given to env is where env looks.
    EXPECT_EQ(
        os::insecure_command_reason({env, "-S", "tool -x"}, ::geteuid(), open),
        "program tool run by env (" + planted + "): directory " + open + " is writable by others");
    const auto split = tmp_.file("split.sh", 0755, "#!/usr/bin/env -S tool -x\nexit 0\n");
    EXPECT_EQ(os::insecure_command_reason({split}, ::geteuid(), open),
              "interpreter tool of " + split + " (" + planted + "): directory " + open +
                  " is writable by others");
    EXPECT_EQ(
        os::insecure_command_reason({env, "PATH=" + open, "tool"}, ::geteuid(), safe),
        "program tool run by env (" + planted + "): directory " + open + " is writable by others");
    // Not found anywhere: it will fail to start (a failed check), nothing to plant it over.
    EXPECT_EQ(os::insecure_command_reason({env, "nothing-of-that-name"}, ::geteuid(), safe),
              std::nullopt);
}

TEST_F(InsecurePathTest, TheProgramItselfIsStillCheckedFirst) {
    tmp_.dir("open", 0777);
    const auto program = tmp_.file("open/check", 0755);
    EXPECT_EQ(os::insecure_command_reason({program, "/etc/hostname"}, ::geteuid()),
              "script " + program + ": directory " + tmp_.path() + "/open is writable by others");
    EXPECT_EQ(os::insecure_command_reason({}, ::geteuid()), "empty command");
}

// --- insecure_tracked_file_reason: what vipd reads, not runs ---------------------------------

TEST_F(InsecurePathTest, ATrackedFileAnyoneMayWriteInASafeDirectoryPasses) {
    const auto uid = ::geteuid();
    tmp_.dir("state", 0755);
    const auto file = tmp_.file("state/drain", 0666, "0\n");  // the operator's choice
    EXPECT_EQ(os::insecure_tracked_file_reason(file, uid), std::nullopt);
    // Missing, in a directory only trusted users can write to: it reads as 0 until created.
    EXPECT_EQ(os::insecure_tracked_file_reason(tmp_.path() + "/state/later", uid), std::nullopt);
    EXPECT_EQ(os::insecure_tracked_file_reason(tmp_.path() + "/state/new/later", uid),
              std::nullopt);
}

TEST_F(InsecurePathTest, ATrackedFileOthersCouldReplaceOrCreateIsRejected) {
    const auto uid = ::geteuid();
    const auto open = tmp_.dir("open", 0777);
    const auto file = tmp_.file("open/drain", 0644, "0\n");
    EXPECT_EQ(os::insecure_tracked_file_reason(file, uid),
              "tracked file " + file + ": directory " + open + " is writable by others");
    const auto missing = open + "/later";
    EXPECT_EQ(os::insecure_tracked_file_reason(missing, uid),
              "tracked file " + missing + ": directory " + open +
                  " is writable by others, who could create " + missing);
    // /tmp's sticky bit protects a file that exists, not a name nobody holds yet.
    const auto sticky = tmp_.dir("sticky", 01777);
    const auto held = tmp_.file("sticky/drain", 0644, "0\n");
    EXPECT_EQ(os::insecure_tracked_file_reason(held, uid), std::nullopt);
    EXPECT_EQ(os::insecure_tracked_file_reason(sticky + "/free", uid),
              "tracked file " + sticky + "/free: directory " + sticky +
                  " is writable by others, who could create " + sticky + "/free");
}

TEST_F(InsecurePathTest, ATrackedFileMustBeARegularFileNotALink) {
    const auto uid = ::geteuid();
    const auto fifo = tmp_.path() + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(os::insecure_tracked_file_reason(fifo, uid),
              "tracked file " + fifo + ": " + fifo + " is not a regular file");
    const auto link = tmp_.path() + "/zero";
    ASSERT_EQ(::symlink("/dev/zero", link.c_str()), 0);
    EXPECT_EQ(os::insecure_tracked_file_reason(link, uid),
              "tracked file " + link + ": " + link +
                  " is a symbolic link (tracked files are read without following one)");
    EXPECT_EQ(os::insecure_tracked_file_reason("run/drain", uid),
              "tracked file run/drain: path is not absolute");
}

}  // namespace
}  // namespace vipd
