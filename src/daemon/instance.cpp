// The instance driver: the only place where the pure state machine meets the event loop.
// Every action is carried out in the order the machine returned it.
#include "instance.hpp"

#include "vipd/core/receive_policy.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/proto/wire.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vipd {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
// (clang 16 does not deduce aggregate template arguments yet: the guide says how.)
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

InstanceKey key_of(const config::InstanceConfig& c) {
    return InstanceKey{c.name, c.interface, c.vrid, c.family};
}

Instance::Instance(Env env, config::InstanceConfig config)
    : env_(std::move(env)),
      config_(std::move(config)),
      prefix_(fmt::format("[{} vrid {} {}]", config_.name, config_.vrid.value(),
                          to_string(config_.family))),
      sm_(params_for(config_, IpAddress{})),
      master_down_timer_(env_.timers.add(*this, static_cast<int>(TimerId::MasterDown))),
      adver_timer_(env_.timers.add(*this, static_cast<int>(TimerId::Adver))),
      notify_(env_.time, env_.log, prefix_),
      auth_data_(make_auth_data(config_.password)) {
    for (const auto& v : config_.addresses)
        vips_.push_back(v.address);
    if (config_.auth_hmac) {
        hmac_ = std::make_unique<AdvertAuth>(*config_.auth_hmac, config_.unicast_peers);
    }
}

Instance::~Instance() {
    // Removed by a reload (or the daemon going away) with a handover still waiting: its
    // requester gets an answer rather than silence.
    finish_handover({false, "the instance was removed", std::nullopt});
    env_.timers.remove(master_down_timer_);
    env_.timers.remove(adver_timer_);
    remove_routes();
    refuse_traffic({});
}

InstanceParams Instance::params_for(const config::InstanceConfig& c, const IpAddress& source) {
    InstanceParams p;
    p.version = c.version;
    p.vrid = c.vrid;
    p.priority = c.priority;  // the trackers adjust it through PriorityChanged
    p.advert_interval = c.advert_interval;
    p.preempt = c.preempt;
    p.preempt_delay = c.preempt_delay;
    p.accept = c.accept;
    p.primary_address = source;
    for (const auto& v : c.addresses)
        p.addresses.push_back(v.address);
    return p;
}

void Instance::set_transport(os::AdvertTransport* transport) {
    transport_ = transport;
    dispatch(transport != nullptr ? Event{event::FaultCleared{FaultSource::Transport}}
                                  : Event{event::FaultRaised{FaultSource::Transport}});
}

void Instance::update_interface(const os::InterfaceInfo* info) {
    if (info == nullptr) {
        iface_.reset();
        dispatch(event::FaultRaised{FaultSource::Link});
        return;
    }
    // Only what the instance uses: a copy of the address list, per instance, would cost
    // megabytes with a thousand VIPs on one interface.
    iface_ = Link{info->ifindex, info->mac};
    dispatch(info->up ? Event{event::FaultCleared{FaultSource::Link}}
                      : Event{event::FaultRaised{FaultSource::Link}});
    // The advert source: the configured one if the interface has it, else its primary
    // address (IPv6: link-local, RFC 9568 §5.1.2.1).
    std::optional<IpAddress> src;
    if (config_.source_address) {
        if (info->has_address(*config_.source_address)) src = config_.source_address;
    } else if (is_owner()) {
        // The owner's VIPs are its own addresses (RFC 9568 §1.6), so they are not excluded:
        // its primary address may well be one of them.
        src = info->primary(config_.family, {});
    } else {
        src = info->primary(config_.family, vips_);
    }
    if (!src) {
        dispatch(event::FaultRaised{FaultSource::Address});
        return;
    }
    if (*src != source_) {
        source_ = *src;
        sm_.set_primary_address(source_);
    }
    dispatch(event::FaultCleared{FaultSource::Address});
}

void Instance::release_stale_addresses(const os::InterfaceInfo& info) {
    if (is_owner()) return;  // the owner's addresses are its own
    for (const auto& v : config_.addresses) {
        if (!info.has_address(v.address)) continue;
        env_.log->warn("{} removing {} left on {} while not master (previous run?)", prefix_,
                       v.address.to_string(), config_.interface);
        if (auto ec = env_.addresses.remove(info.ifindex, v.address, v.prefix_len)) {
            ++counters_.address_errors;
            env_.log->error("{} cannot remove {}: {}", prefix_, v.address.to_string(),
                            ec.message());
        }
    }
}

void Instance::address_removed(const IpAddress& address) {
    if (sm_.state() != State::Master || !iface_) return;
    if (std::find(vips_.begin(), vips_.end(), address) == vips_.end()) return;
    ++counters_.addresses_restored;
    // Someone deleting it in a loop gets it back every time, but not a line every time.
    if (restore_log_.allow(env_.time.now())) {
        const auto quiet = restore_log_.take_suppressed();
        env_.log->warn("{} {} was removed from {} while master; restoring it{}", prefix_,
                       address.to_string(), config_.interface,
                       quiet > 0 ? fmt::format(" ({} more restores not logged)", quiet) : "");
    }
    const std::array one{address};
    if (!add_addresses(one)) {
        vip_add_failed();
        return;
    }
    announce_.burst();
}

