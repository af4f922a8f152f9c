// The files vipd writes and reads beside the protocol: the snapshot (written whole, private,
// never through a planted symlink), the notify FIFO (never waited on), tracked files, and
// the control socket's path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "vipd/core/expected.hpp"

namespace vipd::os {

// Writes `text` to a fresh file beside `path` (O_EXCL, O_NOFOLLOW, `mode`) and renames it
// into place: readers never see half a file, and a symlink at either name is never followed.
[[nodiscard]] std::error_code write_file_atomically(const std::string& path, std::string_view text,
                                                    mode_t mode);

// One line to a FIFO, without waiting: a FIFO without a reader (ENXIO) or a full one
// (EAGAIN) loses the line, so a stalled consumer can never stall the protocol. Anything but
// a FIFO at `path` (a regular file, a symlink) gets nothing: wrong_protocol_type (ELOOP for
// a symlink).
[[nodiscard]] std::error_code append_line_nonblocking(const std::string& path,
                                                      std::string_view line);

// A tracked file as read: the integer at its start (0 when the file is missing or holds no
// number, as keepalived reads it), or why it could not be read safely.
struct TrackedRead {
    std::int64_t value = 0;
    std::string error;  // empty: `value` is what the file says
};
// Never waits and never follows anything planted at `path`: a symlink, a FIFO, a device or a
// directory is refused before it is opened (and a swap between the check and the open is
// caught), the open is non-blocking, and at most kTrackedReadLimit bytes are read.
inline constexpr std::size_t kTrackedReadLimit = 128;
[[nodiscard]] TrackedRead read_tracked_file(const std::string& path);

// A Unix socket's path before binding: a socket left there by a crash is removed; any other
// kind of file is an error (file_exists).
[[nodiscard]] std::error_code clear_stale_socket(const std::string& path);
// Owner root and `group` (if given), then `mode`, of the socket at `path`, never following a
// symlink there (not_a_socket for anything else).
[[nodiscard]] std::error_code set_socket_access(const std::string& path, std::optional<gid_t> group,
                                                mode_t mode);
void remove_file(const std::string& path);

// A secret (an auth_hmac key file, a systemd credential): a regular file that nobody but its
// owner may read or write, owned by root or by this process's user, at most
// kSecretFileLimit bytes, read without waiting. Otherwise, why not. The buffer read into is
// wiped.
inline constexpr std::size_t kSecretFileLimit = 4096;
[[nodiscard]] Expected<std::string, std::string> read_secret_file(const std::string& path);

}  // namespace vipd::os
