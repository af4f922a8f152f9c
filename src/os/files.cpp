// Snapshot, notify FIFO, tracked files and the control socket's path, with the care each
// needs against a hostile directory or a stalled reader.
#include "vipd/os/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

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
    std::string text(line);
    text += '\n';
    std::error_code ec;
    if (::write(fd, text.data(), text.size()) < 0) ec = last_error();
    ::close(fd);
    return ec;
}

std::int64_t read_tracked_number(const std::string& path) {
    std::ifstream in(path);
    std::int64_t v = 0;
    if (!(in >> v)) v = 0;
    return v;
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
    if (group && ::chown(path.c_str(), 0, *group) != 0) return last_error();
    if (::chmod(path.c_str(), mode) != 0) return last_error();
    return {};
}

void remove_file(const std::string& path) {
    ::unlink(path.c_str());
}

}  // namespace vipd::os
