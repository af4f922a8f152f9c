// Health-check and notify scripts: posix_spawn into a fresh process group with a clean signal
// state, a minimal environment and one pipe for stdout+stderr. Completion comes from a pidfd on
// the event loop; the script's exit, a timeout, or the runner's destruction kills the group.
#include "vipd/os/process.hpp"

#include "nss.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <climits>
#include <deque>
#include <filesystem>
#include <utility>

namespace vipd::os {
namespace {

// The only environment a script inherits besides spec.env: vipd's own (NOTIFY_SOCKET,
// INVOCATION_ID, whatever systemd or an operator's shell left) is not the script's business.
const std::string kPath = "PATH=" + std::string(kScriptPath);

// Changes user without a fork of our own (util-linux, always present on Debian).
constexpr const char* kSetpriv = "/usr/bin/setpriv";

// Bytes read per wakeup before yielding to the loop, so a chatty script can't starve it.
constexpr std::size_t kReadPerWakeup = 64 * 1024;

std::error_code last_error() {
    return {errno, std::system_category()};
}

std::error_code spawn_error(int rc) {
    return {rc, std::system_category()};
}

class UniqueFd {
public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

// The child's 0/1/2 are set up by dup2; if vipd was started with one of them closed, a pipe end
// could itself land on 0..2 and be clobbered by those dup2s. Move it out of the way.
std::error_code above_stdio(UniqueFd& fd) {
    if (fd.get() > STDERR_FILENO) return {};
    const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) return last_error();
    fd.reset(moved);
    return {};
}

struct FileActions {
    posix_spawn_file_actions_t fa;
    FileActions() { ::posix_spawn_file_actions_init(&fa); }
    ~FileActions() { ::posix_spawn_file_actions_destroy(&fa); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
};

struct SpawnAttr {
    posix_spawnattr_t attr;
    SpawnAttr() { ::posix_spawnattr_init(&attr); }
    ~SpawnAttr() { ::posix_spawnattr_destroy(&attr); }
    SpawnAttr(const SpawnAttr&) = delete;
    SpawnAttr& operator=(const SpawnAttr&) = delete;
};

std::error_code set_up_file_actions(posix_spawn_file_actions_t* fa, int write_end) {
    if (int rc = ::posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0))
        return spawn_error(rc);
    if (int rc = ::posix_spawn_file_actions_adddup2(fa, write_end, STDOUT_FILENO))
        return spawn_error(rc);
    if (int rc = ::posix_spawn_file_actions_adddup2(fa, write_end, STDERR_FILENO))
        return spawn_error(rc);
    // Both pipe ends (the dup2s above made the copies that matter), and any descriptor a
    // library opened without O_CLOEXEC: a script must not inherit vipd's sockets.
    if (int rc = ::posix_spawn_file_actions_addclosefrom_np(fa, STDERR_FILENO + 1))
        return spawn_error(rc);
    return {};
}

std::error_code set_up_attr(posix_spawnattr_t* attr) {
    // Own process group (so a timeout can kill the script's children too), no blocked signals
    // and default dispositions for all (vipd blocks the signals its signal_set handles and
    // ignores SIGPIPE; a script inheriting either misbehaves in ways nobody can debug).
    const auto flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (int rc = ::posix_spawnattr_setflags(attr, static_cast<short>(flags)))
        return spawn_error(rc);
    if (int rc = ::posix_spawnattr_setpgroup(attr, 0)) return spawn_error(rc);
    sigset_t none;
    sigemptyset(&none);
    if (int rc = ::posix_spawnattr_setsigmask(attr, &none)) return spawn_error(rc);
    // (glibc leaves its two internal signals, 32 and 33, ignored: sigfillset can't name them.
    // glibc programs re-arm those themselves.)
    sigset_t all;
    sigfillset(&all);
    if (int rc = ::posix_spawnattr_setsigdefault(attr, &all)) return spawn_error(rc);
    return {};
}

// SIGKILL first, while the unreaped child still holds its pid and so its group id. The pid
// alone too if the group is gone: the waitpid below must not wait on a live process.
void kill_and_reap(pid_t pid) {
    if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

// glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ can't link against its pidfd_open();
// the raw syscall has been there since Linux 5.3.
int open_pidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U));
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::string ScriptResult::describe() const {
    switch (outcome) {
        case Outcome::Exited:
            return fmt::format("exit {}", exit_code);
        case Outcome::Signaled:
            return fmt::format("killed by signal {}", signal);
        case Outcome::TimedOut:
            return fmt::format(
                "timed out after {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(run_time).count());
        case Outcome::SpawnFailed:
            return fmt::format("could not start: {}", error.message());
    }
    return "unknown outcome";
}

// One script from spawn to report. Handlers hold a shared_ptr to it; `runner` is cleared
// when the result has been reported or the runner is destroyed, and every handler checks it
// before touching anything else.
struct ProcessRunner::Child : std::enable_shared_from_this<Child> {
    Child(boost::asio::io_context& io, ProcessRunner* owner)
        : runner(owner), pidfd(io), pipe(io), timer(io) {}

    ProcessRunner* runner;
    RunId id = 0;
    std::function<void(ScriptResult)> done;
    pid_t pid = -1;  // also the process group id; -1 once reaped
    boost::asio::posix::stream_descriptor pidfd;
    boost::asio::posix::stream_descriptor pipe;  // our (non-blocking) read end
    boost::asio::steady_timer timer;
    TimePoint started;
    std::size_t output_limit = 0;
    bool timeout_fired = false;
    ScriptResult result;

    std::error_code spawn(const ScriptSpec& spec);
    void watch(Duration timeout);
    void wait_output();
    bool read_output(std::size_t max_bytes);
    void on_exit();
    void finish();
    void abandon();
};

std::error_code ProcessRunner::Child::spawn(const ScriptSpec& spec) {
    // posix_spawn would resolve a relative path against vipd's working directory.
    if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0].front() != '/') {
        return std::make_error_code(std::errc::invalid_argument);
    }
    std::vector<std::string> args;
    if (spec.user) {
        // setpriv would report a missing script as "exit 127"; say it the way a direct spawn
        // does, so a typo in the config reads the same with or without a script user.
        struct stat st {};
        if (::stat(spec.argv[0].c_str(), &st) != 0) return last_error();
        // --init-groups: the user's supplementary groups, as a login would have them.
        // --inh-caps=-all: the kernel clears permitted/effective/ambient caps on the uid change
        // but not inheritable ones, which file capabilities could turn back into privileges.
        // The bounding set is left alone: emptying it makes execve fail (EPERM) for binaries
        // with effective file capabilities, such as Debian's /usr/bin/ping.
        args = {kSetpriv,
                fmt::format("--reuid={}", spec.user->uid),
                fmt::format("--regid={}", spec.user->gid),
                "--init-groups",
                "--inh-caps=-all",
                "--"};
    }
    args.insert(args.end(), spec.argv.begin(), spec.argv.end());
    std::vector<std::string> env{kPath};
    env.insert(env.end(), spec.env.begin(), spec.env.end());
    auto argv = c_strings(args);
    auto envp = c_strings(env);

    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) return last_error();
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    if (auto ec = above_stdio(read_end)) return ec;
    if (auto ec = above_stdio(write_end)) return ec;
    // Only our end: the script's stdout must stay blocking.
    if (::fcntl(read_end.get(), F_SETFL, O_NONBLOCK) != 0) return last_error();

    FileActions actions;
    if (auto ec = set_up_file_actions(&actions.fa, write_end.get())) return ec;
    SpawnAttr attr;
    if (auto ec = set_up_attr(&attr.attr)) return ec;

    pid_t child = -1;
    // glibc's posix_spawn (CLONE_VFORK) reports exec failures such as ENOENT here.
    const int rc =
        ::posix_spawn(&child, argv[0], &actions.fa, &attr.attr, argv.data(), envp.data());
    if (rc != 0) return spawn_error(rc);
    write_end.reset(-1);  // or we would never see EOF

    // pidfd_open on an unreaped child can't race with pid reuse. (vipd must not set SIGCHLD to
    // SIG_IGN, or the kernel would reap behind our back.)
    UniqueFd pid_fd(open_pidfd(child));
    boost::system::error_code ec;
    if (pid_fd.get() < 0) {
        ec.assign(errno, boost::system::system_category());
    } else {
        pidfd.assign(pid_fd.get(), ec);
        if (!ec) pid_fd.release();
    }
    if (!ec) {
        pipe.assign(read_end.get(), ec);
        if (!ec) read_end.release();
    }
    if (ec) {
        kill_and_reap(child);
        return {ec.value(), std::system_category()};
    }
    pid = child;
    return {};
}

