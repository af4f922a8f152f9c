// The instance driver against gmock fakes of the OS adapters: which syscalls-to-be it makes,
// in which order, for which machine actions. On simulated time: no test waits for real.
#include "daemon/instance.hpp"

#include "fakes.hpp"

#include "vipd/proto/wire.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include <nlohmann/json.hpp>

namespace vipd {
namespace {

using namespace std::chrono_literals;
using testing::_;
using testing::AtLeast;
using testing::Return;
using testing::StrictMock;

class InstanceTest : public testing::Test {
protected:
    std::unique_ptr<Instance> make(config::InstanceConfig c) {
        Instance::Env env{time, timers, addresses, announcer, log};
        env.input_log = input_log;
        env.filter = &filter;
        env.routes = &routes;
        auto inst = std::make_unique<Instance>(std::move(env), std::move(c));
        inst->set_transport(&transport);
        return inst;
    }
    // Started on eth0, with every address add and announcement allowed: for the tests about
    // adverts rather than addresses.
    std::unique_ptr<Instance> start_claiming(config::InstanceConfig c) {
        EXPECT_CALL(addresses, add(_, _, _)).WillRepeatedly(Return(std::error_code{}));
        EXPECT_CALL(announcer, announce(_, _, _, _)).WillRepeatedly(Return(std::error_code{}));
        auto inst = make(std::move(c));
        const auto info = eth0();
        inst->update_interface(&info);
        inst->start();
        return inst;
    }
    // Moves simulated time on, timer by timer, until `done` or `limit` (which only bounds a
    // failure).
    template <class F>
    bool run_until(F done, std::chrono::milliseconds limit = 2s) {
        return time.run_until(done, limit);
    }

    // An advert from the peer 192.0.2.12, as the socket layer hands it over after decoding.
    void deliver(Instance& inst, const proto::AdvertFields& fields) {
        deliver_advert(inst, fields, ip("192.0.2.1"));
    }

    // Log lines containing `text`.
    [[nodiscard]] int logged(const std::string& text) const {
        std::istringstream in(log_text.str());
        int n = 0;
        for (std::string line; std::getline(in, line);)
            n += line.find(text) != std::string::npos ? 1 : 0;
        return n;
    }

    std::ostringstream log_text;
    std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_text));
    RateLimiter* input_log = nullptr;  // the daemon's shared budget, when a test sets one
    os::SimulatedTime time;
    TimerQueue timers{time};
    StrictMock<FakeAddresses> addresses;
    StrictMock<FakeAnnouncer> announcer;
    FakeTransport transport;
    FakeFilter filter;
    FakeRoutes routes;
};

TEST_F(InstanceTest, BecomingMasterClaimsAdvertisesAndAnnounces) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(7, info.mac, ip("192.0.2.1"), _))
        .WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    ASSERT_FALSE(transport.sent.empty());
    const auto a = transport.decoded(0);
    EXPECT_EQ(a.fields.vrid, Vrid{51});
    EXPECT_EQ(a.fields.priority, Priority{150});
    EXPECT_EQ(transport.sent[0].src, ip("192.0.2.11"));  // the interface's primary address
    EXPECT_EQ(transport.sent[0].dst, proto::kVrrpGroupV4);
    // keepalived and FRR include the pseudo-header; until a peer says otherwise, so do we.
    EXPECT_EQ(a.checksum, proto::ChecksumVariant::PseudoHeader);
    // And it keeps advertising.
    EXPECT_TRUE(run_until([&] { return transport.sent.size() >= 3; }));
}

TEST_F(InstanceTest, HandoverKeepsTheVipsUntilTheSuccessorAdvertisesThenLingers) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    std::optional<Instance::HandoverResult> result;
    EXPECT_EQ(inst->handover(ip("2001:db8::1"), [](const auto&) {}),
              "2001:db8::1 is not a peer of this instance");
    ASSERT_EQ(inst->handover(ip("192.0.2.12"), [&](const auto& r) { result = r; }), std::nullopt);
    EXPECT_EQ(inst->handover(std::nullopt, [](const auto&) {}), "a handover is already under way");
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 3; }));
    EXPECT_EQ(transport.decoded(transport.sent.size() - 1).fields.priority, kPriorityStop);
    EXPECT_FALSE(result);  // nobody took over yet; the VIP stays (no remove expected)
    testing::Mock::VerifyAndClearExpectations(&addresses);

    // The successor appears. No remove() is expected yet (StrictMock): a release at this
    // point, before the successor's gratuitous ARPs can have reached anyone, fails here.
    deliver(*inst, {.version = Version::V3,
                    .vrid = Vrid{51},
                    .priority = Priority{100},
                    .max_adver_int = Centiseconds{1}});
    EXPECT_EQ(inst->state(), State::Backup);
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->ok) << result->message;
    EXPECT_EQ(result->successor, ip("192.0.2.12"));
    EXPECT_TRUE(inst->handing_over());  // the VIP lingers...
    testing::Mock::VerifyAndClearExpectations(&addresses);
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    // ...then goes. (The successor keeps advertising meanwhile, as a real one would: without
    // it this router would be master again after its Master_Down_Interval of 36 ms.)
    ASSERT_TRUE(run_until([&] {
        deliver(*inst, {.version = Version::V3,
                        .vrid = Vrid{51},
                        .priority = Priority{100},
                        .max_adver_int = Centiseconds{1}});
        return !inst->handing_over();
    }));
    EXPECT_EQ(inst->handover(std::nullopt, [](const auto&) {}), "not master (state BACKUP)");
}