void Instance::restore_missing(const os::InterfaceInfo& info) {
    if (sm_.state() != State::Master || !iface_ || iface_->ifindex != info.ifindex) return;
    for (const auto& a : std::vector<IpAddress>(vips_)) {  // a failed restore changes state
        if (!info.has_address(a)) address_removed(a);
    }
}

void Instance::vip_add_failed() {
    constexpr Duration kFirst = std::chrono::seconds{1};
    constexpr Duration kMost = std::chrono::seconds{60};
    vip_backoff_ = vip_backoff_ == Duration::zero() ? kFirst : std::min(vip_backoff_ * 2, kMost);
    env_.log->error("{} cannot hold its VIPs: FAULT for {} s, then a fresh start", prefix_,
                    std::chrono::duration_cast<std::chrono::seconds>(vip_backoff_).count());
    alarm(vip_retry_alarm_, [this] {
        vip_fault_ = false;
        dispatch(event::FaultCleared{FaultSource::Vip});
    }).set(env_.time.now() + vip_backoff_);
    vip_fault_ = true;
    dispatch(event::FaultRaised{FaultSource::Vip});  // resigns (priority 0), releases
    vips_missing_ = false;
}

void Instance::set_tracker_inputs(std::vector<TrackerInput> inputs) {
    tracker_inputs_ = std::move(inputs);
    apply_tracking();
}

void Instance::apply_tracking() {
    const auto before = tracked_;
    tracked_ = tracked_priority(priority_override_.value_or(config_.priority), tracker_inputs_);
    if (tracked_.priority != sm_.priority()) {
        logs::notice(*env_.log, "{} priority {} -> {} ({})", prefix_, sm_.priority().value(),
                     tracked_.priority.value(),
                     priority_override_ ? "set-priority and trackers" : "trackers");
        dispatch(event::PriorityChanged{tracked_.priority});
    }
    if (tracked_.fault != before.fault) {
        dispatch(tracked_.fault ? Event{event::FaultRaised{FaultSource::Tracker}}
                                : Event{event::FaultCleared{FaultSource::Tracker}});
    }
}

void Instance::start() {
    state_since_ = env_.time.now();
    dispatch(event::Startup{});
}

void Instance::stop() {
    if (vip_retry_alarm_) vip_retry_alarm_->cancel();
    vip_fault_ = false;
    dispatch(event::Shutdown{});
    release_lingering();
}

std::optional<std::string> Instance::handover(std::optional<IpAddress> to, HandoverDone done) {
    if (is_owner()) {
        return "the address owner (priority 255) does not hand over its own addresses";
    }
    if (sm_.state() != State::Master) {
        return fmt::format("not master (state {})", to_string(sm_.state()));
    }
    if (handover_done_ || sm_.handing_over()) return "a handover is already under way";
    if (to && (to->family() != config_.family || *to == source_)) {
        return fmt::format("{} is not a peer of this instance", to->to_string());
    }
    logs::notice(*env_.log,
                 "{} handing over{}: advertising priority 0 until another router is master",
                 prefix_, to ? " to " + to->to_string() : "");
    handover_done_ = std::move(done);
    handover_to_ = to;
    dispatch(event::Handover{});
    return std::nullopt;
}

std::optional<std::string> Instance::set_maintenance(bool on, HandoverDone done) {
    if (on && is_owner()) {
        return "the address owner (priority 255) can't go into maintenance";
    }
    if (on == sm_.in_maintenance()) return std::nullopt;
    logs::notice(*env_.log, "{} maintenance {}", prefix_, on ? "on: staying backup" : "off");
    if (on && sm_.state() == State::Master) {
        if (handover_done_) {
            // A handover is already under way: maintenance waits for the same outcome.
            handover_done_ = [first = std::move(handover_done_),
                              then = std::move(done)](const HandoverResult& r) {
                first(r);
                then(r);
            };
        } else {
            handover_done_ = std::move(done);
            handover_to_.reset();
        }
    }
    dispatch(event::Maintenance{on});
    return std::nullopt;
}

std::optional<std::string> Instance::set_priority_override(std::optional<Priority> p) {
    if (p && is_owner()) {
        return "the address owner's priority is 255 by definition";
    }
    if (p && (*p == kPriorityStop || *p == kPriorityOwner)) {
        return "priority must be 1..254";
    }
    if (p != priority_override_) {
        logs::notice(*env_.log, "{} priority override {}", prefix_,
                     p ? std::to_string(p->value()) : std::string("cleared"));
    }
    priority_override_ = p;
    apply_tracking();
    return std::nullopt;
}

