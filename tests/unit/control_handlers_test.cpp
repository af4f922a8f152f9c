// The control commands against real instances on fake OS adapters and simulated time: what
// each refuses, a sync group handed over as one (and a member left without a successor
// following its group), maintenance refusing the owner before changing anything, and what
// the read-only commands pass through.
#include "daemon/control_handlers.hpp"

#include "daemon/metrics.hpp"
#include "daemon_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <map>
#include <nlohmann/json.hpp>

#include "vipd/proto/wire.hpp"

namespace vipd {
namespace {

using namespace std::chrono_literals;

class ControlHandlersTest : public DaemonFixture {
protected:
    Instance* named(const std::string& name) {
        for (auto& [key, inst] : instances) {
            if (key.name == name) return inst.get();
        }
        return nullptr;
    }
    // The reply of one command, if it came.
    std::optional<ControlResult> replied;
    ControlReply reply() {
        replied.reset();
        return [this](ControlResult r) { replied = std::move(r); };
    }
    std::string error() const { return replied && !*replied ? replied->error() : "(no error)"; }

    std::map<std::string, std::vector<std::string>> groups;  // member -> its group
    bool stopping = false;
    DaemonStatus status{.version = "test"};
    std::optional<bool> stats_cleared;
    ControlHandlers handlers{
        ControlHandlers::Daemon{.status = [this] { return status; },
                                .metrics = [this] { return render_metrics(status); },
                                .stats =
                                    [this](bool clear) {
                                        stats_cleared = clear;
                                        return StatsReport{.seconds = 1, .cleared = clear};
                                    },
                                .reload =
                                    [](const std::function<void(ReloadResult)>& done) {
                                        done(ReloadResult{
                                            false,
                                            {{config::Diagnostic::Severity::Error, "x.conf", 3,
                                              "'vrid' must be in the range 1..255 (got 0)"}}});
                                    },
                                .find = [this](const std::string& n) { return named(n); },
                                .with_group =
                                    [this](Instance& inst) {
                                        std::vector<Instance*> out{&inst};
                                        for (const auto& m : groups[inst.config().name]) {
                                            if (m != inst.config().name) out.push_back(named(m));
                                        }
                                        return out;
                                    },
                                .stopping = [this] { return stopping; }},
        time, log};
};

TEST_F(ControlHandlersTest, AnUnknownInstanceIsAnError) {
    handlers.handover("nope", std::nullopt, reply());
    EXPECT_EQ(error(), "no instance named 'nope'");
    handlers.set_priority("nope", Priority{100}, reply());
    EXPECT_EQ(error(), "no instance named 'nope'");
    handlers.maintenance("nope", true, reply());
    EXPECT_EQ(error(), "no instance named 'nope'");
}

TEST_F(ControlHandlersTest, NothingStartsWhileStopping) {
    add("web", 51);
    all_master();
    stopping = true;
    handlers.handover("web", std::nullopt, reply());
    EXPECT_EQ(error(), "vipd is stopping");
    handlers.maintenance("web", true, reply());
    EXPECT_EQ(error(), "vipd is stopping");
    EXPECT_FALSE(named("web")->handing_over());
}

TEST_F(ControlHandlersTest, AHandoverTheInstanceCannotStartIsRefusedAtOnce) {
    auto& web = add("web", 51);
    advert(web, 200);  // a higher master: web stays backup
    handlers.handover("web", std::nullopt, reply());
    EXPECT_EQ(error(), "not master (state BACKUP)");
}

TEST_F(ControlHandlersTest, AGroupHandsOverAsOneAndRepliesWhenEveryMemberHas) {
    auto& web = add("web", 51);
    auto& db = add("db", 52);
    groups = {{"web", {"web", "db"}}, {"db", {"web", "db"}}};
    all_master();
    handlers.handover("web", std::nullopt, reply());
    EXPECT_FALSE(replied);
    EXPECT_TRUE(web.handing_over());
    EXPECT_TRUE(db.handing_over());  // a group is master on one router at a time
    time.advance(5ms);
    advert(web, 100);
    EXPECT_FALSE(replied);  // db has no successor yet
    time.advance(5ms);
    advert(db, 100);
    ASSERT_TRUE(replied);
    ASSERT_TRUE(*replied) << error();
    const auto& r = replied->value();
    ASSERT_EQ(r.at("instances").size(), 2U);
    EXPECT_EQ(r.at("instances")[0].at("instance"), "web");
    EXPECT_EQ(r.at("instances")[1].at("successor"), "192.0.2.12");
    EXPECT_EQ(r.at("elapsed_ms").get<double>(), 10.0);
}

TEST_F(ControlHandlersTest, AMemberLeftWithoutSuccessorFollowsItsGroup) {
    auto& web = add("web", 51);
    auto& db = add("db", 52);
    groups = {{"web", {"web", "db"}}, {"db", {"web", "db"}}};
    all_master();
    handlers.handover("web", std::nullopt, reply());
    // web's successor appears (and goes on advertising), db's never does.
    ASSERT_TRUE(time.run_until(
        [&] {
            advert(web, 100);
            return replied.has_value();
        },
        2s));
    EXPECT_FALSE(*replied);
    EXPECT_THAT(error(), testing::HasSubstr("db: no other router took over"));
    // Left master while its group handed over, db would split the group: it resigned.
    EXPECT_EQ(db.state(), State::Backup);
    EXPECT_EQ(web.state(), State::Backup);
}

TEST_F(ControlHandlersTest, MaintenanceRefusesTheOwnerBeforeChangingAnything) {
    auto& web = add("web", 51);
    add("gw", 53, 255);
    groups = {{"web", {"web", "gw"}}, {"gw", {"web", "gw"}}};
    all_master();
    handlers.maintenance("web", true, reply());
    EXPECT_EQ(error(), "gw: the address owner (priority 255) can't go into maintenance");
    EXPECT_FALSE(web.in_maintenance());
    EXPECT_FALSE(web.handing_over());
}

TEST_F(ControlHandlersTest, MaintenanceOfABackupAnswersAtOnce) {
    auto& web = add("web", 51);
    advert(web, 200);
    handlers.maintenance("web", true, reply());
    ASSERT_TRUE(replied);
    ASSERT_TRUE(*replied) << error();
    EXPECT_EQ(replied->value().at("instances")[0].at("message"), "in maintenance");
    EXPECT_TRUE(web.in_maintenance());
}

TEST_F(ControlHandlersTest, SetPriorityRepliesWithTheResult) {
    add("web", 51);
    handlers.set_priority("web", Priority{200}, reply());
    ASSERT_TRUE(replied && *replied) << error();
    EXPECT_EQ(replied->value(),
              (nlohmann::json{
                  {"instance", "web"}, {"override", 200}, {"priority", 200}, {"state", "BACKUP"}}));
    handlers.set_priority("web", std::nullopt, reply());
    EXPECT_TRUE(replied->value().at("override").is_null());
    EXPECT_EQ(replied->value().at("priority"), 150);
    handlers.set_priority("web", Priority{255}, reply());
    EXPECT_EQ(error(), "priority must be 1..254");
}

TEST_F(ControlHandlersTest, ReadOnlyCommandsPassTheDaemonsView) {
    handlers.status(reply());
    EXPECT_EQ(replied->value().at("version"), "test");
    handlers.stats(true, reply());
    EXPECT_EQ(stats_cleared, true);
    EXPECT_EQ(replied->value().at("cleared"), true);
    handlers.metrics(reply());
    EXPECT_THAT(replied->value().get<std::string>(),
                testing::HasSubstr("vipd_info{version=\"test\""));
    handlers.reload(reply());
    EXPECT_EQ(replied->value(),
              (nlohmann::json{
                  {"applied", false},
                  {"diagnostics", {"x.conf:3: 'vrid' must be in the range 1..255 (got 0)"}}}));
}

}  // namespace
}  // namespace vipd
