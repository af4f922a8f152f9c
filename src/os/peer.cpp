// SO_PEERCRED for the uid, gid and pid; SO_PEERGROUPS (Linux 4.13) for the supplementary
// groups, whose number is not known in advance.
#include "vipd/os/peer.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace vipd::os {

bool PeerCredentials::in_group(gid_t group) const {
    return gid == group || std::find(groups.begin(), groups.end(), group) != groups.end();
}

Expected<PeerCredentials, std::error_code> peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        return Unexpected{std::error_code(errno, std::system_category())};
    }
    PeerCredentials out{.uid = cred.uid, .gid = cred.gid, .pid = cred.pid, .groups = {}};
    out.groups.resize(16);
    for (;;) {
        len = static_cast<socklen_t>(out.groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, out.groups.data(), &len) == 0) break;
        // ERANGE: `len` now says how much is needed (NGROUPS_MAX is 65536).
        if (errno != ERANGE || len / sizeof(gid_t) <= out.groups.size()) {
            return Unexpected{std::error_code(errno, std::system_category())};
        }
        out.groups.resize(len / sizeof(gid_t));
    }
    out.groups.resize(len / sizeof(gid_t));
    return out;
}

}  // namespace vipd::os