TEST_F(InstanceTest, PriorityOverrideReplacesTheBaseUntilReload) {
    auto inst = make(web(150));
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    ASSERT_EQ(inst->set_priority_override(Priority{90}), std::nullopt);
    EXPECT_EQ(inst->machine().priority(), Priority{90});
    inst->set_tracker_inputs({{.weight = -20, .up = false}});
    EXPECT_EQ(inst->machine().priority(), Priority{70});  // trackers apply on top
    EXPECT_EQ(inst->set_priority_override(Priority{255}), "priority must be 1..254");
    auto c = web(150);
    c.preempt = false;
    inst->reconfigure(c, &info);
    EXPECT_EQ(inst->priority_override(), std::nullopt);
    EXPECT_EQ(inst->machine().priority(), Priority{130});
}

TEST_F(InstanceTest, UnicastSendsToEachPeer) {
    auto c = web(150);
    c.unicast_peers = {ip("192.0.2.12"), ip("192.0.2.13")};
    auto inst = make(c);
    const auto info = eth0();
    EXPECT_CALL(addresses, add(_, _, _)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 4; }));
    EXPECT_EQ(transport.sent[0].dst, ip("192.0.2.12"));
    EXPECT_EQ(transport.sent[1].dst, ip("192.0.2.13"));
    // Each carries the checksum for its own destination (the pseudo-header has it), also
    // when the adverts are re-sent.
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(transport.decoded(i).fields.priority, Priority{150}) << "advert " << i;
}

config::HmacAuthConfig hmac_keys(std::uint8_t fill) {
    std::vector<std::uint8_t> k(32, fill);
    config::HmacAuthConfig h;
    h.keys.push_back({.id = 1, .value = "", .secret = config::SecretBytes(k)});
    h.active_key = 1;
    return h;
}

// auth_hmac in the driver: a master signs each advert afresh; a backup takes a signed
// advert once, and counts a copy and an unsigned advert as drops that leave its
// Master_Down_Timer alone (strangers' keys: advert_auth_test).
TEST_F(InstanceTest, SignedAdvertsGoOutAndOnlyGenuineOnesComeIn) {
    auto c = web(150);
    c.auth_hmac = hmac_keys(0x42);
    auto master = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 2; }));
    const auto first = transport.sent[0], second = transport.sent[1];
    ASSERT_EQ(first.bytes.size(), 12U + proto::kHmacTrailerSize);
    const auto t1 = proto::read_hmac_trailer(first.bytes),
               t2 = proto::read_hmac_trailer(second.bytes);
    ASSERT_TRUE(t1 && t2);
    EXPECT_TRUE(sequence_after(t2->sequence, t1->sequence));
    // The time of day in its seconds (the simulated clock's: 2026-01-01, a second or two on).
    EXPECT_NEAR(static_cast<double>(t1->sequence >> 32U), 1'767'225'600.0, 3.0);
    EXPECT_TRUE(master->status(time.now()).auth_hmac.has_value());

    auto b = web(100);
    b.name = "backup";
    b.auth_hmac = hmac_keys(0x42);
    auto backup = make(b);
    const auto info = eth0();
    backup->update_interface(&info);
    backup->start();
    const auto take = [&](const FakeTransport::Sent& s) {
        const proto::RxMeta meta{s.src, s.dst, 255, 7};
        const auto a = proto::decode(s.bytes, meta);
        ASSERT_TRUE(a.has_value());
        backup->receive(*a, meta);
    };
    take(first);
    EXPECT_EQ(backup->counters().adverts_received, 1U);
    const auto deadline = backup->machine().master_down_deadline();
    take(first);                                                      // captured and sent again
    deliver(*backup, {.vrid = Vrid{51}, .priority = Priority{200}});  // unsigned
    const auto drops = [&](DropReason r) {
        return backup->counters().drops[static_cast<std::size_t>(r)];
    };
    EXPECT_EQ(drops(DropReason::HmacReplay), 1U);
    EXPECT_EQ(drops(DropReason::HmacMissing), 1U);
    EXPECT_EQ(backup->counters().adverts_received, 1U);
    EXPECT_EQ(backup->machine().master_down_deadline(), deadline);
    take(second);
    EXPECT_EQ(backup->counters().adverts_received, 2U);
    // A reload that drops auth_hmac: a signed advert is then not taken on trust either.
    b.auth_hmac.reset();
    backup->reconfigure(b, &info);
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 3; }));
    take(transport.sent.back());
    EXPECT_EQ(drops(DropReason::TrailingBytes), 1U);
}

TEST(AdvertGrid, RoundsDownToTheCentisecond) {
    const TimePoint t{std::chrono::microseconds{12'345'678}};
    EXPECT_EQ(on_advert_grid(t), TimePoint{std::chrono::milliseconds{12'340}});
    EXPECT_EQ(on_advert_grid(on_advert_grid(t)), on_advert_grid(t));
}

// A master's adverts wake on the 10 ms grid, so many masters share a wake-up; the machine
// keeps its exact deadlines, so the intervals do not change.
TEST_F(InstanceTest, AdvertTimerWakesAtTheStartOfItsCentisecond) {
    auto inst = start_claiming(web(150));
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 3; }));
    const auto exact = inst->machine().adver_deadline();
    ASSERT_TRUE(exact.has_value());
    const TimerQueue::Id adver_timer = 1;  // the instance's second timer in a fresh queue
    const auto wake = timers.deadline(adver_timer);
    ASSERT_TRUE(wake.has_value());
    EXPECT_EQ(*wake, on_advert_grid(*exact));
    EXPECT_LE(*wake, *exact);
    EXPECT_GT(*wake, *exact - kAdvertGrain);
}

