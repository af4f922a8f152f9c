// The VRRP sockets and what arrives on them: one raw socket per (interface, family) that
// has instances, opened and closed as instances and interfaces come and go; adverts read per
// packet, or on a tick in batches under load, decoded, and handed to the instance of their
// VRID on that socket (the demux). Packets no instance gets are counted per socket.
#pragma once

#include <spdlog/logger.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "instance.hpp"
#include "rate_limiter.hpp"
#include "reconciler.hpp"
#include "timer_queue.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/os/clock.hpp"
#include "vipd/os/netlink.hpp"
#include "vipd/os/vrrp_socket.hpp"

namespace vipd {

class Receiver {
public:
    // The interface of this name as it is now, or null.
    using FindInterface = std::function<const os::InterfaceInfo*(const std::string& name)>;
    // `instances` is the daemon's map (read at every sync); `timers` is settled after each
    // batch of adverts (they move Master_Down_Timers).
    Receiver(boost::asio::io_context& io, os::TimeSource& time, TimerQueue& timers,
             const InstanceMap& instances, FindInterface find_interface,
             std::shared_ptr<spdlog::logger> log, RateLimiter& input_log);
    ~Receiver();
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;

    // Opens the sockets the instances need, closes the others (and those of interfaces that
    // vanished or were renumbered), gives every instance its socket (none: Fault) and routes
    // its VRID to it. A socket that fails to open is retried every second.
    void sync();
    // Reads what waits in every socket now, when reading on a tick (a Master_Down_Timer about
    // to expire must see an advert already received first); nothing otherwise.
    void drain_pending();

    [[nodiscard]] std::vector<SocketStatus> status() const;
    // Drops since the last clear_stats(), all sockets together.
    [[nodiscard]] DropCounts drops_since_clear() const;
    void clear_stats();

private:
    struct Socket;
    using Where = std::pair<std::string, Family>;
    void watch(const Where& where);
    void count_received(std::uint64_t n);
    void tick();
    void drain_all();
    void drain(Socket& s);
    void handle(Socket& s, const os::ReceivedPacket& pkt);

    boost::asio::io_context& io_;
    os::TimeSource& time_;
    TimerQueue& timers_;
    const InstanceMap& instances_;
    FindInterface find_interface_;
    std::shared_ptr<spdlog::logger> log_;
    RateLimiter& input_log_;  // the daemon's one budget for lines about packets
    std::map<Where, std::unique_ptr<Socket>> sockets_;
    std::unique_ptr<os::RxBatch> batch_ = std::make_unique<os::RxBatch>();
    std::unique_ptr<os::Alarm> retry_;  // a socket failed to open
    bool retry_pending_ = false;
    // Reading: one wake-up per advert is what a busy backup mostly pays for; above a rate
    // the sockets are read on a tick instead (see receiver.cpp).
    bool polling_ = false;
    std::unique_ptr<os::Alarm> tick_;
    std::uint64_t window_count_ = 0;
    TimePoint window_start_{};
    std::vector<int> poll_fds_;
    std::vector<bool> readable_;
};

}  // namespace vipd
