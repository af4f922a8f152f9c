// Metric names follow the Prometheus conventions: a vipd_ prefix, base units (seconds),
// _total for counters; one family per quantity with the instance's identity as labels.
// The instance's name is the label vrrp_instance: Prometheus reserves "instance" for the
// scraped target.
#include "vipd/daemon/metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace vipd {
namespace {

using nlohmann::json;
using Labels = std::vector<std::pair<std::string, std::string>>;

std::string escape(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string text(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

double number(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return 0;
    return it->get<double>();
}

// Samples grouped by family, so each family's HELP and TYPE come once, before its samples.
class Exposition {
public:
    void family(std::string name, std::string_view type, std::string_view help) {
        auto head = fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
        families_.push_back({std::move(name), std::move(head), 0, {}});
    }
    void sample(std::string_view suffix, const Labels& labels, double value) {
        auto& f = families_.back();
        std::string line = f.name;
        line += suffix;
        if (!labels.empty()) {
            line += '{';
            for (std::size_t i = 0; i < labels.size(); ++i) {
                if (i > 0) line += ',';
                line += fmt::format("{}=\"{}\"", labels[i].first, escape(labels[i].second));
            }
            line += '}';
        }
        // The same series twice is invalid (a tracker listed twice, say): keep the first.
        if (!f.seen.insert(line).second) return;
        // Counts print as integers (1000000, not 1e+06); the rest in shortest form.
        constexpr double kExact = 9007199254740992.0;  // 2^53
        if (value < kExact && value > -kExact &&
            value == static_cast<double>(static_cast<std::int64_t>(value))) {
            f.body += fmt::format("{} {}\n", line, static_cast<std::int64_t>(value));
        } else {
            f.body += fmt::format("{} {}\n", line, value);
        }
        ++f.samples;
    }
    void sample(const Labels& labels, double value) { sample("", labels, value); }
    [[nodiscard]] std::string str() const {
        std::string out;
        for (const auto& f : families_) {
            if (f.samples > 0) out += f.body;  // a family without samples is left out
        }
        return out;
    }

private:
    struct Family {
        std::string name;
        std::string body;  // HELP and TYPE, then the samples
        int samples;
        std::set<std::string> seen;  // series names with labels
    };
    std::vector<Family> families_;
};

Labels instance_labels(const json& i) {
    return {{"vrrp_instance", text(i, "name")},
            {"interface", text(i, "interface")},
            {"vrid", text(i, "vrid")},
            {"family", text(i, "family")}};
}

Labels with(Labels labels, std::string key, std::string value) {
    labels.emplace_back(std::move(key), std::move(value));
    return labels;
}

}  // namespace

std::string render_metrics(const json& snapshot) {
    Exposition m;
    const auto instances = snapshot.value("instances", json::array());
    const auto scripts = snapshot.value("scripts", json::array());
    const auto sockets = snapshot.value("sockets", json::array());

    m.family("vipd_info", "gauge", "vipd's version and router_id (always 1).");
    m.sample({{"version", text(snapshot, "version")}, {"router_id", text(snapshot, "router_id")}},
             1);
    m.family("vipd_start_time_seconds", "gauge", "When vipd started, in seconds since the epoch.");
    m.sample({}, number(snapshot, "start_time_seconds"));
    m.family("vipd_instances", "gauge", "Configured VRRP instances.");
    m.sample({}, static_cast<double>(instances.size()));

    m.family("vipd_instance_state", "gauge",
             "1 for the state the instance is in (INIT, BACKUP, MASTER, FAULT), else 0.");
    for (const auto& i : instances) {
        for (const char* s : {"INIT", "BACKUP", "MASTER", "FAULT"}) {
            m.sample(with(instance_labels(i), "state", s), text(i, "state") == s ? 1 : 0);
        }
    }
    const auto gauge = [&](const char* name, const char* help, auto value) {
        m.family(name, "gauge", help);
        for (const auto& i : instances)
            m.sample(instance_labels(i), value(i));
    };
    gauge("vipd_instance_priority", "Effective priority (configured or override, plus trackers).",
          [](const json& i) { return number(i, "priority"); });
    gauge("vipd_instance_configured_priority", "Priority in the configuration file.",
          [](const json& i) { return number(i, "configured_priority"); });
    gauge("vipd_instance_priority_override", "Runtime priority set by vipctl, 0 when none.",
          [](const json& i) { return number(i, "priority_override"); });
    gauge("vipd_instance_maintenance", "1 while the instance is held in maintenance.",
          [](const json& i) { return i.value("maintenance", false) ? 1.0 : 0.0; });
    gauge("vipd_instance_state_duration_seconds", "Time since the last transition.",
          [](const json& i) { return number(i, "in_state_ms") / 1e3; });
    gauge("vipd_instance_master_down_interval_seconds",
          "Master_Down_Interval as this instance computes it now.",
          [](const json& i) { return number(i, "master_down_interval_us") / 1e6; });

    const auto counter = [&](const char* name, const char* key, const char* help) {
        m.family(name, "counter", help);
        for (const auto& i : instances) {
            m.sample(instance_labels(i), number(i.value("counters", json::object()), key));
        }
    };
    counter("vipd_instance_transitions_total", "transitions", "State transitions.");
    counter("vipd_instance_became_master_total", "became_master", "Transitions to MASTER.");
    counter("vipd_instance_adverts_sent_total", "adverts_sent", "Advertisements sent.");
    counter("vipd_instance_adverts_received_total", "adverts_received",
            "Advertisements received and accepted.");
    counter("vipd_instance_send_errors_total", "send_errors",
            "Advertisements that failed to send.");
    counter("vipd_instance_announcements_total", "announcements",
            "Gratuitous ARP / unsolicited NA messages sent.");
    counter("vipd_instance_address_errors_total", "address_errors",
            "VIP additions or removals the kernel refused.");
    counter("vipd_instance_addresses_restored_total", "addresses_restored",
            "VIPs restored after someone deleted them while master.");
    counter("vipd_instance_notifications_total", "notifications", "Notify commands run.");
    counter("vipd_instance_notify_failures_total", "notify_failures",
            "Notify commands that failed.");

    m.family("vipd_instance_drops_total", "counter",
             "Advertisements for this instance dropped, by reason.");
    for (const auto& i : instances) {
        const auto drops = i.value("counters", json::object()).value("drops", json::object());
        for (auto it = drops.begin(); it != drops.end(); ++it) {
            m.sample(with(instance_labels(i), "reason", it.key()), it.value().get<double>());
        }
    }
    m.family("vipd_socket_drops_total", "counter",
             "Packets dropped before reaching an instance (malformed, unknown VRID), by reason.");
    for (const auto& s : sockets) {
        const auto drops = s.value("drops", json::object());
        for (auto it = drops.begin(); it != drops.end(); ++it) {
            m.sample({{"interface", text(s, "interface")},
                      {"family", text(s, "family")},
                      {"reason", it.key()}},
                     it.value().get<double>());
        }
    }

    m.family("vipd_tracker_up", "gauge",
             "Tracked script or interface as the instance sees it: 1 up, 0 down.");
    for (const auto& i : instances) {
        for (const auto& t : i.value("trackers", json::array())) {
            if (t.contains("value")) continue;
            m.sample({{"vrrp_instance", text(i, "name")},
                      {"type", text(t, "type")},
                      {"name", text(t, "name")}},
                     t.value("up", false) ? 1 : 0);
        }
    }
    m.family("vipd_tracker_value", "gauge", "Tracked file's number as last read.");
    for (const auto& i : instances) {
        for (const auto& t : i.value("trackers", json::array())) {
            if (!t.contains("value")) continue;
            m.sample(
                {{"vrrp_instance", text(i, "name")}, {"type", "file"}, {"name", text(t, "name")}},
                number(t, "value"));
        }
    }

    m.family("vipd_script_up", "gauge", "Health-check script state after rise/fall: 1 up, 0 down.");
    for (const auto& s : scripts)
        m.sample({{"script", text(s, "name")}}, text(s, "state") == "UP" ? 1 : 0);
    m.family("vipd_script_runs_total", "counter", "Health-check runs.");
    for (const auto& s : scripts)
        m.sample({{"script", text(s, "name")}}, number(s, "runs"));
    m.family("vipd_script_failures_total", "counter", "Health-check runs that failed.");
    for (const auto& s : scripts)
        m.sample({{"script", text(s, "name")}}, number(s, "failures"));
    m.family("vipd_script_timeouts_total", "counter", "Health-check runs killed at their timeout.");
    for (const auto& s : scripts)
        m.sample({{"script", text(s, "name")}}, number(s, "timeouts"));
    m.family("vipd_script_duration_seconds", "summary", "Health-check run time.");
    for (const auto& s : scripts) {
        m.sample("_sum", {{"script", text(s, "name")}}, number(s, "duration_seconds_sum"));
        m.sample("_count", {{"script", text(s, "name")}}, number(s, "runs_timed"));
    }
    return m.str();
}

}  // namespace vipd
