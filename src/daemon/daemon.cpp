// The daemon: the event loop, signals and the lifecycle (start, reload, shutdown and the
// handover before it), wiring the instances to the modules that serve them.
#include "daemon_impl.hpp"

#include "metrics.hpp"
#include "reports.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/os/files.hpp"

#include <linux/rtnetlink.h>
#include <signal.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <set>
#include <utility>

namespace vipd {

Daemon::Daemon(DaemonOptions options, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(log))) {}

Daemon::~Daemon() = default;

bool has_warning(const std::vector<config::Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [](const config::Diagnostic& d) {
        return d.severity == config::Diagnostic::Severity::Warning;
    });
}

int Daemon::run(config::Config config) {
    return impl_->run(std::move(config));
}

Daemon::Impl::Impl(DaemonOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      log_(std::move(log)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      // The shutdown waits for the last notifications, and a reload's removed instances
      // are dropped once theirs ran: both look again when a script finished.
      stop_wait_(time_.make_alarm([this] { finish_shutdown(stop_deadline_); })),
      reap_(time_.make_alarm([this] { reap_retired(); })),
      checks_(time_, log_, [this] { recompute_tracking(); }),
      service_(time_, log_, [this] { return status_line(instances_); }),
      groups_(time_, log_,
              SyncGroupDriver::Members{
                  .find = [this](const std::string& name) { return find_instance(name); },
                  .names = [this] { return instance_names(instances_); },
                  .notify_line = [this](const std::string& line) { write_notify_line(line); }}),
      exit_handover_(time_, log_, instances_, [this] { shutdown(); }) {
    signals_.add(SIGUSR1);
    stats_since_ = time_.now();
    pid_file_ = options_.pid_file.empty() ? options_.runtime_dir + "/vipd.pid" : options_.pid_file;
}

Daemon::Impl::~Impl() {
    control_.reset();
    link_events_.reset();
    instances_.clear();
    retired_.clear();
    ruleset_watch_.reset();
    route_watch_.reset();
    if (accept_filter_) accept_filter_->remove();
    checks_.stop();
    trackers_.reset();
    processes_.reset();
    receiver_.reset();
}

namespace {
// Whether some instance refuses traffic to its VIPs (accept = false, not the owner).
bool needs_accept_filter(const config::Config& config) {
    return std::any_of(
        config.instances.begin(), config.instances.end(),
        [](const config::InstanceConfig& c) { return !c.accept && !is_owner(c.priority); });
}
}  // namespace

bool Daemon::Impl::open_accept_filter(const config::Config& config) {
    const bool needed = needs_accept_filter(config);
    auto nft = os::Nftables::open();
    std::optional<std::string> why;
    if (nft) {
        nftables_ = std::move(nft.value());
        accept_filter_ = std::make_unique<os::AcceptFilter>(*nftables_);
        why = accept_filter_->reset();
        if (why) accept_filter_.reset();  // unusable: a reload that needs it is refused
    } else {
        why = nft.error();
    }
    if (!why) {
        ruleset_watch_ = watch(
            os::watch_nftables(), {},
            [this] {
                if (!accept_filter_->restore_if_gone()) return;
                log_->warn(
                    "vipd's nftables table (inet {}) was removed by someone else (a firewall "
                    "reload with 'flush ruleset'?): written again with the {} address(es) "
                    "accept = false refuses",
                    os::AcceptFilter::kTable, accept_filter_->blocked());
            },
            "nftables for changes (if a firewall reload removes vipd's table, accept = false "
            "is not enforced until the next takeover)");
        return true;
    }
    if (needed) {
        log_->error("accept = false needs nftables, which cannot be used here: {}", *why);
        return false;
    }
    // Only a later reload that sets accept = false needs it (and then says it failed).
    logs::info(*log_, "nftables cannot be used here ({}); accept = false could not be enforced",
               *why);
    return true;
}

std::unique_ptr<ChangeWatch> Daemon::Impl::watch(
    Expected<std::unique_ptr<os::NetlinkWatch>, std::error_code> watch,
    std::vector<std::uint16_t> types, std::function<void()> settled, const char* unwatched) {
    if (!watch) {
        log_->warn("cannot watch {}: {}", unwatched, watch.error().message());
        return nullptr;
    }
    return std::make_unique<ChangeWatch>(io_, time_, std::move(watch.value()), std::move(types),
                                         std::move(settled));
}

void Daemon::Impl::watch_routes(const config::Config& config) {
    if (route_watch_) return;
    const bool routes = std::any_of(
        config.instances.begin(), config.instances.end(), [](const config::InstanceConfig& c) {
            return !c.virtual_routes.empty() || !c.virtual_rules.empty();
        });
    if (!routes) return;
    route_watch_ = watch(
        os::watch_routes(), {RTM_DELROUTE, RTM_DELRULE}, [this] { restore_routes(); },
        "route deletions (a virtual route deleted by hand stays deleted until "
        "the next takeover)");
}

void Daemon::Impl::restore_routes() {
    for (auto& [key, inst] : instances_)
        inst->restore_routes();
}

Instance::Env Daemon::Impl::env() {
    Instance::Env e{time_, timers_, *netlink_, *announcer_, log_};
    e.scripts = runner_.get();
    e.filter = accept_filter_.get();
    e.routes = netlink_.get();
    e.input_log = &input_log_;
    e.users = &users_;
    e.notify_line = [this](const std::string& line) { write_notify_line(line); };
    e.on_transition = [this](Instance& inst, const action::Notify& n) {
        groups_.on_transition(inst, n);
        service_.status_changed();
        metrics_.invalidate();
    };
    e.drain_received = [this] { receiver_->drain_pending(); };
    e.handover_over = [this] { exit_handover_.poke(); };
    return e;
}

int Daemon::Impl::run(config::Config config) {
    if (options_.launcher_fd < 0) {
        log_->error("no script launcher: vipd starts scripts only through one");
        return 1;
    }
    launcher_ = std::make_unique<os::RemoteRunner>(io_, std::exchange(options_.launcher_fd, -1),
                                                   [this] { launcher_lost(); });
    os::restrict_umask();
    std::optional<os::UserIds> user;
    if (!options_.user.empty()) {
        auto ids = os::lookup_user(options_.user);
        if (!ids) {
            log_->error("--user: {}", ids.error());
            return 1;
        }
        if (ids.value().uid == 0) {
            log_->error("--user {}: that is root; name the user vipd should run as", options_.user);
            return 1;
        }
        user = ids.value();
    }
    std::optional<std::pair<uid_t, gid_t>> owner;
    if (user) owner = std::pair{user->uid, user->gid};
    if (auto why = os::make_runtime_dir(options_.runtime_dir, owner)) {
        log_->error("{}", *why);
        return 1;
    }
    auto pid_file = os::PidFile::create(pid_file_);
    if (!pid_file) {
        log_->error("{}", pid_file.error());
        return 1;
    }
    pid_file_handle_ = std::move(pid_file.value());

    auto nl = os::Netlink::open();
    if (!nl) {
        log_->error("cannot open netlink: {}", nl.error().message());
        return 1;
    }
    netlink_ = std::move(nl.value());
    // Routes and rules a killed vipd left would steer traffic from a host that is no master.
    if (auto stale = netlink_->flush_stale_routes(); !stale) {
        log_->warn("cannot look for routes a previous vipd left behind: {}",
                   stale.error().message());
    } else if (stale.value() > 0) {
        log_->warn("removed {} route(s) and rule(s) a previous vipd left behind", stale.value());
    }
    if (!open_accept_filter(config)) return 1;
    receiver_ = std::make_unique<Receiver>(
        io_, time_, timers_, instances_,
        [this](const std::string& name) { return netlink_->find(name); }, log_, input_log_);
    link_events_ =
        std::make_unique<LinkEvents>(io_, *netlink_, instances_, log_,
                                     LinkEvents::Hooks{
                                         .links_changing = [this] { receiver_->sync(); },
                                         .links_changed =
                                             [this] {
                                                 recompute_tracking();
                                                 // Routes through a link that went down
                                                 // went with it.
                                                 if (route_watch_) restore_routes();
                                             },
                                         .addresses_changed = [this] { groups_.reconcile(); },
                                     });
    processes_ =
        std::make_unique<ProcessTracker>(io_, time_, log_, [this] { recompute_tracking(); });
    trackers_ = std::make_unique<Trackers>(
        io_, checks_, *processes_, [this](const std::string& name) { return netlink_->find(name); },
        log_, [this] { recompute_tracking(); });
    runner_ = std::make_unique<ObservedRunner>(*launcher_, [this] { script_finished(); });
    announcer_ = std::make_unique<os::SocketAnnouncer>();
    if (auto ec = announcer_->open_error()) {
        log_->error("cannot open announcement sockets: {} (vipd needs CAP_NET_RAW)", ec.message());
        return 1;
    }

    // The control socket first: without it vipd could not be operated, so it does not start
    // (and claims nothing). Its group is read at startup only.
    control_handlers_ = std::make_unique<ControlHandlers>(
        ControlHandlers::Daemon{
            .status = [this] { return status(); },
            .metrics = [this] { return metrics_.text(); },
            .stats = [this](bool clear) { return stats(clear); },
            .reload = [this](std::function<void(ReloadResult)> done) { reload(std::move(done)); },
            .find = [this](const std::string& name) { return find_instance(name); },
            .with_group = [this](Instance& inst) { return groups_.with_group(inst); },
            .stopping = [this] { return exit_handover_.active() || stopping_; }},
        time_, log_);
    control_ = std::make_unique<ControlServer>(io_, *control_handlers_, log_);
    const auto socket_path = options_.control_socket.empty() ? options_.runtime_dir + "/vipd.sock"
                                                             : options_.control_socket;
    std::optional<gid_t> group;
    if (!config.global.control_group.empty()) {
        group = os::group_id(config.global.control_group);
        if (!group) {
            log_->error("control_group '{}' does not exist", config.global.control_group);
            return 1;
        }
    }
    if (auto ec = control_->listen(socket_path, group)) {
        log_->error("cannot listen on control socket {}: {}", socket_path, ec.message());
        return 1;
    }
    // Set up: from here on only what running needs (vipd(8), SECURITY).
    if (user) {
        if (auto ec = os::give_runtime_dir(options_.runtime_dir, user->uid, user->gid)) {
            log_->error("cannot give {} to {}: {}", options_.runtime_dir, user->name, ec.message());
            return 1;
        }
        if (auto ec = os::become_user(user->name, user->uid, user->gid)) {
            log_->error("cannot run as {}: {}", user->name, ec.message());
            return 1;
        }
        logs::info(*log_, "running as {} (uid {}, gid {})", user->name, user->uid, user->gid);
    }
    if (auto ec = os::keep_capabilities(os::PrivilegeStage::Running)) {
        log_->error("cannot drop capabilities: {}", ec.message());
        return 1;
    }
    logs::info(*log_, "capabilities kept: {}", os::capabilities_text());
    std::vector<std::string> user_problems;
    auto users = UserTable::resolve(config, user_problems);  // before the loop runs: may block
    for (const auto& p : user_problems)
        log_->error("{}", p);
    apply(std::move(config), std::move(users));
    link_events_->watch();
    wait_signals();
    logs::notice(*log_, "vipd started: {} instance(s) from {}", instances_.size(),
                 options_.config_file);
    // systemd (Type=notify): configuration applied, sockets open, control socket listening.
    service_.ready();
    service_.start_watchdog();
    // No exception may end the loop: VIPs would stay claimed with nobody advertising them.
    // A handler that throws is reported and the loop goes on.
    while (!stopping_) {
        try {
            io_.run();
            break;
        } catch (const std::exception& e) {
            log_->critical("internal error in the event loop: {}; continuing", e.what());
        }
    }
    return exit_code_;
}

void Daemon::Impl::apply(config::Config config, UserTable users) {
    metrics_.invalidate();
    users_ = std::move(users);  // first: the scripts and notifications below run as these
    // What `vipctl log-level` set stays until the configuration's own settings change.
    const auto logging = logs::settings_of(options_.log_level.value_or(config.global.log_level),
                                           options_.debug ? options_.debug : config.global.debug);
    if (!configured_logging_ || logging != *configured_logging_) {
        logs::apply(*log_, logging);
        configured_logging_ = logging;
    }
    // Unset in the configuration: --realtime-priority (the packaged unit's 10); without that
    // either, the scheduling stays as it is.
    if (const auto rt = config.global.realtime_priority ? config.global.realtime_priority
                                                        : options_.realtime_priority;
        rt && rt != scheduled_) {
        apply_scheduling(*rt, *log_);
        scheduled_ = rt;
    }
    memory_locked_ = apply_memory_lock(config.global.lock_memory.value_or(options_.lock_memory),
                                       memory_locked_, *log_);
    if (config.global.metrics_listen != config_.global.metrics_listen ||
        (!metrics_http_ && config.global.metrics_listen)) {
        metrics_http_.reset();
        if (const auto& where = config.global.metrics_listen) {
            metrics_http_ = serve_metrics(
                io_, *where, [this] { return metrics_.text(); }, log_);
        }
    }
    if (control_) control_->set_admin_group(users_.admin_group());
    watch_routes(config);
    auto new_instances = std::move(config.instances);
    config.instances.clear();
    config_ = std::move(config);  // global settings first: new instances' env reads them
    // Members reconfigured, stopped or started here must not drive their groups: the
    // groups are reconciled once, at the end, against the new membership.
    auto hold = std::make_optional<SyncGroupDriver::Hold>(groups_);
    groups_.configure(config_.sync_groups, runner_.get(), &users_);
    auto plan = plan_reload(instances_, std::move(new_instances));
    for (auto& [key, ic] : plan.change) {
        auto& inst = *instances_.at(key);
        logs::notice(*log_, "{} configuration changed; applying it live", inst.prefix());
        inst.reconfigure(std::move(ic), netlink_->find(key.interface));  // ends an override
    }
    for (const auto& key : plan.keep)
        (void)instances_.at(key)->set_priority_override(std::nullopt);  // a reload ends overrides
    // Removed instances release their VIPs as on shutdown, while their socket still exists,
    // and are kept until their STOP notifications have run.
    for (const auto& key : plan.stop) {
        auto inst = std::move(instances_.extract(key).mapped());
        logs::notice(*log_, "{} removed from the configuration; stopping", inst->prefix());
        inst->stop();
        inst->set_transport(nullptr);
        retired_.push_back(std::move(inst));
    }
    reap_retired();
    std::vector<Instance*> started;
    for (auto& ic : plan.start) {
        auto key = key_of(ic);
        auto inst = std::make_unique<Instance>(env(), std::move(ic));
        started.push_back(inst.get());
        instances_.emplace(std::move(key), std::move(inst));
    }
    link_events_->index();
    // (config_.instances stays empty: each instance keeps its own configuration, and a
    // second copy of a thousand of them is memory for nothing.)
    receiver_->sync();
    // Trackers before the new instances start, so they start at their effective priority
    // (and in Fault if a weight-0 tracker is already down).
    sync_scripts();
    trackers_->track_files(instances_);
    processes_->configure(tracked_processes(instances_, config_.processes));
    recompute_tracking();
    hold.reset();
    groups_.reconcile();
    for (auto* inst : started) {
        const auto* info = netlink_->find(inst->config().interface);
        if (info == nullptr) {
            log_->warn("{} interface {} does not exist (yet); in FAULT until it appears",
                       inst->prefix(), inst->config().interface);
        } else {
            inst->release_stale_addresses(*info);
        }
        inst->update_interface(info);
        inst->start();
    }
}

void Daemon::Impl::reap_retired() {
    std::erase_if(retired_, [](const auto& inst) { return inst->pending_notifications() == 0; });
    const bool groups_busy = groups_.reap();
    reaping_ = !retired_.empty() || groups_busy;
}

void Daemon::Impl::script_finished() {
    if (stopping_) stop_wait_->set(time_.now());
    if (reaping_) reap_->set(time_.now());
}

void Daemon::Impl::sync_scripts() {
    checks_.sync(config_.scripts, tracked_scripts(instances_), runner_.get(), users_);
}

void Daemon::Impl::recompute_tracking() {
    for (auto& [key, inst] : instances_)
        inst->set_tracker_inputs(trackers_->inputs(inst->config()));
    groups_.reconcile();  // a tracker fault may have come or gone without a transition
}

void Daemon::Impl::write_notify_line(const std::string& line) {
    if (config_.global.notify_fifo.empty()) return;
    if (auto ec = os::append_line_nonblocking(config_.global.notify_fifo, line)) {
        if (ec == std::errc::wrong_protocol_type ||
            ec == std::errc::too_many_symbolic_link_levels) {
            log_->warn("notify_fifo {} is not a FIFO: nothing written", config_.global.notify_fifo);
        } else if (ec == std::errc::permission_denied) {
            // vipd writes without CAP_DAC_OVERRIDE (vipd(8), SECURITY).
            log_->warn("notify_fifo {}: root cannot write to it (owner or mode): nothing written",
                       config_.global.notify_fifo);
        } else {  // ENXIO: nobody reads it now
            logs::debug(*log_, config::DebugCategory::Scripts, "notify_fifo {}: {}",
                        config_.global.notify_fifo, ec.message());
        }
    }
}

void Daemon::Impl::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        switch (signo) {
            case SIGTERM:
            case SIGINT:
                if (exit_handover_.active()) {
                    logs::notice(*log_,
                                 "signal {} again: stopping without waiting for the handover",
                                 signo == SIGTERM ? "TERM" : "INT");
                    shutdown();
                    return;
                }
                logs::notice(*log_, "signal {}: shutting down", signo == SIGTERM ? "TERM" : "INT");
                service_.stopping();
                if (config_.global.graceful_handover && exit_handover_.start()) break;
                shutdown();
                return;
            case SIGHUP:
                logs::notice(*log_, "SIGHUP: reloading {}", options_.config_file);
                reload({});
                break;
            case SIGUSR1:
                write_snapshot();
                break;
            default:
                break;
        }
        wait_signals();
    });
}