TEST_F(InstanceTest, AdvertsFollowAReloadedAddressList) {
    EXPECT_CALL(addresses, remove(_, _, _)).WillRepeatedly(Return(std::error_code{}));
    auto inst = start_claiming(web(150));
    ASSERT_TRUE(run_until([&] { return transport.sent.size() >= 2; }));
    EXPECT_EQ(transport.sent[0].bytes, transport.sent[1].bytes);
    auto c = web(150);  // same priority and interval: only the addresses change
    c.addresses = {{ip("192.0.2.1"), 24}, {ip("192.0.2.2"), 24}};
    const auto info = eth0();
    inst->reconfigure(c, &info);
    const auto before = transport.sent.size();
    ASSERT_TRUE(run_until([&] { return transport.sent.size() > before; }));
    const auto advert = transport.decoded(transport.sent.size() - 1);
    EXPECT_EQ(advert.addresses.to_vector(),
              (std::vector<IpAddress>{ip("192.0.2.1"), ip("192.0.2.2")}));
}

TEST_F(InstanceTest, HigherPriorityAdvertKeepsItBackupWithoutTouchingAddresses) {
    auto inst = make(web(100));
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    // A master at 200 keeps advertising; we never claim anything (StrictMock: no calls).
    for (int i = 0; i < 20; ++i) {
        deliver(*inst,
                {.vrid = Vrid{51}, .priority = Priority{200}, .max_adver_int = Centiseconds{1}});
        time.advance(10ms);
    }
    EXPECT_EQ(inst->state(), State::Backup);
    EXPECT_EQ(inst->counters().adverts_received, 20U);
    EXPECT_TRUE(transport.sent.empty());
}

TEST_F(InstanceTest, WrongPasswordIsDroppedAndCounted) {
    auto c = web(100);
    c.version = Version::V2;
    c.advert_interval = Centiseconds{100};
    c.auth_type = AuthType::SimplePassword;
    c.password = "secret1";
    auto inst = make(c);
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    const auto deadline = inst->machine().master_down_deadline();
    ASSERT_TRUE(deadline.has_value());
    deliver(*inst, {.version = Version::V2,
                    .vrid = Vrid{51},
                    .priority = Priority{200},
                    .max_adver_int = Centiseconds{100},
                    .auth_type = AuthType::SimplePassword,
                    .auth_data = make_auth_data("wrong")});
    EXPECT_EQ(inst->counters().drops[static_cast<std::size_t>(DropReason::AuthFailure)], 1U);
    EXPECT_EQ(inst->counters().adverts_received, 0U);
    // The bad advert did not reset the Master_Down_Timer.
    EXPECT_EQ(inst->machine().master_down_deadline(), deadline);
}

// The receive policy in front of the machine: a v2 master hears a higher priority with
// another interval (RFC 3768 §7.1: discarded, counted) and stays master; with its own
// interval the same advert takes it to backup.
TEST_F(InstanceTest, Rfc3768_7_1_V2MasterDiscardsIntervalMismatch) {
    auto c = web(150);
    c.version = Version::V2;
    c.advert_interval = Centiseconds{100};
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }, 10s));
    deliver(*inst, {.version = Version::V2,
                    .vrid = Vrid{51},
                    .priority = Priority{200},
                    .max_adver_int = Centiseconds{200}});
    EXPECT_EQ(inst->state(), State::Master);
    EXPECT_EQ(inst->counters().drops[static_cast<std::size_t>(DropReason::IntervalMismatch)], 1U);
    EXPECT_EQ(inst->counters().adverts_received, 0U);
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    deliver(*inst, {.version = Version::V2,
                    .vrid = Vrid{51},
                    .priority = Priority{200},
                    .max_adver_int = Centiseconds{100}});
    EXPECT_EQ(inst->state(), State::Backup);
}

// The address owner drops every advert (RFC 9568 §7.1) and stays master.
// Issue 13: the drop-log budget was per instance, so bad adverts for 20 VRIDs made 20 lines
// a second. With the daemon's one budget they make 5 (the burst), and each is still counted.
TEST_F(InstanceTest, DropLinesShareOneBudgetAcrossInstances) {
    RateLimiter shared{1.0, 5.0};
    input_log = &shared;
    std::vector<std::unique_ptr<Instance>> insts;
    const auto info = eth0();
    for (int v = 1; v <= 20; ++v) {
        auto c = web(100);
        c.name = fmt::format("i{}", v);
        c.vrid = Vrid{static_cast<std::uint8_t>(v)};
        c.version = Version::V2;
        c.advert_interval = Centiseconds{100};
        c.auth_type = AuthType::SimplePassword;
        c.password = "secret1";
        insts.push_back(make(c));
        insts.back()->update_interface(&info);
        insts.back()->start();
        deliver(*insts.back(), {.version = Version::V2,
                                .vrid = c.vrid,
                                .priority = Priority{200},
                                .max_adver_int = Centiseconds{100},
                                .auth_type = AuthType::SimplePassword,
                                .auth_data = make_auth_data("wrong")});
        EXPECT_EQ(insts.back()->counters().drops[static_cast<std::size_t>(DropReason::AuthFailure)],
                  1U);
    }
    EXPECT_EQ(logged("dropped advert"), 5);
}

