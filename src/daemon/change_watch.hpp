// A kernel notification socket (os/netlink_watch) read on the loop, whose bursts are acted on once
// they are over: nftables changes (vipd's table put back after a flush) and route or rule deletions
// (masters put theirs back).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "vipd/os/clock.hpp"
#include "vipd/os/netlink_watch.hpp"

namespace vipd {

class ChangeWatch {
public:
    // `settled` runs `settle` after the first message of one of `types` (empty: any), once
    // per burst.
    ChangeWatch(boost::asio::io_context& io, os::TimeSource& time,
                std::unique_ptr<os::NetlinkWatch> watch, std::vector<std::uint16_t> types,
                std::function<void()> settled, Duration settle = std::chrono::milliseconds{50});
    ~ChangeWatch();
    ChangeWatch(const ChangeWatch&) = delete;
    ChangeWatch& operator=(const ChangeWatch&) = delete;

private:
    void wait();

    os::TimeSource& time_;
    std::unique_ptr<os::NetlinkWatch> watch_;
    boost::asio::posix::stream_descriptor fd_;
    std::vector<std::uint16_t> types_;
    std::function<void()> settled_;
    Duration settle_;
    std::unique_ptr<os::Alarm> alarm_;
    bool settling_ = false;
};

}  // namespace vipd
