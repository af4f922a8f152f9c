// Fakes of the OS adapters an Instance drives, and the instance and interface the driver
// tests start from. Shared by the instance and control-handler tests.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "daemon/instance.hpp"
#include "vipd/config/config.hpp"
#include "vipd/os/announcer.hpp"
#include "vipd/os/netlink.hpp"
#include "vipd/os/packet_filter.hpp"
#include "vipd/os/vrrp_socket.hpp"
#include "vipd/proto/advert.hpp"
#include "vipd/proto/wire.hpp"

namespace vipd {

inline IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

class FakeAddresses : public os::AddressManager {
public:
    MOCK_METHOD(std::error_code, add, (int, const IpAddress&, std::uint8_t), (override));
    MOCK_METHOD(std::error_code, remove, (int, const IpAddress&, std::uint8_t), (override));
};

class FakeAnnouncer : public os::Announcer {
public:
    MOCK_METHOD(std::error_code, announce,
                (int, const proto::MacAddress&, const IpAddress&, const IpAddress&), (override));
};

// Records every advert sent, decoded as a receiver would see it.
// Records what is blocked, and every call in `journal` (shared with other fakes, to check
// the order of blocking and adding); `fail` makes block() fail.
class FakeFilter : public os::PacketFilter {
public:
    std::optional<std::string> block(std::span<const IpAddress> addresses) override {
        for (const auto& a : addresses)
            journal.push_back("block " + a.to_string());
        if (fail) return "nft says no";
        for (const auto& a : addresses)
            ++blocked[a];
        return std::nullopt;
    }
    std::optional<std::string> unblock(std::span<const IpAddress> addresses) override {
        for (const auto& a : addresses) {
            journal.push_back("unblock " + a.to_string());
            if (--blocked[a] == 0) blocked.erase(a);
        }
        return std::nullopt;
    }
    std::map<IpAddress, int> blocked;
    std::vector<std::string> journal;
    bool fail = false;
};

// The kernel's routing tables as far as virtual routes and rules go: vipd's entries, those
// someone else added with the same keys (`foreign`: an add is EEXIST, a delete leaves them,
// as the kernel does with vipd's protocol on the request), and every call in order.
class FakeRoutes : public os::RouteManager {
public:
    std::error_code add_route(const Route& r, bool known, bool& added) override {
        return add("route " + to_string(r), known, added);
    }
    std::error_code remove_route(const Route& r) override {
        return remove("route " + to_string(r));
    }
    std::error_code add_rule(const RoutingRule& r, bool known, bool& added) override {
        return add("rule " + to_string(r), known, added);
    }
    std::error_code remove_rule(const RoutingRule& r) override {
        return remove("rule " + to_string(r));
    }
    std::set<std::string> installed;
    std::set<std::string> foreign;
    std::vector<std::string> calls;
    bool fail = false;

private:
    std::error_code add(const std::string& what, bool known, bool& added) {
        calls.push_back("add " + what);
        added = false;
        if (fail) return std::make_error_code(std::errc::network_unreachable);
        if (foreign.contains(what)) {  // EEXIST; unless known, the adapter looks whose it is
            return known ? std::error_code{} : std::make_error_code(std::errc::file_exists);
        }
        added = installed.insert(what).second;
        return {};
    }
    std::error_code remove(const std::string& what) {
        calls.push_back("remove " + what);
        installed.erase(what);
        return {};
    }
};

class FakeTransport : public os::AdvertTransport {
public:
    struct Sent {
        std::vector<std::uint8_t> bytes;
        IpAddress src, dst;
    };
    std::error_code send(std::span<const std::uint8_t> m, const IpAddress& src,
                         const IpAddress& dst) override {
        sent.push_back({{m.begin(), m.end()}, src, dst});
        return {};
    }
    [[nodiscard]] proto::Advert decoded(std::size_t i) const {
        const auto r =
            proto::decode(sent.at(i).bytes, proto::RxMeta{sent[i].src, sent[i].dst, 255, 2});
        EXPECT_TRUE(r.has_value());
        return r.value();
    }
    std::vector<Sent> sent;
};

inline config::InstanceConfig web(int priority = 100) {
    config::InstanceConfig c;
    c.name = "web";
    c.interface = "eth0";
    c.vrid = Vrid{51};
    c.priority = Priority{static_cast<std::uint8_t>(priority)};
    c.advert_interval = Centiseconds{1};  // 10 ms
    c.addresses = {{ip("192.0.2.1"), 24}};
    c.announce.count = 1;
    return c;
}

inline os::InterfaceInfo eth0(bool up = true) {
    os::InterfaceInfo i;
    i.ifindex = 7;
    i.name = "eth0";
    i.up = up;
    i.mac = {0x02, 0, 0, 0, 0, 0x11};
    i.addresses = {{ip("192.0.2.11"), 24, 0}};
    return i;
}

// An advert from the peer 192.0.2.12 for `vip`, as the socket layer hands it to `inst` after
// decoding it.
inline void deliver_advert(Instance& inst, const proto::AdvertFields& fields, const IpAddress& vip,
                           const IpAddress& peer = ip("192.0.2.12"),
                           proto::ChecksumVariant variant = proto::ChecksumVariant::MessageOnly) {
    std::array<std::uint8_t, proto::kMaxMessageSize> buf{};
    const std::array vips{vip};
    const auto n = proto::encode(fields, vips, peer, proto::kVrrpGroupV4, variant, buf);
    ASSERT_TRUE(n.has_value());
    const proto::RxMeta meta{peer, proto::kVrrpGroupV4, 255, 7};
    const auto advert = proto::decode(std::span(buf).first(*n), meta);
    ASSERT_TRUE(advert.has_value());
    inst.receive(*advert, meta);
}

}  // namespace vipd