// Someone deleting a VIP in a loop gets it back each time, but one line per 10 s.
TEST_F(InstanceTest, RestoringARemovedVipIsLoggedAtMostEveryTenSeconds) {
    auto inst = start_claiming(web(150));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    for (int i = 0; i < 100; ++i)
        inst->address_removed(ip("192.0.2.1"));
    EXPECT_EQ(inst->counters().addresses_restored, 100U);
    EXPECT_EQ(logged("was removed from eth0 while master"), 1);
    time.advance(10s);
    inst->address_removed(ip("192.0.2.1"));
    EXPECT_EQ(logged("was removed from eth0 while master; restoring it (99 more restores not "
                     "logged)"),
              1);
}

TEST_F(InstanceTest, Rfc9568_7_1_OwnerDropsAdvertsAndStaysMaster) {
    auto info = eth0();
    info.addresses.push_back({ip("192.0.2.1"), 24, 0x01});  // the owner's own VIP
    EXPECT_CALL(addresses, add(_, _, _)).WillRepeatedly(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillRepeatedly(Return(std::error_code{}));
    auto inst = make(web(255));
    inst->update_interface(&info);
    inst->start();
    ASSERT_EQ(inst->state(), State::Master);
    deliver(*inst, {.vrid = Vrid{51}, .priority = Priority{254}, .max_adver_int = Centiseconds{1}});
    EXPECT_EQ(inst->state(), State::Master);
    EXPECT_EQ(inst->counters().drops[static_cast<std::size_t>(DropReason::LocalIsOwner)], 1U);
}

TEST_F(InstanceTest, AutoChecksumAnswersInThePeersConvention) {
    auto inst = start_claiming(web(150));
    // A lower-priority peer using the RFC 9568 message-only checksum shows up.
    deliver(*inst, {.vrid = Vrid{51}, .priority = Priority{100}, .max_adver_int = Centiseconds{1}});
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    const auto before = transport.sent.size();
    ASSERT_TRUE(run_until([&] { return transport.sent.size() > before; }));
    EXPECT_EQ(transport.decoded(transport.sent.size() - 1).checksum,
              proto::ChecksumVariant::MessageOnly);
}

// Issue 13: the variant was learned from any accepted advert, so one spoofed lower-priority
// advert flipped what the master sends, and the real backup then dropped every advert. Now
// it changes only when every peer heard agrees.
TEST_F(InstanceTest, OneAdvertFromANewSourceDoesNotFlipTheChecksum) {
    auto inst = start_claiming(web(150));
    deliver(*inst, {.vrid = Vrid{51}, .priority = Priority{100}, .max_adver_int = Centiseconds{1}});
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    const auto last_sent = [&] {
        const auto before = transport.sent.size();
        EXPECT_TRUE(run_until([&] { return transport.sent.size() > before; }));
        return transport.decoded(transport.sent.size() - 1).checksum;
    };
    EXPECT_EQ(last_sent(), proto::ChecksumVariant::MessageOnly);  // the peer's
    deliver_advert(*inst,
                   {.vrid = Vrid{51}, .priority = Priority{1}, .max_adver_int = Centiseconds{1}},
                   ip("192.0.2.1"), ip("192.0.2.66"), proto::ChecksumVariant::PseudoHeader);
    EXPECT_EQ(last_sent(), proto::ChecksumVariant::MessageOnly);  // not flipped
    EXPECT_EQ(logged("peers use different VRRPv3 checksums (192.0.2.66 uses pseudo-header); "
                     "sending rfc9568"),
              1);
    // The real peer changing its variant is followed once every peer heard agrees (the
    // spoofed source is remembered, and now both use pseudo-header).
    deliver_advert(*inst,
                   {.vrid = Vrid{51}, .priority = Priority{100}, .max_adver_int = Centiseconds{1}},
                   ip("192.0.2.1"), ip("192.0.2.12"), proto::ChecksumVariant::PseudoHeader);
    EXPECT_EQ(last_sent(), proto::ChecksumVariant::PseudoHeader);
}

TEST_F(InstanceTest, VipDeletedWhileMasterIsRestored) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .Times(2)
        .WillRepeatedly(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).Times(2).WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    inst->address_removed(ip("192.0.2.1"));
    inst->address_removed(ip("192.0.2.99"));  // not ours: ignored
    EXPECT_EQ(inst->counters().addresses_restored, 1U);
}

// A master whose VIP can't be added (EACCES: IPv6 disabled on the interface, a dropped
// capability; ENOMEM) would draw the traffic and drop it: it goes to Fault instead, so a
// backup takes over, and starts afresh after a backoff.
TEST_F(InstanceTest, AVipThatCannotBeAddedIsAFaultNeverASilentMaster) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .WillOnce(Return(std::make_error_code(std::errc::permission_denied)))
        .WillOnce(Return(std::error_code{}));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Fault; }));
    // Nothing claimed the VIP (StrictMock announcer: no gratuitous ARP); the only advert is
    // the resignation, so a backup takes over after Skew_Time.
    ASSERT_EQ(transport.sent.size(), 1U);
    EXPECT_EQ(transport.decoded(0).fields.priority, kPriorityStop);
    EXPECT_EQ(logged("MASTER -> FAULT (fault: a VIP could not be added)"), 1);
    EXPECT_EQ(inst->counters().address_errors, 1U);
    time.advance(990ms);
    EXPECT_EQ(inst->state(), State::Fault);
    // Then a fresh start: backup, and master again once the VIP can be added.
    EXPECT_CALL(announcer, announce(_, _, ip("192.0.2.1"), _)).WillOnce(Return(std::error_code{}));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_EQ(transport.decoded(transport.sent.size() - 1).fields.priority, Priority{150});
}

