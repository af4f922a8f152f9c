// The netlink adapter against the real kernel, in a network namespace of the test's own (a
// forked child unshares one: only lo, down), so links and addresses can change without
// touching the host: what it does when notifications are lost or do not fit its buffer.
#include "vipd/os/netlink.hpp"

#include <gtest/gtest.h>

#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

#include <fmt/format.h>

namespace vipd::os {
namespace {

constexpr int kNoNamespace = 77;

// Runs `body` in a child with a network namespace of its own; its result ("" when it
// passed, else what failed) comes back through a pipe.
std::string in_own_netns(const std::function<std::string()>& body) {
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        close(fds[0]);
        if (unshare(CLONE_NEWNET) != 0) _exit(kNoNamespace);
        const std::string result = body();
        const auto written = write(fds[1], result.data(), result.size());
        _exit(written == static_cast<ssize_t>(result.size()) ? 0 : 1);
    }
    close(fds[1]);
    std::string result;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
        result.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kNoNamespace) return "skip";
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "the child died: " + result;
    return result;
}

bool set_up(const char* name) {
    const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    close(s);
    return ok;
}

// Reads what is waiting, as the event loop would when the socket turns readable.
std::string read_events(Netlink& nl) {
    pollfd p{nl.event_fd(), POLLIN, 0};
    if (poll(&p, 1, 2000) != 1) return "no event within 2 s";
    if (auto ec = nl.process()) return "process: " + ec.message();
    return "";
}

void expect_passed(const std::string& result) {
    if (result == "skip") GTEST_SKIP() << "needs CAP_SYS_ADMIN to make a network namespace";
    EXPECT_EQ(result, "");
}

// The kernel truncates a notification larger than the read buffer and it is gone: the
// adapter re-reads the tables instead of carrying on with a stale view.
TEST(NetlinkTest, ANotificationLargerThanTheBufferLeadsToAResync) {
    expect_passed(in_own_netns([]() -> std::string {
        // A link notification is well over 1 KiB; address notifications and acks fit.
        auto opened = Netlink::open(Netlink::Options{.message_buffer_bytes = 512});
        if (!opened) return "open: " + opened.error().message();
        auto& nl = *opened.value();
        std::string why;
        nl.set_callbacks({.resynced = [&](std::string_view w) { why = w; }});
        const auto* lo = nl.find("lo");
        if (lo == nullptr || lo->up) return "expected lo, down";
        if (!set_up("lo")) return std::string("cannot set lo up: ") + std::strerror(errno);
        if (auto e = read_events(nl); !e.empty()) return e;
        if (nl.resyncs() != 1) return fmt::format("{} resyncs, expected 1", nl.resyncs());
        if (why != "a notification larger than the buffer") return "resynced for: " + why;
        lo = nl.find("lo");
        if (lo == nullptr || !lo->up) return "lo is up, but the table says otherwise";
        return "";
    }));
}

// A receive buffer overrun (ENOBUFS) loses events, among them a deletion: the table after the
// resync is the kernel's, not what the surviving events would make of it.
TEST(NetlinkTest, AnOverrunLeadsToAResyncThatSeesEveryChange) {
    expect_passed(in_own_netns([]() -> std::string {
        auto opened = Netlink::open(Netlink::Options{.event_buffer_bytes = 1});  // the minimum
        if (!opened) return "open: " + opened.error().message();
        auto& nl = *opened.value();
        const auto* lo = nl.find("lo");
        if (lo == nullptr) return "no lo";
        const int ifindex = lo->ifindex;
        const auto address = [](int i) {
            return *IpAddress::parse(fmt::format("198.51.100.{}", i));
        };
        for (int i = 1; i <= 50; ++i) {
            if (auto ec = nl.add(ifindex, address(i), 32)) return "add: " + ec.message();
        }
        if (auto ec = nl.remove(ifindex, address(25), 32)) return "remove: " + ec.message();
        if (auto e = read_events(nl); !e.empty()) return e;
        if (nl.resyncs() < 1) return "no resync after the overrun";
        lo = nl.find("lo");
        for (int i = 1; i <= 50; ++i) {
            if (lo->has_address(address(i)) != (i != 25)) {
                return fmt::format("198.51.100.{} {} in the table", i,
                                   i == 25 ? "still" : "missing");
            }
        }
        return "";
    }));
}

}  // namespace
}  // namespace vipd::os
