// vipd's levels on spdlog (notice between info and warning), their names and syslog
// priorities, and debug categories: written whatever the level, alone, within a budget.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <syslog.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "vipd/daemon/log.hpp"

namespace vipd {
namespace {

using config::DebugCategory;
using config::LogLevel;

class Logging : public testing::Test {
protected:
    Logging() : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(out_)) {
        sink_->set_pattern("%v");
    }
    ~Logging() override { logs::apply(log_, {}); }
    std::string take() {
        auto s = out_.str();
        out_.str("");
        return s;
    }
    std::ostringstream out_;
    std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
    spdlog::logger log_{"test", sink_};
};

TEST(LogLevels, NoticeSitsBetweenInfoAndWarning) {
    EXPECT_LT(logs::to_spdlog(LogLevel::Debug), logs::to_spdlog(LogLevel::Info));
    EXPECT_LT(logs::to_spdlog(LogLevel::Info), logs::to_spdlog(LogLevel::Notice));
    EXPECT_LT(logs::to_spdlog(LogLevel::Notice), logs::to_spdlog(LogLevel::Warning));
    EXPECT_LT(logs::to_spdlog(LogLevel::Warning), logs::to_spdlog(LogLevel::Error));
    for (const auto l :
         {LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error}) {
        EXPECT_EQ(logs::level_name(logs::to_spdlog(l)), config::to_string(l));
    }
    EXPECT_EQ(logs::syslog_priority(logs::kDebug), LOG_DEBUG);
    EXPECT_EQ(logs::syslog_priority(logs::kInfo), LOG_INFO);
    EXPECT_EQ(logs::syslog_priority(logs::kNotice), LOG_NOTICE);
    EXPECT_EQ(logs::syslog_priority(logs::kWarning), LOG_WARNING);
    EXPECT_EQ(logs::syslog_priority(logs::kError), LOG_ERR);
}

TEST(LogLevels, DebugTurnsEveryCategoryOnUnlessTheyAreNamed) {
    EXPECT_EQ(logs::settings_of(LogLevel::Debug, std::nullopt).debug, config::kAllDebug);
    // Named as none (--debug none, debug = [ ]): none, even at debug.
    EXPECT_EQ(logs::settings_of(LogLevel::Debug, config::DebugSet{0}).debug, 0);
    EXPECT_EQ(logs::settings_of(LogLevel::Debug, config::bit(DebugCategory::Scripts)).debug,
              config::bit(DebugCategory::Scripts));
    EXPECT_EQ(logs::settings_of(LogLevel::Notice, std::nullopt).debug, 0);
    EXPECT_EQ(logs::settings_of(LogLevel::Error, config::bit(DebugCategory::Packets)).debug,
              config::bit(DebugCategory::Packets));
}

TEST_F(Logging, AtNoticeInfoIsLeftOutAndNoticeIsWritten) {
    logs::apply(log_, {LogLevel::Notice, 0});
    logs::info(log_, "routine {}", 1);
    logs::notice(log_, "transition {}", 2);
    log_.warn("warning {}", 3);
    EXPECT_EQ(take(), "transition 2\nwarning 3\n");
    EXPECT_EQ(logs::current(log_), (logs::Settings{LogLevel::Notice, 0}));
    logs::apply(log_, {LogLevel::Info, 0});
    logs::info(log_, "routine {}", 4);
    EXPECT_EQ(take(), "routine 4\n");
}

TEST_F(Logging, ACategoryIsWrittenWhateverTheLevelAndAlone) {
    logs::apply(log_, {LogLevel::Error, config::bit(DebugCategory::Netlink)});
    EXPECT_TRUE(logs::debugging(DebugCategory::Netlink));
    EXPECT_FALSE(logs::debugging(DebugCategory::Packets));
    logs::debug(log_, DebugCategory::Netlink, "add {}", "192.0.2.1/24");
    logs::debug(log_, DebugCategory::Packets, "received");
    logs::notice(log_, "not at error");
    EXPECT_EQ(take(), "netlink: add 192.0.2.1/24\n");
    // Off: nothing, not even formatted.
    logs::apply(log_, {LogLevel::Debug, 0});
    logs::debug(log_, DebugCategory::Netlink, "add");
    EXPECT_EQ(take(), "");
}

// Formatting an argument counts: one that would be formatted over budget is not.
struct Counted {
    int* formatted;
};

}  // namespace
}  // namespace vipd

template <>
struct fmt::formatter<vipd::Counted> : fmt::formatter<int> {
    auto format(const vipd::Counted& c, fmt::format_context& ctx) const {
        return fmt::formatter<int>::format(++*c.formatted, ctx);
    }
};

namespace vipd {
namespace {

TEST_F(Logging, AllCategoriesShareABudgetAndSayWhatWentOverIt) {
    logs::reset_debug_budget();
    logs::apply(log_, {LogLevel::Notice, config::kAllDebug});
    int formatted = 0;
    for (int i = 0; i < 1000; ++i) {
        logs::debug(log_, DebugCategory::Control, "line {}", Counted{&formatted});
        logs::debug(log_, DebugCategory::Timers, "tick {}", Counted{&formatted});
    }
    const auto text = take();
    const auto lines = std::count(text.begin(), text.end(), '\n');
    EXPECT_GE(lines, static_cast<long>(logs::kDebugLinesBurst));
    EXPECT_LT(lines, static_cast<long>(logs::kDebugLinesBurst) + 100) << "the budget did not hold";
    EXPECT_EQ(formatted, lines) << "lines over the budget were formatted all the same";
    // Once the budget refills, the next line says how many went.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    logs::debug(log_, DebugCategory::Netlink, "again");
    const auto next = take();
    EXPECT_NE(next.find("netlink: again ("), std::string::npos) << next;
    EXPECT_NE(next.find(" debug lines suppressed: over 200 per second)"), std::string::npos)
        << next;
    logs::reset_debug_budget();
}

}  // namespace
}  // namespace vipd
