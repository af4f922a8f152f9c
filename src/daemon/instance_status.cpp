// An instance's status and counters as the typed model (daemon/status) carries them: what
// vipctl, the metrics and the snapshot show of it.
#include "instance.hpp"

namespace vipd {

InstanceCounters counted_since(const InstanceCounters& total, const InstanceCounters& base) {
    InstanceCounters d;
    d.adverts_sent = total.adverts_sent - base.adverts_sent;
    d.adverts_received = total.adverts_received - base.adverts_received;
    d.send_errors = total.send_errors - base.send_errors;
    d.transitions = total.transitions - base.transitions;
    d.became_master = total.became_master - base.became_master;
    d.announcements = total.announcements - base.announcements;
    d.address_errors = total.address_errors - base.address_errors;
    d.addresses_restored = total.addresses_restored - base.addresses_restored;
    d.filter_errors = total.filter_errors - base.filter_errors;
    d.route_errors = total.route_errors - base.route_errors;
    d.routes_restored = total.routes_restored - base.routes_restored;
    d.drops = counted_since(total.drops, base.drops);
    return d;
}

InstanceStatus Instance::status(TimePoint now) const {
    InstanceStatus st{
        .name = config_.name,
        .interface = config_.interface,
        .vrid = config_.vrid.value(),
        .family = config_.family,
        .version = static_cast<int>(config_.version),
        .state = sm_.state(),
        .priority = sm_.priority().value(),
        .configured_priority = config_.priority.value(),
        .maintenance = sm_.in_maintenance(),
        .handing_over = handing_over(),
        .tracker_fault = tracked_.fault,
        .source_address = source_.to_string(),
        .advert_interval_ms = whole_ms(Duration{config_.advert_interval}),
        .master_adver_interval_ms = whole_ms(Duration{sm_.master_adver_interval()}),
        .skew_time_us =
            std::chrono::duration_cast<std::chrono::microseconds>(sm_.skew_time()).count(),
        .master_down_interval_us =
            std::chrono::duration_cast<std::chrono::microseconds>(sm_.master_down_interval())
                .count(),
        .in_state_ms = whole_ms(now - state_since_),
    };
    if (priority_override_) st.priority_override = priority_override_->value();
    if (const auto m = sm_.master_address()) st.master_address = m->to_string();
    if (last_reason_) st.last_transition = describe(*last_reason_);
    if (hmac_) st.auth_hmac = hmac_->status();
    if (const auto t = sm_.master_down_deadline()) st.master_down_timer_ms = whole_ms(*t - now);
    if (const auto t = sm_.adver_deadline()) st.adver_timer_ms = whole_ms(*t - now);
    for (const auto& v : config_.addresses)
        st.addresses.push_back(fmt::format("{}/{}", v.address.to_string(), v.prefix_len));
    // The trackers in config order, with the results the priority was computed from.
    std::size_t k = 0;
    const auto input = [&]() -> const TrackerInput* {
        return k < tracker_inputs_.size() ? &tracker_inputs_[k++] : nullptr;
    };
    for (const auto& t : config_.track_scripts) {
        const auto* in = input();
        st.trackers.push_back({"script", t.name, t.weight, t.reverse, in != nullptr && in->up});
    }
    for (const auto& t : config_.track_interfaces) {
        const auto* in = input();
        st.trackers.push_back(
            {"interface", t.interface, t.weight, t.reverse, in != nullptr && in->up});
    }
    for (const auto& t : config_.track_files) {
        const auto* in = input();
        st.trackers.push_back({"file", t.path, t.weight, t.reverse, in != nullptr && !in->failed,
                               in != nullptr && in->value ? *in->value : 0});
    }
    for (const auto& t : config_.track_processes) {
        const auto* in = input();
        st.trackers.push_back({"process", t.name, t.weight, t.reverse, in != nullptr && in->up});
    }
    const auto& c = counters_;
    st.counters = {c.adverts_sent,     c.adverts_received,   c.send_errors,
                   c.transitions,      c.became_master,      c.announcements,
                   c.address_errors,   c.addresses_restored, c.filter_errors,
                   c.route_errors,     c.routes_restored,    notify_.runs(),
                   notify_.failures(), notify_.dropped(),    c.drops};
    return st;
}

}  // namespace vipd