void ProcessRunner::Child::watch(Duration timeout) {
    auto self = shared_from_this();
    pidfd.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     [self](const boost::system::error_code& ec) {
                         if (self->runner == nullptr || ec) return;
                         self->on_exit();
                     });
    wait_output();
    timer.expires_after(timeout);
    timer.async_wait([self](const boost::system::error_code& ec) {
        if (self->runner == nullptr || ec) return;
        // The whole group: `sh -c 'a & b'` must leave nothing behind. The pidfd then reports
        // the exit and on_exit reaps. The pid is still unreaped here (on_exit would have
        // cleared `runner`), so the group id can't have been recycled.
        self->timeout_fired = true;
        ::kill(-self->pid, SIGKILL);
    });
}

// Readiness only, then read() ourselves: an async_read_some could hold bytes in its buffer
// (completed, handler queued) while on_exit drains the pipe, and lose or reorder them.
void ProcessRunner::Child::wait_output() {
    auto self = shared_from_this();
    pipe.async_wait(boost::asio::posix::descriptor_base::wait_read,
                    [self](const boost::system::error_code& ec) {
                        if (self->runner == nullptr || ec) return;
                        if (self->read_output(kReadPerWakeup)) self->wait_output();
                    });
}

// Reads up to max_bytes; false once the pipe is at EOF or broken. Beyond output_limit the
// bytes are read and dropped, so the script never blocks on a full pipe.
bool ProcessRunner::Child::read_output(std::size_t max_bytes) {
    std::array<char, 16384> buf{};
    std::size_t total = 0;
    while (total < max_bytes) {
        const ssize_t n = ::read(pipe.native_handle(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
        if (n == 0) return false;
        const auto got = static_cast<std::size_t>(n);
        total += got;
        const std::size_t room = output_limit - std::min(output_limit, result.output.size());
        result.output.append(buf.data(), std::min(room, got));
        if (got > room) result.output_truncated = true;
    }
    return true;
}

void ProcessRunner::Child::on_exit() {
    // Peek without reaping: the zombie keeps the pid, and so the process group id, ours.
    siginfo_t info{};
    const int peek = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (peek == 0 && info.si_pid == 0) {
        // Not exited after all (pidfd readiness should rule this out): wait again.
        auto self = shared_from_this();
        pidfd.async_wait(boost::asio::posix::descriptor_base::wait_read,
                         [self](const boost::system::error_code& ec) {
                             if (self->runner == nullptr || ec) return;
                             self->on_exit();
                         });
        return;
    }
    // The script is done; whatever it left running in its group goes too. Otherwise a
    // background child holding the pipe would delay the result until it exits, if ever.
    // (If the peek failed, someone else reaped it and the group id may already be recycled.)
    if (peek == 0) ::kill(-pid, SIGKILL);
    int status = 0;
    pid_t reaped = -1;
    do {
        reaped = ::waitpid(pid, &status, 0);  // a zombie: does not block
    } while (reaped < 0 && errno == EINTR);
    result.run_time = Clock::now() - started;
    pid = -1;
    if (reaped < 0) {
        // Reaped by someone else (SIGCHLD ignored, or a stray waitpid(-1)): status unknown.
        result.outcome = ScriptResult::Outcome::Exited;
        result.exit_code = -1;
        result.error = last_error();
    } else if (WIFEXITED(status)) {
        result.outcome = ScriptResult::Outcome::Exited;
        result.exit_code = WEXITSTATUS(status);
    } else if (timeout_fired && WTERMSIG(status) == SIGKILL) {
        result.outcome = ScriptResult::Outcome::TimedOut;
    } else {
        result.outcome = ScriptResult::Outcome::Signaled;
        result.signal = WTERMSIG(status);
    }
    // What the script wrote is in the pipe already; take what is buffered now and stop. A
    // writer that escaped the group (setsid) could otherwise keep us reading forever.
    int buffered = 0;
    if (::ioctl(pipe.native_handle(), FIONREAD, &buffered) == 0 && buffered > 0) {
        read_output(static_cast<std::size_t>(buffered));
    }
    finish();
}

void ProcessRunner::Child::finish() {
    ProcessRunner* owner = std::exchange(runner, nullptr);
    if (owner == nullptr) return;
    abandon();
    auto self = shared_from_this();  // erase below may drop the last other reference
    std::erase(owner->children_, self);
    auto callback = std::move(done);
    done = nullptr;
    // Last: `callback` may destroy the runner or start another script.
    if (callback) callback(std::move(result));
}

// Kills and reaps a still-running script and cancels every pending wait.
void ProcessRunner::Child::abandon() {
    runner = nullptr;
    if (pid > 0) kill_and_reap(std::exchange(pid, -1));
    boost::system::error_code ignored;
    timer.cancel();
    pidfd.close(ignored);
    pipe.close(ignored);
}

ProcessRunner::ProcessRunner(boost::asio::io_context& io, std::size_t max_children)
    : io_(io), max_children_(max_children) {}

ProcessRunner::~ProcessRunner() {
    for (auto& child : children_) {
        child->done = nullptr;
        child->abandon();
    }
}

RunId ProcessRunner::run(const ScriptSpec& spec, std::function<void(ScriptResult)> done) {
    auto child = std::make_shared<Child>(io_, this);
    child->id = ++last_id_;
    child->done = std::move(done);
    child->output_limit = spec.output_limit;
    child->started = Clock::now();
    children_.push_back(child);
    // One cap on vipd's children, whatever asks (checks, notifications): a storm of them
    // cannot exhaust the process table or descriptors. Refused runs are vipd's own
    // failure to start (EAGAIN), which a health check does not count against the service.
    const auto ec = children_.size() > max_children_
                        ? std::make_error_code(std::errc::resource_unavailable_try_again)
                        : child->spawn(spec);
    if (ec) {
        child->result.outcome = ScriptResult::Outcome::SpawnFailed;
        child->result.error = ec;
        // Never from inside run(): the caller may be halfway through updating its own state.
        boost::asio::post(io_, [child] { child->finish(); });
        return child->id;
    }
    child->watch(spec.timeout);
    return child->id;
}

void ProcessRunner::cancel(RunId id) {
    const auto it = std::find_if(children_.begin(), children_.end(),
                                 [&](const auto& c) { return c->id == id; });
    if (it == children_.end()) return;
    const auto child = *it;
    children_.erase(it);
    child->done = nullptr;
    child->abandon();  // killed and reaped; its pending handlers see no runner
}

std::size_t ProcessRunner::running() const {
    return children_.size();
}

namespace {

std::deque<std::string> components(std::string_view path) {
    std::deque<std::string> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        const auto slash = path.find('/', pos);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (end > pos) out.emplace_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

const char* writable_by(mode_t mode) {
    return (mode & S_IWOTH) != 0 ? "others" : "group";
}

std::optional<std::string> path_reason(const std::string& path, uid_t allowed_uid, PathUse use,
                                       const std::string& what);

}  // namespace

// Resolves the path one component at a time, the way the kernel will at exec, and checks each
// directory against the entry looked up in it. Checking only realpath()'s result would miss a
// symlink sitting in a directory others can write to: they could re-point it.
std::optional<std::string> insecure_path_reason(const std::string& path, uid_t allowed_uid,
                                                PathUse use) {
    return path_reason(path, allowed_uid, use, "script " + path);
}

std::optional<std::string> insecure_tracked_file_reason(const std::string& path,
                                                        uid_t trusted_uid) {
    return path_reason(path, trusted_uid, PathUse::Tracked, "tracked file " + path);
}

namespace {

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t begin = 0;
    while (begin < text.size()) {
        while (begin < text.size() && (text[begin] == ' ' || text[begin] == '\t'))
            ++begin;
        std::size_t end = begin;
        while (end < text.size() && text[end] != ' ' && text[end] != '\t')
            ++end;
        if (end > begin) words.emplace_back(text.substr(begin, end - begin));
        begin = end;
    }
    return words;
}

// The words of a `#!` line at the start of `program` (the interpreter, then what the kernel
// passes it as one argument, split here), if any (the kernel reads at most 256 bytes).
std::vector<std::string> shebang_words(const std::string& program) {
    const int fd = ::open(program.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return {};
    std::array<char, 256> head{};
    const ssize_t n = ::read(fd, head.data(), head.size());
    ::close(fd);
    if (n < 2 || head[0] != '#' || head[1] != '!') return {};
    std::string_view line(head.data() + 2, static_cast<std::size_t>(n) - 2);
    return split_words(line.substr(0, line.find('\n')));
}

// The program env(1) runs, given env's arguments, and where env will look for it.
struct EnvProgram {
    std::string name;
    std::optional<std::string> search_path;  // PATH=... given to env; unset after -i
};

// The first word that is neither an option (nor the value of -u/-C) nor a NAME=VALUE
// assignment; -S / --split-string words are split and read on.
std::optional<EnvProgram> env_program(std::span<const std::string> words,
                                      std::optional<std::string> search_path = std::nullopt) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& w = words[i];
        if (w == "-u" || w == "-C" || w == "--unset" || w == "--chdir") {
            ++i;
        } else if (w == "-i" || w == "-" || w == "--ignore-environment") {
            search_path = "/bin:/usr/bin";  // glibc's execvp without PATH
        } else if (w == "-S" || w == "--split-string") {
            if (i + 1 < words.size() && words[i + 1].find(' ') != std::string::npos) {
                const auto split = split_words(words[i + 1]);
                std::vector<std::string> rest(split);
                rest.insert(rest.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 2,
                            words.end());
                return env_program(rest, search_path);
            }
        } else if (w.starts_with("--split-string=") || (w.starts_with("-S") && w.size() > 2)) {
            const auto split = split_words(
                w.substr(w.starts_with("-S") ? 2 : std::string_view("--split-string=").size()));
            std::vector<std::string> rest(split);
            rest.insert(rest.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                        words.end());
            return env_program(rest, search_path);
        } else if (w.starts_with("PATH=")) {
            search_path = w.substr(5);
        } else if (!w.starts_with('-') && w.find('=') == std::string::npos) {
            return EnvProgram{w, search_path};
        }
    }
    return std::nullopt;
}

// `name` as execvp finds it in `search_path`: checked where found, and every directory
// searched before must not let anyone else create it there (as a missing tracked file).
std::optional<std::string> path_program_reason(const std::string& name, uid_t allowed_uid,
                                               std::string_view search_path,
                                               const std::string& what) {
    if (name.find('/') != std::string::npos) {
        return path_reason(name, allowed_uid, PathUse::Program, what);
    }
    std::size_t start = 0;
    while (start <= search_path.size()) {
        const auto colon = std::min(search_path.find(':', start), search_path.size());
        const std::string dir(search_path.substr(start, colon - start));
        start = colon + 1;
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0) {
            return path_reason(candidate, allowed_uid, PathUse::Program,
                               fmt::format("{} ({})", what, candidate));
        }
        if (auto why = path_reason(candidate, allowed_uid, PathUse::Tracked,
                                   fmt::format("{} (searched in {})", what, dir))) {
            return why;
        }
    }
    return std::nullopt;  // found nowhere: it fails to start, a failed check
}

bool is_env(const std::string& program) {
    return std::filesystem::path(program).filename() == "env";
}

}  // namespace

