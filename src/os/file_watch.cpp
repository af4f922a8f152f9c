// inotify behind an Asio descriptor: every readable burst of events is one callback.
#include "vipd/os/file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace vipd::os {

DirectoryWatch::DirectoryWatch(boost::asio::io_context& io, std::function<void()> changed)
    : io_(io), changed_(std::move(changed)) {}

DirectoryWatch::~DirectoryWatch() {
    close();
}

void DirectoryWatch::close() {
    if (watch_) {
        watch_->release();  // the descriptor is closed below, once
        watch_.reset();
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

std::vector<std::pair<std::string, std::error_code>> DirectoryWatch::watch(
    const std::set<std::string>& dirs) {
    close();
    std::vector<std::pair<std::string, std::error_code>> failed;
    if (dirs.empty()) return failed;
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) {
        const std::error_code ec{errno, std::system_category()};
        for (const auto& d : dirs)
            failed.emplace_back(d, ec);
        return failed;
    }
    for (const auto& d : dirs) {
        if (::inotify_add_watch(fd_, d.c_str(),
                                IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                                    IN_DELETE | IN_MODIFY) < 0) {
            failed.emplace_back(d, std::error_code{errno, std::system_category()});
        }
    }
    watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd_);
    wait();
    return failed;
}

void DirectoryWatch::wait() {
    watch_->async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this, fd = fd_, alive = std::weak_ptr(alive_)](const boost::system::error_code& ec) {
            // A reload replaced the watch (or closed it): this wait is over.
            if (ec || alive.expired() || fd != fd_) return;
            std::array<char, 4096> buf{};
            while (::read(fd_, buf.data(), buf.size()) > 0) {
            }
            changed_();
            if (fd == fd_) wait();
        });
}

}  // namespace vipd::os
