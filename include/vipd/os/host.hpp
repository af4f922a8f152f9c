// The host around the daemon: its pid file and runtime directory, realtime scheduling and
// locked memory, and the facts a configuration is checked against (interfaces, groups).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"

namespace vipd::os {

// The pid file: refuses a second vipd on the same runtime files, removed on destruction.
// Held with flock() for the process's life: the lock, not the pid written in the file,
// says whether a vipd is running, so a stale file left by a crash (its pid now a zombie,
// or reused by another process) never blocks a restart.
class PidFile {
public:
    // Fails, naming the other vipd, when another process holds the lock.
    static Expected<std::unique_ptr<PidFile>, std::string> create(const std::string& path);
    ~PidFile();
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

private:
    PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    std::string path_;
    int fd_;  // holds the lock
};

// Creates the directory (mode 0755) unless it exists; then refuses one that is not a
// directory, not owned by root (by vipd's own user when it is not root), or writable by
// group or others: vipd's socket and pid file live there. Returns why not, or nullopt.
// With `owner_to_be` (the user vipd will run as), one that user owns from an earlier run is
// taken back (give_runtime_dir hands it over again once the pid file and socket are made).
[[nodiscard]] std::optional<std::string> make_runtime_dir(
    const std::string& path, std::optional<std::pair<uid_t, gid_t>> owner_to_be = std::nullopt);

// The runtime directory to the user the daemon becomes (snapshots; at exit the pid file
// and socket are removed from it).
std::error_code give_runtime_dir(const std::string& path, uid_t uid, gid_t gid);

// vipd's files get no group or other write permission unless it sets a mode itself.
void restrict_umask();

// SCHED_RR at `priority` (1..99) with SCHED_RESET_ON_FORK, so children start ordinary; 0
// goes back to ordinary scheduling.
[[nodiscard]] std::error_code set_realtime_priority(int priority);
// mlockall(MCL_CURRENT | MCL_FUTURE), or munlockall.
[[nodiscard]] std::error_code lock_memory(bool on);

[[nodiscard]] long process_id();
[[nodiscard]] bool interface_exists(std::string_view name);
// The interface that has `address`, if any (getifaddrs).
[[nodiscard]] std::optional<std::string> interface_with_address(const IpAddress& address);
[[nodiscard]] std::optional<gid_t> group_id(const std::string& name);
// The host name, or "" if it can't be read.
[[nodiscard]] std::string host_name();

}  // namespace vipd::os
