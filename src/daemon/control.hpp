// The control socket (vipctl's way in): a Unix stream socket speaking JSON lines. One
// request per line, one reply per line. The socket's permissions decide who may connect;
// the caller's credentials (from the kernel) decide who may change anything: reading is for
// everyone connected, changing state for root and control_admin_group, and every change
// asked for is logged with the caller's uid and pid. A malformed or oversized request gets
// an error reply without disturbing the daemon; connections are capped and idle or slow
// ones closed, so local clients cannot use up vipd's descriptors.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "rate_limiter.hpp"
#include "vipd/config/model.hpp"
#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/os/peer.hpp"

namespace vipd {

inline constexpr std::size_t kMaxControlRequest = 64 * 1024;

// Who sent a request, as the kernel saw it connect, and what that caller may do.
struct ControlCaller {
    uid_t uid = 0;
    pid_t pid = 0;
    bool may_change = true;  // root, or a member of control_admin_group
};

// The caller the kernel reports (SO_PEERCRED, SO_PEERGROUPS): uid 0, or a member of
// `admin_group` by its primary or a supplementary group, may change state.
[[nodiscard]] ControlCaller control_caller(const os::PeerCredentials& cred,
                                           std::optional<gid_t> admin_group);

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
    // Without `level`, what is logged now; with it, sets the level (and with it every debug
    // category on or off) or, with `category`, that category alone (on at debug, else off).
    // {"level": "info", "debug": ["packets", ...]}.
    virtual void log_level(std::optional<config::LogLevel> level,
                           std::optional<config::DebugCategory> category, ControlReply reply) = 0;
    // A state-changing request, before it runs (`allowed`) or instead (refused): what was
    // asked ("handover web to 192.0.2.12") and by whom, for the log.
    virtual void audit(const ControlCaller& caller, const std::string& request, bool allowed) = 0;
};

// The commands and their arguments, for error messages and vipctl(8):
//   {"command":"status"} {"command":"reload"} {"command":"ping"} {"command":"metrics"}
//   {"command":"stats", "clear":false}
//   {"command":"handover", "instance":"web", "to":"192.0.2.12"}  ("to" optional)
//   {"command":"set-priority", "instance":"web", "priority":150}  (null: configured)
//   {"command":"maintenance", "instance":"web", "on":true}
//   {"command":"log-level", "level":"debug", "category":"packets"}  (both optional)
inline constexpr std::string_view kControlCommands =
    "status, reload, stats, metrics, handover, set-priority, maintenance, log-level, ping";

// Read-only: status, metrics, stats, ping, log-level without a level. State-changing (root
// or control_admin_group): reload, handover, set-priority, maintenance, stats with "clear",
// and log-level with a level.

// One request line in, one reply object out (through `reply`, exactly once):
// {"ok": true, "result": ...} or {"ok": false, "error": "..."}. A malformed request, or a
// state-changing one from a caller who may not change anything, is answered without
// reaching the daemon (a refused one is audited). Never throws.
void handle_control_request(std::string_view line, ControlApi& api, const ControlCaller& caller,
                            const std::function<void(nlohmann::json)>& reply);

// How many connections the server keeps and for how long. A client is expected to send its
// request as soon as it connects (vipctl does) and to read the reply at once.
struct ControlLimits {
    std::size_t max_sessions = 32;             // beyond: the longest idle one is closed
    std::chrono::milliseconds idle{10'000};    // no (complete) request for this long: closed
    std::chrono::milliseconds writing{5'000};  // a reply not taken within this: closed
};

class ControlServer {
public:
    // `api` must outlive the server.
    ControlServer(boost::asio::io_context& io, ControlApi& api, std::shared_ptr<spdlog::logger> log,
                  ControlLimits limits = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Listens on `path` (mode 0660, group `group` if given). A stale socket left by a crash
    // is replaced; any other kind of file there is an error.
    std::error_code listen(const std::string& path, std::optional<gid_t> group = std::nullopt);
    // Whose members (besides root) may change state, for connections accepted from now on.
    void set_admin_group(std::optional<gid_t> group) { admin_group_ = group; }

private:
    struct Session;
    struct Registry;
    void accept();
    void admit(boost::asio::local::stream_protocol::socket socket);

    ControlApi& api_;
    std::shared_ptr<spdlog::logger> log_;
    ControlLimits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::string path_;
    std::optional<gid_t> admin_group_;
    std::shared_ptr<Registry> registry_;  // shared with the sessions, which may outlive us
    RateLimiter busy_log_{0.1, 1};        // "connection limit reached": once per 10 s
};

}  // namespace vipd
