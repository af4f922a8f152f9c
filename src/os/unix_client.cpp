// A blocking request/reply over AF_UNIX with a receive timeout (SO_RCVTIMEO).
#include "vipd/os/unix_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace vipd::os {

Expected<std::string, std::string> exchange_line(const std::string& path, std::string_view line,
                                                 double timeout_seconds) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) {
        return Unexpected(fmt::format("bad control socket path {}", path));
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Unexpected(fmt::format("socket: {}", std::strerror(errno)));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        const int err = errno;
        ::close(fd);
        return Unexpected(
            fmt::format("cannot reach vipd at {}: {} (is vipd running? --socket PATH)", path,
                        std::strerror(err)));
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_seconds);
    tv.tv_usec = static_cast<suseconds_t>((timeout_seconds - static_cast<double>(tv.tv_sec)) * 1e6);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string request(line);
    request += '\n';
    std::string reply;
    bool ok = ::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size());
    char buf[4096];
    while (ok && reply.find('\n') == std::string::npos) {
        const ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ::close(fd);
            return Unexpected(
                fmt::format("no reply from vipd within {} s (--timeout)", timeout_seconds));
        }
        if (n <= 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!ok || reply.find('\n') == std::string::npos) {
        return Unexpected(fmt::format("no valid reply from vipd at {}", path));
    }
    reply.resize(reply.find('\n'));
    return reply;
}

}  // namespace vipd::os