// Becoming master is logged but not reported when the VIP could not be added: notify
// scripts, the FIFO and the sync group (on_transition) hear BACKUP, then FAULT, so no
// group member follows a master that never was.
TEST_F(InstanceTest, AFailedClaimIsNotReportedAsMaster) {
    Instance::Env env{time, timers, addresses, announcer, log};
    std::vector<State> reported;
    env.on_transition = [&](Instance&, const action::Notify& n) { reported.push_back(n.to); };
    auto inst = std::make_unique<Instance>(std::move(env), web(150));
    inst->set_transport(&transport);
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .WillOnce(Return(std::make_error_code(std::errc::permission_denied)));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Fault; }));
    EXPECT_EQ(reported, (std::vector<State>{State::Backup, State::Fault}));
    EXPECT_EQ(logged("BACKUP -> MASTER"), 1);  // the log still says what happened
}

// A reload while in that Fault tries again at once (the operator may have fixed it).
TEST_F(InstanceTest, AReloadEndsTheFaultForAVipAtOnce) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .WillOnce(Return(std::make_error_code(std::errc::permission_denied)));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Fault; }));
    auto c = web(150);
    c.addresses = {{ip("192.0.2.2"), 24}};
    inst->reconfigure(c, &info);
    EXPECT_EQ(inst->state(), State::Backup);  // not after the 1 s backoff
}

TEST_F(InstanceTest, TheFaultForAVipBacksOffWhileAddingKeepsFailing) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .WillRepeatedly(Return(std::make_error_code(std::errc::not_enough_memory)));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24))
        .WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Fault; }));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Backup; }, 1100ms));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Fault; }));
    const auto second = time.now();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Backup; }, 3s));
    EXPECT_EQ(time.now() - second, std::chrono::seconds{2});  // 1 s, then 2 s
    EXPECT_EQ(logged("FAULT for 2 s"), 1);
}

TEST_F(InstanceTest, AVipThatCannotBeRestoredIsAFault) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .WillOnce(Return(std::error_code{}))
        .WillOnce(Return(std::make_error_code(std::errc::permission_denied)));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->address_removed(ip("192.0.2.1"));
    EXPECT_EQ(inst->state(), State::Fault);
}

TEST_F(InstanceTest, AReloadedVipThatCannotBeAddedIsAFault) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    auto c = web(150);
    c.addresses.push_back({ip("192.0.2.2"), 24});
    EXPECT_CALL(addresses, add(7, ip("192.0.2.2"), 24))
        .WillOnce(Return(std::make_error_code(std::errc::permission_denied)));
    EXPECT_CALL(addresses, remove(7, _, 24)).Times(2).WillRepeatedly(Return(std::error_code{}));
    inst->reconfigure(c, &info);
    EXPECT_EQ(inst->state(), State::Fault);
}

// Netlink lost events (a receive buffer overrun) and re-read the interface: a VIP deleted
// meanwhile left no event behind, so the master compares for itself.
TEST_F(InstanceTest, AfterLostEventsAMasterRestoresTheVipsItLacks) {
    auto inst = make(web(150));
    auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24))
        .Times(2)
        .WillRepeatedly(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).Times(2).WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    inst->restore_missing(info);  // not there: restored
    EXPECT_EQ(inst->counters().addresses_restored, 1U);
    info.addresses.push_back({ip("192.0.2.1"), 24, 0});
    inst->restore_missing(info);  // there: nothing to do (StrictMock: no third add)
    auto other = eth0();
    other.ifindex = 8;
    inst->restore_missing(other);  // another interface: not ours
    EXPECT_EQ(inst->counters().addresses_restored, 1U);
}

TEST_F(InstanceTest, AfterLostEventsABackupLeavesAddressesAlone) {
    auto inst = make(web(100));
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    inst->restore_missing(info);  // StrictMock: no add
    EXPECT_EQ(inst->counters().addresses_restored, 0U);
}

TEST_F(InstanceTest, VipDeletedWhileBackupIsLeftAlone) {
    auto inst = make(web(100));
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    inst->address_removed(ip("192.0.2.1"));
    EXPECT_EQ(inst->counters().addresses_restored, 0U);
}

TEST_F(InstanceTest, StaleVipsAreReleasedAtStartupUnlessOwner) {
    auto info = eth0();
    info.addresses.push_back({ip("192.0.2.1"), 24, 0x01});
    auto inst = make(web(100));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->release_stale_addresses(info);
    auto owner = make(web(255));
    owner->release_stale_addresses(info);  // StrictMock: no second remove
}

