// The instance's receive rules (RFC 9568 §7.1, RFC 3768 §7.1), each with the advert that
// breaks it and the one that does not.
#include "vipd/core/receive_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vipd {
namespace {

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

HeardAdvert heard(const char* src = "192.0.2.12", int priority = 200,
                  Centiseconds interval = Centiseconds{100}) {
    return HeardAdvert{.src = ip(src),
                       .priority = Priority{static_cast<std::uint8_t>(priority)},
                       .max_adver_int = interval};
}

HeardAdvert heard_v2(const char* password) {
    auto a = heard();
    a.version = Version::V2;
    a.auth_type = AuthType::SimplePassword;
    a.auth_data = make_auth_data(password);
    return a;
}

ReceivePolicy v2_policy() {
    return ReceivePolicy{.version = Version::V2,
                         .auth_type = AuthType::SimplePassword,
                         .auth_data = make_auth_data("secret1")};
}

TEST(ReceivePolicy, Rfc9568_7_1_VersionMustMatchInstance) {
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.version = Version::V2}).drop,
              DropReason::VersionMismatch);
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.version = Version::V3}).drop, std::nullopt);
}

TEST(ReceivePolicy, Rfc3768_7_1_AuthTypeAndPasswordMustMatch) {
    EXPECT_EQ(check_received(heard_v2("secret1"), v2_policy()).drop, std::nullopt);
    EXPECT_EQ(check_received(heard_v2("secret2"), v2_policy()).drop, DropReason::AuthFailure);
    auto no_auth = v2_policy();
    no_auth.auth_type = AuthType::None;
    EXPECT_EQ(check_received(heard_v2("secret1"), no_auth).drop, DropReason::AuthTypeMismatch);
    // Without authentication the data is not compared.
    auto plain = heard_v2("whatever");
    plain.auth_type = AuthType::None;
    EXPECT_EQ(check_received(plain, no_auth).drop, std::nullopt);
}

TEST(ReceivePolicy, UnicastAcceptsOnlyConfiguredPeers) {
    const std::vector peers{ip("192.0.2.13"), ip("192.0.2.12")};
    const std::vector strangers{ip("192.0.2.13")};
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.unicast_peers = peers}).drop, std::nullopt);
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.unicast_peers = strangers}).drop,
              DropReason::NotAPeer);
    EXPECT_EQ(check_received(heard(), ReceivePolicy{}).drop, std::nullopt);  // multicast: anyone
}

TEST(ReceivePolicy, Rfc9568_7_1_AddressOwnerDiscardsAdverts) {
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.owner = true}).drop, DropReason::LocalIsOwner);
    // Negative case: a non-owner does not discard.
    EXPECT_EQ(check_received(heard(), ReceivePolicy{.owner = false}).drop, std::nullopt);
}

TEST(ReceivePolicy, Rfc3768_7_1_V2IntervalMismatchIsDiscarded) {
    auto other = heard_v2("secret1");
    other.max_adver_int = Centiseconds{200};
    EXPECT_EQ(check_received(other, v2_policy()).drop, DropReason::IntervalMismatch);
    // The same advert with the configured interval is accepted.
    EXPECT_EQ(check_received(heard_v2("secret1"), v2_policy()).drop, std::nullopt);
    // VRRPv3 learns the master's interval instead: accepted.
    EXPECT_EQ(check_received(heard("192.0.2.12", 200, Centiseconds{200}), ReceivePolicy{}).drop,
              std::nullopt);
}

TEST(ReceivePolicy, Rfc9568_7_1_V3AddressMismatchIsLoggedNotDropped) {
    auto a = heard();
    a.addresses_match = false;
    const auto v = check_received(a, ReceivePolicy{});
    EXPECT_EQ(v.drop, std::nullopt);
    EXPECT_TRUE(v.address_mismatch);
    EXPECT_FALSE(check_received(heard(), ReceivePolicy{}).address_mismatch);
}

TEST(ReceivePolicy, Rfc3768_7_1_V2AddressMismatchIsDroppedUnlessFromOwner) {
    auto a = heard_v2("secret1");
    a.addresses_match = false;
    EXPECT_EQ(check_received(a, v2_policy()).drop, DropReason::AddressMismatch);
    a.priority = kPriorityOwner;
    const auto from_owner = check_received(a, v2_policy());
    EXPECT_EQ(from_owner.drop, std::nullopt);
    EXPECT_TRUE(from_owner.address_mismatch);
}

}  // namespace
}  // namespace vipd
