// The control protocol: every malformed request gets an error reply and nothing else.
#include "vipd/daemon/control.hpp"

#include <gtest/gtest.h>

namespace vipd {
namespace {

ControlCommands commands(int& reloads) {
    return ControlCommands{
        .status =
            [] {
                return nlohmann::json{{"instances", nlohmann::json::array()}};
            },
        .reload =
            [&reloads] {
                ++reloads;
                return nlohmann::json{{"applied", false}, {"diagnostics", {"f:1: bad"}}};
            },
    };
}

std::string error_of(const std::string& line) {
    int reloads = 0;
    const auto r = handle_control_request(line, commands(reloads));
    EXPECT_FALSE(r.at("ok").get<bool>()) << r.dump();
    EXPECT_EQ(reloads, 0);
    return r.value("error", "");
}

TEST(Control, StatusAndPing) {
    int reloads = 0;
    const auto r = handle_control_request(R"({"command": "status"})", commands(reloads));
    EXPECT_TRUE(r.at("ok").get<bool>());
    EXPECT_TRUE(r.at("result").contains("instances"));
    EXPECT_EQ(handle_control_request(R"({"command":"ping"})", commands(reloads))["result"], "pong");
}

TEST(Control, RefusedReloadIsNotOkAndCarriesTheDiagnostics) {
    int reloads = 0;
    const auto r = handle_control_request(R"({"command": "reload"})", commands(reloads));
    EXPECT_EQ(reloads, 1);
    EXPECT_FALSE(r.at("ok").get<bool>());
    EXPECT_EQ(r.at("result").at("diagnostics")[0], "f:1: bad");
}

TEST(Control, MalformedRequestsGetErrors) {
    EXPECT_EQ(error_of("status"), "request is not valid JSON");
    EXPECT_EQ(error_of("{\"command\": "), "request is not valid JSON");
    EXPECT_EQ(error_of("[\"status\"]"), "request must be a JSON object");
    EXPECT_EQ(error_of("{}"), "request needs a \"command\" string");
    EXPECT_EQ(error_of("{\"command\": 3}"), "request needs a \"command\" string");
    EXPECT_EQ(error_of("{\"command\": \"rm -rf\"}"),
              "unknown command \"rm -rf\" (status, reload, ping)");
    EXPECT_EQ(error_of(std::string(kMaxControlRequest + 1, ' ')), "request too large");
    EXPECT_EQ(error_of(std::string("{\"command\":\"\xff\xfe\"}")), "request is not valid JSON");
}

TEST(Control, AThrowingHandlerBecomesAnError) {
    ControlCommands c{.status = []() -> nlohmann::json { throw std::runtime_error("boom"); }};
    const auto r = handle_control_request(R"({"command": "status"})", c);
    EXPECT_FALSE(r.at("ok").get<bool>());
    EXPECT_EQ(r.at("error"), "internal error: boom");
}

}  // namespace
}  // namespace vipd