std::optional<std::string> insecure_command_reason(const std::vector<std::string>& argv,
                                                   uid_t allowed_uid,
                                                   std::string_view search_path) {
    if (argv.empty()) return "empty command";
    if (auto why = insecure_path_reason(argv.front(), allowed_uid)) return why;
    if (const auto words = shebang_words(argv.front()); !words.empty()) {
        const auto& interpreter = words.front();
        if (auto why =
                path_reason(interpreter, allowed_uid, PathUse::Program,
                            fmt::format("interpreter {} of {}", interpreter, argv.front()))) {
            return why;
        }
        if (is_env(interpreter)) {
            if (const auto program = env_program(std::span(words).subspan(1))) {
                if (auto why = path_program_reason(
                        program->name, allowed_uid,
                        (program->search_path ? std::string_view(*program->search_path)
                                              : search_path),
                        fmt::format("interpreter {} of {}", program->name, argv.front()))) {
                    return why;
                }
            }
        }
    }
    if (is_env(argv.front())) {
        if (const auto program = env_program(std::span(argv).subspan(1))) {
            if (auto why = path_program_reason(
                    program->name, allowed_uid,
                    (program->search_path ? std::string_view(*program->search_path) : search_path),
                    "program " + program->name + " run by env")) {
                return why;
            }
        }
    }
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const auto& arg = argv[i];
        if (arg.empty() || arg.front() == '-') continue;
        std::error_code ec;
        const auto path = std::filesystem::absolute(arg, ec);  // relative: from here
        if (ec || !std::filesystem::is_regular_file(path, ec) || ec) continue;
        if (auto why = path_reason(path.string(), allowed_uid, PathUse::Input,
                                   "script argument " + path.string())) {
            return why;
        }
    }
    return std::nullopt;
}

