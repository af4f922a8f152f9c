// Running the health checks: one alarm per script, one run at a time, the hysteresis.
#include "health_checks.hpp"

#include "vipd/daemon/log.hpp"
#include "vipd/os/launcher.hpp"

#include "baseline.hpp"
#include "printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace vipd {
namespace {

// Whether a reload leaves a script's runs as they were: then its state (and hysteresis)
// carries over. Where it was defined, and the weights instances give it, don't matter.
bool same_run(const config::ScriptConfig& a, const config::ScriptConfig& b) {
    return a.argv == b.argv && a.interval == b.interval && a.timeout == b.timeout &&
           a.rise == b.rise && a.fall == b.fall && a.user == b.user;
}

// A script's counters, for vipctl stats --clear's baseline.
struct ScriptCounts {
    std::uint64_t runs = 0, failures = 0, timeouts = 0;
};
ScriptCounts counted_since(const ScriptCounts& total, const ScriptCounts& base) {
    return {total.runs - base.runs, total.failures - base.failures, total.timeouts - base.timeouts};
}

// vipd's own failure to start a script (out of descriptors, processes or memory; the
// launcher refusing or gone) says nothing about what the script checks: it must not fail the
// check, or exhausting vipd's resources would be a way to force a failover. A program that
// cannot be executed (missing, not executable) is the check's own failure and counts.
bool own_failure(const os::ScriptResult& r) {
    if (r.outcome != os::ScriptResult::Outcome::SpawnFailed) return false;
    if (r.error.category() == os::launcher_category()) return true;
    const auto e = r.error.value();
    return r.error.category() == std::system_category() &&
           (e == EMFILE || e == ENFILE || e == EAGAIN || e == ENOMEM);
}

}  // namespace

struct HealthChecks::Script {
    explicit Script(config::ScriptConfig c)
        : config(std::move(c)), health(config.rise, config.fall, true) {}
    config::ScriptConfig config;
    std::optional<os::UserIds> user;  // config.user's ids, unless root
    Hysteresis health;                // starts up: a failing check takes `fall` runs to count
    std::unique_ptr<os::Alarm> next;  // the next run
    bool running = false;
    os::RunId run_id = 0;  // while running
    std::uint64_t runs = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t start_failures = 0;  // runs vipd could not start (not counted as runs)
    bool start_failing = false;        // the last attempt was one of those
    [[nodiscard]] ScriptCounts counts() const { return {runs, failures, timeouts}; }
    Baseline<ScriptCounts> cleared;  // vipctl stats --clear
    std::uint64_t runs_timed = 0;    // runs that completed, with their total run time
    double duration_seconds_sum = 0;
    std::string last_result = "not run yet";
    // A run's completion arriving after the script was stopped (a reload) finds it expired.
    std::shared_ptr<int> alive = std::make_shared<int>(0);
};

HealthChecks::HealthChecks(os::TimeSource& time, std::shared_ptr<spdlog::logger> log,
                           std::function<void()> changed)
    : time_(time), log_(std::move(log)), changed_(std::move(changed)) {}

HealthChecks::~HealthChecks() = default;

