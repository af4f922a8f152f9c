// The control commands: read-only ones from the daemon's status, the others on the
// instances, a sync group as one.
#include "control_handlers.hpp"

#include <nlohmann/json.hpp>

#include "metrics.hpp"
#include "vipd/daemon/log.hpp"

namespace vipd {

ControlHandlers::ControlHandlers(Daemon daemon, os::TimeSource& time,
                                 std::shared_ptr<spdlog::logger> log)
    : daemon_(std::move(daemon)), time_(time), log_(std::move(log)) {}

void ControlHandlers::status(ControlReply reply) {
    reply(nlohmann::json(daemon_.status()));
}

void ControlHandlers::reload(ControlReply reply) {
    daemon_.reload([reply](const ReloadResult& r) {
        nlohmann::json diagnostics = nlohmann::json::array();
        for (const auto& d : r.diagnostics)
            diagnostics.push_back(d.to_string());
        reply(nlohmann::json{{"applied", r.applied}, {"diagnostics", diagnostics}});
    });
}

void ControlHandlers::log_level(std::optional<config::LogLevel> level,
                                std::optional<config::DebugCategory> category, ControlReply reply) {
    auto s = logs::current(*log_);
    if (level && category) {
        if (*level == config::LogLevel::Debug) {
            s.debug |= config::bit(*category);
        } else {
            s.debug &= static_cast<config::DebugSet>(~config::bit(*category));
        }
    } else if (level) {
        s = logs::settings_of(*level, std::nullopt);
    }
    if (level) {
        logs::apply(*log_, s);
        logs::notice(*log_, "log level {}; debug lines: {}", config::to_string(s.level),
                     config::debug_set_text(s.debug));
    }
    nlohmann::json debug = nlohmann::json::array();
    for (const auto c : config::kDebugCategories) {
        if ((s.debug & config::bit(c)) != 0) debug.push_back(config::to_string(c));
    }
    reply(nlohmann::json{{"level", config::to_string(s.level)}, {"debug", debug}});
}

void ControlHandlers::metrics(ControlReply reply) {
    reply(nlohmann::json(daemon_.metrics()));
}

void ControlHandlers::stats(bool clear, ControlReply reply) {
    reply(nlohmann::json(daemon_.stats(clear)));
}

namespace {

// Collects the per-instance outcomes of a group operation and replies once all are in.
struct GroupOutcome {
    GroupOutcome(ControlReply r, const os::TimeSource& t) : reply(std::move(r)), time(t) {}
    ControlReply reply;
    const os::TimeSource& time;
    TimePoint start = time.now();
    std::size_t left = 0;
    bool ok = true;
    nlohmann::json members = nlohmann::json::array();
    std::vector<std::string> errors;