void Daemon::Impl::reload(std::function<void(ReloadResult)> done) {
    if (exit_handover_.active() || stopping_) {
        log_->warn("reload ignored: vipd is stopping");
        ReloadResult result;
        result.diagnostics.push_back({config::Diagnostic::Severity::Error, options_.config_file, 0,
                                      "not reloaded: vipd is stopping"});
        if (done) done(result);
        return;
    }
    if (loading_) {
        logs::info(*log_, "reload: one is being loaded; another follows it");
        reload_again_ = true;
        if (done) reload_next_.push_back(std::move(done));
        return;
    }
    if (done) reload_waiting_.push_back(std::move(done));
    start_reload();
}

void Daemon::Impl::start_reload() {
    loading_ = true;
    service_.reloading();
    logs::info(*log_, "reload: reading {} (beside the loop)", options_.config_file);
    // Everything the thread touches is its own: the path, the checks (which ask the system,
    // not the daemon) and what it produces, handed back through the loop.
    // A VIP this vipd holds is on its interface because vipd put it there: not the mistake
    // the loader warns about (a VIP that is already someone else's address).
    auto checks = system_checks();
    std::set<IpAddress> held;
    for (const auto& [key, inst] : instances_)
        for (const auto& v : inst->config().addresses)
            held.insert(v.address);
    checks.address_interface = [held = std::move(held)](const IpAddress& a) {
        return held.contains(a) ? std::nullopt : os::interface_with_address(a);
    };
    // Whatever happens, the loop hears back: a reload that never finishes would queue every
    // later one behind it (and leave systemd at RELOADING).
    const auto failed = [path = options_.config_file](const std::exception& e) {
        Loaded out;
        out.result.diagnostics.push_back({config::Diagnostic::Severity::Error, path, 0,
                                          fmt::format("not reloaded: {}", e.what())});
        return out;
    };
    try {
        loader_ =
            std::jthread([this, failed, path = options_.config_file, checks = std::move(checks)] {
                const auto started = std::chrono::steady_clock::now();
                Loaded loaded;
                try {
                    loaded.result = config::load_file(path, checks);
                    if (loaded.result.ok()) {
                        loaded.users =
                            UserTable::resolve(*loaded.result.config, loaded.user_problems);
                    }
                } catch (const std::exception& e) {  // std::bad_alloc under a memory lock limit
                    loaded = failed(e);
                }
                loaded.took = std::chrono::steady_clock::now() - started;
                boost::asio::post(io_, [this, loaded = std::move(loaded)]() mutable {
                    finish_reload(std::move(loaded));
                });
            });
    } catch (const std::system_error& e) {  // no thread
        boost::asio::post(
            io_, [this, loaded = failed(e)]() mutable { finish_reload(std::move(loaded)); });
    }
}