void Instance::finish_handover(HandoverResult result) {
    if (!handover_done_) return;
    auto done = std::move(handover_done_);
    handover_done_ = nullptr;
    if (result.ok && handover_to_ && result.successor && result.successor != handover_to_) {
        result.ok = false;
        result.message = fmt::format("{} took over, not {}", result.successor->to_string(),
                                     handover_to_->to_string());
    }
    handover_to_.reset();
    done(result);
}

void Instance::release_later(std::span<const IpAddress> addresses, Duration linger) {
    // With their prefix lengths now: a reload during the linger may drop them from the
    // configuration, and a removal with the wrong prefix would leave them behind.
    lingering_.clear();
    for (const auto& a : addresses)
        lingering_.push_back({a, prefix_len_of(a)});
    alarm(release_alarm_, [this] { release_lingering(); }).set(env_.time.now() + linger);
}

void Instance::release_lingering() {
    release_lingering_now();
    report_handover_end();
}

void Instance::report_handover_end() {
    const bool now = handing_over();
    const bool ended = was_handing_over_ && !now;
    was_handing_over_ = now;
    if (ended && env_.handover_over) env_.handover_over();
}

void Instance::release_lingering_now() {
    if (release_alarm_) release_alarm_->cancel();
    if (lingering_.empty()) return;
    const auto addresses = std::move(lingering_);
    lingering_.clear();
    if (sm_.state() == State::Master) return;
    remove_routes();
    for (const auto& v : addresses) {
        if (!iface_) break;
        if (auto ec = env_.addresses.remove(iface_->ifindex, v.address, v.prefix_len)) {
            ++counters_.address_errors;
            env_.log->error("{} cannot remove {} from {}: {}", prefix_, v.address.to_string(),
                            config_.interface, ec.message());
        }
    }
    refuse_traffic({});
}

void Instance::reconfigure(config::InstanceConfig config, const os::InterfaceInfo* info) {
    priority_override_.reset();            // a reload ends runtime overrides
    const bool held_for_vip = vip_fault_;  // since before this reload
    std::vector<IpAddress> new_vips;
    for (const auto& v : config.addresses)
        new_vips.push_back(v.address);
    if (sm_.state() == State::Master) {
        // Release what is gone and claim what is new; the rest stays untouched (no flap).
        std::vector<IpAddress> gone, added;
        for (const auto& a : vips_) {
            if (std::find(new_vips.begin(), new_vips.end(), a) == new_vips.end()) gone.push_back(a);
        }
        for (const auto& a : new_vips) {
            if (std::find(vips_.begin(), vips_.end(), a) == vips_.end()) added.push_back(a);
        }
        remove_routes(&config);  // those dropped, before the VIPs they may use go
        remove_addresses(gone);
        config_ = std::move(config);
        vips_ = new_vips;
        refuse_traffic(refused_when_master());  // accept may have changed too
        if (add_addresses(added) && !added.empty()) announce_.burst();
        install_routes(config_);  // the new ones (those kept stay: no flap)
    } else {
        config_ = std::move(config);
        vips_ = new_vips;
    }
    // The machine gets the effective priority (the new base with the current trackers)
    // directly, so a reload does not advertise the bare base priority for an instant.
    auto params = params_for(config_, source_);
    tracked_ = tracked_priority(config_.priority, tracker_inputs_);
    params.priority = tracked_.priority;
    auth_data_ = make_auth_data(config_.password);
    if (!config_.auth_hmac) {
        hmac_.reset();
    } else if (hmac_) {
        hmac_->reconfigure(*config_.auth_hmac, config_.unicast_peers);
    } else {
        hmac_ = std::make_unique<AdvertAuth>(*config_.auth_hmac, config_.unicast_peers);
    }
    advert_key_.reset();  // addresses, version or authentication may have changed
    execute(sm_.reconfigure(std::move(params), env_.time.now()));
    // The source may change with the new addresses or source_address; an unusable one is
    // a Fault, as at startup.
    if (iface_) update_interface(info);
    if (vips_missing_ && sm_.state() == State::Master) {
        vip_add_failed();
    } else if (sm_.state() == State::Master) {
        announce_.refresh();
    } else if (held_for_vip && vip_fault_) {
        // A reload is the operator's move: try the (maybe changed) VIPs again now.
        vip_fault_ = false;
        if (vip_retry_alarm_) vip_retry_alarm_->cancel();
        dispatch(event::FaultCleared{FaultSource::Vip});
    }
}

