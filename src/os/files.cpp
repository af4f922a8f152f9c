// Snapshot, notify FIFO, tracked files and the control socket's path, with the care each
// needs against a hostile directory or a stalled reader.
#include "vipd/os/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace vipd::os {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

}  // namespace

std::error_code write_file_atomically(const std::string& path, std::string_view text, mode_t mode) {
    const auto tmp = path + ".tmp." + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return last_error();
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    std::error_code ec = ok ? std::error_code{} : last_error();
    ::close(fd);
    if (!ec && ::rename(tmp.c_str(), path.c_str()) != 0) ec = last_error();
    if (ec) ::unlink(tmp.c_str());
    return ec;
}

std::error_code append_line_nonblocking(const std::string& path, std::string_view line) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return last_error();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        // Never a regular file: /etc/passwd at that path must not grow a line per transition.
        ::close(fd);
        return std::make_error_code(std::errc::wrong_protocol_type);
    }
    std::string text(line);
    text += '\n';
    std::error_code ec;
    if (::write(fd, text.data(), text.size()) < 0) ec = last_error();
    ::close(fd);
    return ec;
}

namespace {

const char* file_kind(mode_t mode) {
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// The number at the start of `text` (leading blanks and a '+' allowed), 0 if there is none.
std::optional<std::int64_t> leading_number(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0)
        ++i;
    if (i < text.size() && text[i] == '+') ++i;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range) return std::nullopt;
    return ec == std::errc{} ? v : 0;
}

}  // namespace

TrackedRead read_tracked_file(const std::string& path) {
    const auto failed = [&](std::string why) { return TrackedRead{0, std::move(why)}; };
    struct stat before {};
    if (::lstat(path.c_str(), &before) != 0) {
        if (errno == ENOENT) return {};  // missing: 0, as keepalived reads it
        return failed(last_error().message());
    }
    if (!S_ISREG(before.st_mode)) return failed(fmt::format("is {}", file_kind(before.st_mode)));
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return {};  // removed since the lstat
        return failed(errno == ELOOP ? "is a symbolic link" : last_error().message());
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return failed(fmt::format("is {}", file_kind(st.st_mode)));
    }
    std::array<char, kTrackedReadLimit> buf{};
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    const std::error_code ec = n < 0 ? last_error() : std::error_code{};
    ::close(fd);
    if (ec) return failed(ec.message());
    const auto v = leading_number({buf.data(), static_cast<std::size_t>(n)});
    if (!v) return failed("holds a number out of range");
    return {*v, {}};
}

std::error_code clear_stale_socket(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return {};
    if (!S_ISSOCK(st.st_mode)) return std::make_error_code(std::errc::file_exists);
    ::unlink(path.c_str());  // left by a previous run (the pid file says none is alive)
    return {};
}

std::error_code set_socket_access(const std::string& path, std::optional<gid_t> group,
                                  mode_t mode) {
    // Through an O_PATH descriptor of the socket itself: nothing planted at `path` (a
    // symlink to /etc/shadow, say) is followed, and what is changed is checked to be a socket.
    const int fd = ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return last_error();
    struct stat st {};
    std::error_code ec;
    if (::fstat(fd, &st) != 0) {
        ec = last_error();
    } else if (!S_ISSOCK(st.st_mode)) {
        ec = std::make_error_code(std::errc::not_a_socket);
    } else if (group && ::fchownat(fd, "", 0, *group, AT_EMPTY_PATH) != 0) {
        ec = last_error();
    } else if (::chmod(fmt::format("/proc/self/fd/{}", fd).c_str(), mode) != 0) {
        ec = last_error();  // (fchmod on an O_PATH descriptor is EBADF; this is glibc's way)
    }
    ::close(fd);
    return ec;
}

void remove_file(const std::string& path) {
    ::unlink(path.c_str());
}

Expected<std::string, std::string> read_secret_file(const std::string& path) {
    // Followed if a symlink (a credential may be linked into place); what is opened is checked.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return Unexpected{"cannot be opened: " + last_error().message()};
    struct stat st {};
    std::string why;
    if (::fstat(fd, &st) != 0) {
        why = "cannot be read: " + last_error().message();
    } else if (!S_ISREG(st.st_mode)) {
        why = fmt::format("is {}, not a regular file", file_kind(st.st_mode));
    } else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        why = fmt::format("is open to group or others (mode {:04o}): chmod 600 it",
                          st.st_mode & 07777U);
    } else if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        why = fmt::format("belongs to uid {}, not root", st.st_uid);
    } else if (static_cast<std::size_t>(st.st_size) > kSecretFileLimit) {
        why = fmt::format("is too large ({} bytes; a key is at most {})", st.st_size,
                          kSecretFileLimit);
    }
    if (!why.empty()) {
        ::close(fd);
        return Unexpected{why};
    }
    std::array<char, kSecretFileLimit + 1> buf{};
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    const auto ec = n < 0 ? last_error() : std::error_code{};
    ::close(fd);
    std::string out;
    if (!ec && static_cast<std::size_t>(n) <= kSecretFileLimit) {
        out.assign(buf.data(), static_cast<std::size_t>(n));
    }
    ::explicit_bzero(buf.data(), buf.size());
    if (ec) return Unexpected{"cannot be read: " + ec.message()};
    if (static_cast<std::size_t>(n) > kSecretFileLimit)
        return Unexpected{std::string("grew while read")};
    return out;
}

}  // namespace vipd::os