void Daemon::Impl::finish_reload(Loaded loaded) {
    loading_ = false;
    service_.ready();
    ReloadResult result;
    auto& r = loaded.result;
    result.diagnostics = r.diagnostics;
    for (const auto& d : r.diagnostics)
        log_->log(d.severity == config::Diagnostic::Severity::Error ? spdlog::level::err
                                                                    : spdlog::level::warn,
                  "{}", d.to_string());
    for (const auto& p : loaded.user_problems)
        log_->error("reload: {}", p);
    if (stopping_ || exit_handover_.active()) {
        result.diagnostics.push_back({config::Diagnostic::Severity::Error, options_.config_file, 0,
                                      "not reloaded: vipd is stopping"});
    } else if (!r.ok()) {
        log_->error("reload failed: keeping the running configuration");
    } else if (!accept_filter_ && needs_accept_filter(*r.config)) {
        // As at start: a master that must refuse traffic and cannot is not started.
        result.diagnostics.push_back(
            {config::Diagnostic::Severity::Error, options_.config_file, 0,
             "not reloaded: accept = false needs nftables, which could not be used when vipd "
             "started (see its log)"});
        log_->error(
            "reload failed: accept = false needs nftables, which could not be used when vipd "
            "started; keeping the running configuration");
    } else if (options_.strict && has_warning(r.diagnostics)) {
        result.diagnostics.push_back({config::Diagnostic::Severity::Error, options_.config_file, 0,
                                      "not reloaded: --strict makes the warnings errors"});
        log_->error(
            "reload failed: --strict makes the warnings errors; keeping the running "
            "configuration");
    } else {
        const auto applying = time_.now();
        launcher_->reload();  // before any run of the new configuration is asked for
        apply(std::move(*r.config), std::move(loaded.users));
        result.applied = true;
        const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
        logs::notice(*log_,
                     "reload done: {} instance(s); read in {:.1f} ms (beside the loop), applied in "
                     "{:.1f} ms",
                     instances_.size(), ms(loaded.took), ms(time_.now() - applying));
    }
    for (auto& done : std::exchange(reload_waiting_, {}))
        done(result);
    if (std::exchange(reload_again_, false)) {
        reload_waiting_ = std::exchange(reload_next_, {});
        start_reload();
    }
}

