// vipd's main(): command line (Boost.Program_options), logging, config check (-t), then the
// daemon in the foreground. Exceptions from the libraries stop here with a clear message.
#include <net/if.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "vipd/config/config.hpp"
#include "vipd/daemon/daemon.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/os/launcher.hpp"
#include "vipd/os/privileges.hpp"

#ifndef VIPD_VERSION
#define VIPD_VERSION "unknown"
#endif

namespace po = boost::program_options;

namespace {

// --debug: "packets,scripts", "all" or "none".
std::optional<vipd::config::DebugSet> parse_debug_list(std::string_view text) {
    if (text == "all") return vipd::config::kAllDebug;
    if (text == "none") return vipd::config::DebugSet{0};
    vipd::config::DebugSet out = 0;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto c = vipd::config::parse_debug_category(text.substr(0, comma));
        if (!c) return std::nullopt;
        out |= vipd::config::bit(*c);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    if (out == 0) return std::nullopt;
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    vipd::DaemonOptions options;
    std::string log_level, log_target = "stderr", control_socket, debug, log_facility;
    po::options_description desc("Usage: vipd [options]\n\nOptions");
    // clang-format off
    desc.add_options()
        ("config-file,f", po::value(&options.config_file)->default_value(options.config_file),
            "configuration file")
        ("test-config,t", "check the configuration file and exit (0 = valid)")
        ("dump-config,d", "print the effective configuration, every default spelled out, "
            "and exit (1 if it is not valid)")
        ("strict", "warnings about the configuration are errors (-t, start and reload)")
        ("lock-memory", "lock the daemon's memory unless the configuration sets lock_memory "
            "(the packaged unit passes it)")
        ("realtime-priority", po::value<int>(),
            "SCHED_RR at this priority (1..99; 0 ordinary) unless the configuration sets "
            "realtime_priority (the packaged unit passes 10)")
        ("runtime-dir", po::value(&options.runtime_dir)->default_value(options.runtime_dir),
            "directory for the pid file and state snapshots")
        ("pid-file", po::value(&options.pid_file), "pid file (default RUNTIME_DIR/vipd.pid)")
        ("user,u", po::value(&options.user),
         "once set up, run the daemon as this user (scripts still start as configured)")
        ("control-socket", po::value(&control_socket),
            "control socket for vipctl (default RUNTIME_DIR/vipd.sock)")
        ("log-level", po::value(&log_level), "debug, info, notice, warning or error "
            "(overrides the config file)")
        ("log-target", po::value(&log_target)->default_value(log_target), "stderr or syslog")
        ("log-facility,S", po::value(&log_facility),
            "syslog facility: daemon or local0..local7, or as keepalived 0..7 for local0..7 "
            "(overrides the config file)")
        ("debug", po::value(&debug), "debug lines of these categories, whatever the level: "
            "packets,timers,netlink,scripts,control, all or none (overrides the config file)")
        ("version,v", "print the version and exit")
        ("help,h", "print this help and exit");
    // keepalived's options that its users type out of habit and that have a meaning here
    // (vipd(8), KEEPALIVED): aliases, or accepted with no effect; the rest stay errors.
    po::options_description keepalived("keepalived's options, accepted");
    keepalived.add_options()
        ("config-test", "as -t")
        ("dont-fork,n", "no effect: vipd always stays in the foreground")
        ("log-console,l", "as --log-target stderr")
        ("log-detail,D", "no effect: every transition is logged with its reason")
        ("vrrp,P", "no effect: vipd is only VRRP");
    desc.add(keepalived);
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vipd: " << e.what() << "\n(try vipd --help)\n";
        return 2;
    }
    if (vm.count("help") != 0U) {
        std::cout << desc
                  << "\nSignals: TERM/INT stop (masters hand over with priority 0), "
                     "HUP reloads the configuration, USR1 writes "
                     "RUNTIME_DIR/snapshot.json.\n";
        return 0;
    }
    if (vm.count("log-console") != 0U) log_target = "stderr";
    if (vm.count("version") != 0U) {
        std::cout << "vipd " << VIPD_VERSION << "\n";
        return 0;
    }
    if (log_target != "stderr" && log_target != "syslog") {
        std::cerr << "vipd: --log-target must be stderr or syslog, not '" << log_target << "'\n";
        return 2;
    }
    options.control_socket = control_socket;
    if (!log_level.empty()) {
        options.log_level = vipd::config::parse_log_level(log_level);
        if (!options.log_level) {
            std::cerr << "vipd: unknown --log-level '" << log_level << "'\n";
            return 2;
        }
    }

