// Text conversion for IpAddress. inet_pton/inet_ntop are pure library functions (no
// syscalls), so the core stays free of OS state.
#include "vipd/core/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <system_error>

namespace vipd {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton needs a NUL-terminated string; longest IPv6 text form is 45 characters.
    std::array<char, INET6_ADDRSTRLEN + 1> buf{};
    if (text.empty() || text.size() >= buf.size()) return std::nullopt;
    std::copy(text.begin(), text.end(), buf.begin());

    std::array<std::uint8_t, kV6Size> raw{};
    if (inet_pton(AF_INET, buf.data(), raw.data()) == 1) {
        return v4(std::span<const std::uint8_t, kV4Size>(raw.data(), kV4Size));
    }
    if (inet_pton(AF_INET6, buf.data(), raw.data()) == 1) {
        return v6(raw);
    }
    return std::nullopt;
}

IpAddress IpAddress::v4(std::span<const std::uint8_t, kV4Size> bytes) {
    IpAddress a;
    a.family_ = Family::IPv4;
    std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
    return a;
}

IpAddress IpAddress::v6(std::span<const std::uint8_t, kV6Size> bytes) {
    IpAddress a;
    a.family_ = Family::IPv6;
    std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
    return a;
}

bool IpAddress::is_unspecified() const {
    const auto b = bytes();
    return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

bool IpAddress::is_multicast() const {
    return family_ == Family::IPv4 ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool IpAddress::is_loopback() const {
    if (family_ == Family::IPv4) return bytes_[0] == 127;
    return std::all_of(bytes_.begin(), bytes_.end() - 1, [](std::uint8_t x) { return x == 0; }) &&
           bytes_.back() == 1;
}

bool IpAddress::is_ipv6_link_local() const {
    // fe80::/10
    return family_ == Family::IPv6 && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::to_string() const {
    std::array<char, INET6_ADDRSTRLEN> buf{};
    const int af = family_ == Family::IPv4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes_.data(), buf.data(), buf.size()) == nullptr) return "?";
    return buf.data();
}

std::optional<AddressAndPrefix> parse_address_and_prefix(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    if (slash == std::string_view::npos) return AddressAndPrefix{*address, std::nullopt};
    const auto digits = text.substr(slash + 1);
    unsigned prefix = 0;
    const auto* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc{} || ptr != end) return std::nullopt;
    return AddressAndPrefix{*address, prefix};
}

}  // namespace vipd
