// Metric names follow the Prometheus conventions: a vipd_ prefix, base units (seconds),
// _total for counters; one family per quantity with the instance's identity as labels.
// The instance's name is the label vrrp_instance: Prometheus reserves "instance" for the
// scraped target.
#include "metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace vipd {
namespace {

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

Labels instance_labels(const InstanceStatus& i) {
    return {{"vrrp_instance", i.name},
            {"interface", i.interface},
            {"vrid", std::to_string(i.vrid)},
            {"family", i.family == Family::IPv4 ? "ipv4" : "ipv6"}};
}

Labels with(Labels labels, std::string key, std::string value) {
    labels.emplace_back(std::move(key), std::move(value));
    return labels;
}

double as_double(std::uint64_t n) {
    return static_cast<double>(n);
}

}  // namespace

std::string render_metrics(const DaemonStatus& status) {
    Exposition m;
    const auto& instances = status.instances;

    m.family("vipd_info", "gauge", "vipd's version and router_id (always 1).");
    m.sample({{"version", status.version}, {"router_id", status.router_id}}, 1);
    m.family("vipd_start_time_seconds", "gauge", "When vipd started, in seconds since the epoch.");
    m.sample({}, status.start_time_seconds);
    m.family("vipd_instances", "gauge", "Configured VRRP instances.");
    m.sample({}, static_cast<double>(instances.size()));

    m.family("vipd_instance_state", "gauge",
             "1 for the state the instance is in (INIT, BACKUP, MASTER, FAULT), else 0.");
    for (const auto& i : instances) {
        for (const auto s : {State::Initialize, State::Backup, State::Master, State::Fault}) {
            m.sample(with(instance_labels(i), "state", std::string(to_string(s))),
                     i.state == s ? 1 : 0);
        }
    }
    const auto gauge = [&](const char* name, const char* help, auto value) {
        m.family(name, "gauge", help);
        for (const auto& i : instances)
            m.sample(instance_labels(i), value(i));
    };
    gauge("vipd_instance_priority", "Effective priority (configured or override, plus trackers).",
          [](const InstanceStatus& i) { return i.priority; });
    gauge("vipd_instance_configured_priority", "Priority in the configuration file.",
          [](const InstanceStatus& i) { return i.configured_priority; });
    gauge("vipd_instance_priority_override", "Runtime priority set by vipctl, 0 when none.",
          [](const InstanceStatus& i) { return i.priority_override.value_or(0); });
    gauge("vipd_instance_maintenance", "1 while the instance is held in maintenance.",
          [](const InstanceStatus& i) { return i.maintenance ? 1 : 0; });
    gauge("vipd_instance_state_duration_seconds", "Time since the last transition.",
          [](const InstanceStatus& i) { return static_cast<double>(i.in_state_ms) / 1e3; });
    gauge("vipd_instance_master_down_interval_seconds",
          "Master_Down_Interval as this instance computes it now.", [](const InstanceStatus& i) {
              return static_cast<double>(i.master_down_interval_us) / 1e6;
          });

    const auto counter = [&](const char* name, auto field, const char* help) {
        m.family(name, "counter", help);
        for (const auto& i : instances)
            m.sample(instance_labels(i), as_double(i.counters.*field));
    };
    using C = InstanceCountersStatus;
    counter("vipd_instance_transitions_total", &C::transitions, "State transitions.");
    counter("vipd_instance_became_master_total", &C::became_master, "Transitions to MASTER.");
    counter("vipd_instance_adverts_sent_total", &C::adverts_sent, "Advertisements sent.");
    counter("vipd_instance_adverts_received_total", &C::adverts_received,
            "Advertisements received and accepted.");
    counter("vipd_instance_send_errors_total", &C::send_errors,
            "Advertisements that failed to send.");
    counter("vipd_instance_announcements_total", &C::announcements,
            "Gratuitous ARP / unsolicited NA messages sent.");
    counter("vipd_instance_address_errors_total", &C::address_errors,
            "VIP additions or removals the kernel refused.");
    counter("vipd_instance_addresses_restored_total", &C::addresses_restored,
            "VIPs restored after someone deleted them while master.");
    counter("vipd_instance_filter_errors_total", &C::filter_errors,
            "accept = false: changes to vipd's nftables table that failed (traffic to the VIPs "
            "not refused, or not let in again).");
    counter("vipd_instance_route_errors_total", &C::route_errors,
            "Virtual route or rule additions or removals the kernel refused.");
    counter("vipd_instance_routes_restored_total", &C::routes_restored,
            "Virtual routes and rules put back after someone deleted them while master.");
    counter("vipd_instance_notifications_total", &C::notifications, "Notify commands run.");
    counter("vipd_instance_notify_failures_total", &C::notify_failures,
            "Notify commands that failed.");
    counter("vipd_instance_notify_dropped_total", &C::notify_dropped,
            "Transitions not notified: superseded while their commands waited behind slower ones.");

    m.family("vipd_instance_drops_total", "counter",
             "Advertisements for this instance dropped, by reason.");
    for (const auto& i : instances) {
        for (std::size_t r = 0; r < kDropReasonCount; ++r) {
            m.sample(with(instance_labels(i), "reason",
                          std::string(to_string(static_cast<DropReason>(r)))),
                     as_double(i.counters.drops[r]));
        }
    }
    m.family("vipd_socket_drops_total", "counter",
             "Packets dropped before reaching an instance (malformed, unknown VRID), by reason.");
    for (const auto& s : status.sockets) {
        for (std::size_t r = 0; r < kDropReasonCount; ++r) {
            m.sample({{"interface", s.interface},
                      {"family", s.family == Family::IPv4 ? "ipv4" : "ipv6"},
                      {"reason", std::string(to_string(static_cast<DropReason>(r)))}},
                     as_double(s.drops[r]));
        }
    }

    m.family("vipd_tracker_up", "gauge",
             "Tracker as the instance sees it: 1 up, 0 down (a file: 0 while it cannot be read "
             "safely).");
    for (const auto& i : instances) {
        for (const auto& t : i.trackers)
            m.sample({{"vrrp_instance", i.name}, {"type", t.type}, {"name", t.name}}, t.up ? 1 : 0);
    }
    m.family("vipd_tracker_value", "gauge", "Tracked file's number as last read.");
    for (const auto& i : instances) {
        for (const auto& t : i.trackers) {
            if (!t.value) continue;
            m.sample({{"vrrp_instance", i.name}, {"type", "file"}, {"name", t.name}},
                     static_cast<double>(*t.value));
        }
    }

    m.family("vipd_process_running", "gauge",
             "Running processes a tracked process (vipd.conf processes) matches.");
    for (const auto& p : status.processes)
        m.sample({{"process", p.name}}, static_cast<double>(p.running));
    m.family("vipd_process_up", "gauge",
             "Tracked process quorum met (after its delays): 1 up, 0 down.");
    for (const auto& p : status.processes)
        m.sample({{"process", p.name}}, p.up ? 1 : 0);

    const auto& scripts = status.scripts;
    m.family("vipd_script_up", "gauge", "Health-check script state after rise/fall: 1 up, 0 down.");
    for (const auto& s : scripts)
        m.sample({{"script", s.name}}, s.up ? 1 : 0);
    m.family("vipd_script_runs_total", "counter", "Health-check runs.");
    for (const auto& s : scripts)
        m.sample({{"script", s.name}}, as_double(s.runs));
    m.family("vipd_script_failures_total", "counter", "Health-check runs that failed.");
    for (const auto& s : scripts)
        m.sample({{"script", s.name}}, as_double(s.failures));
    m.family("vipd_script_timeouts_total", "counter", "Health-check runs killed at their timeout.");
    for (const auto& s : scripts)
        m.sample({{"script", s.name}}, as_double(s.timeouts));
    m.family("vipd_script_start_failures_total", "counter",
             "Health-check runs vipd could not start (no descriptors, processes or memory): no "
             "result, the last one stands.");
    for (const auto& s : scripts)
        m.sample({{"script", s.name}}, as_double(s.start_failures));
    m.family("vipd_script_duration_seconds", "summary", "Health-check run time.");
    for (const auto& s : scripts) {
        m.sample("_sum", {{"script", s.name}}, s.duration_seconds_sum);
        m.sample("_count", {{"script", s.name}}, as_double(s.runs_timed));
    }
    return m.str();
}

}  // namespace vipd
