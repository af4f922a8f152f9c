// libFuzzer target for the advertisement decoder. Every input is decoded as IPv4 and as IPv6,
// under each checksum policy, once as given and once with its checksum repaired (so the
// fuzzer reaches the rules behind the checksum without having to forge it). A decoded
// advertisement must re-encode to an equivalent one: that is the oracle beyond "no crash".
#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "vipd/core/receive_policy.hpp"
#include "vipd/proto/advert.hpp"

using namespace vipd;
using namespace vipd::proto;

namespace {

void check_round_trip(const Advert& a, const RxMeta& meta) {
    const auto addrs = a.addresses.to_vector();
    std::array<std::uint8_t, kMaxMessageSize> buf{};
    const auto n = encode(a.fields, addrs, meta.src, meta.dst, a.checksum, buf);
    if (!n) {
        // Decoding accepted it, so it must be encodable, save for a v2 interval in seconds
        // that is still in range: nothing else may fail.
        std::abort();
    }
    const auto again = decode(std::span(buf).first(*n), meta, ChecksumPolicy::AcceptBoth);
    if (!again) std::abort();
    const auto& f = again->fields;
    if (f.version != a.fields.version || f.vrid != a.fields.vrid ||
        f.priority != a.fields.priority || f.max_adver_int != a.fields.max_adver_int ||
        f.auth_type != a.fields.auth_type || again->addresses.to_vector() != addrs) {
        std::abort();
    }
}

void exercise(std::span<const std::uint8_t> msg, const RxMeta& meta) {
    for (const auto policy : {ChecksumPolicy::AcceptBoth, ChecksumPolicy::RequireMessageOnly,
                              ChecksumPolicy::RequirePseudoHeader}) {
        const auto r = decode(msg, meta, policy);
        if (!r) continue;
        check_round_trip(*r, meta);
        const std::array<IpAddress, 1> peers{meta.src};
        const auto& f = r->fields;
        (void)check_received(HeardAdvert{.src = meta.src,
                                         .version = f.version,
                                         .priority = f.priority,
                                         .max_adver_int = f.max_adver_int,
                                         .auth_type = f.auth_type,
                                         .auth_data = f.auth_data,
                                         .addresses_match = addresses_match(r->addresses, peers)},
                             ReceivePolicy{.version = Version::V2,
                                           .auth_type = AuthType::SimplePassword,
                                           .auth_data = make_auth_data("secret1"),
                                           .unicast_peers = peers});
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    // Fixed receive addresses; the repaired-checksum pass below makes any input's checksum
    // valid for them, so seeds captured with other addresses still reach the deep rules.
    static const RxMeta v4{*IpAddress::parse("192.0.2.11"), *IpAddress::parse("224.0.0.18"), 255,
                           2};
    static const RxMeta v6{*IpAddress::parse("fe80::200:5eff:fe00:211"),
                           *IpAddress::parse("ff02::12"), 255, 2};
    for (const auto* meta : {&v4, &v6}) {
        exercise(input, *meta);
        if (size < kHeaderSize || size > kMaxMessageSize) continue;
        std::vector<std::uint8_t> fixed(input.begin(), input.end());
        for (const auto variant : {ChecksumVariant::MessageOnly, ChecksumVariant::PseudoHeader}) {
            fixed[6] = fixed[7] = 0;
            const auto sum = vrrp_checksum(fixed, variant, meta->src, meta->dst);
            fixed[6] = static_cast<std::uint8_t>(sum >> 8U);
            fixed[7] = static_cast<std::uint8_t>(sum & 0xffU);
            exercise(fixed, *meta);
        }
    }
    return 0;
}
