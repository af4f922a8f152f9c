// Least privilege for the daemon (vipd(8), SECURITY): it stays uid 0 but keeps only the
// capabilities it uses, so packets, control requests, metrics requests and configuration are
// parsed without the rest of root (no CAP_SYS_ADMIN, CAP_DAC_OVERRIDE, CAP_SYS_MODULE, ...).
// The bounding set is left alone: a script that runs as root is a new program of uid 0 and
// starts with root's full set, as notify scripts that mount file systems or start services
// need; so does setpriv(1), which starts scripts as other users (vipd needs neither
// CAP_SETUID nor CAP_SETGID itself). The flip side, written down: whoever runs code inside
// vipd can still execute a program as uid 0 and have full root again, so this narrows what
// a memory bug can do directly; it is not a sandbox.
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

// Drops every capability the stage does not keep, from the effective, permitted and
// inheritable sets (only ever removes: a vipd started without some of them goes on without).
std::error_code keep_capabilities(PrivilegeStage stage);

// The process's capabilities as libcap writes them ("cap_net_admin,cap_net_raw=ep").
[[nodiscard]] std::string capabilities_text();

}  // namespace vipd::os
