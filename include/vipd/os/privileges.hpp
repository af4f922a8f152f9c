// Least privilege for the daemon (vipd(8), SECURITY): it stays uid 0 but its effective set
// holds only the capabilities it uses, so packets, control requests, metrics requests and
// configuration are handled without the rest of root (no CAP_SYS_ADMIN, CAP_DAC_OVERRIDE,
// CAP_SYS_MODULE, ...). The permitted and bounding sets are left alone: a script that runs
// as root is a new program of uid 0 and starts with what vipd may have (all of root, or
// what systemd's CapabilityBoundingSet leaves), and setpriv(1), which starts scripts as
// other users, needs CAP_SETUID and CAP_SETGID from there. Under NoNewPrivileges (the
// shipped unit) a new program gets no more than vipd's permitted set, so dropping that too
// would leave every script user but root unusable. The flip side, written down: code that
// runs inside vipd can raise its effective set again or execute a program as uid 0, so
// this narrows what a memory bug can do directly; it is not a sandbox (a separate process
// that starts the scripts would be: not done yet).
#pragma once

#include <string>
#include <system_error>

namespace vipd::os {

enum class PrivilegeStage {
    // From before the configuration is read until vipd is listening: also CAP_CHOWN, for the
    // control socket's group.
    Startup,
    // From then on: CAP_NET_ADMIN (addresses, netlink, socket buffers), CAP_NET_RAW (VRRP
    // and announcement sockets, opened again when interfaces come back), CAP_KILL (stopping
    // scripts that run as other users), CAP_SYS_NICE and CAP_IPC_LOCK (realtime_priority and
    // lock_memory, also on reload), and CAP_NET_BIND_SERVICE (metrics_listen on a port below
    // 1024, also on reload).
    Running,
};

// Drops every capability the stage does not keep from the effective set, and empties the
// inheritable set (only ever removes: a vipd started without some of them goes on without).
std::error_code keep_capabilities(PrivilegeStage stage);

// The process's capabilities as libcap writes them ("cap_net_admin,cap_net_raw=ep").
[[nodiscard]] std::string capabilities_text();

}  // namespace vipd::os
