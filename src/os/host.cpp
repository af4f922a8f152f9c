// Pid file, runtime directory, scheduling, memory locking and host facts.
#include "vipd/os/host.hpp"

#include "nss.hpp"

#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <malloc.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace vipd::os {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

}  // namespace

Expected<std::unique_ptr<PidFile>, std::string> PidFile::create(const std::string& path) {
    const auto fail = [&](const char* what) {
        return Unexpected(
            fmt::format("cannot {} pid file {}: {}", what, path, std::strerror(errno)));
    };
    // A few rounds at most: a vipd that is stopping removes its file after we opened it.
    for (int attempt = 0; attempt < 5; ++attempt) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) return fail("open");
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            std::array<char, 32> buf{};
            const ssize_t n = ::pread(fd, buf.data(), buf.size() - 1, 0);
            ::close(fd);
            if (err != EWOULDBLOCK) {
                errno = err;
                return fail("lock");
            }
            const std::string other =
                n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string("?");
            return Unexpected(
                fmt::format("another vipd (pid {}) is running with pid file {}; use --pid-file and "
                            "--runtime-dir to run several",
                            other.substr(0, other.find('\n')), path));
        }
        // Locked; but is it still the file at `path`, not one its owner unlinked meanwhile?
        struct stat held {
        }, now{};
        if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &now) != 0 ||
            held.st_ino != now.st_ino || held.st_dev != now.st_dev) {
            ::close(fd);
            continue;
        }
        const auto text = std::to_string(::getpid()) + "\n";
        if (::ftruncate(fd, 0) != 0 ||
            ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            const int err = errno;
            ::close(fd);
            errno = err;
            return fail("write");
        }
        return std::unique_ptr<PidFile>(new PidFile(path, fd));
    }
    errno = EAGAIN;
    return fail("lock");
}

PidFile::~PidFile() {
    ::unlink(path_.c_str());  // before the lock goes: a newcomer then finds no file, or a new one
    ::close(fd_);
}

std::optional<std::string> make_runtime_dir(const std::string& path,
                                            std::optional<std::pair<uid_t, gid_t>> owner_to_be) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        return fmt::format("cannot create runtime directory {}: {}", path, std::strerror(errno));
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return fmt::format("cannot check runtime directory {}: {}", path, std::strerror(errno));
    }
    const uid_t owner = ::geteuid();
    if (!S_ISDIR(st.st_mode)) return fmt::format("runtime directory {} is not a directory", path);
    // vipd's own user's from an earlier run: ours again until set up (root without
    // CAP_DAC_OVERRIDE could not create the pid file and socket in it).
    if (owner_to_be && st.st_uid == owner_to_be->first) {
        if (::chown(path.c_str(), owner, static_cast<gid_t>(-1)) != 0) {
            return fmt::format("cannot take back runtime directory {}: {}", path,
                               std::strerror(errno));
        }
        st.st_uid = owner;
    }
    if (st.st_uid != owner) {
        return fmt::format("runtime directory {} is owned by uid {}, not {}", path, st.st_uid,
                           owner == 0 ? std::string("root") : fmt::format("uid {}", owner));
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return fmt::format("runtime directory {} is writable by {}", path,
                           (st.st_mode & S_IWOTH) != 0 ? "others" : "group");
    }
    return std::nullopt;
}

std::error_code give_runtime_dir(const std::string& path, uid_t uid, gid_t gid) {
    if (::chown(path.c_str(), uid, gid) != 0) return {errno, std::system_category()};
    return {};
}

void restrict_umask() {
    ::umask(022);
}

std::error_code set_realtime_priority(int priority) {
    sched_param param{};
    param.sched_priority = priority;
    // Reset-on-fork with SCHED_OTHER too: without CAP_SYS_NICE a process may not clear the
    // flag, and one started SCHED_RR with it (as by a unit) must still be able to go back.
    const int policy = (priority > 0 ? SCHED_RR : SCHED_OTHER) | SCHED_RESET_ON_FORK;
    if (::sched_setscheduler(0, policy, &param) != 0) return last_error();
    return {};
}

std::error_code lock_memory(bool on) {
    // One malloc arena: each thread's own would reserve 64 MiB, and under MCL_FUTURE even a
    // reservation counts against RLIMIT_MEMLOCK (the unit's 256 MiB; the reload thread's
    // arena took a 1000-instance daemon from 20 to 94 MiB locked).
    if (on) (void)::mallopt(M_ARENA_MAX, 1);
    if (on ? ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0 : ::munlockall() != 0) return last_error();
    return {};
}

long process_id() {
    return static_cast<long>(::getpid());
}

std::optional<std::string> interface_with_address(const IpAddress& address) {
    ifaddrs* all = nullptr;
    if (::getifaddrs(&all) != 0) return std::nullopt;
    std::optional<std::string> found;
    for (const ifaddrs* i = all; i != nullptr && !found; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        std::optional<IpAddress> a;
        if (i->ifa_addr->sa_family == AF_INET) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            a = IpAddress::v4(std::span<const std::uint8_t, IpAddress::kV4Size>(
                reinterpret_cast<const std::uint8_t*>(&in->sin_addr), IpAddress::kV4Size));
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            a = IpAddress::v6(std::span<const std::uint8_t, IpAddress::kV6Size>(
                reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr), IpAddress::kV6Size));
        }
        if (a && *a == address) found = i->ifa_name;
    }
    ::freeifaddrs(all);
    return found;
}

bool interface_exists(std::string_view name) {
    const std::string n(name);
    return ::if_nametoindex(n.c_str()) != 0;
}

std::optional<gid_t> group_id(const std::string& name) {
    // Reentrant: the configuration is loaded beside the loop.
    std::vector<char> buf;
    group gr{};
    group* found = nullptr;
    const int rc = nss_lookup(_SC_GETGR_R_SIZE_MAX, buf, [&](char* data, std::size_t size) {
        return ::getgrnam_r(name.c_str(), &gr, data, size, &found);
    });
    if (rc != 0 || found == nullptr) return std::nullopt;
    return gr.gr_gid;
}

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return "";
    return buf.data();
}

}  // namespace vipd::os
