// The daemon-launcher link: the messages (round trips, and every malformed request
// rejected), and both ends over a real socket pair with a real ProcessRunner: a run allowed,
// one refused, a cancel, a malformed request among good ones, and the launcher gone.
#include "vipd/os/launcher.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <optional>

namespace vipd {
namespace {

using namespace std::chrono_literals;
using os::LauncherError;
using os::LauncherReply;
using os::LauncherRequest;
using os::ScriptResult;
using os::ScriptSpec;
using Outcome = ScriptResult::Outcome;

LauncherRequest full_request() {
    LauncherRequest q;
    q.kind = LauncherRequest::Kind::Run;
    q.id = 0x0102030405060708ULL;
    q.spec.argv = {"/bin/sh", "/etc/vipd/check.sh", ""};
    q.spec.user = os::UserIds{"nobody", 65534, 65533};
    q.spec.timeout = 1500ms;
    q.spec.env = {"VIPD_SCRIPT=web", "VIPD_REASON=master down: no advert for 361 ms"};
    q.spec.output_limit = 4096;
    return q;
}

TEST(LauncherMessages, ARunRequestComesBackAsItWent) {
    const auto q = full_request();
    const auto back = os::decode_request(os::encode(q));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->kind, q.kind);
    EXPECT_EQ(back->id, q.id);
    EXPECT_EQ(back->spec.argv, q.spec.argv);
    ASSERT_TRUE(back->spec.user.has_value());
    EXPECT_EQ(back->spec.user->name, "nobody");
    EXPECT_EQ(back->spec.user->uid, 65534U);
    EXPECT_EQ(back->spec.user->gid, 65533U);
    EXPECT_EQ(back->spec.timeout, q.spec.timeout);
    EXPECT_EQ(back->spec.env, q.spec.env);
    EXPECT_EQ(back->spec.output_limit, q.spec.output_limit);

    auto as_root = q;
    as_root.spec.user.reset();
    const auto root = os::decode_request(os::encode(as_root));
    ASSERT_TRUE(root.has_value());
    EXPECT_FALSE(root->spec.user.has_value());

