// The control socket (vipctl's way in): a Unix stream socket speaking JSON lines. One
// request per line, one reply per line; only the socket's permissions grant access, and a
// malformed or oversized request gets an error reply without disturbing the daemon.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"

namespace vipd {

inline constexpr std::size_t kMaxControlRequest = 64 * 1024;

// A command's outcome: the "result" of a successful reply, or the error text.
using ControlResult = Expected<nlohmann::json, std::string>;
using ControlReply = std::function<void(ControlResult)>;

// What the daemon does for each command, with the request's arguments already validated.
// Each answers through `reply`, at once or later (a handover waits for the successor);
// `reply` may be called from within the call.
class ControlApi {
public:
    virtual ~ControlApi() = default;
    virtual void status(ControlReply reply) = 0;
    // {"applied": bool, "diagnostics": ["FILE:LINE: message", ...]}; not applied = not ok.
    virtual void reload(ControlReply reply) = 0;
    virtual void stats(bool clear, ControlReply reply) = 0;
    // The Prometheus text exposition, as a JSON string.
    virtual void metrics(ControlReply reply) = 0;
    virtual void handover(const std::string& instance, std::optional<IpAddress> to,
                          ControlReply reply) = 0;
    // nullopt: back to the configured priority.
    virtual void set_priority(const std::string& instance, std::optional<Priority> priority,
                              ControlReply reply) = 0;
    virtual void maintenance(const std::string& instance, bool on, ControlReply reply) = 0;
};

// The commands and their arguments, for error messages and vipctl(8):
//   {"command":"status"} {"command":"reload"} {"command":"ping"} {"command":"metrics"}
//   {"command":"stats", "clear":false}
//   {"command":"handover", "instance":"web", "to":"192.0.2.12"}  ("to" optional)
//   {"command":"set-priority", "instance":"web", "priority":150}  (null: configured)
//   {"command":"maintenance", "instance":"web", "on":true}
inline constexpr std::string_view kControlCommands =
    "status, reload, stats, metrics, handover, set-priority, maintenance, ping";

// One request line in, one reply object out (through `reply`, exactly once):
// {"ok": true, "result": ...} or {"ok": false, "error": "..."}. A malformed request is
// answered without calling `api`. Never throws.
void handle_control_request(std::string_view line, ControlApi& api,
                            const std::function<void(nlohmann::json)>& reply);

class ControlServer {
public:
    // `api` must outlive the server.
    ControlServer(boost::asio::io_context& io, ControlApi& api,
                  std::shared_ptr<spdlog::logger> log);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Listens on `path` (mode 0660, group `group` if given). A stale socket left by a crash
    // is replaced; any other kind of file there is an error.
    std::error_code listen(const std::string& path, std::optional<gid_t> group = std::nullopt);

private:
    struct Session;
    void accept();

    boost::asio::io_context& io_;
    ControlApi& api_;
    std::shared_ptr<spdlog::logger> log_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::string path_;
};

}  // namespace vipd