void HealthChecks::sync(const std::vector<config::ScriptConfig>& scripts,
                        const std::set<std::string>& wanted, os::ScriptRunner* runner,
                        const UserTable& users) {
    runner_ = runner;
    const auto find = [&](const std::string& name) {
        return std::find_if(scripts.begin(), scripts.end(),
                            [&](const auto& c) { return c.name == name; });
    };
    for (auto it = scripts_.begin(); it != scripts_.end();) {
        const auto cfg = find(it->first);
        // A changed script starts over (its state may not mean the same any more).
        if (!wanted.contains(it->first) || cfg == scripts.end() ||
            !same_run(*cfg, it->second->config)) {
            cancel(*it->second);  // not left running beside its successor
            it = scripts_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [name, s] : scripts_) {  // kept ones too: a uid may have changed
        const auto* ids = users.find(s->config.user);
        s->user = ids ? std::optional(*ids) : std::nullopt;
    }
    for (const auto& name : wanted) {
        if (scripts_.contains(name)) continue;
        const auto cfg = find(name);
        if (cfg == scripts.end()) continue;  // the loader refuses this
        auto& s = *scripts_.emplace(name, std::make_unique<Script>(*cfg)).first->second;
        if (const auto* ids = users.find(s.config.user)) s.user = *ids;
        s.next = time_.make_alarm([this, &s] { run(s); });
        s.next->set(time_.now());  // at once, from the event loop
    }
}

void HealthChecks::stop() {
    stopped_ = true;
    for (auto& [name, s] : scripts_)
        cancel(*s);
    scripts_.clear();
}

void HealthChecks::run(Script& s) {
    if (stopped_ || s.running) return;  // never twice at once
    const auto& name = s.config.name;
    os::ScriptSpec spec;
    spec.argv = s.config.argv;
    spec.timeout = s.config.timeout;
    spec.env = {"VIPD_SCRIPT=" + name};
    const auto start = time_.now();
    if (s.config.user != "root") {
        if (!s.user) {
            // The user database is vipd's to reach, not the check's: the run could not
            // start, the last result stands, and the next one is still due (a reload may
            // find the user).
            not_started(s, fmt::format("user '{}' was not found when the configuration was "
                                       "loaded",
                                       s.config.user));
            s.next->set(start + s.config.interval);
            return;
        }
        spec.user = s.user;
    }
    if (runner_ == nullptr) return;
    s.running = true;
    s.run_id =
        runner_->run(spec, [this, &s, start, alive = std::weak_ptr(s.alive)](os::ScriptResult r) {
            if (!alive.expired()) finished(s, start, r);
        });
}

void HealthChecks::cancel(Script& s) {
    if (s.running && runner_ != nullptr) runner_->cancel(s.run_id);
    s.running = false;
}

void HealthChecks::not_started(Script& s, const std::string& why) {
    ++s.start_failures;
    if (!s.start_failing) {
        log_->error("script {} could not start: {}; its last result ({}) stands until it runs",
                    s.config.name, why, s.health.up() ? "UP" : "DOWN");
    }
    s.start_failing = true;
}

void HealthChecks::finished(Script& s, TimePoint start, const os::ScriptResult& r) {
    const auto& name = s.config.name;
    s.running = false;
    if (own_failure(r)) {
        not_started(s, r.error.message());
        s.next->set(std::max(start + s.config.interval, time_.now()));
        return;
    }
    if (s.start_failing) logs::notice(*log_, "script {} runs again", name);
    s.start_failing = false;
    ++s.runs;
    ++s.runs_timed;
    s.duration_seconds_sum += std::chrono::duration<double>(time_.now() - start).count();
    if (!r.success()) ++s.failures;
    if (r.outcome == os::ScriptResult::Outcome::TimedOut) ++s.timeouts;
    s.last_result = r.describe();
    // Every `interval` from the start of the previous run; a run that took longer delays
    // the next one instead of piling up.
    s.next->set(std::max(start + s.config.interval, time_.now()));
    if (s.health.record(r.success())) {
        log_->warn("script {} is now {} ({}{})", name, s.health.up() ? "UP" : "DOWN", r.describe(),
                   r.output.empty() ? "" : ": " + printable(r.output));
        changed_();
    } else {
        logs::debug(*log_, config::DebugCategory::Scripts, "script {}: {}", name, r.describe());
    }
}

bool HealthChecks::up(const std::string& name) const {
    const auto it = scripts_.find(name);
    return it != scripts_.end() && it->second->health.up();
}

std::vector<ScriptStatus> HealthChecks::status() const {
    std::vector<ScriptStatus> out;
    for (const auto& [name, s] : scripts_) {
        out.push_back({.name = name,
                       .up = s->health.up(),
                       .runs = s->runs,
                       .failures = s->failures,
                       .timeouts = s->timeouts,
                       .start_failures = s->start_failures,
                       .runs_timed = s->runs_timed,
                       .duration_seconds_sum = s->duration_seconds_sum,
                       .last_result = s->last_result});
    }
    return out;
}

std::vector<StatsReport::Script> HealthChecks::stats() const {
    std::vector<StatsReport::Script> out;
    for (const auto& [name, s] : scripts_) {
        const auto c = s->cleared.since(s->counts());
        out.push_back(
            {.name = name, .runs = c.runs, .failures = c.failures, .timeouts = c.timeouts});
    }
    return out;
}

void HealthChecks::clear_stats() {
    for (auto& [name, s] : scripts_)
        s->cleared.clear(s->counts());
}

}  // namespace vipd
