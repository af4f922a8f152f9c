// The link between vipd and its script launcher: a SOCK_SEQPACKET pair (one message per
// request or reply, in order, and EOF when either side goes), length-prefixed fields with
// every length checked, and the two loops that serve it.
#include "vipd/os/launcher.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>

namespace vipd::os {
namespace {

// A message fits a socket's default send buffer; within it, any number of words of any
// length (a configuration's longest command, 64 KiB, among them). A reply holds at most
// kMaxOutput bytes of output. Requests handled per wakeup are bounded so that a flood of
// them cannot keep the launcher's timeouts from firing.
constexpr std::size_t kMaxMessage = 128 * 1024;
constexpr std::size_t kMaxString = kMaxMessage;
constexpr std::size_t kMaxStrings = kMaxMessage / 8;
constexpr std::size_t kMaxOutput = 64 * 1024;
constexpr int kRequestsPerWakeup = 64;

class Writer {
public:
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i)
            out_.push_back(static_cast<char>((v >> (8 * i)) & 0xffU));
    }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void str(std::string_view s) {
        u64(s.size());
        out_.append(s);
    }
    void strings(const std::vector<std::string>& v) {
        u64(v.size());
        for (const auto& s : v)
            str(s);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool u8(std::uint8_t& v) {
        if (in_.empty()) return false;
        v = static_cast<std::uint8_t>(in_.front());
        in_.remove_prefix(1);
        return true;
    }
    bool u64(std::uint64_t& v) {
        if (in_.size() < 8) return false;
        v = 0;
        for (std::size_t i = 0; i < 8; ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
        in_.remove_prefix(8);
        return true;
    }
    bool i64(std::int64_t& v) {
        std::uint64_t u = 0;
        if (!u64(u)) return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    bool i32(int& v) {
        std::int64_t w = 0;
        if (!i64(w) || w < std::numeric_limits<int>::min() || w > std::numeric_limits<int>::max())
            return false;
        v = static_cast<int>(w);
        return true;
    }
    bool str(std::string& s, std::size_t max = kMaxString) {
        std::uint64_t n = 0;
        if (!u64(n) || n > max || n > in_.size()) return false;
        s.assign(in_.substr(0, n));
        in_.remove_prefix(n);
        return true;
    }
    bool strings(std::vector<std::string>& v) {
        std::uint64_t n = 0;
        if (!u64(n) || n > kMaxStrings) return false;
        v.resize(n);
        for (auto& s : v)
            if (!str(s)) return false;
        return true;
    }
    [[nodiscard]] bool done() const { return in_.empty(); }

private:
    std::string_view in_;
};

enum class Category : std::uint8_t { None, System, Launcher };

class LauncherCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "vipd launcher"; }
    [[nodiscard]] std::string message(int e) const override {
        switch (static_cast<LauncherError>(e)) {
            case LauncherError::Refused:
                return "refused by the script launcher (not a command of the configuration it "
                       "read)";
            case LauncherError::Lost:
                return "the script launcher has gone";
        }
        return "unknown launcher error";
    }
};

ScriptResult failed(std::error_code ec) {
    ScriptResult r;
    r.outcome = ScriptResult::Outcome::SpawnFailed;
    r.error = ec;
    return r;
}

// One message, or nothing: EAGAIN leaves `error` clear, EOF sets `eof`, anything else (and
// a message longer than the buffer) sets `error`.
struct Received {
    std::string_view bytes;
    bool eof = false;
    std::error_code error;
    bool truncated = false;
};
Received receive(int fd, std::vector<char>& buffer) {
    Received r;
    ssize_t n = -1;
    do {
        n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) r.error = {errno, std::system_category()};
        return r;
    }
    if (n == 0) {
        r.eof = true;
        return r;
    }
    if (static_cast<std::size_t>(n) > buffer.size()) {
        r.truncated = true;
        return r;
    }
    r.bytes = {buffer.data(), static_cast<std::size_t>(n)};
    return r;
}

}  // namespace