void Instance::receive(const proto::Advert& advert, const proto::RxMeta& meta) {
    const auto& f = advert.fields;
    if (logs::debugging(config::DebugCategory::Packets)) {  // (to_string costs, per advert)
        logs::debug(*env_.log, config::DebugCategory::Packets,
                    "{} received from {}: priority {}, interval {} cs, {} address(es), ttl {}",
                    prefix_, meta.src.to_string(), f.priority.value(), f.max_adver_int.count(),
                    advert.addresses.size(), meta.ttl);
    }
    const auto verdict = check_received(
        HeardAdvert{.src = meta.src,
                    .version = f.version,
                    .priority = f.priority,
                    .max_adver_int = f.max_adver_int,
                    .auth_type = f.auth_type,
                    .auth_data = f.auth_data,
                    .addresses_match = proto::addresses_match(advert.addresses, vips_)},
        ReceivePolicy{.version = config_.version,
                      .auth_type = config_.auth_type,
                      .auth_data = auth_data_,
                      .unicast_peers = config_.unicast_peers,
                      .advert_interval = config_.advert_interval,
                      .owner = sm_.is_owner()});
    if (verdict.drop) {
        count_drop(*verdict.drop, meta.src);
        return;
    }
    if (hmac_) {
        const auto auth = hmac_->check(advert, meta.src, env_.time.wall());
        if (auth.drop) {
            count_drop(*auth.drop, meta.src);
            return;
        }
        if (auth.skew_warning && input_log().allow(env_.time.now())) {
            env_.log->warn(
                "{} {}'s clock is {} s from ours: near the auth_hmac time_window of "
                "{} s (adverts outside it are dropped as stale)",
                prefix_, meta.src.to_string(), auth.skew_seconds,
                config_.auth_hmac->time_window.count());
        }
    } else if (!advert.signed_message.empty()) {
        // Signed, but no keys here: as keepalived without auth_hmac, not taken on trust.
        count_drop(DropReason::TrailingBytes, meta.src);
        return;
    }
    if (verdict.address_mismatch && input_log().allow(env_.time.now())) {
        env_.log->warn("{} {} advertises a different address list (misconfiguration?)", prefix_,
                       meta.src.to_string());
    }
    ++counters_.adverts_received;
    if (advert.family == Family::IPv4 && f.version == Version::V3) {
        learn_variant(meta.src, advert.checksum);
    }
    dispatch(event::AdvertReceived{meta.src, f.priority, f.max_adver_int});
}

namespace {

// As vipd.conf names them (checksum = ...).
const char* variant_name(proto::ChecksumVariant v) {
    return v == proto::ChecksumVariant::MessageOnly ? "rfc9568" : "pseudo-header";
}

}  // namespace

void Instance::learn_variant(const IpAddress& from, proto::ChecksumVariant v) {
    // The master's every advert: nothing new when it is the last one heard, unchanged.
    if (!peer_variants_.empty() && peer_variants_.back() == std::pair{from, v}) return;
    auto it = std::find_if(peer_variants_.begin(), peer_variants_.end(),
                           [&](const auto& p) { return p.first == from; });
    if (it != peer_variants_.end()) peer_variants_.erase(it);
    peer_variants_.emplace_back(from, v);  // the most recently heard last
    if (peer_variants_.size() > kMaxPeerVariants) peer_variants_.erase(peer_variants_.begin());
    const bool agree = std::all_of(peer_variants_.begin(), peer_variants_.end(),
                                   [&](const auto& p) { return p.second == v; });
    if (agree) {
        heard_variant_ = v;
        variants_disagree_ = false;
    } else if (!variants_disagree_) {
        variants_disagree_ = true;
        env_.log->warn(
            "{} peers use different VRRPv3 checksums ({} uses {}); sending {} until "
            "they agree: set 'checksum' to choose",
            prefix_, from.to_string(), variant_name(v),
            variant_name(heard_variant_.value_or(proto::ChecksumVariant::PseudoHeader)));
    }
}

void Instance::dispatch(const Event& event) {
    execute(sm_.handle(event, env_.time.now()));
}

void Instance::dispatch(const Event& event, TimePoint now) {
    execute(sm_.handle(event, now));
}

void Instance::execute(const Actions& actions) {
    // A VIP that could not be added (vips_missing_): Fault follows once the machine has
    // finished this step.
    for (const auto& action : actions) {
        std::visit(Overloaded{
                       [&](const action::SendAdvert& a) {
                           if (!vips_missing_ || a.priority == kPriorityStop) send_advert(a);
                       },
                       [&](const action::AddAddresses& a) {
                           // Back to master before a handed-over release ran: keep them.
                           lingering_.clear();
                           if (release_alarm_) release_alarm_->cancel();
                           // Refused before they are added: no packet gets in between.
                           refuse_traffic(a.accept ? std::span<const IpAddress>{}
                                                   : std::span<const IpAddress>{a.addresses});
                           (void)add_addresses(a.addresses);
                           install_routes(config_);
                       },
                       [&](const action::RemoveAddresses& a) {
                           // The owner's addresses are the host's own: leaving master
                           // (shutdown, fault) must not take them off the interface.
                           if (is_owner()) {
                               remove_routes();  // the routes are not its own
                           } else if (a.linger > Duration::zero()) {
                               release_later(a.addresses, a.linger);
                           } else {
                               remove_routes();
                               remove_addresses(a.addresses);
                               refuse_traffic({});
                           }
                           announce_.stop();
                       },
                       [&](const action::AnnounceAddresses&) {
                           if (!vips_missing_) announce_.burst();
                       },
                       [&](const action::ArmTimer& a) { arm_timer(a.timer, a.deadline); },
                       [&](const action::CancelTimer& a) { cancel_timer(a.timer); },
                       [&](const action::Notify& a) {
                           log_transition(a, !(vips_missing_ && a.to == State::Master));
                       },
                       [&](const action::Warn& a) { log_warn(a); },
                   },
                   action);
    }
    if (vips_missing_ && sm_.state() == State::Master) vip_add_failed();
    report_handover_end();
}

