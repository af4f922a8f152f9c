// auth_hmac end to end in memory: one AdvertAuth signs real advert bytes, another decodes
// and checks them, with the draft's rules (draft-cassen-vrrp-auth-hmac-00) and the clock
// rules of core/hmac_replay, on a clock the test moves.
#include "daemon/advert_auth.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "vipd/proto/checksum.hpp"
#include "vipd/proto/wire.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

config::HmacKeyConfig key(std::uint8_t id, std::uint8_t fill = 0) {
    std::vector<std::uint8_t> k(32);
    std::iota(k.begin(), k.end(), fill);
    return {.id = id, .value = "hex:...", .secret = config::SecretBytes(k)};
}

config::HmacAuthConfig hmac(std::vector<config::HmacKeyConfig> keys, std::uint8_t active,
                            HmacMode mode = HmacMode::Enforce,
                            AntiReplay replay = AntiReplay::Time) {
    config::HmacAuthConfig c;
    c.keys = std::move(keys);
    c.active_key = active;
    c.mode = mode;
    c.anti_replay = replay;
    c.time_window = 5s;
    return c;
}

const WallTime kNow = WallTime{std::chrono::seconds{1'767'225'600}};

struct Wire {
    std::vector<std::uint8_t> bytes;
    proto::RxMeta meta;
    [[nodiscard]] proto::Advert decoded() const {
        const auto a = proto::decode(bytes, meta);
        EXPECT_TRUE(a.has_value()) << (a ? "" : to_string(a.error()));
        return a ? a.value() : proto::Advert{};
    }
};

// An advert from `src` (to the group of its family), signed by `auth` when it signs.
Wire advert(AdvertAuth* auth, WallTime now, const IpAddress& src = ip("192.0.2.11"),
            Version v = Version::V3, std::uint8_t priority = 200) {
    const bool v4 = src.family() == Family::IPv4;
    const auto dst = v4 ? proto::kVrrpGroupV4 : proto::kVrrpGroupV6;
    const std::vector<IpAddress> vips{v4 ? ip("192.0.2.51") : ip("2001:db8::51")};
    std::array<std::uint8_t, proto::kMaxMessageSize> buf{};
    const proto::AdvertFields f{.version = v,
                                .vrid = Vrid{51},
                                .priority = Priority{priority},
                                .max_adver_int = Centiseconds{v == Version::V2 ? 100 : 10}};
    const auto n = proto::encode(f, vips, src, dst, proto::ChecksumVariant::PseudoHeader, buf);
    EXPECT_TRUE(n.has_value());
    Wire w{{buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n ? n.value() : 0)},
           {src, dst, 255, 2}};
    if (auth != nullptr && auth->signs()) {
        w.bytes.resize(w.bytes.size() + proto::kHmacTrailerSize);
        EXPECT_TRUE(auth->sign(w.bytes, v, Vrid{51}, src, dst, now));
    }
    return w;
}

std::optional<DropReason> check(AdvertAuth& auth, const Wire& w, WallTime now = kNow) {
    return auth.check(w.decoded(), w.meta.src, now).drop;
}

TEST(AdvertAuth, ASignedAdvertVerifiesForEachVersionAndFamily) {
    for (const auto& [src, v] :
         {std::pair{ip("192.0.2.11"), Version::V3}, std::pair{ip("192.0.2.11"), Version::V2},
          std::pair{ip("fe80::11"), Version::V3}}) {
        AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
        const auto w = advert(&sender, kNow, src, v);
        ASSERT_FALSE(w.decoded().signed_message.empty()) << src.to_string();
        EXPECT_EQ(check(receiver, w), std::nullopt) << src.to_string();
        // IPv6: the checksum covers the trailer, as the kernel's IPV6_CHECKSUM sums it.
        if (src.family() == Family::IPv6) {
            EXPECT_TRUE(proto::vrrp_checksum_valid(w.bytes, proto::ChecksumVariant::PseudoHeader,
                                                   src, w.meta.dst));
        }
    }
}

TEST(AdvertAuth, AnyChangeOrAnotherKeyIsABadTag) {
    AdvertAuth sender(hmac({key(1)}, 1), {});
    AdvertAuth other_secret(hmac({key(1, 7)}, 1), {});
    EXPECT_EQ(check(other_secret, advert(&sender, kNow)), DropReason::HmacBadTag);
    // Another priority under the same trailer: the checksum is made good, the tag cannot be.
    AdvertAuth receiver(hmac({key(1)}, 1), {});
    auto w = advert(&sender, kNow);
    const auto forged = advert(nullptr, kNow, ip("192.0.2.11"), Version::V3, 255);
    std::copy(forged.bytes.begin(), forged.bytes.end(), w.bytes.begin());
    EXPECT_EQ(check(receiver, w), DropReason::HmacBadTag);
}

TEST(AdvertAuth, EnforceDropsUnsignedAdvertsTheRolloutModesTakeThem) {
    AdvertAuth enforce(hmac({key(1)}, 1), {});
    AdvertAuth permissive(hmac({key(1)}, 1, HmacMode::Permissive), {});
    AdvertAuth receive_only(hmac({key(1)}, 1, HmacMode::ReceiveOnly), {});
    const auto plain = advert(nullptr, kNow);
    EXPECT_EQ(check(enforce, plain), DropReason::HmacMissing);
    EXPECT_EQ(check(permissive, plain), std::nullopt);
    EXPECT_EQ(check(receive_only, plain), std::nullopt);
    EXPECT_TRUE(permissive.signs());
    EXPECT_FALSE(receive_only.signs());
    // Both rollout modes still check a trailer that comes, and drop a bad one.
    AdvertAuth stranger(hmac({key(1, 9)}, 1), {});
    EXPECT_EQ(check(permissive, advert(&stranger, kNow)), DropReason::HmacBadTag);
    EXPECT_EQ(check(receive_only, advert(&stranger, kNow + 1s)), DropReason::HmacBadTag);
}

TEST(AdvertAuth, ACopyIsAReplayAndAnOlderSequenceToo) {
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    const auto first = advert(&sender, kNow);
    const auto second = advert(&sender, kNow + 100ms);
    EXPECT_EQ(check(receiver, first), std::nullopt);
    EXPECT_EQ(check(receiver, first, kNow + 200ms), DropReason::HmacReplay);
    EXPECT_EQ(check(receiver, second, kNow + 200ms), std::nullopt);
    EXPECT_EQ(check(receiver, first, kNow + 300ms), DropReason::HmacReplay);
    // Another sender has a mark of its own.
    AdvertAuth peer(hmac({key(1)}, 1), {});
    EXPECT_EQ(check(receiver, advert(&peer, kNow, ip("192.0.2.13"))), std::nullopt);
}

TEST(AdvertAuth, OutsideTheTimeWindowIsStaleUnlessMonotonic) {
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    const auto w = advert(&sender, kNow);
    EXPECT_EQ(check(receiver, w, kNow + 6s), DropReason::HmacStale);
    EXPECT_EQ(check(receiver, advert(&sender, kNow + 10s), kNow + 4s), DropReason::HmacStale);
    EXPECT_EQ(check(receiver, w, kNow + 5s), std::nullopt);  // the window's edge is inside
    AdvertAuth mono_tx(hmac({key(1)}, 1, HmacMode::Enforce, AntiReplay::Monotonic), {});
    AdvertAuth mono_rx(hmac({key(1)}, 1, HmacMode::Enforce, AntiReplay::Monotonic), {});
    const auto old = advert(&mono_tx, kNow - 1h);
    EXPECT_EQ(check(mono_rx, old), std::nullopt);
    EXPECT_EQ(check(mono_rx, old), DropReason::HmacReplay);
}

TEST(AdvertAuth, APeerClockHalfAWindowOffIsAcceptedAndFlagged) {
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    const auto near = receiver.check(advert(&sender, kNow).decoded(), ip("192.0.2.11"), kNow + 2s);
    EXPECT_EQ(near.drop, std::nullopt);
    EXPECT_FALSE(near.skew_warning);  // 2 s of a 5 s window
    const auto w = advert(&sender, kNow + 1s);
    const auto far = receiver.check(w.decoded(), ip("192.0.2.11"), kNow + 4s);
    EXPECT_EQ(far.drop, std::nullopt);
    EXPECT_TRUE(far.skew_warning);  // 3 s: more than half
    EXPECT_EQ(far.skew_seconds, 3);
    EXPECT_EQ(receiver.status().last_skew_s, 3);
}

TEST(AdvertAuth, KeysRotateWithoutADrop) {
    // Step 1: every receiver learns key 2; step 2: senders sign with it; step 3: key 1 goes.
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    EXPECT_EQ(check(receiver, advert(&sender, kNow)), std::nullopt);
    receiver.reconfigure(hmac({key(1), key(2, 50)}, 1), {});
    EXPECT_EQ(check(receiver, advert(&sender, kNow + 1s), kNow + 1s), std::nullopt);
    sender.reconfigure(hmac({key(1), key(2, 50)}, 2), {});
    const auto with_2 = advert(&sender, kNow + 2s);
    EXPECT_EQ(check(receiver, with_2, kNow + 2s), std::nullopt);
    receiver.reconfigure(hmac({key(2, 50)}, 2), {});
    // The reload kept the replay mark: the last advert heard is still a replay.
    EXPECT_EQ(check(receiver, with_2, kNow + 2s), DropReason::HmacReplay);
    // So does one that changes the window or the rule (a new advert_interval, say).
    auto wider = hmac({key(2, 50)}, 2, HmacMode::Enforce, AntiReplay::Monotonic);
    receiver.reconfigure(wider, {});
    EXPECT_EQ(check(receiver, with_2, kNow + 2s), DropReason::HmacReplay);
    EXPECT_EQ(check(receiver, advert(&sender, kNow + 3s), kNow + 3s), std::nullopt);
    // A receiver that never learned key 2.
    AdvertAuth late(hmac({key(1)}, 1), {});
    EXPECT_EQ(check(late, advert(&sender, kNow + 4s), kNow + 4s), DropReason::HmacUnknownKey);
    EXPECT_EQ(receiver.status().keys, std::vector<int>{2});
    EXPECT_EQ(receiver.status().active_key, 2);
}

TEST(AdvertAuth, AForgedAdvertDoesNotMoveTheReplayMark) {
    // A stranger's advert with a sequence far ahead: if its mark counted before the tag was
    // checked, every genuine advert after it would be a "replay".
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    AdvertAuth forger(hmac({key(1, 3)}, 1), {});
    EXPECT_EQ(check(receiver, advert(&forger, kNow + 4s)), DropReason::HmacBadTag);
    EXPECT_EQ(check(receiver, advert(&sender, kNow)), std::nullopt);
}

TEST(AdvertAuth, AReloadForgetsOnlyThePeersThatAreGone) {
    const std::vector peers{ip("192.0.2.12"), ip("192.0.2.13")};
    AdvertAuth a(hmac({key(1)}, 1), {}), b(hmac({key(1)}, 1), {});
    AdvertAuth receiver(hmac({key(1)}, 1), peers);
    const auto from_a = advert(&a, kNow, ip("192.0.2.12"));
    const auto from_b = advert(&b, kNow, ip("192.0.2.13"));
    EXPECT_EQ(check(receiver, from_a), std::nullopt);
    EXPECT_EQ(check(receiver, from_b), std::nullopt);
    // .13 is replaced by .14 and .15: .12's mark stays; a unicast peer's is never crowded out.
    const std::vector others{ip("192.0.2.12"), ip("192.0.2.14"), ip("192.0.2.15")};
    receiver.reconfigure(hmac({key(1)}, 1), others);
    AdvertAuth c(hmac({key(1)}, 1), {}), d(hmac({key(1)}, 1), {});
    EXPECT_EQ(check(receiver, advert(&c, kNow, ip("192.0.2.14"))), std::nullopt);
    EXPECT_EQ(check(receiver, advert(&d, kNow, ip("192.0.2.15"))), std::nullopt);
    EXPECT_EQ(check(receiver, from_a), DropReason::HmacReplay);
}

TEST(AdvertAuth, AnUnknownTrailerTypeIsMalformed) {
    AdvertAuth sender(hmac({key(1)}, 1), {}), receiver(hmac({key(1)}, 1), {});
    auto w = advert(&sender, kNow);
    w.bytes[w.bytes.size() - proto::kHmacTrailerSize] = 2;  // ext_type
    EXPECT_EQ(check(receiver, w), DropReason::HmacMalformed);
    w.bytes[w.bytes.size() - proto::kHmacTrailerSize] = 1;
    w.bytes[w.bytes.size() - proto::kHmacTrailerSize + 2] = 1;  // reserved
    EXPECT_EQ(check(receiver, w), DropReason::HmacMalformed);
}

TEST(HmacSequence, GrowsWhenTheClockStandsStillOrStepsBackALittle) {
    HmacSequence s;
    const auto a = s.next(kNow, AntiReplay::Time, 5s);
    EXPECT_EQ(a, sequence_at(kNow));
    EXPECT_EQ(a >> 32U, 1'767'225'600U);
    const auto b = s.next(kNow, AntiReplay::Time, 5s);
    EXPECT_EQ(b, a + 1);
    const auto c = s.next(kNow - 3s, AntiReplay::Time, 5s);  // a small NTP step back
    EXPECT_TRUE(sequence_after(c, b));
    // Stepped back past the window: no receiver would take the old count, so the clock's.
    EXPECT_EQ(s.next(kNow - 10s, AntiReplay::Time, 5s), sequence_at(kNow - 10s));
    HmacSequence m;
    const auto m1 = m.next(kNow, AntiReplay::Monotonic, 5s);
    EXPECT_EQ(m.next(kNow - 1h, AntiReplay::Monotonic, 5s), m1 + 1);
    // After 2038 the seconds' top bit is set: the first sequence still comes from the clock.
    HmacSequence late;
    const auto y2040 = WallTime{std::chrono::seconds{2'208'988'800}};
    EXPECT_EQ(late.next(y2040, AntiReplay::Monotonic, 5s), sequence_at(y2040));
    // Half a second is 0x8000 in the subsecond field.
    EXPECT_EQ(sequence_at(kNow + 500ms) & 0xFFFF0000U, 0x80000000U);
}

TEST(ReplayGuard, KeepsTheLastSendersAndForgetsOldMarks) {
    ReplayGuard g(AntiReplay::Time, 5s, {});  // multicast: the last 4 senders
    const auto seq = sequence_at(kNow);
    for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"})
        EXPECT_TRUE(g.accept(ip(a), seq, kNow));
    EXPECT_EQ(g.senders(), 4U);
    EXPECT_TRUE(g.accept(ip("192.0.2.1"), seq, kNow));   // forgotten: the oldest
    EXPECT_FALSE(g.accept(ip("192.0.2.5"), seq, kNow));  // kept
    // A mark older than the window is forgotten: a sender whose clock was reset recovers.
    EXPECT_TRUE(g.accept(ip("192.0.2.5"), sequence_at(kNow - 1s), kNow + 10s));
    // A reload to unicast keeps the marks of the peers, and only theirs.
    const auto later = sequence_at(kNow + 10s);
    EXPECT_TRUE(g.accept(ip("192.0.2.6"), later, kNow + 10s));
    const std::vector peers{ip("192.0.2.6"), ip("192.0.2.7")};
    g.reconfigure(AntiReplay::Time, 5s, peers);
    EXPECT_EQ(g.senders(), 1U);
    EXPECT_FALSE(g.accept(ip("192.0.2.6"), later, kNow + 10s));
    std::int64_t skew = 0;
    EXPECT_TRUE(g.fresh(sequence_at(kNow - 2s), kNow, skew));
    EXPECT_EQ(skew, 2);
}

}  // namespace
}  // namespace vipd
