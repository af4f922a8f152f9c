// Reads a notification socket as it becomes readable and runs the action once a burst of
// relevant notifications has settled.
#include "change_watch.hpp"

namespace vipd {

ChangeWatch::ChangeWatch(boost::asio::io_context& io, os::TimeSource& time,
                         std::unique_ptr<os::NetlinkWatch> watch, std::vector<std::uint16_t> types,
                         std::function<void()> settled, Duration settle)
    : time_(time),
      watch_(std::move(watch)),
      fd_(io, watch_->fd()),
      types_(std::move(types)),
      settled_(std::move(settled)),
      settle_(settle),
      alarm_(time.make_alarm([this] {
          settling_ = false;
          settled_();
      })) {
    wait();
}

ChangeWatch::~ChangeWatch() {
    (void)fd_.release();  // watch_ closes it
}

void ChangeWatch::wait() {
    fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                   [this](const boost::system::error_code& ec) {
                       if (ec) return;
                       if (watch_->drain(types_) && !settling_) {
                           settling_ = true;
                           alarm_->set(time_.now() + settle_);
                       }
                       wait();
                   });
}

}  // namespace vipd