const std::error_category& launcher_category() {
    static const LauncherCategory category;
    return category;
}

std::error_code make_error_code(LauncherError e) {
    return {static_cast<int>(e), launcher_category()};
}

std::string encode(const LauncherRequest& request) {
    Writer w;
    w.u8(static_cast<std::uint8_t>(request.kind));
    w.u64(request.id);
    if (request.kind != LauncherRequest::Kind::Run) return w.take();
    const auto& s = request.spec;
    w.strings(s.argv);
    w.u8(s.user ? 1 : 0);
    if (s.user) {
        w.str(s.user->name);
        w.u64(s.user->uid);
        w.u64(s.user->gid);
    }
    w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(s.timeout).count());
    w.strings(s.env);
    w.u64(s.output_limit);
    return w.take();
}

std::optional<LauncherRequest> decode_request(std::string_view bytes) {
    Reader r(bytes);
    LauncherRequest q;
    std::uint8_t kind = 0;
    if (!r.u8(kind) || !r.u64(q.id)) return std::nullopt;
    switch (kind) {
        case static_cast<std::uint8_t>(LauncherRequest::Kind::Cancel):
        case static_cast<std::uint8_t>(LauncherRequest::Kind::Reload):
            q.kind = static_cast<LauncherRequest::Kind>(kind);
            return r.done() ? std::optional(q) : std::nullopt;
        case static_cast<std::uint8_t>(LauncherRequest::Kind::Run):
            q.kind = LauncherRequest::Kind::Run;
            break;
        default:
            return std::nullopt;
    }
    auto& s = q.spec;
    std::uint8_t has_user = 0;
    if (!r.strings(s.argv) || !r.u8(has_user) || has_user > 1) return std::nullopt;
    if (has_user == 1) {
        UserIds ids;
        std::uint64_t uid = 0;
        std::uint64_t gid = 0;
        if (!r.str(ids.name) || !r.u64(uid) || !r.u64(gid)) return std::nullopt;
        // uid_t and gid_t are 32 bits; (uid_t)-1 means "no change" to the kernel.
        if (uid >= std::numeric_limits<uid_t>::max() || gid >= std::numeric_limits<gid_t>::max())
            return std::nullopt;
        ids.uid = static_cast<uid_t>(uid);
        ids.gid = static_cast<gid_t>(gid);
        s.user = std::move(ids);
    }
    std::int64_t timeout_ns = 0;
    if (!r.i64(timeout_ns) || timeout_ns <= 0) return std::nullopt;
    s.timeout = std::chrono::duration_cast<Duration>(std::chrono::nanoseconds{timeout_ns});
    std::uint64_t limit = 0;
    if (!r.strings(s.env) || !r.u64(limit) || limit > kMaxOutput || !r.done()) return std::nullopt;
    s.output_limit = static_cast<std::size_t>(limit);
    return q;
}

std::string encode(const LauncherReply& reply) {
    Writer w;
    const auto& r = reply.result;
    w.u64(reply.id);
    w.u8(static_cast<std::uint8_t>(r.outcome));
    w.i64(r.exit_code);
    w.i64(r.signal);
    w.str(std::string_view(r.output).substr(0, kMaxOutput));
    w.u8(r.output_truncated ? 1 : 0);
    w.i64(std::chrono::duration_cast<std::chrono::nanoseconds>(r.run_time).count());
    Category category = Category::None;
    if (r.error.category() == std::system_category()) category = Category::System;
    if (r.error.category() == launcher_category()) category = Category::Launcher;
    if (!r.error) category = Category::None;
    w.u8(static_cast<std::uint8_t>(category));
    w.i64(r.error.value());
    return w.take();
}