namespace {

std::optional<std::string> path_reason(const std::string& path, uid_t allowed_uid, PathUse use,
                                       const std::string& what) {
    const auto fail = [&](const std::string& why) {
        return std::optional<std::string>{fmt::format("{}: {}", what, why)};
    };
    const auto owner_ok = [&](uid_t uid) { return uid == 0 || uid == allowed_uid; };
    const std::string owners =
        allowed_uid == 0 ? "root" : fmt::format("root or the script user (uid {})", allowed_uid);

    if (path.empty() || path.front() != '/') return fail("path is not absolute");

    struct Dir {
        std::string path;
        struct stat st;
    };
    std::vector<Dir> chain(1);  // from "/" to the current directory, all real (no symlinks)
    chain[0].path = "/";
    if (::stat("/", &chain[0].st) != 0)
        return fail(fmt::format("cannot check /: {}", last_error().message()));

    auto todo = components(path);
    int links = 0;
    while (!todo.empty()) {
        const std::string name = std::move(todo.front());
        todo.pop_front();
        if (name == ".") continue;
        if (name == "..") {
            if (chain.size() > 1) chain.pop_back();
            continue;
        }
        const Dir& dir = chain.back();
        const std::string entry = join(dir.path, name);
        struct stat st {};
        if (::lstat(entry.c_str(), &st) != 0) {
            if (errno == ENOENT && use == PathUse::Tracked) {
                // Missing (it reads as 0) until someone creates it: only trusted users may.
                if (!owner_ok(dir.st.st_uid)) {
                    return fail(fmt::format("directory {} is owned by uid {}, not {}", dir.path,
                                            dir.st.st_uid, owners));
                }
                if ((dir.st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
                    return fail(fmt::format("directory {} is writable by {}, who could create {}",
                                            dir.path, writable_by(dir.st.st_mode), entry));
                }
                return std::nullopt;
            }
            if (errno == ENOENT) {
                return fail(entry == path ? "does not exist" : entry + " does not exist");
            }
            return fail(fmt::format("cannot check {}: {}", entry, last_error().message()));
        }
        // Who could replace `entry`: the directory's owner, and anyone who may write to the
        // directory unless it is sticky and `entry` is owned by someone we trust.
        if (!owner_ok(dir.st.st_uid)) {
            return fail(fmt::format("directory {} is owned by uid {}, not {}", dir.path,
                                    dir.st.st_uid, owners));
        }
        if ((dir.st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
            if ((dir.st.st_mode & S_ISVTX) == 0) {
                return fail(fmt::format("directory {} is writable by {}", dir.path,
                                        writable_by(dir.st.st_mode)));
            }
            if (!owner_ok(st.st_uid)) {
                return fail(fmt::format("directory {} is writable by {} and {} is owned by uid {}",
                                        dir.path, writable_by(dir.st.st_mode), entry, st.st_uid));
            }
        }
        if (S_ISLNK(st.st_mode) && todo.empty() && use == PathUse::Tracked) {
            return fail(
                fmt::format("{} is a symbolic link (tracked files are read without "
                            "following one)",
                            entry));
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > 40) return fail("too many levels of symbolic links");  // as ELOOP
            std::array<char, PATH_MAX> target{};
            const ssize_t n = ::readlink(entry.c_str(), target.data(), target.size());
            if (n < 0 || static_cast<std::size_t>(n) >= target.size()) {
                return fail(fmt::format("cannot read symlink {}", entry));
            }
            const std::string_view to{target.data(), static_cast<std::size_t>(n)};
            auto parts = components(to);
            todo.insert(todo.begin(), parts.begin(), parts.end());
            if (to.starts_with('/')) chain.resize(1);
            continue;
        }
        if (todo.empty()) {
            if (!S_ISREG(st.st_mode)) return fail(fmt::format("{} is not a regular file", entry));
            if (use == PathUse::Tracked) return std::nullopt;  // whoever may write it decides
            if (!owner_ok(st.st_uid)) {
                return fail(
                    fmt::format("file {} is owned by uid {}, not {}", entry, st.st_uid, owners));
            }
            if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
                return fail(
                    fmt::format("file {} is writable by {}", entry, writable_by(st.st_mode)));
            }
            if (use == PathUse::Program && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0) {
                return fail(fmt::format("file {} is not executable", entry));
            }
            return std::nullopt;
        }
        if (!S_ISDIR(st.st_mode)) return fail(fmt::format("{} is not a directory", entry));
        chain.push_back({entry, st});
    }
    // The path named a directory ("/usr/bin/", "/tmp/..").
    return fail(fmt::format("{} is not a regular file", chain.back().path));
}

}  // namespace

Expected<UserIds, std::string> lookup_user(std::string_view name) {
    if (name.empty() || name.find('\0') != std::string_view::npos) {
        return Unexpected{fmt::format("invalid user name '{}'", name)};
    }
    const std::string key{name};
    std::vector<char> buf;
    passwd pw{};
    passwd* found = nullptr;
    const int rc = nss_lookup(_SC_GETPW_R_SIZE_MAX, buf, [&](char* data, std::size_t size) {
        return ::getpwnam_r(key.c_str(), &pw, data, size, &found);
    });
    if (rc != 0) {
        return Unexpected{fmt::format("user {}: {}", name,
                                      std::error_code{rc, std::system_category()}.message())};
    }
    if (found == nullptr) return Unexpected{fmt::format("user {} does not exist", name)};
    return UserIds{pw.pw_name, pw.pw_uid, pw.pw_gid};
}

}  // namespace vipd::os
