// RFC 1071 checksum with the pseudo-headers of RFC 791/RFC 8200 §8.1.
#include "vipd/proto/checksum.hpp"

#include "vipd/proto/wire.hpp"

#include <array>

namespace vipd::proto {
namespace {

std::uint32_t fold(std::uint32_t sum) {
    while ((sum >> 16U) != 0) {
        sum = (sum & 0xffffU) + (sum >> 16U);
    }
    return sum;
}

std::uint32_t pseudo_header_sum(std::size_t length, const IpAddress& src, const IpAddress& dst) {
    std::uint32_t sum = ones_complement_add(0, src.bytes());
    sum = ones_complement_add(sum, dst.bytes());
    if (src.family() == Family::IPv4) {
        // RFC 791 style: zero, protocol, 16-bit length.
        const std::array<std::uint8_t, 4> tail{0, kIpProtoVrrp,
                                               static_cast<std::uint8_t>(length >> 8U),
                                               static_cast<std::uint8_t>(length)};
        return ones_complement_add(sum, tail);
    }
    // RFC 8200 §8.1: 32-bit upper-layer length, three zero bytes, next header.
    const std::array<std::uint8_t, 8> tail{static_cast<std::uint8_t>(length >> 24U),
                                           static_cast<std::uint8_t>(length >> 16U),
                                           static_cast<std::uint8_t>(length >> 8U),
                                           static_cast<std::uint8_t>(length),
                                           0,
                                           0,
                                           0,
                                           kIpProtoVrrp};
    return ones_complement_add(sum, tail);
}

std::uint32_t full_sum(std::span<const std::uint8_t> message, ChecksumVariant variant,
                       const IpAddress& src, const IpAddress& dst) {
    std::uint32_t sum = 0;
    if (variant == ChecksumVariant::PseudoHeader) {
        sum = pseudo_header_sum(message.size(), src, dst);
    }
    return fold(ones_complement_add(sum, message));
}

}  // namespace

std::uint32_t ones_complement_add(std::uint32_t sum, std::span<const std::uint8_t> bytes) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) {
        sum += static_cast<std::uint32_t>(bytes[i] << 8U | bytes[i + 1]);
    }
    // An odd trailing byte is padded with zero (RFC 1071); only the last chunk may be odd.
    if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8U);
    // A VRRP message is at most a few KiB, far below the 2^16 words that could overflow
    // 32 bits before this fold.
    return fold(sum);
}

std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message, ChecksumVariant variant,
                            const IpAddress& src, const IpAddress& dst) {
    return static_cast<std::uint16_t>(~full_sum(message, variant, src, dst) & 0xffffU);
}

bool vrrp_checksum_valid(std::span<const std::uint8_t> message, ChecksumVariant variant,
                         const IpAddress& src, const IpAddress& dst) {
    return full_sum(message, variant, src, dst) == 0xffffU;
}

}  // namespace vipd::proto