proto::ChecksumVariant Instance::send_variant() const {
    switch (config_.checksum) {
        case config::ChecksumMode::Rfc9568:
            return proto::ChecksumVariant::MessageOnly;
        case config::ChecksumMode::PseudoHeader:
            return proto::ChecksumVariant::PseudoHeader;
        case config::ChecksumMode::Auto:
            // What keepalived and FRR send, until a peer tells us otherwise.
            return heard_variant_.value_or(proto::ChecksumVariant::PseudoHeader);
    }
    return proto::ChecksumVariant::PseudoHeader;
}

// A master sends the same bytes every interval until its priority, interval, source or
// checksum variant changes: they are encoded once and kept.
std::span<const std::uint8_t> Instance::encoded_advert(const action::SendAdvert& a,
                                                       const IpAddress& dst) {
    const AdvertKey key{a.priority, a.max_adver_int, send_variant(), source_, dst};
    if (advert_key_ == key) return advert_bytes_;
    const proto::AdvertFields fields{
        .version = config_.version,
        .vrid = config_.vrid,
        .priority = a.priority,
        .max_adver_int = a.max_adver_int,
        .auth_type = config_.auth_type,
        .auth_data = auth_data_,
    };
    std::array<std::uint8_t, proto::kMaxMessageSize> buf;  // encode writes every byte it uses
    const auto n = proto::encode(fields, a.addresses, source_, dst, key.variant, buf);
    advert_key_.reset();
    if (!n) {
        ++counters_.send_errors;
        env_.log->error("{} cannot encode advert: {}", prefix_, proto::to_string(n.error()));
        return {};
    }
    advert_bytes_.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    advert_key_ = key;
    return advert_bytes_;
}

void Instance::send_advert(const action::SendAdvert& a) {
    if (transport_ == nullptr) return;  // interface gone: we are (about to be) in Fault
    const auto send_to = [&](const IpAddress& dst) {
        auto message = encoded_advert(a, dst);
        if (message.empty()) return;  // counted and logged
        if (hmac_ && hmac_->signs()) {
            // A fresh sequence and tag every time; the advert under them is the kept one.
            signed_bytes_.assign(message.begin(), message.end());
            signed_bytes_.resize(message.size() + proto::kHmacTrailerSize);
            if (!hmac_->sign(signed_bytes_, config_.version, config_.vrid, source_, dst,
                             env_.time.wall())) {
                ++counters_.send_errors;
                if (drop_log_.allow(env_.time.now())) {
                    env_.log->error("{} advert not sent: auth_hmac key {} cannot sign (OpenSSL)",
                                    prefix_, config_.auth_hmac->active_key);
                }
                return;
            }
            message = signed_bytes_;
        }
        if (auto ec = transport_->send(message, source_, dst)) {
            ++counters_.send_errors;
            if (drop_log_.allow(env_.time.now())) {
                env_.log->warn("{} advert to {} not sent: {}", prefix_, dst.to_string(),
                               ec.message());
            }
            return;
        }
        ++counters_.adverts_sent;
        if (logs::debugging(config::DebugCategory::Packets)) {
            logs::debug(*env_.log, config::DebugCategory::Packets, "{} sent to {}: priority {}",
                        prefix_, dst.to_string(), a.priority.value());
        }
    };
    if (config_.unicast_peers.empty()) {
        send_to(proto::vrrp_group(config_.family));
    } else {
        for (const auto& peer : config_.unicast_peers)
            send_to(peer);
    }
}

std::uint8_t Instance::prefix_len_of(const IpAddress& a) const {
    for (const auto& v : config_.addresses) {
        if (v.address == a) return v.prefix_len;
    }
    return a.family() == Family::IPv4 ? 32 : 128;
}