void Daemon::Impl::shutdown() {
    if (stopping_) return;
    service_.stop_updates();
    stopping_ = true;
    groups_.stop();  // every member stops on its own now
    exit_handover_.cancel();
    checks_.stop();  // no more health checks
    // Masters send priority 0 and release their VIPs (RFC 9568 §6.4.3 (10)-(13)).
    for (auto& [key, inst] : instances_) {
        inst->stop();
    }
    signals_.cancel();
    // Let the stop notifications run: each queue runs its commands one after another,
    // each bounded by its timeout; the queues run side by side.
    Duration longest{};
    for (const auto& [key, inst] : instances_) {
        longest = std::max(longest, static_cast<long>(inst->pending_notifications()) *
                                        Duration{inst->config().notify.timeout});
    }
    longest = std::max(longest, groups_.longest_pending());
    finish_shutdown(time_.now() + longest + std::chrono::milliseconds{500});
}

// Without the launcher no check or notification can run, and the one that started with
// vipd cannot be made again by a daemon that gave up the capabilities it needs: stop as on
// SIGTERM, and exit 1 for the service manager to start vipd afresh.
void Daemon::Impl::launcher_lost() {
    if (stopping_ || exit_handover_.active()) return;
    log_->critical(
        "the script launcher has gone: health checks and notifications cannot run; stopping "
        "(exit status 1)");
    exit_code_ = 1;
    service_.stopping();
    if (config_.global.graceful_handover && exit_handover_.start()) return;
    shutdown();
}

