// The control protocol: each command's arguments reach the daemon validated and typed, and
// every malformed request gets an error reply without reaching it at all.
#include "daemon/control.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

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
        reply(json("vipd_up 1\n"));
    }
    void handover(const std::string& instance, std::optional<IpAddress> to,
                  ControlReply reply) override {
        calls.push_back("handover " + instance + (to ? " " + to->to_string() : ""));
        if (hold) {
            held = std::move(reply);
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
    void maintenance(const std::string& instance, bool on, ControlReply reply) override {
        calls.push_back("maintenance " + instance + (on ? " on" : " off"));
        reply(json::object());
    }
};

// The replies one request produced (there must be exactly one, unless held).
std::vector<json> ask(FakeApi& api, const std::string& line) {
    std::vector<json> replies;
    handle_control_request(line, api, [&](json r) { replies.push_back(std::move(r)); });
    return replies;
}

json one(FakeApi& api, const std::string& line) {
    const auto r = ask(api, line);
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
    const std::vector<std::string> expected{"stats",
                                            "stats clear",
                                            "metrics",
                                            "set-priority web 150",
                                            "set-priority web null",
                                            "maintenance web on",
                                            "maintenance db off",
                                            "handover web 2001:db8::2"};
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
    handle_control_request(R"({"command":"handover","instance":"web"})", api,
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
              "set-priority, maintenance, ping)");
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

}  // namespace
}  // namespace vipd