bool Instance::add_addresses(std::span<const IpAddress> addresses) {
    if (!iface_) return true;  // no interface: a link Fault, not this
    bool ok = true;
    for (const auto& a : addresses) {
        auto ec = env_.addresses.add(iface_->ifindex, a, prefix_len_of(a));
        logs::debug(*env_.log, config::DebugCategory::Netlink, "{} add {}/{} to {}: {}", prefix_,
                    a.to_string(), prefix_len_of(a), config_.interface, ec ? ec.message() : "done");
        if (ec) {
            ++counters_.address_errors;
            ok = false;
            vips_missing_ = true;
            env_.log->error("{} cannot add {} to {}: {}", prefix_, a.to_string(), config_.interface,
                            ec.message());
        }
    }
    if (ok && !addresses.empty() && !vips_missing_) vip_backoff_ = Duration::zero();
    return ok;
}

void Instance::route_failed(const std::string& what, std::error_code ec) {
    auto& last = route_failures_[what];
    last.tried = env_.time.now();
    if (last.ec == ec) return;
    last.ec = ec;
    ++counters_.route_errors;
    if (ec == std::errc::file_exists) {
        env_.log->error(
            "{} cannot add {}: one with the same key that vipd did not add is in "
            "the way (left alone; remove it or change the configuration)",
            prefix_, what);
    } else {
        env_.log->error("{} cannot add {}: {}", prefix_, what, ec.message());
    }
}

void Instance::install_routes(const config::InstanceConfig& c, bool restoring) {
    if (env_.routes == nullptr || (c.virtual_routes.empty() && c.virtual_rules.empty())) return;
    routes_in_ = true;
    // Each entry: added (or found to be vipd's) goes in the record; a failure is retried
    // on the next restore; one that was in the record and had to be added again was deleted.
    const auto add = [&](const auto& entry, auto& held, const std::string& what, auto call) {
        const bool known = std::find(held.begin(), held.end(), entry) != held.end();
        // Another owner's entry in the way: checking it again costs a routing table dump,
        // and restores run at every route change on the host (a BGP router's many).
        if (const auto f = route_failures_.find(what);
            restoring && f != route_failures_.end() && f->second.ec == std::errc::file_exists &&
            env_.time.now() - f->second.tried < kBlockedRetry)
            return;
        bool added = false;
        const auto ec = call(entry, known, added);
        logs::debug(*env_.log, config::DebugCategory::Netlink, "{} add {}: {}", prefix_, what,
                    ec      ? ec.message()
                    : added ? "done"
                            : "already there");
        if (ec) {
            route_failed(what, ec);
            return;
        }
        if (route_failures_.erase(what) > 0)
            logs::notice(*env_.log, "{} {} added after all", prefix_, what);
        if (!known) {
            held.push_back(entry);
        } else if (added && restoring) {
            ++counters_.routes_restored;
            env_.log->warn("{} {} was deleted while master: added again", prefix_, what);
        }
    };
    // Routes before rules: a rule that points into a table is useful once the table has them.
    for (const auto& r : c.virtual_routes) {
        add(r, routes_held_, "route " + to_string(r), [&](const Route& e, bool known, bool& a) {
            return env_.routes->add_route(e, known, a);
        });
    }
    for (const auto& r : c.virtual_rules) {
        add(r, rules_held_, "rule " + to_string(r), [&](const RoutingRule& e, bool known, bool& a) {
            return env_.routes->add_rule(e, known, a);
        });
    }
}

void Instance::remove_routes(const config::InstanceConfig* keep) {
    if (env_.routes == nullptr) return;
    if (keep == nullptr) {
        routes_in_ = false;
        route_failures_.clear();
    }
    const auto done = [&](std::error_code ec, const std::string& what) {
        if (ec) {
            ++counters_.route_errors;
            env_.log->error("{} cannot remove {}: {}", prefix_, what, ec.message());
        }
        logs::debug(*env_.log, config::DebugCategory::Netlink, "{} remove {}: {}", prefix_, what,
                    ec ? ec.message() : "done");
        return !ec;
    };
    const auto kept = [](const auto& list, const auto& entry) {
        return std::find(list.begin(), list.end(), entry) != list.end();
    };
    // One that could not be removed stays in the record: the next removal tries again.
    std::erase_if(rules_held_, [&](const RoutingRule& r) {
        if (keep != nullptr && kept(keep->virtual_rules, r)) return false;
        return done(env_.routes->remove_rule(r), "rule " + to_string(r));
    });
    std::erase_if(routes_held_, [&](const Route& r) {
        if (keep != nullptr && kept(keep->virtual_routes, r)) return false;
        return done(env_.routes->remove_route(r), "route " + to_string(r));
    });
    if (keep != nullptr) {
        std::erase_if(route_failures_, [&](const auto& f) {
            return std::none_of(
                       keep->virtual_routes.begin(), keep->virtual_routes.end(),
                       [&](const Route& r) { return "route " + to_string(r) == f.first; }) &&
                   std::none_of(
                       keep->virtual_rules.begin(), keep->virtual_rules.end(),
                       [&](const RoutingRule& r) { return "rule " + to_string(r) == f.first; });
        });
    }
}