TEST_F(InstanceTest, LinkDownMakesMasterReleaseAndFault) {
    auto inst = make(web(150));
    auto info = eth0();
    EXPECT_CALL(addresses, add(_, _, _)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    info.up = false;
    inst->update_interface(&info);
    EXPECT_EQ(inst->state(), State::Fault);
    EXPECT_EQ(transport.decoded(transport.sent.size() - 1).fields.priority, kPriorityStop);
    info.up = true;
    inst->update_interface(&info);
    EXPECT_EQ(inst->state(), State::Backup);
}

TEST_F(InstanceTest, NoSocketIsAFaultSoItNeverClaimsBlind) {
    auto inst = make(web(150));
    const auto info = eth0();
    inst->set_transport(nullptr);
    inst->update_interface(&info);
    inst->start();
    EXPECT_EQ(inst->state(), State::Fault);
    time.advance(100ms);  // StrictMock: no address is added however long it waits
    EXPECT_EQ(inst->state(), State::Fault);
    inst->set_transport(&transport);
    EXPECT_EQ(inst->state(), State::Backup);
}

TEST_F(InstanceTest, OwnerSendsFromItsPrimaryAndKeepsItsAddressesOnStop) {
    auto inst = make(web(255));
    auto info = eth0();
    info.addresses.push_back({ip("192.0.2.1"), 24, 0x01});  // the owner's own VIP
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillOnce(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    EXPECT_EQ(inst->state(), State::Master);
    ASSERT_FALSE(transport.sent.empty());
    EXPECT_EQ(transport.sent[0].src, ip("192.0.2.11"));
    inst->stop();  // StrictMock: no remove() for the owner's own address
    EXPECT_EQ(transport.decoded(transport.sent.size() - 1).fields.priority, kPriorityStop);
}

TEST_F(InstanceTest, NoPrimaryAddressIsAFault) {
    auto inst = make(web(100));
    auto info = eth0();
    info.addresses.clear();
    inst->update_interface(&info);
    inst->start();
    EXPECT_EQ(inst->state(), State::Fault);
    info.addresses = {{ip("192.0.2.11"), 24, 0}};
    inst->update_interface(&info);
    EXPECT_EQ(inst->state(), State::Backup);
}

TEST_F(InstanceTest, ReloadAddsAndRemovesOnlyChangedVipsWhileMaster) {
    auto inst = make(web(150));
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, ip("192.0.2.1"), _))
        .WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    auto c = web(120);
    c.addresses = {{ip("192.0.2.2"), 24}};
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(addresses, add(7, ip("192.0.2.2"), 24)).WillOnce(Return(std::error_code{}));
    EXPECT_CALL(announcer, announce(_, _, ip("192.0.2.2"), _)).WillOnce(Return(std::error_code{}));
    const auto before = transport.sent.size();
    inst->reconfigure(c, &info);
    EXPECT_EQ(inst->state(), State::Master);
    ASSERT_GT(transport.sent.size(), before);  // the new priority goes out at once
    EXPECT_EQ(transport.decoded(before).fields.priority, Priority{120});
}

TEST_F(InstanceTest, SnapshotCarriesStateAndCounters) {
    auto inst = make(web(100));
    const auto info = eth0();
    inst->update_interface(&info);
    inst->start();
    const nlohmann::json j = inst->status(time.now());  // as snapshot.json and vipctl see it
    EXPECT_EQ(j["state"], "BACKUP");
    EXPECT_EQ(j["vrid"], 51);
    EXPECT_EQ(j["family"], "ipv4");
    EXPECT_EQ(j["addresses"][0], "192.0.2.1/24");
    EXPECT_TRUE(j["counters"]["drops"].contains("bad_checksum"));
    EXPECT_TRUE(j["master_down_timer_ms"].is_number());
    EXPECT_TRUE(j["trackers"].is_array());
}

// RFC 9568 §6.4.3: a master that is not the owner MUST NOT accept packets addressed to the
// VIPs unless Accept_Mode is True. They are refused before the VIP is added (nothing gets
// in between) and let in again only after it is removed.
TEST_F(InstanceTest, Rfc9568_6_4_3_AcceptFalseRefusesTrafficWhileTheVipsAreHeld) {
    auto c = web(150);
    c.accept = false;
    auto inst = make(c);
    const auto info = eth0();
    EXPECT_CALL(addresses, add(7, ip("192.0.2.1"), 24)).WillOnce([&] {
        filter.journal.push_back("add 192.0.2.1");
        return std::error_code{};
    });
    EXPECT_CALL(announcer, announce(_, _, _, _)).WillRepeatedly(Return(std::error_code{}));
    inst->update_interface(&info);
    inst->start();
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_EQ(filter.journal, (std::vector<std::string>{"block 192.0.2.1", "add 192.0.2.1"}));
    EXPECT_EQ(filter.blocked.count(ip("192.0.2.1")), 1U);

    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce([&] {
        filter.journal.push_back("remove 192.0.2.1");
        return std::error_code{};
    });
    deliver(*inst, {.version = Version::V3,
                    .vrid = Vrid{51},
                    .priority = Priority{200},
                    .max_adver_int = Centiseconds{1}});
    EXPECT_EQ(inst->state(), State::Backup);
    EXPECT_EQ(filter.journal, (std::vector<std::string>{"block 192.0.2.1", "add 192.0.2.1",
                                                        "remove 192.0.2.1", "unblock 192.0.2.1"}));
    EXPECT_TRUE(filter.blocked.empty());
}

TEST_F(InstanceTest, Rfc9568_6_4_3_AcceptTrueAndTheOwnerRefuseNothing) {
    auto inst = start_claiming(web(150));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    auto owner = web(255);
    owner.name = "owner";
    owner.vrid = Vrid{52};
    owner.accept = false;  // the owner accepts its own addresses regardless
    auto inst2 = make(owner);
    const auto info = eth0();
    inst2->update_interface(&info);
    inst2->start();
    ASSERT_TRUE(run_until([&] { return inst2->state() == State::Master; }));
    EXPECT_TRUE(filter.journal.empty()) << ::testing::PrintToString(filter.journal);
}

// A reload applies accept and new VIPs to a master at once, in both directions.
TEST_F(InstanceTest, ReloadOfAMasterFollowsAcceptAndItsAddresses) {
    auto c = web(150);
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    const auto info = eth0();
    c.accept = false;
    c.addresses.push_back({ip("192.0.2.2"), 24});
    inst->reconfigure(c, &info);
    EXPECT_EQ(filter.blocked,
              (std::map<IpAddress, int>{{ip("192.0.2.1"), 1}, {ip("192.0.2.2"), 1}}));

    EXPECT_CALL(addresses, remove(7, ip("192.0.2.2"), 24)).WillOnce(Return(std::error_code{}));
    c.addresses.pop_back();
    inst->reconfigure(c, &info);
    EXPECT_EQ(filter.blocked, (std::map<IpAddress, int>{{ip("192.0.2.1"), 1}}));

    c.accept = true;
    inst->reconfigure(c, &info);
    EXPECT_TRUE(filter.blocked.empty());
    EXPECT_EQ(inst->state(), State::Master);
}

