// Running health-check and notify scripts: posix_spawn'ed in their own process group, stdin
// from /dev/null, output captured up to a bound, a minimal environment, an optional drop to
// another user, and a timeout that kills the whole group. Completion is reported on the
// event loop (pidfd), never by blocking or by SIGCHLD.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "vipd/core/expected.hpp"
#include "vipd/core/types.hpp"

namespace vipd::os {

struct UserIds {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct ScriptSpec {
    std::vector<std::string> argv;  // argv[0]: an absolute path
    std::optional<UserIds> user;    // run as this user; nullopt = as vipd itself
    Duration timeout = std::chrono::seconds{5};
    std::vector<std::string> env;     // extra "KEY=VALUE" entries beyond the minimal PATH
    std::size_t output_limit = 4096;  // bytes of stdout+stderr kept; the rest is discarded
};

struct ScriptResult {
    enum class Outcome : std::uint8_t { Exited, Signaled, TimedOut, SpawnFailed };
    Outcome outcome = Outcome::SpawnFailed;
    int exit_code = -1;  // Exited
    int signal = 0;      // Signaled
    std::string output;  // truncated to output_limit
    bool output_truncated = false;
    Duration run_time{};
    std::error_code error;  // SpawnFailed
    [[nodiscard]] bool success() const { return outcome == Outcome::Exited && exit_code == 0; }
    [[nodiscard]] std::string describe() const;  // "exit 1", "killed by signal 9", "timed out"
};

// Names one run, for cancel(); 0 is no run.
using RunId = std::uint64_t;

class ScriptRunner {
public:
    virtual ~ScriptRunner() = default;
    // Starts `spec`; `done` runs exactly once, on the event loop, unless the runner is
    // destroyed or the run cancelled first (then the process group is killed and `done` is
    // not called).
    virtual RunId run(const ScriptSpec& spec, std::function<void(ScriptResult)> done) = 0;
    // Kills the run's process group if it still runs; `done` is not called. Unknown or
    // finished runs are ignored.
    virtual void cancel(RunId id) = 0;
};

class ProcessRunner final : public ScriptRunner {
public:
    // At most `max_children` run at once; beyond that a run fails to start (EAGAIN).
    static constexpr std::size_t kMaxChildren = 64;
    explicit ProcessRunner(boost::asio::io_context& io, std::size_t max_children = kMaxChildren);
    ~ProcessRunner() override;  // kills every process group still running
    ProcessRunner(const ProcessRunner&) = delete;
    ProcessRunner& operator=(const ProcessRunner&) = delete;

    RunId run(const ScriptSpec& spec, std::function<void(ScriptResult)> done) override;
    void cancel(RunId id) override;
    [[nodiscard]] std::size_t running() const;

private:
    struct Child;
    boost::asio::io_context& io_;
    std::size_t max_children_;
    RunId last_id_ = 0;
    std::vector<std::shared_ptr<Child>> children_;
};

// Why `path` is unsafe to run as a script for a daemon running as root, or nullopt if it
// is safe: the file and every directory above it must be owned by root or `allowed_uid`
// and not writable by group or others (a directory with the sticky bit may be
// world-writable only if the next component is owned by root or `allowed_uid`); the file
// must be a regular executable file. The reason names the offending path.
// An `Input` (a file a program reads, such as the script handed to /bin/sh) need not be
// executable; a `Program` must.
// A `Tracked` file (track_files) is read, never run: see insecure_tracked_file_reason.
enum class PathUse : std::uint8_t { Program, Input, Tracked };
[[nodiscard]] std::optional<std::string> insecure_path_reason(const std::string& path,
                                                              uid_t allowed_uid,
                                                              PathUse use = PathUse::Program);

// The same rules for a whole command line, since each of these runs as the script user:
// the program, the interpreter its `#!` line names, and every argument that names an
// existing regular file ("/bin/sh /srv/check.sh"; a relative one from the working
// directory). An argument that starts with '-' or names nothing is not a path.
// A program env(1) finds through the scripts' PATH ("/usr/bin/env python3 check.py", or a
// "#!/usr/bin/env bash" line) is checked where it is found, and no PATH directory before
// that may let anyone else put a program of that name first.
inline constexpr std::string_view kScriptPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
[[nodiscard]] std::optional<std::string> insecure_command_reason(
    const std::vector<std::string>& argv, uid_t allowed_uid,
    std::string_view search_path = kScriptPath);

// Why a tracked file's path lets someone other than root decide what vipd reads there, or
// nullopt: every directory on the way must pass the rules above (so nobody else can replace
// the file, or create it while it is missing); the file, if it exists, must be a regular
// file and not a symbolic link. Who may write the file itself is the operator's choice.
// `trusted_uid` is trusted beside root (tests run unprivileged with their own uid).
[[nodiscard]] std::optional<std::string> insecure_tracked_file_reason(const std::string& path,
                                                                      uid_t trusted_uid = 0);

// getpwnam(): the user's uid and primary gid, or an error text.
[[nodiscard]] Expected<UserIds, std::string> lookup_user(std::string_view name);

}  // namespace vipd::os