void Instance::restore_routes() {
    if (sm_.state() == State::Master && routes_in_) install_routes(config_, true);
}

std::span<const IpAddress> Instance::refused_when_master() const {
    if (config_.accept || is_owner()) return {};
    return vips_;
}

void Instance::refuse_traffic(std::span<const IpAddress> addresses) {
    if (env_.filter == nullptr) return;
    std::vector<IpAddress> more, fewer;
    for (const auto& a : addresses) {
        if (std::find(refused_.begin(), refused_.end(), a) == refused_.end()) more.push_back(a);
    }
    for (const auto& a : refused_) {
        if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) fewer.push_back(a);
    }
    if (more.empty() && fewer.empty()) return;
    if (!more.empty()) {
        if (auto why = env_.filter->block(more)) {
            // Serving the VIPs matters more than refusing other traffic to them: the
            // addresses are still added. The next claim tries again.
            ++counters_.filter_errors;
            env_.log->error("{} accept = false not enforced: cannot block traffic to {}: {}",
                            prefix_, fmt::join(more, ", "), *why);
        } else {
            refused_.insert(refused_.end(), more.begin(), more.end());
        }
    }
    if (!fewer.empty()) {
        if (auto why = env_.filter->unblock(fewer)) {
            ++counters_.filter_errors;
            env_.log->error("{} cannot unblock traffic to {}: {}", prefix_, fmt::join(fewer, ", "),
                            *why);
        }
        std::erase_if(refused_, [&](const IpAddress& a) {
            return std::find(fewer.begin(), fewer.end(), a) != fewer.end();
        });
    }
    logs::debug(
        *env_.log, config::DebugCategory::Netlink, "{} traffic refused to: {}", prefix_,
        refused_.empty() ? std::string("none") : fmt::format("{}", fmt::join(refused_, ", ")));
}

void Instance::remove_addresses(std::span<const IpAddress> addresses) {
    if (!iface_) return;
    for (const auto& a : addresses) {
        auto ec = env_.addresses.remove(iface_->ifindex, a, prefix_len_of(a));
        logs::debug(*env_.log, config::DebugCategory::Netlink, "{} remove {}/{} from {}: {}",
                    prefix_, a.to_string(), prefix_len_of(a), config_.interface,
                    ec ? ec.message() : "done");
        if (ec) {
            ++counters_.address_errors;
            env_.log->error("{} cannot remove {} from {}: {}", prefix_, a.to_string(),
                            config_.interface, ec.message());
        }
    }
}

os::Alarm& Instance::alarm(std::unique_ptr<os::Alarm>& slot, std::function<void()> fire) {
    // Made when first needed: a backup never lingers, and a thousand of them would
    // otherwise each hold a timer for nothing (AnnounceSchedule does the same).
    if (!slot) slot = env_.time.make_alarm(std::move(fire));
    return *slot;
}

void Instance::announce_round() {
    if (!iface_) return;
    const IpAddress source = config_.family == Family::IPv6 ? source_ : IpAddress{};
    for (const auto& a : vips_) {
        if (auto ec = env_.announcer.announce(iface_->ifindex, iface_->mac, a, source)) {
            if (drop_log_.allow(env_.time.now())) {
                env_.log->warn("{} cannot announce {}: {}", prefix_, a.to_string(), ec.message());
            }
            continue;
        }
        ++counters_.announcements;
    }
}

// Wake-ups cost more than the work they do: with a thousand instances, one per advert
// sent and one per Master_Down_Timer re-check was most of vipd's CPU. The daemon's timer
// queue wakes on a 1 ms grid and runs all that falls due in the same millisecond at once;
// and then:
// - the advert timer fires at the start of its 10 ms slot (kAdvertGrain). Intervals are
//   whole centiseconds and the next deadline counts from the exact one, so every advert
//   of an instance leaves the same amount early (less than 10 ms) and the intervals stay
//   exact, except the first after the phase is set (becoming master, a reassert), which is
//   that much shorter; all masters' adverts share at most one wake-up per 10 ms. (During a
//   handover, whose deadline is not periodic, the 1 ms grid.)
// - the Master_Down_Timer's deadline moves with every advert without touching the queue;
//   a real expiry is acted on at its exact time.
void Instance::arm_timer(TimerId id, TimePoint deadline) {
    TimePoint want = deadline;
    if (id == TimerId::Adver) {
        want = sm_.handing_over() ? on_grid(deadline) : on_advert_grid(deadline);
    }
    if (logs::debugging(config::DebugCategory::Timers)) {
        logs::debug(*env_.log, config::DebugCategory::Timers, "{} {} timer in {:.1f} ms", prefix_,
                    id == TimerId::MasterDown ? "Master_Down" : "Adver",
                    std::chrono::duration<double, std::milli>(want - env_.time.now()).count());
    }
    env_.timers.set(queue_id(id), want);
}

