// Netlink's link and address events, fanned out to the instances they concern.
#include "link_events.hpp"

#include "vipd/daemon/log.hpp"

namespace vipd {

LinkEvents::LinkEvents(boost::asio::io_context& io, os::Netlink& netlink,
                       const InstanceMap& instances, std::shared_ptr<spdlog::logger> log,
                       Hooks hooks)
    : netlink_(netlink),
      instances_(instances),
      log_(std::move(log)),
      hooks_(std::move(hooks)),
      fd_(io, netlink.event_fd()),
      retry_(io) {
    netlink_.set_callbacks(os::Netlink::Callbacks{
        .link_changed = [this](int) { link_changed(); },
        .address_changed = [this](int ifindex, const IpAddress& a,
                                  bool added) { address_changed(ifindex, a, added); },
        .resynced = [this](std::string_view why) { resynced(why); },
    });
}

LinkEvents::~LinkEvents() {
    netlink_.set_callbacks({});
    fd_.release();  // the socket is netlink's to close
}

void LinkEvents::index() {
    vip_owners_.clear();
    for (const auto& [key, inst] : instances_) {
        for (const auto& v : inst->config().addresses)
            vip_owners_[{key.interface, v.address}].push_back(inst.get());
    }
}

void LinkEvents::watch() {
    fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                   [this](const boost::system::error_code& ec) {
                       if (ec) return;
                       if (auto err = netlink_.process()) log_->warn("netlink: {}", err.message());
                       retry_later();
                       watch();
                   });
}

void LinkEvents::retry_later() {
    // Events were lost and the tables could not be re-read: again in a second, not only at
    // the next event (which may be long in coming).
    if (!netlink_.resync_pending()) return;
    log_->warn("netlink: re-reading interfaces and addresses failed; again in 1 s");
    retry_.expires_after(std::chrono::seconds{1});
    retry_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto err = netlink_.retry_resync()) log_->warn("netlink: {}", err.message());
        retry_later();
    });
}

void LinkEvents::link_changed() {
    logs::debug(*log_, config::DebugCategory::Netlink, "link event: interfaces looked at again");
    hooks_.links_changing();
    for (const auto& [key, inst] : instances_)
        inst->update_interface(netlink_.find(key.interface));
    hooks_.links_changed();
}

void LinkEvents::resynced(std::string_view why) {
    log_->warn("netlink: events lost ({}); interfaces and addresses re-read", why);
    // A VIP deleted while events were lost has left no event: masters look for themselves.
    for (const auto& [key, inst] : instances_) {
        if (const auto* info = netlink_.find(key.interface)) inst->restore_missing(*info);
    }
}

void LinkEvents::address_changed(int ifindex, const IpAddress& address, bool added) {
    const auto* info = netlink_.find(ifindex);
    logs::debug(*log_, config::DebugCategory::Netlink, "address event: {} {} {}",
                address.to_string(), added ? "added to" : "removed from",
                info == nullptr ? fmt::format("ifindex {}", ifindex) : info->name);
    if (info == nullptr) return;
    if (const auto it = vip_owners_.find({info->name, address}); it != vip_owners_.end()) {
        if (!added) {
            for (auto* inst : it->second)
                inst->address_removed(address);
        }
        return;
    }
    // An interface address changed: primary addresses may have moved.
    for (const auto& [key, inst] : instances_) {
        if (key.interface == info->name) inst->update_interface(info);
    }
    hooks_.addresses_changed();
}

}  // namespace vipd