// Serving the VIPs comes first: a filter that fails is logged and counted, the VIP is still
// added, and the next claim tries again.
TEST_F(InstanceTest, AFilterThatFailsIsCountedAndTheVipIsStillAdded) {
    filter.fail = true;
    auto c = web(150);
    c.accept = false;
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_EQ(inst->counters().filter_errors, 1U);
    EXPECT_EQ(logged("accept = false not enforced: cannot block traffic to 192.0.2.1: nft says no"),
              1);
    EXPECT_TRUE(filter.blocked.empty());
    // Nothing was blocked, so leaving master unblocks nothing.
    EXPECT_CALL(addresses, remove(_, _, _)).WillOnce(Return(std::error_code{}));
    inst->stop();
    EXPECT_EQ(std::count(filter.journal.begin(), filter.journal.end(), "unblock 192.0.2.1"), 0);
}

// A handed-over VIP lingers on this host for a moment: traffic to it stays refused until
// it goes; an instance removed while master lets its addresses in again.
TEST_F(InstanceTest, HandedOverVipsStayRefusedUntilTheyGo) {
    auto c = web(150);
    c.accept = false;
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    ASSERT_EQ(inst->handover(std::nullopt, [](const auto&) {}), std::nullopt);
    deliver(*inst, {.version = Version::V3,
                    .vrid = Vrid{51},
                    .priority = Priority{100},
                    .max_adver_int = Centiseconds{1}});
    ASSERT_EQ(inst->state(), State::Backup);
    ASSERT_TRUE(inst->handing_over());
    EXPECT_EQ(filter.blocked.size(), 1U);
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    ASSERT_TRUE(run_until([&] {
        deliver(*inst, {.version = Version::V3,
                        .vrid = Vrid{51},
                        .priority = Priority{100},
                        .max_adver_int = Centiseconds{1}});
        return !inst->handing_over();
    }));
    EXPECT_TRUE(filter.blocked.empty());

    auto other = web(150);
    other.name = "other";
    other.vrid = Vrid{53};
    other.addresses = {{ip("192.0.2.3"), 24}};
    other.accept = false;
    auto inst2 = make(other);
    const auto info = eth0();
    inst2->update_interface(&info);
    inst2->start();
    ASSERT_TRUE(run_until([&] { return inst2->state() == State::Master; }));
    EXPECT_EQ(filter.blocked.count(ip("192.0.2.3")), 1U);
    inst2.reset();
    EXPECT_EQ(filter.blocked.count(ip("192.0.2.3")), 0U);
}

config::InstanceConfig with_routes(config::InstanceConfig c) {
    c.virtual_routes = {Route{.to = {ip("198.51.100.0"), 24}, .via = ip("192.0.2.254")}};
    c.virtual_rules = {
        RoutingRule{.from = IpPrefix{ip("192.0.2.1"), 32}, .table = 100, .priority = 1000}};
    return c;
}

// keepalived's virtual_routes / virtual_rules: in after the VIPs as master, out before them
// on leaving; deleted by hand while master, put back (and counted).
TEST_F(InstanceTest, VirtualRoutesFollowTheMasterAndComeBackWhenDeleted) {
    auto inst = start_claiming(with_routes(web(150)));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_EQ(routes.calls,
              (std::vector<std::string>{"add route 198.51.100.0/24 via 192.0.2.254",
                                        "add rule priority 1000 from 192.0.2.1/32 table 100"}));
    EXPECT_EQ(routes.installed.size(), 2U);

    routes.installed.erase("route 198.51.100.0/24 via 192.0.2.254");  // ip route del ...
    inst->restore_routes();
    EXPECT_EQ(routes.installed.size(), 2U);
    EXPECT_EQ(inst->counters().routes_restored, 1U);  // the rule was there: not counted
    EXPECT_EQ(logged("route 198.51.100.0/24 via 192.0.2.254 was deleted while master"), 1);

    routes.calls.clear();
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce([&] {
        routes.calls.push_back("remove address");
        return std::error_code{};
    });
    deliver(*inst, {.version = Version::V3,
                    .vrid = Vrid{51},
                    .priority = Priority{200},
                    .max_adver_int = Centiseconds{1}});
    ASSERT_EQ(inst->state(), State::Backup);
    EXPECT_EQ(routes.calls, (std::vector<std::string>{
                                "remove rule priority 1000 from 192.0.2.1/32 table 100",
                                "remove route 198.51.100.0/24 via 192.0.2.254", "remove address"}));
    EXPECT_TRUE(routes.installed.empty());
    // A backup restores nothing.
    inst->restore_routes();
    EXPECT_TRUE(routes.installed.empty());
}