void Daemon::Impl::finish_shutdown(TimePoint deadline) {
    std::size_t pending = 0;
    for (const auto& [key, inst] : instances_) {
        pending += inst->pending_notifications();
    }
    pending += groups_.pending_notifications();
    for (const auto& inst : retired_) {
        pending += inst->pending_notifications();
    }
    if (pending == 0 || time_.now() >= deadline) {
        if (pending != 0) log_->warn("exiting with {} notification(s) not run", pending);
        io_.stop();
        return;
    }
    stop_deadline_ = deadline;
    stop_wait_->set(deadline);
}

DaemonStatus Daemon::Impl::status() const {
    const auto now = time_.now();
    DaemonStatus st{
        .pid = os::process_id(),
        .version = VIPD_VERSION,
        .start_time_seconds = std::chrono::duration<double>(started_at_.time_since_epoch()).count(),
        .config_file = options_.config_file,
        .router_id = config_.global.router_id,
    };
    collect_status(st, instances_, *receiver_, checks_, now);
    st.processes = processes_->status();
    st.process_source = processes_->source_text();
    return st;
}

void Daemon::Impl::write_snapshot() {
    const auto path = options_.runtime_dir + "/snapshot.json";
    if (auto ec = write_snapshot_file(path, status())) {
        log_->error("cannot write snapshot {}: {}", path, ec.message());
        return;
    }
    logs::info(*log_, "SIGUSR1: snapshot written to {}", path);
}

// --- vipctl ---------------------------------------------------------------------------------

Instance* Daemon::Impl::find_instance(const std::string& name) {
    for (auto& [key, inst] : instances_) {
        if (key.name == name) return inst.get();
    }
    return nullptr;
}

StatsReport Daemon::Impl::stats(bool clear) {
    auto r = collect_stats(instances_, *receiver_, checks_, time_.now() - stats_since_, clear);
    if (clear) {
        stats_since_ = time_.now();
        logs::notice(*log_, "statistics cleared (vipctl)");
    }
    return r;
}

}  // namespace vipd
