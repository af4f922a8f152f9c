// Golden bytes: adverts captured from real keepalived and FRR vrrpd (tests/golden/, made by
// capture.sh, listed in MANIFEST with the fields their daemons were configured with). Each
// must decode to exactly those fields, and our encoder must reproduce it byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "vipd/core/receive_policy.hpp"
#include "vipd/proto/advert.hpp"

namespace vipd::proto {
namespace {

struct Golden {
    std::string file;
    Family family = Family::IPv4;
    Version version = Version::V3;
    IpAddress src, dst;
    int ttl = 0, vrid = 0, priority = 0, adver_int = 0, auth_type = 0;
    std::string auth_data;
    std::string checksum;
    std::vector<IpAddress> addresses;
    std::vector<std::uint8_t> bytes;
};

std::string golden_path(const std::string& name) {
    return std::string(VIPD_GOLDEN_DIR) + "/" + name;
}

std::vector<std::uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

IpAddress ip(const std::string& s) {
    const auto a = IpAddress::parse(s);
    EXPECT_TRUE(a.has_value()) << s;
    return a.value_or(IpAddress{});
}

std::vector<Golden> load_manifest() {
    std::vector<Golden> out;
    std::ifstream in(golden_path("MANIFEST"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream f(line);
        Golden g;
        std::string family, src, dst, addresses;
        int version = 0;
        f >> g.file >> family >> version >> src >> dst >> g.ttl >> g.vrid >> g.priority >>
            g.adver_int >> g.auth_type >> g.auth_data >> g.checksum >> addresses;
        if (!f) {
            ADD_FAILURE() << "malformed MANIFEST line: " << line;
            continue;
        }
        g.family = family == "ipv6" ? Family::IPv6 : Family::IPv4;
        g.version = version == 2 ? Version::V2 : Version::V3;
        g.src = ip(src);
        g.dst = ip(dst);
        std::istringstream list(addresses);
        for (std::string a; std::getline(list, a, ',');)
            g.addresses.push_back(ip(a));
        g.bytes = read_file(golden_path(g.file));
        out.push_back(std::move(g));
    }
    return out;
}

const std::vector<Golden>& manifest() {
    static const std::vector<Golden> m = load_manifest();
    return m;
}

RxMeta meta_of(const Golden& g) {
    return RxMeta{g.src, g.dst, static_cast<std::uint8_t>(g.ttl), 2};
}

ChecksumVariant variant_of(const Golden& g) {
    return g.checksum == "v3-pseudo" ? ChecksumVariant::PseudoHeader : ChecksumVariant::MessageOnly;
}

AdvertFields fields_of(const Golden& g) {
    AdvertFields f{
        .version = g.version,
        .vrid = Vrid{static_cast<std::uint8_t>(g.vrid)},
        .priority = Priority{static_cast<std::uint8_t>(g.priority)},
        .max_adver_int = Centiseconds{g.version == Version::V2 ? g.adver_int * 100 : g.adver_int},
        .auth_type = static_cast<AuthType>(g.auth_type)};
    if (g.auth_data != "-") f.auth_data = make_auth_data(g.auth_data);
    return f;
}

TEST(GoldenManifest, ListsEveryRequiredCapture) {
    const std::vector<std::string> required{
        "keepalived-v2-pass.bin",         "keepalived-v2-none.bin", "keepalived-v3-ipv4.bin",
        "keepalived-v3-ipv6.bin",         "frr-v3-ipv4.bin",        "frr-v3-ipv6.bin",
        "keepalived-v3-ipv4-unicast.bin",
    };
    for (const auto& name : required) {
        const auto it = std::find_if(manifest().begin(), manifest().end(),
                                     [&](const Golden& g) { return g.file == name; });
        ASSERT_NE(it, manifest().end()) << name;
        EXPECT_FALSE(it->bytes.empty()) << name << " is missing or empty";
    }
}

class GoldenAdvert : public testing::TestWithParam<Golden> {};

TEST_P(GoldenAdvert, DecodesToTheConfiguredFields) {
    const Golden& g = GetParam();
    ASSERT_FALSE(g.bytes.empty());
    const auto r = decode(g.bytes, meta_of(g));
    ASSERT_TRUE(r.has_value()) << to_string(r.error());
    const auto want = fields_of(g);
    EXPECT_EQ(r->family, g.family);
    EXPECT_EQ(r->fields.version, want.version);
    EXPECT_EQ(r->fields.vrid, want.vrid);
    EXPECT_EQ(r->fields.priority, want.priority);
    EXPECT_EQ(r->fields.max_adver_int, want.max_adver_int);
    EXPECT_EQ(r->addresses.to_vector(), g.addresses);
    EXPECT_EQ(r->checksum, variant_of(g));
    if (g.version == Version::V2) {
        EXPECT_EQ(r->fields.auth_type, want.auth_type);
        EXPECT_EQ(r->fields.auth_data, want.auth_data);
    }
}

TEST_P(GoldenAdvert, EncoderReproducesTheCapturedBytes) {
    const Golden& g = GetParam();
    std::array<std::uint8_t, kMaxMessageSize> buf{};
    const auto n = encode(fields_of(g), g.addresses, g.src, g.dst, variant_of(g), buf);
    ASSERT_TRUE(n.has_value()) << to_string(n.error());
    EXPECT_EQ(std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<long>(*n)), g.bytes);
}

TEST_P(GoldenAdvert, PassesThePolicyOfAMatchingInstance) {
    const Golden& g = GetParam();
    const auto r = decode(g.bytes, meta_of(g));
    ASSERT_TRUE(r.has_value());
    const auto f = fields_of(g);
    const HeardAdvert heard{.src = g.src,
                            .version = r->fields.version,
                            .priority = r->fields.priority,
                            .max_adver_int = r->fields.max_adver_int,
                            .auth_type = r->fields.auth_type,
                            .auth_data = r->fields.auth_data,
                            .addresses_match = addresses_match(r->addresses, g.addresses)};
    EXPECT_TRUE(heard.addresses_match);
    const ReceivePolicy policy{.version = g.version,
                               .auth_type = f.auth_type,
                               .auth_data = f.auth_data,
                               .advert_interval = f.max_adver_int};
    const auto verdict = check_received(heard, policy);
    EXPECT_EQ(verdict.drop, std::nullopt);
    EXPECT_FALSE(verdict.address_mismatch);
    // ...and is refused by an instance of the other version.
    auto other = policy;
    other.version = g.version == Version::V2 ? Version::V3 : Version::V2;
    EXPECT_EQ(check_received(heard, other).drop, DropReason::VersionMismatch);
}

TEST_P(GoldenAdvert, Ttl254IsRejected) {
    const Golden& g = GetParam();
    auto meta = meta_of(g);
    meta.ttl = 254;
    const auto r = decode(g.bytes, meta);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), DropReason::BadTtl);
}

