// Pid file, runtime directory, scheduling, memory locking and host facts.
#include "vipd/os/host.hpp"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace vipd::os {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

}  // namespace

Expected<std::unique_ptr<PidFile>, std::string> PidFile::create(const std::string& path) {
    // Refuse to run twice against the same runtime files.
    if (std::ifstream in(path); in) {
        pid_t other = 0;
        if (in >> other && other > 0 && other != ::getpid() && ::kill(other, 0) == 0) {
            return Unexpected(
                fmt::format("another vipd (pid {}) is running with pid file {}; use --pid-file and "
                            "--runtime-dir to run several",
                            other, path));
        }
    }
    ::unlink(path.c_str());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return Unexpected(fmt::format("cannot write pid file {}: {}", path, std::strerror(errno)));
    const auto text = std::to_string(::getpid()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int err = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        return Unexpected(fmt::format("cannot write pid file {}: {}", path, std::strerror(err)));
    }
    return std::unique_ptr<PidFile>(new PidFile(path));
}

PidFile::~PidFile() {
    ::unlink(path_.c_str());
}

std::error_code make_runtime_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return last_error();
    return {};
}

std::error_code set_realtime_priority(int priority) {
    sched_param param{};
    param.sched_priority = priority;
    const int policy = priority > 0 ? SCHED_RR | SCHED_RESET_ON_FORK : SCHED_OTHER;
    if (::sched_setscheduler(0, policy, &param) != 0) return last_error();
    return {};
}

std::error_code lock_memory(bool on) {
    if (on ? ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0 : ::munlockall() != 0) return last_error();
    return {};
}

long process_id() {
    return static_cast<long>(::getpid());
}

bool interface_exists(std::string_view name) {
    const std::string n(name);
    return ::if_nametoindex(n.c_str()) != 0;
}

std::optional<gid_t> group_id(const std::string& name) {
    const auto* gr = ::getgrnam(name.c_str());
    if (gr == nullptr) return std::nullopt;
    return gr->gr_gid;
}

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return "";
    return buf.data();
}

}  // namespace vipd::os