TEST_F(InstanceTest, VirtualRoutesChangeLiveOnReloadAndFailuresAreCounted) {
    auto c = with_routes(web(150));
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    const auto info = eth0();
    c.virtual_routes[0].metric = 50;
    c.virtual_rules.clear();
    inst->reconfigure(c, &info);
    EXPECT_EQ(routes.installed,
              (std::set<std::string>{"route 198.51.100.0/24 via 192.0.2.254 metric 50"}));
    EXPECT_EQ(inst->state(), State::Master);

    routes.fail = true;
    c.virtual_routes[0].metric = 60;
    inst->reconfigure(c, &info);
    EXPECT_EQ(inst->counters().route_errors, 1U);
    EXPECT_EQ(logged("cannot add route 198.51.100.0/24 via 192.0.2.254 metric 60"), 1);
    EXPECT_EQ(inst->state(), State::Master);  // the VIPs matter more than a route
    // Retried on every restore (each link or route change), but said and counted once.
    inst->restore_routes();
    inst->restore_routes();
    EXPECT_EQ(inst->counters().route_errors, 1U);
    EXPECT_EQ(logged("cannot add route 198.51.100.0/24 via 192.0.2.254 metric 60"), 1);
    routes.fail = false;
    inst->restore_routes();
    EXPECT_EQ(routes.installed,
              (std::set<std::string>{"route 198.51.100.0/24 via 192.0.2.254 metric 60"}));
    EXPECT_EQ(logged("route 198.51.100.0/24 via 192.0.2.254 metric 60 added after all"), 1);
}

// A reload that keeps a route does not take it out and put it back (no gap in forwarding);
// one that drops a route removes that one only.
TEST_F(InstanceTest, ReloadTouchesOnlyTheRoutesThatChanged) {
    auto c = with_routes(web(150));
    c.virtual_routes.push_back(Route{.to = {ip("203.0.113.0"), 24}, .type = RouteType::Blackhole});
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    routes.calls.clear();
    const auto info = eth0();
    c.virtual_routes.pop_back();
    inst->reconfigure(c, &info);
    EXPECT_EQ(routes.calls,
              (std::vector<std::string>{"remove route blackhole 203.0.113.0/24",
                                        "add route 198.51.100.0/24 via 192.0.2.254",
                                        "add rule priority 1000 from 192.0.2.1/32 table 100"}));
    EXPECT_EQ(routes.installed.size(), 2U);
}

// Someone else's route with the same key is left alone: not claimed, not deleted when the
// master leaves, and reported.
TEST_F(InstanceTest, AnotherOwnersRouteInTheWayIsLeftAlone) {
    routes.foreign.insert("route 198.51.100.0/24 via 192.0.2.254");
    auto inst = start_claiming(with_routes(web(150)));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    EXPECT_EQ(inst->counters().route_errors, 1U);
    EXPECT_EQ(logged("cannot add route 198.51.100.0/24 via 192.0.2.254: one with the same key "
                     "that vipd did not add is in the way"),
              1);
    // Restores (every route change on the host) do not look again at once: that costs a
    // routing table dump each time.
    routes.calls.clear();
    inst->restore_routes();
    EXPECT_EQ(std::count(routes.calls.begin(), routes.calls.end(),
                         "add route 198.51.100.0/24 via 192.0.2.254"),
              0);
    routes.calls.clear();
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    inst->stop();  // leaving master: what vipd added goes, the other route is not asked for
    EXPECT_EQ(routes.calls,
              (std::vector<std::string>{"remove rule priority 1000 from 192.0.2.1/32 table 100"}));
    EXPECT_TRUE(routes.foreign.contains("route 198.51.100.0/24 via 192.0.2.254"));
}

// ...and once the other owner's route is gone, vipd's goes in (within 10 s of the last try).
TEST_F(InstanceTest, ARouteInTheWayIsTriedAgainEveryTenSeconds) {
    routes.foreign.insert("route 198.51.100.0/24 via 192.0.2.254");
    auto inst = start_claiming(with_routes(web(150)));
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    routes.foreign.clear();
    inst->restore_routes();
    EXPECT_FALSE(routes.installed.contains("route 198.51.100.0/24 via 192.0.2.254"));
    time.advance(10s);
    inst->restore_routes();
    EXPECT_TRUE(routes.installed.contains("route 198.51.100.0/24 via 192.0.2.254"));
    EXPECT_EQ(logged("route 198.51.100.0/24 via 192.0.2.254 added after all"), 1);
}

// A reload while the old master lingers (handover) replaces the configuration: what goes
// when the linger ends is what was installed, not what the new configuration lists.
TEST_F(InstanceTest, RoutesRemovedAreThoseInstalledNotTheNewConfiguration) {
    auto c = with_routes(web(150));
    auto inst = start_claiming(c);
    ASSERT_TRUE(run_until([&] { return inst->state() == State::Master; }));
    ASSERT_EQ(inst->handover(std::nullopt, [](const auto&) {}), std::nullopt);
    deliver(*inst, {.version = Version::V3,
                    .vrid = Vrid{51},
                    .priority = Priority{100},
                    .max_adver_int = Centiseconds{1}});
    ASSERT_EQ(inst->state(), State::Backup);
    ASSERT_TRUE(inst->handing_over());
    const auto info = eth0();
    c.virtual_routes[0].metric = 70;  // reloaded while the VIPs linger
    inst->reconfigure(c, &info);
    EXPECT_CALL(addresses, remove(7, ip("192.0.2.1"), 24)).WillOnce(Return(std::error_code{}));
    ASSERT_TRUE(run_until([&] {
        deliver(*inst, {.version = Version::V3,
                        .vrid = Vrid{51},
                        .priority = Priority{100},
                        .max_adver_int = Centiseconds{1}});
        return !inst->handing_over();
    }));
    EXPECT_TRUE(routes.installed.empty()) << ::testing::PrintToString(routes.installed);
    EXPECT_EQ(std::count(routes.calls.begin(), routes.calls.end(),
                         "remove route 198.51.100.0/24 via 192.0.2.254 metric 70"),
              0);
}

}  // namespace
}  // namespace vipd
