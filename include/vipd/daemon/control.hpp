// The control socket (vipctl's way in): a Unix stream socket speaking JSON lines. One
// request per line, one reply per line; only the socket's permissions grant access, and a
// malformed or oversized request gets an error reply without disturbing the daemon.
#pragma once

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>

namespace vipd {

inline constexpr std::size_t kMaxControlRequest = 64 * 1024;

// What the daemon answers with. Each returns the "result" of a successful reply.
struct ControlCommands {
    std::function<nlohmann::json()> status;
    // reload: {"applied": bool, "diagnostics": ["FILE:LINE: message", ...]}
    std::function<nlohmann::json()> reload;
};

// One request line in, one reply object out: {"ok": true, "result": ...} or
// {"ok": false, "error": "..."}. Never throws.
[[nodiscard]] nlohmann::json handle_control_request(std::string_view line,
                                                    const ControlCommands& commands);

class ControlServer {
public:
    ControlServer(boost::asio::io_context& io, ControlCommands commands,
                  std::shared_ptr<spdlog::logger> log);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Listens on `path` (mode 0660). A stale socket left by a crash is replaced; any
    // other kind of file there is an error.
    std::error_code listen(const std::string& path);

private:
    struct Session;
    void accept();

    boost::asio::io_context& io_;
    ControlCommands commands_;
    std::shared_ptr<spdlog::logger> log_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::string path_;
};

}  // namespace vipd
