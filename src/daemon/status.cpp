// The status model's JSON form, both ways. Keys are spelt once, here.
#include "vipd/daemon/status.hpp"

#include <nlohmann/json.hpp>

namespace vipd {
namespace {

using nlohmann::json;

std::string_view family_name(Family f) {
    return f == Family::IPv4 ? "ipv4" : "ipv6";
}

Family parse_family(const json& j) {
    const auto s = j.get<std::string>();
    if (s == "ipv4") return Family::IPv4;
    if (s == "ipv6") return Family::IPv6;
    throw json::other_error::create(501, "unknown family '" + s + "'", &j);
}

State state_of(const json& j) {
    const auto s = j.get<std::string>();
    if (const auto state = parse_state(s)) return *state;
    throw json::other_error::create(501, "unknown state '" + s + "'", &j);
}

template <class T>
json optional_json(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

template <class T>
void read_optional(const json& j, const char* key, std::optional<T>& out) {
    const auto& v = j.at(key);
    out = v.is_null() ? std::nullopt : std::optional<T>(v.get<T>());
}

DropCounts drops_of(const json& j) {
    DropCounts out{};
    for (std::size_t i = 0; i < kDropReasonCount; ++i)
        out[i] = j.at(std::string(to_string(static_cast<DropReason>(i)))).get<std::uint64_t>();
    return out;
}

}  // namespace

// (Found by ADL for the vectors below; only this file uses them.)
void to_json(json& j, const AuthStatus& a) {
    j = json{{"mode", a.mode},
             {"active_key", a.active_key},
             {"keys", a.keys},
             {"anti_replay", a.anti_replay},
             {"time_window_s", optional_json(a.time_window_s)},
             {"last_skew_s", optional_json(a.last_skew_s)}};
}

void from_json(const json& j, AuthStatus& a) {
    a.mode = j.at("mode").get<std::string>();
    a.active_key = j.at("active_key").get<int>();
    a.keys = j.at("keys").get<std::vector<int>>();
    a.anti_replay = j.at("anti_replay").get<std::string>();
    read_optional(j, "time_window_s", a.time_window_s);
    read_optional(j, "last_skew_s", a.last_skew_s);
}

void to_json(json& j, const TrackerStatus& t) {
    j = json{{"type", t.type}, {"name", t.name}, {"weight", t.weight}, {"reverse", t.reverse}};
    j["up"] = t.up;
    if (t.value) j["value"] = *t.value;
}

void from_json(const json& j, TrackerStatus& t) {
    t.type = j.at("type").get<std::string>();
    t.name = j.at("name").get<std::string>();
    t.weight = j.at("weight").get<int>();
    t.reverse = j.at("reverse").get<bool>();
    t.up = j.at("up").get<bool>();
    if (j.contains("value")) t.value = j.at("value").get<std::int64_t>();
}

void to_json(json& j, const ScriptStatus& s) {
    j = json{{"name", s.name},
             {"state", s.up ? "UP" : "DOWN"},
             {"runs", s.runs},
             {"failures", s.failures},
             {"timeouts", s.timeouts},
             {"start_failures", s.start_failures},
             {"runs_timed", s.runs_timed},
             {"duration_seconds_sum", s.duration_seconds_sum},
             {"last_result", s.last_result}};
}

void from_json(const json& j, ScriptStatus& s) {
    s.name = j.at("name").get<std::string>();
    s.up = j.at("state").get<std::string>() == "UP";
    s.runs = j.at("runs").get<std::uint64_t>();
    s.failures = j.at("failures").get<std::uint64_t>();
    s.timeouts = j.at("timeouts").get<std::uint64_t>();
    s.start_failures = j.at("start_failures").get<std::uint64_t>();
    s.runs_timed = j.at("runs_timed").get<std::uint64_t>();
    s.duration_seconds_sum = j.at("duration_seconds_sum").get<double>();
    s.last_result = j.at("last_result").get<std::string>();
}

void to_json(json& j, const ProcessStatus& p) {
    j = json{{"name", p.name}, {"state", p.up ? "UP" : "DOWN"}, {"running", p.running}};
}

void from_json(const json& j, ProcessStatus& p) {
    p.name = j.at("name").get<std::string>();
    p.up = j.at("state").get<std::string>() == "UP";
    p.running = j.at("running").get<std::uint64_t>();
}

void to_json(json& j, const SocketStatus& s) {
    j = json{{"interface", s.interface},
             {"family", family_name(s.family)},
             {"drops", drops_json(s.drops)}};
}

void from_json(const json& j, SocketStatus& s) {
    s.interface = j.at("interface").get<std::string>();
    s.family = parse_family(j.at("family"));
    s.drops = drops_of(j.at("drops"));
}

std::optional<State> parse_state(std::string_view s) {
    for (const auto state : {State::Initialize, State::Backup, State::Master, State::Fault}) {
        if (s == to_string(state)) return state;
    }
    return std::nullopt;
}

json drops_json(const DropCounts& drops) {
    json out = json::object();
    for (std::size_t i = 0; i < kDropReasonCount; ++i)
        out[std::string(to_string(static_cast<DropReason>(i)))] = drops[i];
    return out;
}

void to_json(json& j, const InstanceStatus& s) {
    const auto& c = s.counters;
    j = json{
        {"name", s.name},
        {"interface", s.interface},
        {"vrid", s.vrid},
        {"family", family_name(s.family)},
        {"version", s.version},
        {"state", to_string(s.state)},
        {"priority", s.priority},
        {"configured_priority", s.configured_priority},
        {"priority_override", optional_json(s.priority_override)},
        {"maintenance", s.maintenance},
        {"handing_over", s.handing_over},
        {"tracker_fault", s.tracker_fault},
        {"trackers", s.trackers},
        {"source_address", s.source_address},
        {"master_address", optional_json(s.master_address)},
        {"addresses", s.addresses},
        {"advert_interval_ms", s.advert_interval_ms},
        {"master_adver_interval_ms", s.master_adver_interval_ms},
        {"skew_time_us", s.skew_time_us},
        {"master_down_interval_us", s.master_down_interval_us},
        {"master_down_timer_ms", optional_json(s.master_down_timer_ms)},
        {"adver_timer_ms", optional_json(s.adver_timer_ms)},
        {"in_state_ms", s.in_state_ms},
        {"last_transition", optional_json(s.last_transition)},
        {"auth_hmac", optional_json(s.auth_hmac)},
        {"counters",
         {{"adverts_sent", c.adverts_sent},
          {"adverts_received", c.adverts_received},
          {"send_errors", c.send_errors},
          {"transitions", c.transitions},
          {"became_master", c.became_master},
          {"announcements", c.announcements},
          {"address_errors", c.address_errors},
          {"addresses_restored", c.addresses_restored},
          {"filter_errors", c.filter_errors},
          {"route_errors", c.route_errors},
          {"routes_restored", c.routes_restored},
          {"notifications", c.notifications},
          {"notify_failures", c.notify_failures},
          {"notify_dropped", c.notify_dropped},
          {"drops", drops_json(c.drops)}}},
    };
}

void from_json(const json& j, InstanceStatus& s) {
    s.name = j.at("name").get<std::string>();
    s.interface = j.at("interface").get<std::string>();
    s.vrid = j.at("vrid").get<int>();
    s.family = parse_family(j.at("family"));
    s.version = j.at("version").get<int>();
    s.state = state_of(j.at("state"));
    s.priority = j.at("priority").get<int>();
    s.configured_priority = j.at("configured_priority").get<int>();
    read_optional(j, "priority_override", s.priority_override);
    s.maintenance = j.at("maintenance").get<bool>();
    s.handing_over = j.at("handing_over").get<bool>();
    s.tracker_fault = j.at("tracker_fault").get<bool>();
    s.trackers = j.at("trackers").get<std::vector<TrackerStatus>>();
    s.source_address = j.at("source_address").get<std::string>();
    read_optional(j, "master_address", s.master_address);
    s.addresses = j.at("addresses").get<std::vector<std::string>>();
    s.advert_interval_ms = j.at("advert_interval_ms").get<std::int64_t>();
    s.master_adver_interval_ms = j.at("master_adver_interval_ms").get<std::int64_t>();
    s.skew_time_us = j.at("skew_time_us").get<std::int64_t>();
    s.master_down_interval_us = j.at("master_down_interval_us").get<std::int64_t>();
    read_optional(j, "master_down_timer_ms", s.master_down_timer_ms);
    read_optional(j, "adver_timer_ms", s.adver_timer_ms);
    s.in_state_ms = j.at("in_state_ms").get<std::int64_t>();
    read_optional(j, "last_transition", s.last_transition);
    read_optional(j, "auth_hmac", s.auth_hmac);
    const auto& c = j.at("counters");
    auto& out = s.counters;
    out.adverts_sent = c.at("adverts_sent").get<std::uint64_t>();
    out.adverts_received = c.at("adverts_received").get<std::uint64_t>();
    out.send_errors = c.at("send_errors").get<std::uint64_t>();
    out.transitions = c.at("transitions").get<std::uint64_t>();
    out.became_master = c.at("became_master").get<std::uint64_t>();
    out.announcements = c.at("announcements").get<std::uint64_t>();
    out.address_errors = c.at("address_errors").get<std::uint64_t>();
    out.addresses_restored = c.at("addresses_restored").get<std::uint64_t>();
    out.filter_errors = c.at("filter_errors").get<std::uint64_t>();
    out.route_errors = c.at("route_errors").get<std::uint64_t>();
    out.routes_restored = c.at("routes_restored").get<std::uint64_t>();
    out.notifications = c.at("notifications").get<std::uint64_t>();
    out.notify_failures = c.at("notify_failures").get<std::uint64_t>();
    out.notify_dropped = c.at("notify_dropped").get<std::uint64_t>();
    out.drops = drops_of(c.at("drops"));
}

void to_json(json& j, const DaemonStatus& s) {
    j = json{{"pid", s.pid},
             {"version", s.version},
             {"start_time_seconds", s.start_time_seconds},
             {"config_file", s.config_file},
             {"router_id", s.router_id},
             {"instances", s.instances},
             {"scripts", s.scripts},
             {"processes", s.processes},
             {"process_source", s.process_source},
             {"sockets", s.sockets}};
}

void from_json(const json& j, DaemonStatus& s) {
    s.pid = j.at("pid").get<long>();
    s.version = j.at("version").get<std::string>();
    s.start_time_seconds = j.at("start_time_seconds").get<double>();
    s.config_file = j.at("config_file").get<std::string>();
    s.router_id = j.at("router_id").get<std::string>();
    s.instances = j.at("instances").get<std::vector<InstanceStatus>>();
    s.scripts = j.at("scripts").get<std::vector<ScriptStatus>>();
    s.processes = j.at("processes").get<std::vector<ProcessStatus>>();
    s.process_source = j.at("process_source").get<std::string>();
    s.sockets = j.at("sockets").get<std::vector<SocketStatus>>();
}

StatsReport::Totals StatsReport::totals() const {
    Totals t;
    for (const auto& i : instances) {
        t.adverts_sent += i.adverts_sent;
        t.adverts_received += i.adverts_received;
        t.send_errors += i.send_errors;
        t.transitions += i.transitions;
    }
    for (const auto n : drops)
        t.drops += n;
    return t;
}

void to_json(json& j, const StatsReport& s) {
    const auto t = s.totals();
    json instances = json::array();
    for (const auto& i : s.instances) {
        instances.push_back(json{{"name", i.name},
                                 {"state", to_string(i.state)},
                                 {"adverts_sent", i.adverts_sent},
                                 {"adverts_received", i.adverts_received},
                                 {"drops", i.drops},
                                 {"send_errors", i.send_errors},
                                 {"transitions", i.transitions},
                                 {"became_master", i.became_master},
                                 {"announcements", i.announcements}});
    }
    json scripts = json::array();
    for (const auto& sc : s.scripts) {
        scripts.push_back(json{{"name", sc.name},
                               {"runs", sc.runs},
                               {"failures", sc.failures},
                               {"timeouts", sc.timeouts}});
    }
    j = json{{"seconds", s.seconds},
             {"cleared", s.cleared},
             {"totals",
              {{"adverts_sent", t.adverts_sent},
               {"adverts_received", t.adverts_received},
               {"drops", t.drops},
               {"send_errors", t.send_errors},
               {"transitions", t.transitions}}},
             {"drops", drops_json(s.drops)},
             {"instances", instances},
             {"scripts", scripts}};
}

void from_json(const json& j, StatsReport& s) {
    s.seconds = j.at("seconds").get<double>();
    s.cleared = j.at("cleared").get<bool>();
    s.drops = drops_of(j.at("drops"));
    s.instances.clear();
    for (const auto& i : j.at("instances")) {
        s.instances.push_back({.name = i.at("name").get<std::string>(),
                               .state = state_of(i.at("state")),
                               .adverts_sent = i.at("adverts_sent").get<std::uint64_t>(),
                               .adverts_received = i.at("adverts_received").get<std::uint64_t>(),
                               .drops = i.at("drops").get<std::uint64_t>(),
                               .send_errors = i.at("send_errors").get<std::uint64_t>(),
                               .transitions = i.at("transitions").get<std::uint64_t>(),
                               .became_master = i.at("became_master").get<std::uint64_t>(),
                               .announcements = i.at("announcements").get<std::uint64_t>()});
    }
    s.scripts.clear();
    for (const auto& sc : j.at("scripts")) {
        s.scripts.push_back({.name = sc.at("name").get<std::string>(),
                             .runs = sc.at("runs").get<std::uint64_t>(),
                             .failures = sc.at("failures").get<std::uint64_t>(),
                             .timeouts = sc.at("timeouts").get<std::uint64_t>()});
    }
}

}  // namespace vipd
