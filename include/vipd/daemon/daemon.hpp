// vipd the daemon, as its program sees it: options, the checks a configuration gets on this
// host, and run(). What runs inside (instances, sockets, health checks, sync groups, the
// control socket) is private to daemon/.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vipd/config/config.hpp"

namespace vipd {

struct DaemonOptions {
    std::string config_file = "/etc/vipd/vipd.conf";
    std::string runtime_dir = "/run/vipd";
    std::string pid_file;                       // empty: RUNTIME_DIR/vipd.pid
    std::string control_socket;                 // empty: RUNTIME_DIR/vipd.sock
    std::optional<config::LogLevel> log_level;  // command line beats the config file
    std::optional<config::DebugSet> debug;      // --debug, beats the config file too
    // The script launcher's end of the link (run_script_launcher); the daemon owns it and
    // does not start without it.
    int launcher_fd = -1;
    // Once set up, the daemon runs as this user (its script launcher stays uid 0); empty:
    // it stays uid 0 with the capabilities it keeps (vipd(8), SECURITY).
    std::string user;
    bool strict = false;  // --strict: a configuration with warnings is not applied on reload
    // --lock-memory and --realtime-priority: the values of lock_memory and realtime_priority
    // when the configuration does not set them (the packaged unit passes both).
    bool lock_memory = false;
    std::optional<int> realtime_priority;
};

// Whether `diagnostics` hold a warning (--strict makes one an error).
[[nodiscard]] bool has_warning(const std::vector<config::Diagnostic>& diagnostics);

// The logger for --log-target `target` (stderr or syslog, with `facility`: LOG_DAEMON ...).
// On standard error the lines carry their syslog priority as <N> and no time stamp when it
// is the journal's stream (JOURNAL_STREAM), so that journalctl -p works; elsewhere a time
// stamp and the level. Levels as vipd/daemon/log.hpp says.
[[nodiscard]] std::shared_ptr<spdlog::logger> make_logger(std::string_view target, int facility);

// The checks a configuration gets on this system: interfaces that exist, script users
// that exist, and script paths nobody but root or the script user can write to.
[[nodiscard]] config::Checks system_checks();

// The script launcher's program (vipd/os/launcher.hpp), in the process fork_launcher made
// before anything untrusted was read: runs the commands of `config` (of `config_file`, read
// again on each reload) that the daemon asks for on `fd`, until the daemon closes it.
// Returns the exit code.
int run_script_launcher(int fd, const std::string& config_file, const config::Config& config);

class Daemon {
public:
    Daemon(DaemonOptions options, std::shared_ptr<spdlog::logger> log);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Opens netlink and sockets, starts every instance of `config`, and runs until SIGTERM
    // or SIGINT (SIGHUP reloads, SIGUSR1 writes a snapshot). Returns the exit code.
    int run(config::Config config);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vipd