    for (auto kind : {LauncherRequest::Kind::Cancel, LauncherRequest::Kind::Reload}) {
        const auto b = os::decode_request(os::encode(LauncherRequest{kind, 42, {}}));
        ASSERT_TRUE(b.has_value());
        EXPECT_EQ(b->kind, kind);
        EXPECT_EQ(b->id, 42U);
    }
}

TEST(LauncherMessages, EveryCutShortOrLengthenedRequestIsRejected) {
    const auto bytes = os::encode(full_request());
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(os::decode_request(bytes.substr(0, n)).has_value()) << "cut at " << n;
    EXPECT_FALSE(os::decode_request(bytes + '\0').has_value());
    EXPECT_FALSE(
        os::decode_request(os::encode(LauncherRequest{LauncherRequest::Kind::Cancel, 1, {}}) + 'x')
            .has_value());
}

TEST(LauncherMessages, RequestsOutsideTheirBoundsAreRejected) {
    auto bad_kind = os::encode(full_request());
    bad_kind[0] = 9;
    EXPECT_FALSE(os::decode_request(bad_kind).has_value());

    auto q = full_request();
    q.spec.user->uid = static_cast<uid_t>(-1);  // "no change" to setresuid: never a user
    EXPECT_FALSE(os::decode_request(os::encode(q)).has_value());

    q = full_request();
    q.spec.timeout = Duration::zero();
    EXPECT_FALSE(os::decode_request(os::encode(q)).has_value());

    q = full_request();
    q.spec.output_limit = 1024 * 1024;
    EXPECT_FALSE(os::decode_request(os::encode(q)).has_value());

    q = full_request();
    q.spec.argv.assign(20000, "x");  // more words than a message can hold
    EXPECT_FALSE(os::decode_request(os::encode(q)).has_value());

    q = full_request();
    q.spec.argv[1] = std::string(200 * 1024, 'a');
    EXPECT_FALSE(os::decode_request(os::encode(q)).has_value());

    q = full_request();
    q.spec.argv[1] = std::string(64 * 1024, 'a');  // the longest word a configuration has
    EXPECT_TRUE(os::decode_request(os::encode(q)).has_value());
}

TEST(LauncherMessages, RepliesKeepOutcomeOutputAndErrorCategory) {
    LauncherReply r;
    r.id = 7;
    r.result.outcome = Outcome::Exited;
    r.result.exit_code = 3;
    r.result.output = std::string("out\0put\xff", 8);
    r.result.output_truncated = true;
    r.result.run_time = 12ms;
    auto back = os::decode_reply(os::encode(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->id, 7U);
    EXPECT_EQ(back->result.outcome, Outcome::Exited);
    EXPECT_EQ(back->result.exit_code, 3);
    EXPECT_EQ(back->result.output, r.result.output);
    EXPECT_TRUE(back->result.output_truncated);
    EXPECT_EQ(back->result.run_time, 12ms);
    EXPECT_FALSE(back->result.error);

    r.result.outcome = Outcome::SpawnFailed;
    r.result.error = std::error_code(EMFILE, std::system_category());
    back = os::decode_reply(os::encode(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->result.error, r.result.error);

    r.result.error = LauncherError::Refused;
    back = os::decode_reply(os::encode(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->result.error, std::error_code(LauncherError::Refused));

    const auto bytes = os::encode(r);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(os::decode_reply(bytes.substr(0, n)).has_value()) << "cut at " << n;
}

// Both ends in one loop: the launcher's with a real ProcessRunner and a policy that allows
// /bin/echo and /bin/sleep only.
class LauncherLink : public ::testing::Test {
protected:
    void SetUp() override {
        std::array<int, 2> fds{};
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds.data()), 0);
        daemon_fd_ = fds[0];
        launcher_fd_ = fds[1];
        server_.emplace(io_, launcher_fd_, runner_,
                        os::LauncherPolicy{
                            .refusal = [this](const ScriptSpec& s) -> std::optional<std::string> {
                                ++asked_;
                                if (s.argv.at(0) == "/bin/echo" || s.argv.at(0) == "/bin/sleep")
                                    return std::nullopt;
                                return "not allowed here";
                            },
                            .reload = [this] { ++reloads_; }});
        server_->start();
    }

    template <typename Pred>
    bool run_until(Pred done, Duration limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            io_.run_for(10ms);
        }
        return true;
    }

    // The next reply on the daemon's end, read without a RemoteRunner.
    std::optional<LauncherReply> raw_reply() {
        std::array<char, 4096> buf{};
        ssize_t n = -1;
        if (!run_until([&] {
                n = ::recv(daemon_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
                return n > 0;
            })) {
            return std::nullopt;
        }
        return os::decode_reply({buf.data(), static_cast<std::size_t>(n)});
    }

    static ScriptSpec spec(std::vector<std::string> argv) {
        ScriptSpec s;
        s.argv = std::move(argv);
        s.timeout = 10s;
        return s;
    }

    boost::asio::io_context io_;
    os::ProcessRunner runner_{io_};
    std::optional<os::LauncherServer> server_;
    int daemon_fd_ = -1;
    int launcher_fd_ = -1;
    int asked_ = 0;
    int reloads_ = 0;
};

TEST_F(LauncherLink, AnAllowedRunReportsTheScriptsResult) {
    os::RemoteRunner remote(io_, daemon_fd_, [] {});
    std::optional<ScriptResult> result;
    remote.run(spec({"/bin/echo", "hello"}), [&](ScriptResult r) { result = std::move(r); });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }));
    EXPECT_EQ(result->outcome, Outcome::Exited);
    EXPECT_EQ(result->exit_code, 0);
    EXPECT_EQ(result->output, "hello\n");
    EXPECT_EQ(asked_, 1);
}

TEST_F(LauncherLink, ARefusedRunFailsToStartWithTheReasonAndRunsNothing) {
    os::RemoteRunner remote(io_, daemon_fd_, [] {});
    std::optional<ScriptResult> result;
    remote.run(spec({"/bin/sh", "-c", "exit 0"}), [&](ScriptResult r) { result = std::move(r); });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }));
    EXPECT_EQ(result->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(result->error, std::error_code(LauncherError::Refused));
    EXPECT_EQ(result->output, "not allowed here");
    EXPECT_EQ(runner_.running(), 0U);
}

