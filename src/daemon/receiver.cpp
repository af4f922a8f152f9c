// Sockets per (interface, family), reading per packet or on a tick, the VRID demux.
#include "receiver.hpp"

#include "baseline.hpp"

#include "vipd/daemon/log.hpp"
#include "vipd/proto/advert.hpp"
#include "vipd/proto/wire.hpp"

namespace vipd {
namespace {

// Packets handled per wake-up before other work gets a turn: waking per packet, a socket
// read again at once if more wait; on a tick, what arrived in kPollTick must fit (at 256 per
// 5 ms tick a flood of 100,000 adverts/s overflowed the socket, and the master's adverts
// were lost with the rest: the backup took over). 2048 packets are about 2 ms of work.
constexpr std::size_t kMaxPacketsPerWakeup = 256;
constexpr std::size_t kMaxPacketsPerTick = 2048;
constexpr std::chrono::seconds kSocketRetry{1};
// Receiving: one wake-up per advert is what a busy backup mostly pays for. Above
// kPollAbove adverts per kRateWindow the receiver stops waiting for each packet and reads
// every socket once per kPollTick instead, with recvmmsg (an advert is acted on at most that
// much later: a resigning master's backup takes over up to 5 ms later at such loads; every
// socket is read before a Master_Down_Timer expiry counts, so no takeover comes from an
// unread advert); below kPollBelow it goes back to waking per packet. At 10,000 adverts/s
// a 2 ms tick cost 2.5% of a core, 5 ms 1.6%.
constexpr std::chrono::milliseconds kRateWindow{100};
constexpr std::uint64_t kPollAbove = 200;  // 2000 adverts/s
constexpr std::uint64_t kPollBelow = 50;   // 500 adverts/s
constexpr std::chrono::milliseconds kPollTick{5};

}  // namespace

struct Receiver::Socket {
    std::unique_ptr<os::VrrpSocket> socket;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch;  // while waking per packet
    std::array<Instance*, 256> by_vrid{};
    DropCounts drops{};            // before an instance is known
    Baseline<DropCounts> cleared;  // vipctl stats --clear
    std::string ifname;

    ~Socket() {
        // The descriptor belongs to VrrpSocket; asio must not close it too.
        if (watch) watch->release();
    }
};

Receiver::Receiver(boost::asio::io_context& io, os::TimeSource& time, TimerQueue& timers,
                   const InstanceMap& instances, FindInterface find_interface,
                   std::shared_ptr<spdlog::logger> log, RateLimiter& input_log)
    : io_(io),
      time_(time),
      timers_(timers),
      instances_(instances),
      find_interface_(std::move(find_interface)),
      log_(std::move(log)),
      input_log_(input_log),
      retry_(time_.make_alarm([this] {
          retry_pending_ = false;
          sync();
      })),
      tick_(time_.make_alarm([this] { tick(); })),
      window_start_(time_.now()) {}

Receiver::~Receiver() = default;

void Receiver::sync() {
    // Which (interface, family) pairs are wanted, with the interface's current index.
    std::map<Where, int> wanted;
    for (const auto& [key, inst] : instances_) {
        if (const auto* info = find_interface_(key.interface)) {
            wanted[{key.interface, key.family}] = info->ifindex;
        }
    }
    for (auto it = sockets_.begin(); it != sockets_.end();) {
        const auto w = wanted.find(it->first);
        if (w == wanted.end() || w->second != it->second->socket->ifindex()) {
            it = sockets_.erase(it);  // interface gone or renumbered: reopen below
        } else {
            ++it;
        }
    }
    for (const auto& [where, ifindex] : wanted) {
        if (sockets_.contains(where)) continue;
        auto sock = os::VrrpSocket::open(where.second, ifindex, where.first, true);
        if (!sock) {
            // Its instances go to FAULT (no transport) until a retry succeeds.
            log_->error("cannot open VRRP socket on {} ({}): {}; retrying in {} s", where.first,
                        to_string(where.second), sock.error().message(), kSocketRetry.count());
            if (!retry_pending_) {
                retry_pending_ = true;
                retry_->set(time_.now() + kSocketRetry);
            }
            continue;
        }
        auto s = std::make_unique<Socket>();
        s->socket = std::move(sock.value());
        s->ifname = where.first;
        sockets_.emplace(where, std::move(s));
        if (!polling_) watch(where);
    }
    for (auto& [where, s] : sockets_)
        s->by_vrid.fill(nullptr);
    for (const auto& [key, inst] : instances_) {
        const auto it = sockets_.find({key.interface, key.family});
        if (it == sockets_.end()) {
            inst->set_transport(nullptr);
            continue;
        }
        it->second->by_vrid[key.vrid.value()] = inst.get();
        inst->set_transport(it->second->socket.get());
    }
}

void Receiver::watch(const Where& where) {
    auto& s = *sockets_.at(where);
    if (!s.watch) {
        s.watch = std::make_unique<boost::asio::posix::stream_descriptor>(io_, s.socket->fd());
    }
    s.watch->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                        [this, where](const boost::system::error_code& ec) {
                            if (ec) return;  // closed, or switched to polling
                            // Looked up again: the socket may have been replaced.
                            const auto it = sockets_.find(where);
                            if (it == sockets_.end()) return;
                            drain(*it->second);
                            if (polling_ || !sockets_.contains(where)) return;
                            watch(where);
                        });
}