    if (vm.count("debug") != 0U) {
        options.debug = parse_debug_list(debug);
        if (!options.debug) {
            std::cerr << "vipd: --debug takes packets, timers, netlink, scripts, control (comma "
                         "separated), all or none, not '"
                      << debug << "'\n";
            return 2;
        }
    }
    // keepalived's -S N means LOG_LOCALN.
    if (log_facility.size() == 1 && log_facility[0] >= '0' && log_facility[0] <= '7') {
        log_facility = "local" + log_facility;
    }
    if (vm.count("log-facility") != 0U && !vipd::config::parse_log_facility(log_facility)) {
        std::cerr << "vipd: --log-facility must be daemon or local0..local7, not '" << log_facility
                  << "'\n";
        return 2;
    }

    // The rest of root goes before the configuration is read (vipd(8), SECURITY).
    if (auto ec = vipd::os::keep_capabilities(vipd::os::PrivilegeStage::Startup)) {
        std::cerr << "vipd: cannot drop capabilities: " << ec.message() << "\n";
        return 1;
    }
    auto loaded = vipd::config::load_file(options.config_file, vipd::system_checks());
    for (const auto& d : loaded.diagnostics)
        std::cerr << d.to_string() << "\n";
    options.strict = vm.count("strict") != 0U;
    options.lock_memory = vm.count("lock-memory") != 0U;
    if (vm.count("realtime-priority") != 0U) {
        const int p = vm["realtime-priority"].as<int>();
        if (p < 0 || p > 99) {
            std::cerr << "vipd: --realtime-priority must be 0..99\n";
            return 2;
        }
        options.realtime_priority = p;
    }
    if (options.strict && loaded.ok() && vipd::has_warning(loaded.diagnostics)) {
        std::cerr << "vipd: " << options.config_file
                  << ": --strict makes the warnings above errors\n";
        loaded.config.reset();
    }
    if (vm.count("dump-config") != 0U) {
        if (loaded.ok()) std::cout << vipd::config::to_text(*loaded.config);
        return loaded.ok() ? 0 : 1;
    }
    if (vm.count("test-config") != 0U || vm.count("config-test") != 0U) {
        if (loaded.ok()) {
            std::cout << options.config_file << ": configuration valid ("
                      << loaded.config->instances.size() << " instance(s))\n";
        }
        return loaded.ok() ? 0 : 1;
    }
    if (!loaded.ok()) {
        std::cerr << "vipd: " << options.config_file << ": invalid configuration, not starting\n";
        return 1;
    }

    // Scripts are started by a process of their own, forked now: before anything from the
    // network or the control socket is read (vipd(8), SECURITY).
    auto launcher = vipd::os::fork_launcher(
        [&](int fd) { return vipd::run_script_launcher(fd, options.config_file, *loaded.config); });
    if (!launcher) {
        std::cerr << "vipd: cannot start the script launcher: " << launcher.error().message()
                  << "\n";
        return 1;
    }
    options.launcher_fd = launcher.value().second;

    // A notify FIFO whose reader goes away must cost a line, not the daemon (and its VIPs).
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const auto& global = loaded.config->global;
        auto log = vipd::make_logger(
            log_target, *vipd::config::parse_log_facility(log_facility.empty() ? global.log_facility
                                                                               : log_facility));
        vipd::logs::apply(*log,
                          vipd::logs::settings_of(options.log_level.value_or(global.log_level),
                                                  options.debug ? options.debug : global.debug));
        vipd::Daemon daemon(options, log);
        return daemon.run(std::move(*loaded.config));
    } catch (const std::exception& e) {
        std::cerr << "vipd: fatal: " << e.what() << "\n";
        return 1;
    }
}
