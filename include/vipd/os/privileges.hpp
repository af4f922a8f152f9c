// Least privilege (vipd(8), SECURITY). vipd stays uid 0 but works in two processes: the
// daemon, which handles packets, control requests, metrics requests and configuration, keeps
// only the capabilities it uses (effective and permitted, under no_new_privs, so neither a
// memory bug nor a program it executes gets the rest of root back); and the script launcher
// (os/launcher.hpp), forked before any of that input is read, which keeps the permitted set
// so that scripts run as root get what root may have here and setpriv(1) can start the
// others as their users, while acting itself with CAP_KILL alone (stopping scripts that run
// as other users). It runs only the configured commands.
#pragma once

#include <sys/types.h>

#include <string>
#include <system_error>

namespace vipd::os {

enum class PrivilegeStage {
    // From before the configuration is read until vipd is listening: the running set, and
    // CAP_CHOWN (the control socket's group) and CAP_KILL (for the launcher) effective.
    Startup,
    // The script launcher: CAP_KILL effective; the permitted and bounding sets kept.
    Launcher,
    // The daemon from then on, effective and permitted alike: CAP_NET_ADMIN (addresses,
    // netlink, socket buffers), CAP_NET_RAW (VRRP and announcement sockets, opened again when
    // interfaces come back), CAP_SYS_NICE and CAP_IPC_LOCK (realtime_priority and
    // lock_memory, also on reload), and CAP_NET_BIND_SERVICE (metrics_listen on a port below
    // 1024, also on reload); and no_new_privs.
    Running,
};

// Narrows the sets to what the stage keeps, and empties the inheritable set (only ever
// removes: a vipd started without some of them goes on without).
std::error_code keep_capabilities(PrivilegeStage stage);

// Runs the process as `uid`/`gid` with `name`'s supplementary groups from now on, keeping the
// permitted set for keep_capabilities(Running), which must follow (the effective set is
// empty until then). Needs CAP_SETUID and CAP_SETGID in the permitted set.
std::error_code become_user(const std::string& name, uid_t uid, gid_t gid);

// The process's capabilities as libcap writes them ("cap_net_admin,cap_net_raw=ep").
[[nodiscard]] std::string capabilities_text();

}  // namespace vipd::os