// VRRPv3 over IPv4 is where the two checksum conventions differ.
class GoldenV3Ipv4 : public testing::TestWithParam<Golden> {};

std::vector<Golden> v3_ipv4_only() {
    std::vector<Golden> out;
    std::copy_if(
        manifest().begin(), manifest().end(), std::back_inserter(out),
        [](const Golden& g) { return g.version == Version::V3 && g.family == Family::IPv4; });
    return out;
}

TEST_P(GoldenV3Ipv4, StrictPolicyForTheOtherChecksumVariantRejects) {
    const Golden& g = GetParam();
    const auto other = variant_of(g) == ChecksumVariant::PseudoHeader
                           ? ChecksumPolicy::RequireMessageOnly
                           : ChecksumPolicy::RequirePseudoHeader;
    const auto r = decode(g.bytes, meta_of(g), other);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), DropReason::BadChecksum);
}

TEST_P(GoldenAdvert, EverySingleBitFlipIsRejected) {
    const Golden& g = GetParam();
    for (std::size_t bit = 0; bit < g.bytes.size() * 8; ++bit) {
        auto bytes = g.bytes;
        bytes[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
        EXPECT_FALSE(decode(bytes, meta_of(g)).has_value()) << "bit " << bit;
    }
}

std::string name_of(const testing::TestParamInfo<Golden>& info) {
    std::string n = info.param.file.substr(0, info.param.file.find('.'));
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

INSTANTIATE_TEST_SUITE_P(Captured, GoldenAdvert, testing::ValuesIn(manifest()), name_of);
INSTANTIATE_TEST_SUITE_P(Captured, GoldenV3Ipv4, testing::ValuesIn(v3_ipv4_only()), name_of);

}  // namespace
}  // namespace vipd::proto