std::optional<LauncherReply> decode_reply(std::string_view bytes) {
    Reader rd(bytes);
    LauncherReply reply;
    auto& r = reply.result;
    std::uint8_t outcome = 0;
    std::uint8_t truncated = 0;
    std::uint8_t category = 0;
    std::int64_t run_ns = 0;
    int error = 0;
    if (!rd.u64(reply.id) || !rd.u8(outcome) || !rd.i32(r.exit_code) || !rd.i32(r.signal) ||
        !rd.str(r.output, kMaxOutput) || !rd.u8(truncated) || !rd.i64(run_ns) || !rd.u8(category) ||
        !rd.i32(error) || !rd.done()) {
        return std::nullopt;
    }
    if (outcome > static_cast<std::uint8_t>(ScriptResult::Outcome::SpawnFailed) || truncated > 1)
        return std::nullopt;
    r.outcome = static_cast<ScriptResult::Outcome>(outcome);
    r.output_truncated = truncated == 1;
    r.run_time = std::chrono::duration_cast<Duration>(std::chrono::nanoseconds{run_ns});
    switch (static_cast<Category>(category)) {
        case Category::None:
            break;
        case Category::System:
            r.error = {error, std::system_category()};
            break;
        case Category::Launcher:
            r.error = {error, launcher_category()};
            break;
        default:
            return std::nullopt;
    }
    return reply;
}

// --- the daemon's end ---

RemoteRunner::RemoteRunner(boost::asio::io_context& io, int fd, std::function<void()> lost)
    : io_(io), socket_(io, fd), lost_(std::move(lost)), buffer_(kMaxMessage) {
    wait_replies();
}

RemoteRunner::~RemoteRunner() = default;

std::error_code RemoteRunner::send(const LauncherRequest& request) {
    const auto bytes = encode(request);
    // What the launcher would not read: a command line too long to start anyway.
    if (bytes.size() > kMaxMessage) return std::make_error_code(std::errc::argument_list_too_long);
    ssize_t n = -1;
    do {
        n = ::send(socket_.native_handle(), bytes.data(), bytes.size(),
                   MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return {errno, std::system_category()};
    return {};  // a SEQPACKET message goes whole or not at all
}

RunId RemoteRunner::run(const ScriptSpec& spec, std::function<void(ScriptResult)> done) {
    const RunId id = ++last_id_;
    std::error_code ec;
    if (gone_) {
        ec = LauncherError::Lost;
    } else {
        // EAGAIN (the launcher is behind) is vipd's own failure to start, as ProcessRunner's.
        ec = send({LauncherRequest::Kind::Run, id, spec});
    }
    if (ec) {
        boost::asio::post(io_, [done = std::move(done), ec] { done(failed(ec)); });
        return id;
    }
    pending_.emplace(id, std::move(done));
    return id;
}

void RemoteRunner::cancel(RunId id) {
    if (pending_.erase(id) == 0 || gone_) return;
    (void)send({LauncherRequest::Kind::Cancel, id, {}});
}

void RemoteRunner::reload() {
    if (!gone_) (void)send({LauncherRequest::Kind::Reload, 0, {}});
}

void RemoteRunner::wait_replies() {
    socket_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                       [this](const boost::system::error_code& ec) {
                           if (ec == boost::asio::error::operation_aborted) return;
                           read_replies();
                       });
}

void RemoteRunner::read_replies() {
    for (;;) {
        const auto got = receive(socket_.native_handle(), buffer_);
        if (got.eof || got.error) {
            lose();
            return;
        }
        if (got.truncated) continue;  // not a reply the launcher writes: ignored
        if (got.bytes.empty()) break;
        auto reply = decode_reply(got.bytes);
        if (!reply) continue;
        // Each result from the loop, as ProcessRunner reports them, so that a callback that
        // throws cannot leave the link unread; one cancelled meanwhile is not reported.
        boost::asio::post(io_, [this, alive = std::weak_ptr(alive_), r = std::move(*reply)] {
            if (alive.expired()) return;
            auto it = pending_.find(r.id);
            if (it == pending_.end()) return;
            auto done = std::move(it->second);
            pending_.erase(it);
            done(r.result);
        });
    }
    wait_replies();
}

void RemoteRunner::lose() {
    if (gone_) return;
    gone_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    for (auto& [id, done] : pending_)
        boost::asio::post(io_, [done = std::move(done)] { done(failed(LauncherError::Lost)); });
    pending_.clear();
    if (lost_) boost::asio::post(io_, lost_);
}

// --- the launcher's end ---

LauncherServer::LauncherServer(boost::asio::io_context& io, int fd, ScriptRunner& runner,
                               LauncherPolicy policy)
    : io_(io), socket_(io, fd), runner_(runner), policy_(std::move(policy)), buffer_(kMaxMessage) {}

void LauncherServer::start() {
    wait_requests();
}

void LauncherServer::wait_requests() {
    socket_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                       [this](const boost::system::error_code& ec) {
                           if (ec == boost::asio::error::operation_aborted) return;
                           read_requests();
                       });
}

