// Who is at the other end of a connected Unix socket, as the kernel recorded it when the
// peer connected (SO_PEERCRED, SO_PEERGROUPS): nothing the peer says about itself.
#pragma once

#include <sys/types.h>

#include <system_error>
#include <vector>

#include "vipd/core/expected.hpp"

namespace vipd::os {

struct PeerCredentials {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary groups

    [[nodiscard]] bool in_group(gid_t group) const;
};

[[nodiscard]] Expected<PeerCredentials, std::error_code> peer_credentials(int fd);

}  // namespace vipd::os