void Receiver::count_received(std::uint64_t n) {
    window_count_ += n;
    const auto now = time_.now();
    if (now - window_start_ < kRateWindow) return;
    const auto count = window_count_;
    window_count_ = 0;
    window_start_ = now;
    if (!polling_ && count > kPollAbove) {
        polling_ = true;
        logs::debug(*log_, config::DebugCategory::Timers,
                    "receiving {} adverts per {} ms: reading the sockets every {} ms", count,
                    kRateWindow.count(), kPollTick.count());
        // Out of the reactor: no wake-up per packet (the handlers see operation_aborted).
        for (auto& [where, s] : sockets_) {
            if (s->watch) {
                s->watch->release();
                s->watch.reset();
            }
        }
        // On the timers' grid: the tick shares its wake-up with the timers due then.
        tick_->set(on_grid(now) + kPollTick);
    } else if (polling_ && count < kPollBelow) {
        polling_ = false;
        logs::debug(*log_, config::DebugCategory::Timers,
                    "receiving {} adverts per {} ms: waking per packet again", count,
                    kRateWindow.count());
        tick_->cancel();
        for (auto& [where, s] : sockets_)
            watch(where);
    }
}

void Receiver::tick() {
    if (!polling_) return;
    drain_all();
    // The adverts just read moved Master_Down_Timers on: their queue entries follow now, so
    // the tick stays the only wake-up a steady backup has.
    timers_.settle();
    if (polling_) tick_->set(on_grid(time_.now()) + kPollTick);
}

void Receiver::drain_pending() {
    if (polling_) drain_all();
}

void Receiver::drain_all() {
    // One poll() for all sockets, then recvmmsg only where something waits: adverts tend to
    // come in bursts, and most ticks find most sockets empty.
    poll_fds_.clear();
    for (auto& [where, s] : sockets_)
        poll_fds_.push_back(s->socket->fd());
    if (os::poll_readable(poll_fds_, readable_) == 0) {
        count_received(0);  // silence must also end the rate window (back to per packet)
        return;
    }
    std::size_t i = 0;
    for (auto& [where, s] : sockets_) {
        if (readable_[i++]) drain(*s);
    }
}

void Receiver::drain(Socket& s) {
    std::size_t received = 0;
    const std::size_t limit = polling_ ? kMaxPacketsPerTick : kMaxPacketsPerWakeup;
    while (received < limit) {
        std::error_code ec;
        const auto n = s.socket->receive_batch(*batch_, ec);
        if (ec) log_->warn("receive on {}: {}", s.ifname, ec.message());
        // A batch is for many instances, scattered in memory: ask for all of them before the
        // first is needed, so their cache misses overlap instead of queueing one by one.
        for (const auto& pkt : batch_->packets()) {
            const auto vrid = proto::peek_vrid(pkt.message);
            if (!vrid) continue;
            if (const auto* inst = s.by_vrid[vrid->value()]) inst->prefetch();
        }
        for (const auto& pkt : batch_->packets())
            handle(s, pkt);
        received += n;
        if (n < os::RxBatch::kSize) break;  // the socket is empty
    }
    count_received(received);
    // Waking per packet: the moved Master_Down_Timers follow (cheap at these rates).
    if (!polling_) timers_.settle();
}

void Receiver::handle(Socket& s, const os::ReceivedPacket& pkt) {
    const auto advert = proto::decode(pkt.message, pkt.meta);
    DropReason error{};
    Instance* inst = nullptr;
    if (!advert) {
        error = advert.error();
    } else {
        inst = s.by_vrid[advert->fields.vrid.value()];
        if (inst == nullptr) error = DropReason::UnknownVrid;  // §7.1
    }
    if (inst != nullptr) {
        inst->receive(*advert, pkt.meta);
        return;
    }
    ++s.drops[static_cast<std::size_t>(error)];
    if (logs::debugging(config::DebugCategory::Packets)) {  // (a flood of spoofed VRIDs)
        logs::debug(*log_, config::DebugCategory::Packets, "[{}] dropped from {}: {}", s.ifname,
                    pkt.meta.src.to_string(), to_string(error));
    }
    // Other VRIDs on a shared segment are normal; only malformed packets are news.
    if (error != DropReason::UnknownVrid && input_log_.allow(time_.now())) {
        const auto quiet = input_log_.take_suppressed();
        log_->warn("[{}] dropped packet from {}: {}{}", s.ifname, pkt.meta.src.to_string(),
                   to_string(error),
                   quiet > 0 ? fmt::format(" ({} similar lines suppressed)", quiet) : "");
    }
}

std::vector<SocketStatus> Receiver::status() const {
    std::vector<SocketStatus> out;
    for (const auto& [where, s] : sockets_)
        out.push_back({where.first, where.second, s->drops});
    return out;
}

DropCounts Receiver::drops_since_clear() const {
    DropCounts out{};
    for (const auto& [where, s] : sockets_) {
        const auto counted = s->cleared.since(s->drops);
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] += counted[i];
    }
    return out;
}

void Receiver::clear_stats() {
    for (auto& [where, s] : sockets_)
        s->cleared.clear(s->drops);
}

}  // namespace vipd
