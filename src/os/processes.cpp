// /proc, pidfds and the process events connector for the process trackers.
#include "vipd/os/processes.hpp"

#include "netlink_messages.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace vipd::os {

namespace {

// A whole small file (/proc's stat and cmdline); nullopt if it cannot be opened or read.
std::optional<std::string> read_small(const std::string& path, std::size_t limit) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    std::array<char, 4096> buf;
    while (out.size() < limit) {
        const auto n = ::read(fd, buf.data(), std::min(buf.size(), limit - out.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// Sent with the subscription; the kernel's acknowledgement carries it plus one.
constexpr std::uint32_t kSubscribeAck = 0x76697064;  // "vipd"

// One connector message of the process events: its cn_msg and proc_event, copied out
// (the buffer promises no alignment); false for any other message or one cut short.
bool read_proc_message(const nlmsghdr& h, std::span<const std::uint8_t> body, cn_msg& msg,
                       proc_event& ev) {
    if (h.nlmsg_type != NLMSG_DONE || body.size() < sizeof(cn_msg)) return false;
    std::memcpy(&msg, body.data(), sizeof msg);
    if (msg.id.idx != CN_IDX_PROC || msg.id.val != CN_VAL_PROC) return false;
    const auto data = body.subspan(sizeof(cn_msg));
    if (data.size() < msg.len || msg.len < sizeof(proc_event)) return false;
    std::memcpy(&ev, data.data(), sizeof ev);
    return true;
}

// The error of the acknowledgement with `ack` in this datagram, if it holds it.
std::optional<std::uint32_t> subscribe_answer(std::span<const std::uint8_t> datagram,
                                              std::uint32_t ack) {
    std::optional<std::uint32_t> err;
    each_netlink_message(datagram, [&](const nlmsghdr& h, std::span<const std::uint8_t> body) {
        cn_msg msg{};
        proc_event ev{};
        if (read_proc_message(h, body, msg, ev) && msg.ack == ack &&
            ev.what == proc_event::PROC_EVENT_NONE)
            err = ev.event_data.ack.err;
        return !err;
    });
    return err;
}

}  // namespace

std::vector<int> list_pids(const std::string& proc) {
    std::vector<int> pids;
    DIR* dir = ::opendir(proc.c_str());
    if (dir == nullptr) return pids;
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view name = e->d_name;
        int pid = 0;
        const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (ec == std::errc{} && end == name.data() + name.size() && pid > 0) pids.push_back(pid);
    }
    ::closedir(dir);
    std::sort(pids.begin(), pids.end());
    return pids;
}

std::optional<ProcessView> read_process(int pid, bool with_argv, const std::string& proc) {
    // stat: "PID (COMM) STATE ..."; the name may hold spaces and parentheses, so it ends at
    // the last ')'.
    const auto base = proc + "/" + std::to_string(pid);
    const auto stat = read_small(base + "/stat", 1024);
    if (!stat) return std::nullopt;
    const auto open = stat->find('(');
    const auto close = stat->rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open ||
        close + 2 >= stat->size())
        return std::nullopt;
    const char state = (*stat)[close + 2];
    if (state == 'Z' || state == 'X') return std::nullopt;
    ProcessView view;
    view.comm = stat->substr(open + 1, close - open - 1);
    if (with_argv) {
        // Bounded: a command line longer than this is compared by its first 64 KiB.
        const auto cmdline = read_small(base + "/cmdline", 65536);
        if (!cmdline) return std::nullopt;
        std::size_t start = 0;
        while (start < cmdline->size()) {
            auto end = cmdline->find('\0', start);
            if (end == std::string::npos) end = cmdline->size();
            view.argv.emplace_back(cmdline->substr(start, end - start));
            start = end + 1;
        }
    }
    return view;
}

int open_pidfd(int pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

void parse_process_events(std::span<const std::uint8_t> datagram, std::vector<ProcessEvent>& out) {
    each_netlink_message(datagram, [&](const nlmsghdr& h, std::span<const std::uint8_t> body) {
        cn_msg msg{};
        proc_event ev{};
        if (!read_proc_message(h, body, msg, ev)) return true;
        const auto& d = ev.event_data;
        if (ev.what == proc_event::PROC_EVENT_FORK) {
            if (d.fork.child_pid == d.fork.child_tgid)
                out.push_back({ProcessEvent::Kind::Fork, d.fork.child_pid});
        } else if (ev.what == proc_event::PROC_EVENT_EXEC) {
            out.push_back({ProcessEvent::Kind::Exec, d.exec.process_tgid});
        } else if (ev.what == proc_event::PROC_EVENT_COMM) {
            if (d.comm.process_pid == d.comm.process_tgid)
                out.push_back({ProcessEvent::Kind::Comm, d.comm.process_tgid});
        } else if (ev.what == proc_event::PROC_EVENT_EXIT) {
            if (d.exit.process_pid == d.exit.process_tgid)
                out.push_back({ProcessEvent::Kind::Exit, d.exit.process_tgid});
        }  // uid, gid, sid, ptrace, coredump: nothing a tracker needs
        return true;
    });
}

Expected<std::unique_ptr<ProcessEvents>, std::error_code> ProcessEvents::open() {
    const int fd =
        ::socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd < 0) return Unexpected{std::error_code(errno, std::system_category())};
    auto fail = [fd] {
        const std::error_code ec(errno, std::system_category());
        ::close(fd);
        return Unexpected{ec};
    };
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = CN_IDX_PROC;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return fail();
    // nlmsghdr + cn_msg + the operation, laid out in one buffer.
    const std::uint32_t op = PROC_CN_MCAST_LISTEN;
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + sizeof(cn_msg) + sizeof op);
    header.nlmsg_type = NLMSG_DONE;
    cn_msg msg{};
    msg.id.idx = CN_IDX_PROC;
    msg.id.val = CN_VAL_PROC;
    msg.len = sizeof op;
    msg.ack = kSubscribeAck;
    std::array<std::uint8_t, NLMSG_HDRLEN + sizeof(cn_msg) + sizeof op> req{};
    std::memcpy(req.data(), &header, sizeof header);
    std::memcpy(req.data() + NLMSG_HDRLEN, &msg, sizeof msg);
    std::memcpy(req.data() + NLMSG_HDRLEN + sizeof msg, &op, sizeof op);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, req.data(), req.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        return fail();  // ECONNREFUSED outside the initial network namespace
    // The kernel answers with an acknowledgement event (PROC_EVENT_NONE, our ack + 1) and
    // its error; outside the initial PID or user namespace it ignores the request without
    // a word, and no event would ever come: no answer within a second means no events.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{1};
    std::array<std::uint8_t, 8192> buf;
    while (std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) <= 0) break;
        const auto n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) continue;
            return fail();
        }
        if (const auto err = subscribe_answer(std::span(buf).first(static_cast<std::size_t>(n)),
                                              kSubscribeAck + 1)) {
            if (*err == 0) {
                // Raise the queue a fork burst fills (CAP_NET_ADMIN may exceed rmem_max);
                // an overflow is survivable (a rescan), a small queue makes it common.
                const int size = 4 << 20;
                if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
                    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
                return std::unique_ptr<ProcessEvents>(new ProcessEvents(fd));
            }
            errno = static_cast<int>(*err);
            return fail();
        }
    }
    errno = ENOTSUP;  // no answer: this PID or user namespace gets no events
    return fail();
}

ProcessEvents::~ProcessEvents() {
    ::close(fd_);
}

ProcessEvents::Drained ProcessEvents::drain(std::vector<ProcessEvent>& out) {
    alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf;
    bool lost = false;
    for (int i = 0; i < 4096; ++i) {  // bounded: a fork bomb does not hold the loop
        const auto n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            // ENOBUFS comes before what is still queued: read on, or the full queue keeps
            // the socket congested and no new event (nor wake-up) would ever come.
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                lost = true;
                continue;
            }
            return lost ? Drained::Lost : Drained::All;  // EAGAIN: all read
        }
        parse_process_events(std::span(buf).first(static_cast<std::size_t>(n)), out);
    }
    return lost ? Drained::Lost : Drained::More;
}

}  // namespace vipd::os
