// Scripts started by a process of their own, the launcher (vipd(8), SECURITY): vipd forks it
// before it reads anything from the network or the control socket, and afterwards keeps
// only the capabilities it uses itself. Both ends of their link (a SOCK_SEQPACKET pair):
// the daemon's RemoteRunner, the launcher's LauncherServer, and the messages between them.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "vipd/core/expected.hpp"
#include "vipd/os/process.hpp"

namespace vipd::os {

// Why a run through the launcher did not start, apart from the script's own errors: the
// launcher refused it (not a command of the configuration it read), or it has gone.
// Neither is a result of the check.
enum class LauncherError { Refused = 1, Lost };
[[nodiscard]] const std::error_category& launcher_category();
[[nodiscard]] std::error_code make_error_code(LauncherError e);

struct LauncherRequest {
    enum class Kind : std::uint8_t { Run = 1, Cancel, Reload };
    Kind kind = Kind::Run;
    RunId id = 0;
    ScriptSpec spec;  // Run only
};
struct LauncherReply {
    RunId id = 0;
    ScriptResult result;
};

// The messages as bytes. Decoding checks every length against what is left and rejects
// trailing bytes, unknown kinds and outcomes: a request is the launcher's untrusted input.
[[nodiscard]] std::string encode(const LauncherRequest& request);
[[nodiscard]] std::optional<LauncherRequest> decode_request(std::string_view bytes);
[[nodiscard]] std::string encode(const LauncherReply& reply);
[[nodiscard]] std::optional<LauncherReply> decode_reply(std::string_view bytes);

// The daemon's end: each run is a request, each result a reply. `lost` runs once, on the
// loop, when the launcher has gone; every run then in flight, and every later one, fails to
// start with LauncherError::Lost.
class RemoteRunner final : public ScriptRunner {
public:
    RemoteRunner(boost::asio::io_context& io, int fd, std::function<void()> lost);  // owns fd
    ~RemoteRunner() override;  // closing the link makes the launcher stop its scripts and exit
    RemoteRunner(const RemoteRunner&) = delete;
    RemoteRunner& operator=(const RemoteRunner&) = delete;

    RunId run(const ScriptSpec& spec, std::function<void(ScriptResult)> done) override;
    void cancel(RunId id) override;
    // The launcher reads the configuration again; runs asked for later are checked against it.
    void reload();

private:
    std::error_code send(const LauncherRequest& request);
    void wait_replies();
    void read_replies();
    void lose();
    boost::asio::io_context& io_;
    boost::asio::posix::stream_descriptor socket_;
    std::function<void()> lost_;
    bool gone_ = false;
    RunId last_id_ = 0;
    std::map<RunId, std::function<void(ScriptResult)>> pending_;
    std::vector<char> buffer_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // for results posted
};

// The launcher's end: runs what the policy allows through `runner` and reports back. When the
// daemon closes the link, the loop is stopped (destroying `runner` then kills what still runs).
struct LauncherPolicy {
    // Why `spec` may not run, or nullopt.
    std::function<std::optional<std::string>(const ScriptSpec&)> refusal;
    std::function<void()> reload;
};
class LauncherServer {
public:
    LauncherServer(boost::asio::io_context& io, int fd, ScriptRunner& runner,
                   LauncherPolicy policy);  // owns fd
    void start();
    [[nodiscard]] std::uint64_t malformed() const { return malformed_; }

private:
    void wait_requests();
    void read_requests();
    void handle(LauncherRequest request);
    void reply(RunId id, const ScriptResult& result);
    boost::asio::io_context& io_;
    boost::asio::posix::stream_descriptor socket_;
    ScriptRunner& runner_;
    LauncherPolicy policy_;
    std::map<RunId, RunId> running_;  // the daemon's id -> the runner's
    std::uint64_t malformed_ = 0;
    std::vector<char> buffer_;
};

// Forks a process that runs `child_main(fd)` on its end of a new link and exits with what it
// returns; the caller gets the child's pid and its own end.
[[nodiscard]] Expected<std::pair<pid_t, int>, std::error_code> fork_launcher(
    const std::function<int(int fd)>& child_main);

}  // namespace vipd::os

template <>
struct std::is_error_code_enum<vipd::os::LauncherError> : std::true_type {};