TEST_F(LauncherLink, ACancelledRunIsKilledAndNeverReported) {
    os::RemoteRunner remote(io_, daemon_fd_, [] {});
    bool called = false;
    const auto id = remote.run(spec({"/bin/sleep", "30"}), [&](ScriptResult) { called = true; });
    ASSERT_TRUE(run_until([&] { return runner_.running() == 1; }));
    remote.cancel(id);
    ASSERT_TRUE(run_until([&] { return runner_.running() == 0; }));
    run_until([] { return false; }, 100ms);
    EXPECT_FALSE(called);
}

TEST_F(LauncherLink, ARunTooLongForTheLinkFailsAtOnceWithoutReachingTheLauncher) {
    os::RemoteRunner remote(io_, daemon_fd_, [] {});
    std::optional<ScriptResult> result;
    remote.run(spec({"/bin/echo", std::string(200 * 1024, 'a')}),
               [&](ScriptResult r) { result = std::move(r); });
    ASSERT_TRUE(run_until([&] { return result.has_value(); }));
    EXPECT_EQ(result->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(result->error, std::make_error_code(std::errc::argument_list_too_long));
    EXPECT_EQ(asked_, 0);
}

TEST_F(LauncherLink, AMalformedRunIsAnsweredRefusedSoNobodyWaitsForIt) {
    std::string bad(1, static_cast<char>(LauncherRequest::Kind::Run));
    bad += std::string("\x2a\0\0\0\0\0\0\0", 8);  // id 42
    bad += "not a request";
    ASSERT_EQ(::send(daemon_fd_, bad.data(), bad.size(), 0), static_cast<ssize_t>(bad.size()));
    const auto reply = raw_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->id, 42U);
    EXPECT_EQ(reply->result.error, std::error_code(LauncherError::Refused));
    EXPECT_EQ(server_->malformed(), 1U);
    EXPECT_EQ(asked_, 0);
    ::close(daemon_fd_);
}

TEST_F(LauncherLink, WhenTheDaemonClosesTheLinkTheLauncherStops) {
    {
        os::RemoteRunner remote(io_, daemon_fd_, [] {});
        remote.run(spec({"/bin/sleep", "30"}), [](ScriptResult) {});
        ASSERT_TRUE(run_until([&] { return runner_.running() == 1; }));
    }
    ASSERT_TRUE(run_until([&] { return io_.stopped(); }));
}

TEST_F(LauncherLink, AMalformedRequestIsCountedAndTheNextOneServed) {
    const std::string garbage = "\x01garbage";
    ASSERT_EQ(::send(daemon_fd_, garbage.data(), garbage.size(), 0),
              static_cast<ssize_t>(garbage.size()));
    LauncherRequest q{LauncherRequest::Kind::Run, 5, spec({"/bin/echo", "after"})};
    const auto bytes = os::encode(q);
    ASSERT_EQ(::send(daemon_fd_, bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
    const auto reload = os::encode(LauncherRequest{LauncherRequest::Kind::Reload, 0, {}});
    ASSERT_EQ(::send(daemon_fd_, reload.data(), reload.size(), 0),
              static_cast<ssize_t>(reload.size()));
    const auto reply = raw_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->id, 5U);
    EXPECT_EQ(reply->result.output, "after\n");
    EXPECT_EQ(server_->malformed(), 1U);
    EXPECT_EQ(reloads_, 1);
    ::close(daemon_fd_);
}

TEST_F(LauncherLink, WhenTheLauncherGoesEveryRunFailsAndTheDaemonHears) {
    int lost = 0;
    os::RemoteRunner remote(io_, daemon_fd_, [&] { ++lost; });
    std::optional<ScriptResult> in_flight;
    remote.run(spec({"/bin/sleep", "30"}), [&](ScriptResult r) { in_flight = std::move(r); });
    ASSERT_TRUE(run_until([&] { return runner_.running() == 1; }));
    server_.reset();  // closes the launcher's end
    ASSERT_TRUE(run_until([&] { return in_flight.has_value() && lost == 1; }));
    EXPECT_EQ(in_flight->outcome, Outcome::SpawnFailed);
    EXPECT_EQ(in_flight->error, std::error_code(LauncherError::Lost));
    std::optional<ScriptResult> later;
    remote.run(spec({"/bin/echo"}), [&](ScriptResult r) { later = std::move(r); });
    ASSERT_TRUE(run_until([&] { return later.has_value(); }));
    EXPECT_EQ(later->error, std::error_code(LauncherError::Lost));
    EXPECT_EQ(lost, 1);
}

}  // namespace
}  // namespace vipd
