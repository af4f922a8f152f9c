// /proc, pidfds and the process events connector for the process trackers.
#include "vipd/os/processes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
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
    // Each netlink message: nlmsghdr, cn_msg, proc_event. Copied out field by field: the
    // buffer promises no alignment.
    std::size_t off = 0;
    while (off + sizeof(nlmsghdr) <= datagram.size()) {
        nlmsghdr h{};
        std::memcpy(&h, datagram.data() + off, sizeof h);
        if (h.nlmsg_len < sizeof h || h.nlmsg_len > datagram.size() - off) return;
        const auto body = datagram.subspan(off + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN);
        off += NLMSG_ALIGN(h.nlmsg_len);
        if (h.nlmsg_type != NLMSG_DONE || body.size() < sizeof(cn_msg)) continue;
        cn_msg msg{};
        std::memcpy(&msg, body.data(), sizeof msg);
        if (msg.id.idx != CN_IDX_PROC || msg.id.val != CN_VAL_PROC) continue;
        const auto data = body.subspan(sizeof(cn_msg));
        if (data.size() < msg.len || msg.len < sizeof(proc_event)) continue;
        proc_event ev{};
        std::memcpy(&ev, data.data(), sizeof ev);
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
    }
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
    std::array<std::uint8_t, NLMSG_HDRLEN + sizeof(cn_msg) + sizeof op> req{};
    std::memcpy(req.data(), &header, sizeof header);
    std::memcpy(req.data() + NLMSG_HDRLEN, &msg, sizeof msg);
    std::memcpy(req.data() + NLMSG_HDRLEN + sizeof msg, &op, sizeof op);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, req.data(), req.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                 sizeof kernel) < 0)
        return fail();
    return std::unique_ptr<ProcessEvents>(new ProcessEvents(fd));
}

ProcessEvents::~ProcessEvents() {
    ::close(fd_);
}

bool ProcessEvents::drain(std::vector<ProcessEvent>& out) {
    alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf;
    for (int i = 0; i < 4096; ++i) {  // bounded: a fork bomb does not hold the loop
        const auto n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno != ENOBUFS;  // EAGAIN: all read; ENOBUFS: some were lost
        }
        parse_process_events(std::span(buf).first(static_cast<std::size_t>(n)), out);
    }
    return true;
}

}  // namespace vipd::os