void LauncherServer::read_requests() {
    for (int handled = 0;; ++handled) {
        if (handled == kRequestsPerWakeup) {
            boost::asio::post(io_, [this] { read_requests(); });
            return;
        }
        const auto got = receive(socket_.native_handle(), buffer_);
        if (got.eof || got.error) {
            io_.stop();  // the daemon has gone: so do the scripts, with the runner
            return;
        }
        if (got.truncated) {
            ++malformed_;
            continue;
        }
        if (got.bytes.empty()) break;
        auto request = decode_request(got.bytes);
        if (!request) {
            ++malformed_;
            // A run the daemon waits for gets its answer when its id can be read.
            if (got.bytes.size() >= 9 &&
                got.bytes[0] == static_cast<char>(LauncherRequest::Kind::Run)) {
                RunId id = 0;
                for (std::size_t i = 0; i < 8; ++i)
                    id |= static_cast<RunId>(static_cast<unsigned char>(got.bytes[1 + i]))
                          << (8 * i);
                auto r = failed(LauncherError::Refused);
                r.output = "a malformed request";
                reply(id, r);
            }
            continue;
        }
        handle(std::move(*request));
    }
    wait_requests();
}

void LauncherServer::handle(LauncherRequest request) {
    switch (request.kind) {
        case LauncherRequest::Kind::Reload:
            if (policy_.reload) policy_.reload();
            return;
        case LauncherRequest::Kind::Cancel:
            if (auto it = running_.find(request.id); it != running_.end()) {
                runner_.cancel(it->second);
                running_.erase(it);
            }
            return;
        case LauncherRequest::Kind::Run:
            break;
    }
    const RunId id = request.id;
    if (running_.contains(id)) {
        ++malformed_;
        return;
    }
    if (auto why = policy_.refusal ? policy_.refusal(request.spec) : std::nullopt) {
        auto r = failed(LauncherError::Refused);
        r.output = *why;
        reply(id, r);
        return;
    }
    running_[id] = runner_.run(request.spec, [this, id](ScriptResult r) {
        running_.erase(id);
        reply(id, r);
    });
}

void LauncherServer::reply(RunId id, const ScriptResult& result) {
    const auto bytes = encode(LauncherReply{id, result});
    // Blocking: the daemon reads every reply as it comes; a stopped daemon stops us too.
    while (::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0 &&
           errno == EINTR) {
    }
}

Expected<std::pair<pid_t, int>, std::error_code> fork_launcher(
    const std::function<int(int fd)>& child_main) {
    std::array<int, 2> fds{};
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds.data()) != 0)
        return Unexpected{std::error_code(errno, std::system_category())};
    const pid_t pid = ::fork();
    if (pid < 0) {
        const std::error_code ec(errno, std::system_category());
        ::close(fds[0]);
        ::close(fds[1]);
        return Unexpected{ec};
    }
    if (pid == 0) {
        ::close(fds[0]);
        int code = 1;
        try {
            code = child_main(fds[1]);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "vipd-launcher: fatal: %s\n", e.what());
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    ::close(fds[1]);
    return std::pair{pid, fds[0]};
}

}  // namespace vipd::os
