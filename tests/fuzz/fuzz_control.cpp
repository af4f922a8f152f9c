// libFuzzer target for the control protocol: any request line, from a caller who may change
// state and from one who may only read. Oracle: exactly one reply, an object with a boolean
// "ok" and, when not ok, an "error" string (or a reload's diagnostics); a read-only caller
// never reaches a state-changing command.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/control.hpp"

using namespace vipd;
using nlohmann::json;

namespace {

class Api : public ControlApi {
public:
    bool changed = false;
    void status(ControlReply reply) override { reply(json::object()); }
    void reload(ControlReply reply) override {
        changed = true;
        reply(json{{"applied", false}, {"diagnostics", json::array()}});
    }
    void stats(bool clear, ControlReply reply) override {
        changed = changed || clear;
        reply(json::object());
    }
    void metrics(ControlReply reply) override { reply(json("")); }
    void handover(const std::string&, std::optional<IpAddress>, ControlReply reply) override {
        changed = true;
        reply(json::object());
    }
    void set_priority(const std::string&, std::optional<Priority>, ControlReply reply) override {
        changed = true;
        reply(json::object());
    }
    void maintenance(const std::string&, bool, ControlReply reply) override {
        changed = true;
        reply(json::object());
    }
    void log_level(std::optional<config::LogLevel> level, std::optional<config::DebugCategory>,
                   ControlReply reply) override {
        changed = changed || level.has_value();
        reply(json::object());
    }
    void audit(const ControlCaller&, const std::string&, bool) override {}
};

void check(std::string_view line, const ControlCaller& caller) {
    Api api;
    int replies = 0;
    handle_control_request(line, api, caller, [&](json r) {
        ++replies;
        if (!r.is_object() || !r.contains("ok") || !r["ok"].is_boolean()) std::abort();
        if (!r["ok"].get<bool>() && !r.contains("error") && !r.contains("result")) std::abort();
        (void)r.dump(-1, ' ', false, json::error_handler_t::replace);  // as the server sends it
    });
    if (replies != 1) std::abort();
    if (!caller.may_change && api.changed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    check(line, ControlCaller{.uid = 0, .pid = 1, .may_change = true});
    check(line, ControlCaller{.uid = 1000, .pid = 2, .may_change = false});
    return 0;
}
