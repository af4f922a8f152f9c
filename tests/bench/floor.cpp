// vrrp-floor: the benchmark's yardstick. It makes the socket calls a VRRP router cannot
// avoid and nothing else, on vipd's own sockets (os::VrrpSocket):
//   send: every interval, one advert per instance and interface, all in one wake-up
//         (pre-encoded once: no state machine, no timers, no logging);
//   recv: every 5 ms, drain every socket with recvmmsg (no decoding, no state).
// Its CPU time is the floor under vipd's and keepalived's on the same lab: what the kernel
// charges for the packets themselves.
//   vrrp-floor send|recv [--per N] [--interval-ms MS] IFACE...
// Runs until SIGINT/SIGTERM, then prints how many adverts it sent or received.
// And a flood for the fault scenarios (tests/netns/faults.sh): valid adverts for one VRID
// at one priority, `rate` a second in 10 ms batches, for `seconds`:
//   vrrp-floor flood --vrid V --priority P --rate N --seconds S IFACE
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <time.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vipd/os/vrrp_socket.hpp"
#include "vipd/proto/advert.hpp"
#include "vipd/proto/wire.hpp"

namespace {

std::atomic<bool> stop{false};

void on_signal(int) {
    stop = true;
}

std::optional<vipd::IpAddress> ipv4_of(const std::string& ifname) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<vipd::IpAddress> out;
    for (auto* a = list; a != nullptr; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
        if (ifname != a->ifa_name) continue;
        const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        std::array<std::uint8_t, 4> b{};
        std::memcpy(b.data(), &sin->sin_addr, 4);
        out = vipd::IpAddress::v4(b);
        break;
    }
    ::freeifaddrs(list);
    return out;
}

timespec operator+(timespec t, long ns) {
    t.tv_nsec += ns;
    while (t.tv_nsec >= 1'000'000'000L) {
        t.tv_nsec -= 1'000'000'000L;
        ++t.tv_sec;
    }
    return t;
}

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: vrrp-floor send|recv [--per N] [--interval-ms MS] IFACE...\n"
                 "       vrrp-floor flood --vrid V --priority P --rate N --seconds S IFACE\n");
    std::exit(2);
}

struct Port {
    std::unique_ptr<vipd::os::VrrpSocket> socket;
    vipd::IpAddress src;
    std::vector<std::vector<std::uint8_t>> adverts;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) usage();
    const std::string_view mode = argv[1];
    if (mode != "send" && mode != "recv" && mode != "flood") usage();
    int per = 100;
    long interval_ms = 100;
    int flood_vrid = 1, flood_priority = 100;
    long flood_rate = 1000, flood_seconds = 1;
    std::vector<std::string> ifaces;
    for (int i = 2; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--per" && i + 1 < argc) {
            per = std::atoi(argv[++i]);
        } else if (a == "--interval-ms" && i + 1 < argc) {
            interval_ms = std::atol(argv[++i]);
        } else if (a == "--vrid" && i + 1 < argc) {
            flood_vrid = std::atoi(argv[++i]);
        } else if (a == "--priority" && i + 1 < argc) {
            flood_priority = std::atoi(argv[++i]);
        } else if (a == "--rate" && i + 1 < argc) {
            flood_rate = std::atol(argv[++i]);
        } else if (a == "--seconds" && i + 1 < argc) {
            flood_seconds = std::atol(argv[++i]);
        } else {
            ifaces.emplace_back(a);
        }
    }
    if (ifaces.empty() || per < 1 || per > 255) usage();
    if (mode == "flood") {
        if (flood_vrid < 1 || flood_vrid > 255 || flood_priority < 1 || flood_priority > 254 ||
            flood_rate < 100 || flood_seconds < 1) {
            usage();
        }
        per = 1;
        interval_ms = 100;  // the advertised interval
    }
    if (interval_ms < 10 || interval_ms > 40950 || interval_ms % 10 != 0) {
        std::fprintf(stderr,
                     "vrrp-floor: --interval-ms must be 10..40950, in whole centiseconds\n");
        return 2;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    std::vector<Port> ports;
    for (const auto& name : ifaces) {
        const int ifindex = static_cast<int>(::if_nametoindex(name.c_str()));
        const auto src = ipv4_of(name);
        if (ifindex == 0 || !src) {
            std::fprintf(stderr, "vrrp-floor: %s: no such interface or no IPv4 address\n",
                         name.c_str());
            return 1;
        }
        auto sock = vipd::os::VrrpSocket::open(vipd::Family::IPv4, ifindex, name, mode == "recv");
        if (!sock) {
            std::fprintf(stderr, "vrrp-floor: %s: %s\n", name.c_str(),
                         sock.error().message().c_str());
            return 1;
        }
        Port port{std::move(sock.value()), *src, {}};
        if (mode != "recv") {
            for (int v = 1; v <= per; ++v) {
                vipd::proto::AdvertFields f;
                f.vrid = vipd::Vrid{static_cast<std::uint8_t>(mode == "flood" ? flood_vrid : v)};
                f.priority = vipd::Priority{
                    static_cast<std::uint8_t>(mode == "flood" ? flood_priority : 200)};
                f.max_adver_int = vipd::Centiseconds{static_cast<std::uint16_t>(interval_ms / 10)};
                std::array<std::uint8_t, 64> buf{};
                const std::array addresses{*src};
                const auto n = vipd::proto::encode(f, addresses, *src, vipd::proto::kVrrpGroupV4,
                                                   vipd::proto::ChecksumVariant::PseudoHeader, buf);
                if (!n) {
                    std::fprintf(stderr, "vrrp-floor: cannot encode an advert: %s\n",
                                 std::string(vipd::proto::to_string(n.error())).c_str());
                    return 1;
                }
                port.adverts.emplace_back(buf.begin(), buf.begin() + static_cast<long>(*n));
            }
        }
        ports.push_back(std::move(port));
    }

    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    timespec next{};
    ::clock_gettime(CLOCK_MONOTONIC, &next);
    if (mode == "flood") {
        const long per_batch = flood_rate / 100;  // one batch every 10 ms
        for (long batch = 0; batch < flood_seconds * 100 && !stop; ++batch) {
            for (auto& p : ports) {
                for (long k = 0; k < per_batch; ++k) {
                    if (p.socket->send(p.adverts.front(), p.src, vipd::proto::kVrrpGroupV4)) {
                        ++errors;
                    } else {
                        ++count;
                    }
                }
            }
            next = next + 10'000'000L;
            ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        }
    } else if (mode == "send") {
        while (!stop) {
            for (auto& p : ports) {
                for (const auto& a : p.adverts) {
                    if (p.socket->send(a, p.src, vipd::proto::kVrrpGroupV4)) {
                        ++errors;
                    } else {
                        ++count;
                    }
                }
            }
            next = next + interval_ms * 1'000'000L;
            ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        }
    } else {
        auto batch = std::make_unique<vipd::os::RxBatch>();
        while (!stop) {
            for (auto& p : ports) {
                for (;;) {
                    std::error_code ec;
                    const auto n = p.socket->receive_batch(*batch, ec);
                    if (ec) ++errors;
                    count += n;
                    if (n < vipd::os::RxBatch::kSize) break;
                }
            }
            next = next + 5'000'000L;
            ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        }
    }
    std::printf("%s %llu adverts, %llu errors\n", mode == "recv" ? "received" : "sent",
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(errors));
    return 0;
}