void Instance::timer_fired(int tag) {
    const auto id = static_cast<TimerId>(tag);
    logs::debug(*env_.log, config::DebugCategory::Timers, "{} {} timer fired", prefix_,
                id == TimerId::MasterDown ? "Master_Down" : "Adver");
    if (id == TimerId::MasterDown) {
        // An advert already received but not read yet must count before the timer does.
        if (env_.drain_received) env_.drain_received();
        dispatch(event::MasterDownTimerExpired{});
        return;
    }
    // Up to kAdvertGrain early: the machine sees its own deadline (it ignores an expiry
    // before it as stale), and counts the next one from it.
    const auto deadline = sm_.adver_deadline();
    dispatch(event::AdverTimerExpired{},
             deadline ? std::max(env_.time.now(), *deadline) : env_.time.now());
}

void Instance::cancel_timer(TimerId id) {
    env_.timers.cancel(queue_id(id));
}

void Instance::log_transition(const action::Notify& n, bool report) {
    ++counters_.transitions;
    if (n.to == State::Master) ++counters_.became_master;
    state_since_ = env_.time.now();
    last_reason_ = n.reason;
    logs::notice(*env_.log, "{} {} -> {} ({})", prefix_, to_string(n.from), to_string(n.to),
                 describe(n.reason));
    if (n.from == State::Master) {
        if (n.reason.kind == ReasonKind::HandedOver) {
            finish_handover({true, describe(n.reason), n.reason.peer});
        } else {
            finish_handover(
                {false, "left master before a successor took over: " + describe(n.reason)});
        }
    }
    if (!report) return;
    queue_notifications(n);
    if (env_.on_transition) env_.on_transition(*this, n);
}

void Instance::queue_notifications(const action::Notify& n) {
    const std::string state(notified_name(n.to));
    const std::string reason = describe(n.reason);
    if (env_.notify_line) {
        // keepalived's four fields first, so that its FIFO readers keep working.
        env_.notify_line(fmt::format("INSTANCE \"{}\" {} {} {} \"{}\"", config_.name, state,
                                     sm_.priority().value(), to_string(n.from), reason));
    }
    notify_.notify(
        env_.scripts, env_.users, config_.notify, "INSTANCE", config_.name, state,
        sm_.priority().value(),
        {"VIPD_TYPE=INSTANCE", "VIPD_INSTANCE=" + config_.name, "VIPD_STATE=" + state,
         "VIPD_PREVIOUS_STATE=" + std::string(to_string(n.from)), "VIPD_REASON=" + reason,
         "VIPD_PRIORITY=" + std::to_string(sm_.priority().value()),
         "VIPD_VRID=" + std::to_string(config_.vrid.value()), "VIPD_INTERFACE=" + config_.interface,
         std::string("VIPD_FAMILY=") + (config_.family == Family::IPv4 ? "ipv4" : "ipv6")});
}

void Instance::log_warn(const action::Warn& w) {
    if (w.kind == WarnKind::HandoverTimedOut) {
        const auto waited = whole_ms(sm_.handover_timeout());
        const auto message =
            sm_.in_maintenance()
                ? fmt::format(
                      "no other router took over within {} ms; VIPs released "
                      "(maintenance)",
                      waited)
                : fmt::format("no other router took over within {} ms; still master", waited);
        env_.log->warn("{} handover: {}", prefix_, message);
        finish_handover({sm_.in_maintenance(), message});
        return;
    }
    if (!input_log().allow(env_.time.now())) return;  // about received adverts
    switch (w.kind) {
        case WarnKind::IntervalMismatch:
            env_.log->warn("{} {} advertises every {} ms, we are configured for {} ms", prefix_,
                           w.peer.to_string(), whole_ms(Duration{w.interval}),
                           whole_ms(Duration{config_.advert_interval}));
            break;
        case WarnKind::LowerPriorityMaster:
            env_.log->warn("{} {} claims master with lower priority {}; asserting ourselves",
                           prefix_, w.peer.to_string(), w.peer_priority.value());
            break;
        case WarnKind::HandoverTimedOut:
            break;  // logged below, without the rate limit
    }
}

void Instance::count_drop(DropReason e, const IpAddress& from) {
    ++counters_.drops[static_cast<std::size_t>(e)];
    if (logs::debugging(config::DebugCategory::Packets)) {
        logs::debug(*env_.log, config::DebugCategory::Packets, "{} dropped from {}: {}", prefix_,
                    from.to_string(), to_string(e));
    }
    const auto now = env_.time.now();
    auto& budget = input_log();
    if (!budget.allow(now)) return;
    const auto suppressed = budget.take_suppressed();
    env_.log->warn("{} dropped advert{}: {}{}", prefix_,
                   from.is_unspecified() ? "" : " from " + from.to_string(), to_string(e),
                   suppressed > 0 ? fmt::format(" ({} similar lines suppressed)", suppressed) : "");
}

}  // namespace vipd