    void add(const std::string& name, const Instance::HandoverResult& r) {
        members.push_back(nlohmann::json{
            {"instance", name},
            {"ok", r.ok},
            {"message", r.message},
            {"successor", r.successor ? nlohmann::json(r.successor->to_string()) : nullptr}});
        if (!r.ok) {
            ok = false;
            errors.push_back(name + ": " + r.message);
        }
        release();
    }
    // One outcome fewer to wait for (add() calls it; so does the caller's own guard).
    void release() {
        if (--left == 0) finish();
    }
    void finish() {
        if (!ok) {
            std::string text;
            for (const auto& e : errors)
                text += (text.empty() ? "" : "; ") + e;
            reply(Unexpected(text));
            return;
        }
        reply(nlohmann::json{
            {"instances", members},
            {"elapsed_ms", std::chrono::duration<double, std::milli>(time.now() - start).count()}});
    }
};

}  // namespace

void ControlHandlers::handover(const std::string& name, std::optional<IpAddress> to,
                               ControlReply reply) {
    auto* inst = daemon_.find(name);
    if (inst == nullptr) return reply(Unexpected("no instance named '" + name + "'"));
    if (daemon_.stopping()) return reply(Unexpected(std::string("vipd is stopping")));
    // The named instance must be able to hand over; its group's other masters go with it
    // (a group is master on one router at a time).
    std::vector<Instance*> members;
    for (auto* m : daemon_.with_group(*inst)) {
        if (m == inst || m->state() == State::Master) members.push_back(m);
    }
    auto outcome = std::make_shared<GroupOutcome>(std::move(reply), time_);
    outcome->left = members.size();
    for (auto* m : members) {
        const auto member = m->config().name;
        // --to names a router of the named instance; group members follow whoever wins.
        const auto target = m == inst ? to : std::nullopt;
        auto error =
            m->handover(target, [this, outcome, member](const Instance::HandoverResult& r) {
                outcome->add(member, r);
                if (!r.ok) keep_group_together(member);
            });
        if (error) {
            if (m == inst && outcome->left == members.size()) {
                // Nothing started yet: refuse the whole request.
                outcome->left = 0;
                return outcome->reply(Unexpected(*error));
            }
            outcome->add(member, {false, *error, std::nullopt});
        }
    }
}

// A member whose handover found no successor while others of its group handed over would
// split the group across routers: it follows them (resigns, as GroupBackup does).
void ControlHandlers::keep_group_together(const std::string& name) {
    auto* inst = daemon_.find(name);
    if (inst == nullptr || inst->state() != State::Master) return;
    for (auto* m : daemon_.with_group(*inst)) {
        if (m != inst && m->state() != State::Master) {
            log_->warn("{} no successor, but its sync group handed over: following it",
                       inst->prefix());
            inst->group_event(event::GroupBackup{});
            return;
        }
    }
}

void ControlHandlers::set_priority(const std::string& name, std::optional<Priority> priority,
                                   ControlReply reply) {
    auto* inst = daemon_.find(name);
    if (inst == nullptr) return reply(Unexpected("no instance named '" + name + "'"));
    if (auto error = inst->set_priority_override(priority)) return reply(Unexpected(*error));
    reply(nlohmann::json{
        {"instance", name},
        {"override", priority ? nlohmann::json(priority->value()) : nlohmann::json(nullptr)},
        {"priority", inst->machine().priority().value()},
        {"state", std::string(to_string(inst->state()))}});
}

void ControlHandlers::audit(const ControlCaller& caller, const std::string& request, bool allowed) {
    if (allowed) {
        logs::notice(*log_, "control: {} (uid {} pid {})", request, caller.uid, caller.pid);
    } else if (refused_log_.allow(time_.now())) {
        // Rate-limited: a caller may ask again and again; the reply tells each one.
        const auto quiet = refused_log_.take_suppressed();
        log_->warn("control: refused {} (uid {} pid {}: not root or in control_admin_group){}",
                   request, caller.uid, caller.pid,
                   quiet ? fmt::format("; {} more refused since", quiet) : std::string());
    }
}

void ControlHandlers::maintenance(const std::string& name, bool on, ControlReply reply) {
    auto* inst = daemon_.find(name);
    if (inst == nullptr) return reply(Unexpected("no instance named '" + name + "'"));
    if (daemon_.stopping()) return reply(Unexpected(std::string("vipd is stopping")));
    const auto members = daemon_.with_group(*inst);
    // Refuse before changing anything when one member can't (the owner).
    for (auto* m : members) {
        if (on && m->is_owner()) {
            return reply(Unexpected(
                m->config().name + ": the address owner (priority 255) can't go into maintenance"));
        }
    }
    auto outcome = std::make_shared<GroupOutcome>(std::move(reply), time_);
    // + 1 until every member has been asked, so an early answer can't finish it.
    outcome->left = members.size() + 1;
    for (auto* m : members) {
        const auto member = m->config().name;
        const bool hands_over = on && !m->in_maintenance() && m->state() == State::Master;
        auto error = m->set_maintenance(
            on, [outcome, member](const Instance::HandoverResult& r) { outcome->add(member, r); });
        if (error) {
            outcome->add(member, {false, *error, std::nullopt});
        } else if (!hands_over) {
            outcome->add(member, {true, on ? "in maintenance" : "maintenance ended", std::nullopt});
        }
    }
    outcome->release();
}

}  // namespace vipd
