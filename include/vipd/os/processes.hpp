// What the process trackers read from the kernel: the processes in /proc (name, state and
// command line), a pidfd per process to learn of its exit, and the kernel's process events
// connector. The connector works only in the initial network namespace (a vipd in any
// other gets ECONNREFUSED); the caller then falls back to pidfds and /proc scans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "vipd/core/expected.hpp"

namespace vipd::os {

// The numeric entries of `proc` (processes, not threads), in ascending order.
[[nodiscard]] std::vector<int> list_pids(const std::string& proc = "/proc");

struct ProcessView {
    std::string comm;               // the name, at most 15 bytes
    std::vector<std::string> argv;  // filled only when asked for
};
// nullopt when the process is gone, or is a zombie (no longer running: it never counts).
[[nodiscard]] std::optional<ProcessView> read_process(int pid, bool with_argv,
                                                      const std::string& proc = "/proc");

// A pidfd for `pid` (readable once it exits), -1 with errno on failure.
[[nodiscard]] int open_pidfd(int pid);

struct ProcessEvent {
    enum class Kind : std::uint8_t { Fork, Exec, Comm, Exit };
    Kind kind;
    int pid;  // the process (thread group) concerned; the child for Fork
    friend bool operator==(const ProcessEvent&, const ProcessEvent&) = default;
};

// One connector datagram's events: fork, exec, comm and exit of processes (threads are
// left out); other events and anything malformed are ignored.
void parse_process_events(std::span<const std::uint8_t> datagram, std::vector<ProcessEvent>& out);

class ProcessEvents {
public:
    // Opens and subscribes (PROC_CN_MCAST_LISTEN), and waits up to a second for the
    // kernel to confirm. Needs CAP_NET_ADMIN, the initial network namespace (else
    // ECONNREFUSED) and the initial PID and user namespaces (else no answer: ENOTSUP).
    static Expected<std::unique_ptr<ProcessEvents>, std::error_code> open();
    ~ProcessEvents();
    ProcessEvents(const ProcessEvents&) = delete;
    ProcessEvents& operator=(const ProcessEvents&) = delete;
    [[nodiscard]] int fd() const { return fd_; }
    // Appends what is queued to `out`. Lost: the socket overflowed (events were dropped;
    // the caller scans /proc again). More: the read was cut off with events still queued;
    // drain again without waiting (no new wake-up comes for them).
    enum class Drained : std::uint8_t { All, More, Lost };
    [[nodiscard]] Drained drain(std::vector<ProcessEvent>& out);

private:
    explicit ProcessEvents(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace vipd::os
