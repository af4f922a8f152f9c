// Watches directories with inotify and calls back on the event loop when a file in them is
// written, created, renamed or removed. A watch on the directory, not the file, also sees a
// file replaced by rename or created later.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace vipd::os {

class DirectoryWatch {
public:
    DirectoryWatch(boost::asio::io_context& io, std::function<void()> changed);
    ~DirectoryWatch();
    DirectoryWatch(const DirectoryWatch&) = delete;
    DirectoryWatch& operator=(const DirectoryWatch&) = delete;

    // Watches exactly `dirs` from now on (none: nothing). Returns what could not be watched
    // (the whole set, with the reason, when inotify itself failed).
    [[nodiscard]] std::vector<std::pair<std::string, std::error_code>> watch(
        const std::set<std::string>& dirs);

private:
    void close();
    void wait();

    boost::asio::io_context& io_;
    std::function<void()> changed_;
    int fd_ = -1;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
    // A handler already queued when the watch is destroyed sees it expired.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vipd::os
