// The control protocol: each command's arguments reach the daemon validated and typed, and
// every malformed request gets an error reply without reaching it at all.
#include "daemon/control.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/sinks/null_sink.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "temp_dir.hpp"
#include "vipd/os/unix_client.hpp"

namespace vipd {
namespace {

using nlohmann::json;

// Records every call; answers at once unless told to hold the reply (as a handover does).
class FakeApi : public ControlApi {
public:
    std::vector<std::string> calls;
    bool reload_applies = false;
    bool hold = false;
    ControlReply held;
    std::vector<ControlReply> all_held;
    std::atomic<int> handovers{0};  // read by a test thread while the loop runs
    std::string metrics_text = "vipd_up 1\n";
    struct Audit {
        ControlCaller caller;
        std::string request;
        bool allowed;
    };
    std::vector<Audit> audits;

    void status(ControlReply reply) override {
        calls.push_back("status");
        reply(json{{"instances", json::array()}});
    }
    void reload(ControlReply reply) override {
        calls.push_back("reload");
        reply(json{{"applied", reload_applies}, {"diagnostics", {"f:1: bad"}}});
    }
    void stats(bool clear, ControlReply reply) override {
        calls.push_back(clear ? "stats clear" : "stats");
        reply(json::object());
    }
    void metrics(ControlReply reply) override {
        calls.push_back("metrics");
        reply(json(metrics_text));
    }
    void handover(const std::string& instance, std::optional<IpAddress> to,
                  ControlReply reply) override {
        calls.push_back("handover " + instance + (to ? " " + to->to_string() : ""));
        ++handovers;
        if (hold) {
            held = reply;
            all_held.push_back(std::move(reply));
            return;
        }
        reply(Unexpected(std::string("not master (state BACKUP)")));
    }
    void set_priority(const std::string& instance, std::optional<Priority> priority,
                      ControlReply reply) override {
        calls.push_back("set-priority " + instance + " " +
                        (priority ? std::to_string(priority->value()) : "null"));
        reply(json::object());
    }
    void log_level(std::optional<config::LogLevel> level,
                   std::optional<config::DebugCategory> category, ControlReply reply) override {
        calls.push_back(
            "log-level" + (level ? " " + std::string(config::to_string(*level)) : std::string()) +
            (category ? " " + std::string(config::to_string(*category)) : std::string()));
        reply(json::object());
    }
    void maintenance(const std::string& instance, bool on, ControlReply reply) override {
        calls.push_back("maintenance " + instance + (on ? " on" : " off"));
        reply(json::object());
    }
    void audit(const ControlCaller& caller, const std::string& request, bool allowed) override {
        audits.push_back({caller, request, allowed});
    }
};

constexpr ControlCaller kRoot{.uid = 0, .pid = 1, .may_change = true};
constexpr ControlCaller kReader{.uid = 1000, .pid = 4242, .may_change = false};

// The replies one request produced (there must be exactly one, unless held).
std::vector<json> ask(FakeApi& api, const std::string& line, const ControlCaller& caller = kRoot) {
    std::vector<json> replies;
    handle_control_request(line, api, caller, [&](json r) { replies.push_back(std::move(r)); });
    return replies;
}

json one(FakeApi& api, const std::string& line, const ControlCaller& caller = kRoot) {
    const auto r = ask(api, line, caller);
    EXPECT_EQ(r.size(), 1U) << line;
    return r.empty() ? json() : r[0];
}

std::string error_of(const std::string& line) {
    FakeApi api;
    const auto r = one(api, line);
    EXPECT_FALSE(r.value("ok", true)) << r.dump();
    EXPECT_TRUE(api.calls.empty()) << line << " reached the daemon";
    return r.value("error", "");
}

TEST(Control, StatusAndPing) {
    FakeApi api;
    const auto r = one(api, R"({"command": "status"})");
    EXPECT_TRUE(r.at("ok").get<bool>());
    EXPECT_TRUE(r.at("result").contains("instances"));
    EXPECT_EQ(one(api, R"({"command":"ping"})")["result"], "pong");
    EXPECT_EQ(api.calls, std::vector<std::string>{"status"});
}

TEST(Control, RefusedReloadIsNotOkAndCarriesTheDiagnostics) {
    FakeApi api;
    auto r = one(api, R"({"command": "reload"})");
    EXPECT_FALSE(r.at("ok").get<bool>());
    EXPECT_EQ(r.at("result").at("diagnostics")[0], "f:1: bad");
    api.reload_applies = true;
    r = one(api, R"({"command": "reload"})");
    EXPECT_TRUE(r.at("ok").get<bool>());
    EXPECT_EQ(api.calls.size(), 2U);
}

TEST(Control, CommandsGetTheirTypedArguments) {
    FakeApi api;
    EXPECT_TRUE(one(api, R"({"command":"stats"})").at("ok").get<bool>());
    (void)one(api, R"({"command":"stats","clear":true})");
    (void)one(api, R"({"command":"metrics"})");
    (void)one(api, R"({"command":"set-priority","instance":"web","priority":150})");
    (void)one(api, R"({"command":"set-priority","instance":"web","priority":null})");
    (void)one(api, R"({"command":"maintenance","instance":"web","on":true})");
    (void)one(api, R"({"command":"maintenance","instance":"db","on":false})");
    (void)one(api, R"({"command":"handover","instance":"web","to":"2001:db8::2"})");
    (void)one(api, R"({"command":"log-level"})");
    (void)one(api, R"({"command":"log-level","level":"notice"})");
    (void)one(api, R"({"command":"log-level","level":"debug","category":"netlink"})");
    const std::vector<std::string> expected{"stats",
                                            "stats clear",
                                            "metrics",
                                            "set-priority web 150",
                                            "set-priority web null",
                                            "maintenance web on",
                                            "maintenance db off",
                                            "handover web 2001:db8::2",
                                            "log-level",
                                            "log-level notice",
                                            "log-level debug netlink"};
    EXPECT_EQ(api.calls, expected);
}

TEST(Control, AnErrorFromTheDaemonIsTheReply) {
    FakeApi api;
    const auto r = one(api, R"({"command":"handover","instance":"web"})");
    EXPECT_FALSE(r.at("ok").get<bool>());
    EXPECT_EQ(r.at("error"), "not master (state BACKUP)");
}

TEST(Control, AReplyMayComeLater) {
    FakeApi api;
    api.hold = true;
    std::vector<json> replies;
    handle_control_request(R"({"command":"handover","instance":"web"})", api, kRoot,
                           [&](json r) { replies.push_back(std::move(r)); });
    EXPECT_TRUE(replies.empty());
    ASSERT_TRUE(api.held);
    api.held(json{{"successor", "192.0.2.12"}});
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(replies[0]["result"]["successor"], "192.0.2.12");
    api.held(json::object());  // a second answer is ignored
    EXPECT_EQ(replies.size(), 1U);
}

TEST(Control, MalformedRequestsGetErrors) {
    EXPECT_EQ(error_of("status"), "request is not valid JSON");
    EXPECT_EQ(error_of("{\"command\": "), "request is not valid JSON");
    EXPECT_EQ(error_of("[\"status\"]"), "request must be a JSON object");
    EXPECT_EQ(error_of("{}"), "request needs a \"command\" string");
    EXPECT_EQ(error_of("{\"command\": 3}"), "request needs a \"command\" string");
    EXPECT_EQ(error_of("{\"command\": \"rm -rf\"}"),
              "unknown command \"rm -rf\" (status, reload, stats, metrics, handover, "
              "set-priority, maintenance, log-level, ping)");
    EXPECT_EQ(error_of(std::string(kMaxControlRequest + 1, ' ')), "request too large");
    EXPECT_EQ(error_of(std::string("{\"command\":\"\xff\xfe\"}")), "request is not valid JSON");
}

TEST(Control, BadArgumentsNeverReachTheDaemon) {
    EXPECT_EQ(error_of(R"({"command":"handover"})"), "handover: needs an \"instance\" name");
    EXPECT_EQ(error_of(R"({"command":"handover","instance":""})"),
              "handover: needs an \"instance\" name");
    EXPECT_EQ(error_of(R"({"command":"handover","instance":7})"),
              "handover: needs an \"instance\" name");
    EXPECT_EQ(error_of(R"({"command":"handover","instance":"web","to":"nowhere"})"),
              "handover: \"to\" must be an IP address");
    EXPECT_EQ(error_of(R"({"command":"set-priority","instance":"web"})"),
              "set-priority: needs \"priority\": 1..254, or null for the configured one");
    for (const char* p : {"0", "255", "-1", "1.5", "\"100\"", "100000000000"}) {
        EXPECT_EQ(
            error_of(std::string(R"({"command":"set-priority","instance":"web","priority":)") + p +
                     "}"),
            "set-priority: needs \"priority\": 1..254, or null for the configured one")
            << p;
    }
    EXPECT_EQ(error_of(R"({"command":"maintenance","instance":"web"})"),
              "maintenance: needs \"on\": true or false");
    EXPECT_EQ(error_of(R"({"command":"maintenance","instance":"web","on":"yes"})"),
              "maintenance: needs \"on\": true or false");
    EXPECT_EQ(error_of(R"({"command":"stats","clear":1})"),
              "stats: needs \"clear\": true or false");
    EXPECT_EQ(error_of(R"({"command":"log-level","level":"verbose"})"),
              "log-level: \"level\" must be debug, info, notice, warning or error");
    EXPECT_EQ(error_of(R"({"command":"log-level","level":"debug","category":"arp"})"),
              "log-level: \"category\" must be packets, timers, netlink, scripts or control");
    EXPECT_EQ(error_of(R"({"command":"log-level","category":"packets"})"),
              "log-level: a \"category\" needs a \"level\"");
}

class ThrowingApi : public FakeApi {
public:
    void status(ControlReply) override { throw std::runtime_error("boom"); }
};

TEST(Control, AThrowingHandlerBecomesAnError) {
    ThrowingApi api;
    const auto r = one(api, R"({"command": "status"})");
    EXPECT_FALSE(r.at("ok").get<bool>());
    EXPECT_EQ(r.at("error"), "internal error: boom");
}

// --- who may do what ----------------------------------------------------------------------

TEST(ControlAccess, AReaderReadsButChangesNothing) {
    FakeApi api;
    for (const char* line :
         {R"({"command":"status"})", R"({"command":"ping"})", R"({"command":"metrics"})",
          R"({"command":"stats"})", R"({"command":"stats","clear":false})",
          R"({"command":"log-level"})"}) {
        EXPECT_TRUE(one(api, line, kReader).at("ok").get<bool>()) << line;
    }
    EXPECT_EQ(api.calls,
              (std::vector<std::string>{"status", "metrics", "stats", "stats", "log-level"}));
    EXPECT_TRUE(api.audits.empty());  // reading is not audited

    const std::vector<std::pair<std::string, std::string>> changes{
        {R"({"command":"reload"})", "reload"},
        {R"({"command":"stats","clear":true})", "stats --clear"},
        {R"({"command":"handover","instance":"web","to":"192.0.2.12"})",
         "handover web to 192.0.2.12"},
        {R"({"command":"set-priority","instance":"web","priority":254})", "set-priority web 254"},
        {R"({"command":"set-priority","instance":"web","priority":null})",
         "set-priority web configured"},
        {R"({"command":"maintenance","instance":"web","on":true})", "maintenance web on"},
        {R"({"command":"log-level","level":"info"})", "log-level info"},
        {R"({"command":"log-level","level":"debug","category":"packets"})",
         "log-level debug packets"}};
    for (const auto& [line, request] : changes) {
        const auto r = one(api, line, kReader);
        EXPECT_FALSE(r.at("ok").get<bool>()) << line;
        const auto command = json::parse(line).at("command").get<std::string>();
        EXPECT_EQ(r.at("error"), command +
                                     ": permission denied: uid 1000 may read but not change state "
                                     "(that takes root or control_admin_group)");
        ASSERT_FALSE(api.audits.empty());
        EXPECT_EQ(api.audits.back().request, request);
        EXPECT_FALSE(api.audits.back().allowed);
        EXPECT_EQ(api.audits.back().caller.pid, 4242);
    }
    EXPECT_EQ(api.calls.size(), 5U);  // none of them reached the daemon
    EXPECT_EQ(api.audits.size(), changes.size());
}

TEST(ControlAccess, AnAdminsChangesAreAuditedBeforeTheyRun) {
    FakeApi api;
    (void)one(api, R"({"command":"maintenance","instance":"db","on":false})", kRoot);
    ASSERT_EQ(api.audits.size(), 1U);
    EXPECT_EQ(api.audits[0].request, "maintenance db off");
    EXPECT_TRUE(api.audits[0].allowed);
    EXPECT_EQ(api.audits[0].caller.uid, 0U);
    EXPECT_EQ(api.calls, std::vector<std::string>{"maintenance db off"});
    // A malformed change is refused for what it is, before anyone is asked about it.
    EXPECT_EQ(one(api, R"({"command":"handover"})", kReader).at("error"),
              "handover: needs an \"instance\" name");
    EXPECT_EQ(api.audits.size(), 1U);
}

// --- the server: real sockets, the loop on its own thread ----------------------------------

class ControlServerTest : public testing::Test {
protected:
    void start(ControlLimits limits) {
        server_ = std::make_unique<ControlServer>(
            io_, api_,
            std::make_shared<spdlog::logger>("test",
                                             std::make_shared<spdlog::sinks::null_sink_mt>()),
            limits);
        ASSERT_FALSE(server_->listen(path_));
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    // A connection that sends nothing.
    int connect_idle() {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
        fds_.push_back(fd);
        return fd;
    }
    Expected<std::string, std::string> ask(const std::string& line) {
        return os::exchange_line(path_, line, 5.0);
    }
    // Whether the server closed `fd` within `ms` (EOF, or a reset).
    static bool closed_within(int fd, int ms) {
        pollfd p{fd, POLLIN, 0};
        for (const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
             std::chrono::steady_clock::now() < until;) {
            if (::poll(&p, 1, 10) > 0) {
                char c;
                const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
                if (n <= 0) return true;
            }
        }
        return false;
    }

    TempDir dir_;
    std::string path_ = dir_.path() + "/vipd.sock";
    boost::asio::io_context io_;  // first: the sessions the api holds close their sockets on it
    FakeApi api_;
    std::unique_ptr<ControlServer> server_;
    std::thread thread_;
    struct Fds {
        std::vector<int> fds;
        ~Fds() {
            for (const int fd : fds)
                ::close(fd);
        }
        void push_back(int fd) { fds.push_back(fd); }
    } fds_;
};

// Issue 13's finding: ~1,000 idle connections took every descriptor. Now the longest idle
// connection makes room for a new one, so a client that asks gets its answer.
TEST_F(ControlServerTest, IdleConnectionsAreCappedAndTheLongestIdleMakesRoom) {
    start(
        {.max_sessions = 4, .idle = std::chrono::seconds(30), .writing = std::chrono::seconds(5)});
    std::vector<int> idle;
    for (int i = 0; i < 10; ++i)
        idle.push_back(connect_idle());
    const auto pong = ask(R"({"command":"ping"})");
    ASSERT_TRUE(pong) << pong.error();
    EXPECT_EQ(json::parse(pong.value()).at("result"), "pong");
    // c1..c7 made room for c5..c10 and the ping; c8..c10 are still open.
    for (int i = 0; i < 7; ++i)
        EXPECT_TRUE(closed_within(idle[static_cast<std::size_t>(i)], 2000)) << "c" << i + 1;
    for (int i = 7; i < 10; ++i)
        EXPECT_FALSE(closed_within(idle[static_cast<std::size_t>(i)], 50)) << "c" << i + 1;
}

TEST_F(ControlServerTest, AnIdleConnectionIsClosed) {
    start({.max_sessions = 4,
           .idle = std::chrono::milliseconds(100),
           .writing = std::chrono::seconds(5)});
    const int fd = connect_idle();
    EXPECT_TRUE(closed_within(fd, 5000));
    EXPECT_TRUE(ask(R"({"command":"ping"})"));  // one that asks at once is answered
}

// A client that asks for a big reply and never reads it is cut off, not waited for.
TEST_F(ControlServerTest, AReaderThatDoesNotReadIsClosed) {
    api_.metrics_text = std::string(2 * 1024 * 1024, 'm');  // far more than a socket buffer
    start({.max_sessions = 4,
           .idle = std::chrono::seconds(30),
           .writing = std::chrono::milliseconds(100)});
    const int fd = connect_idle();
    const std::string request = "{\"command\":\"metrics\"}\n";
    ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    // Not reading until the reply has begun (rendering it can take seconds under ASan), then
    // long enough for the server's write to stall on the full socket buffer and time out.
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 20'000), 1);
    ::usleep(500'000);
    std::size_t got = 0;
    std::array<char, 65536> buf{};
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    EXPECT_GT(got, 0U);
    EXPECT_LT(got, api_.metrics_text.size());  // cut off: EOF before the whole reply
}

// When every connection is in the middle of a request, a new one is told so and closed.
TEST_F(ControlServerTest, WhenEveryConnectionIsBusyANewOneIsToldSo) {
    api_.hold = true;  // handovers wait for their successor: the sessions stay busy
    start(
        {.max_sessions = 2, .idle = std::chrono::seconds(30), .writing = std::chrono::seconds(5)});
    for (int i = 0; i < 2; ++i) {
        const int fd = connect_idle();
        const std::string request = "{\"command\":\"handover\",\"instance\":\"web\"}\n";
        ASSERT_EQ(::write(fd, request.data(), request.size()),
                  static_cast<ssize_t>(request.size()));
    }
    for (int i = 0; i < 500; ++i) {  // until both are busy
        if (api_.handovers == 2) break;
        ::usleep(10'000);
    }
    const auto r = ask(R"({"command":"ping"})");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(json::parse(r.value()).at("error"), "busy: too many control connections");
}

// The kernel says who connected: our own uid and pid, whatever the request claims.
TEST_F(ControlServerTest, TheCallerIsWhoTheKernelSaysConnected) {
    api_.reload_applies = true;
    start({});
    const auto r = ask(R"({"command":"reload","uid":0})");
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(api_.audits.size(), 1U);
    EXPECT_EQ(api_.audits[0].caller.uid, ::geteuid());
    EXPECT_EQ(api_.audits[0].caller.pid, ::getpid());
    EXPECT_EQ(api_.audits[0].allowed, ::geteuid() == 0);
}

// Who may change state: root, or a member of control_admin_group, by its primary group or a
// supplementary one; without an admin group, root alone.
TEST(ControlCaller, RootOrAdminGroupMembersMayChangeStateOthersOnlyRead) {
    const auto caller = [](uid_t uid, gid_t gid, std::vector<gid_t> groups) {
        return os::PeerCredentials{.uid = uid, .gid = gid, .pid = 42, .groups = std::move(groups)};
    };
    EXPECT_TRUE(control_caller(caller(0, 0, {}), std::nullopt).may_change);
    EXPECT_TRUE(control_caller(caller(0, 0, {}), 990).may_change);
    EXPECT_FALSE(control_caller(caller(1000, 1000, {991}), std::nullopt).may_change);
    EXPECT_FALSE(control_caller(caller(1000, 1000, {991}), 990).may_change);
    EXPECT_TRUE(control_caller(caller(1000, 1000, {990}), 990).may_change);
    EXPECT_TRUE(control_caller(caller(1000, 990, {}), 990).may_change);
    const auto c = control_caller(caller(1000, 1000, {}), 990);
    EXPECT_EQ(c.uid, 1000U);
    EXPECT_EQ(c.pid, 42);
}

}  // namespace
}  // namespace vipd
