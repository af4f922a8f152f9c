// Daemon wiring: sockets are shared per (interface, family) and packets demultiplexed by
// VRID; netlink events fan out to the instances on the interface they concern.
#include "vipd/daemon/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace vipd {
namespace {

// A VRRP message is at most 4088 bytes; with an IPv4 header, options included, this holds
// any packet the kernel can hand a raw socket for protocol 112 on an ordinary MTU.
constexpr std::size_t kRxBufferSize = 9216;
// Packets handled per wake-up before other work gets a turn.
constexpr int kMaxPacketsPerWakeup = 256;
constexpr std::chrono::seconds kSocketRetry{1};

}  // namespace

struct Daemon::SocketEntry {
    std::unique_ptr<os::VrrpSocket> socket;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch;
    std::array<Instance*, 256> by_vrid{};
    std::array<std::uint64_t, proto::kDecodeErrorCount> drops{};  // before an instance is known
    RateLimiter drop_log{1.0, 5.0};
    std::string ifname;

    ~SocketEntry() {
        // The descriptor belongs to VrrpSocket; asio must not close it too.
        if (watch) watch->release();
    }
};

void set_log_level(spdlog::logger& log, config::LogLevel level) {
    switch (level) {
        case config::LogLevel::Debug:
            log.set_level(spdlog::level::debug);
            break;
        case config::LogLevel::Info:
        case config::LogLevel::Notice:
            log.set_level(spdlog::level::info);
            break;
        case config::LogLevel::Warning:
            log.set_level(spdlog::level::warn);
            break;
        case config::LogLevel::Error:
            log.set_level(spdlog::level::err);
            break;
    }
}

Daemon::Daemon(DaemonOptions options, std::shared_ptr<spdlog::logger> log)
    : options_(std::move(options)),
      log_(std::move(log)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      retry_timer_(io_),
      rx_buffer_(kRxBufferSize) {
    signals_.add(SIGUSR1);
    pid_file_ = options_.pid_file.empty() ? options_.runtime_dir + "/vipd.pid" : options_.pid_file;
}

Daemon::~Daemon() {
    instances_.clear();
    sockets_.clear();
    if (netlink_watch_) netlink_watch_->release();
    if (pid_file_written_) ::unlink(pid_file_.c_str());
}

Instance::Env Daemon::env() {
    return Instance::Env{io_, *netlink_, *announcer_, log_};
}

int Daemon::run(config::Config config) {
    if (::mkdir(options_.runtime_dir.c_str(), 0755) != 0 && errno != EEXIST) {
        log_->error("cannot create runtime directory {}: {}", options_.runtime_dir,
                    std::strerror(errno));
        return 1;
    }
    if (!write_pid_file()) return 1;

    auto nl = os::Netlink::open();
    if (!nl) {
        log_->error("cannot open netlink: {}", nl.error().message());
        return 1;
    }
    netlink_ = std::move(nl.value());
    netlink_->set_callbacks(os::Netlink::Callbacks{
        .link_changed = [this](int ifindex) { on_link_changed(ifindex); },
        .address_changed = [this](int ifindex, const IpAddress& a,
                                  bool added) { on_address_changed(ifindex, a, added); },
    });
    netlink_watch_ =
        std::make_unique<boost::asio::posix::stream_descriptor>(io_, netlink_->event_fd());
    announcer_ = std::make_unique<os::SocketAnnouncer>();
    if (auto ec = announcer_->open_error()) {
        log_->error("cannot open announcement sockets: {} (vipd needs CAP_NET_RAW)", ec.message());
        return 1;
    }

    apply(std::move(config));
    watch_netlink();
    wait_signals();
    log_->info("vipd started: {} instance(s) from {}", instances_.size(), options_.config_file);
    // No exception may end the loop: VIPs would stay claimed with nobody advertising them.
    // A handler that throws is reported and the loop goes on.
    while (!stopping_) {
        try {
            io_.run();
            break;
        } catch (const std::exception& e) {
            log_->critical("internal error in the event loop: {}; continuing", e.what());
        }
    }
    return 0;
}

bool Daemon::write_pid_file() {
    // Refuse to run twice against the same runtime files.
    if (std::ifstream in(pid_file_); in) {
        pid_t other = 0;
        if (in >> other && other > 0 && other != ::getpid() && ::kill(other, 0) == 0) {
            log_->error(
                "another vipd (pid {}) is running with pid file {}; use --pid-file and "
                "--runtime-dir to run several",
                other, pid_file_);
            return false;
        }
    }
    ::unlink(pid_file_.c_str());
    const int fd =
        ::open(pid_file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_->error("cannot write pid file {}: {}", pid_file_, std::strerror(errno));
        return false;
    }
    const auto text = std::to_string(::getpid()) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    pid_file_written_ = ok;
    return ok;
}

void Daemon::apply(config::Config config) {
    if (!options_.log_level) set_log_level(*log_, config.global.log_level);
    auto old = std::move(instances_);
    instances_.clear();
    std::vector<Instance*> started;
    for (auto& ic : config.instances) {
        const auto key = key_of(ic);
        if (auto it = old.find(key); it != old.end()) {
            auto inst = std::move(it->second);
            old.erase(it);
            if (!(inst->config() == ic)) {
                log_->info("{} configuration changed; applying it live", inst->prefix());
                inst->reconfigure(ic);
            }
            instances_.emplace(key, std::move(inst));
            continue;
        }
        auto inst = std::make_unique<Instance>(env(), ic);
        started.push_back(inst.get());
        instances_.emplace(key, std::move(inst));
    }
    // Removed instances release their VIPs as on shutdown, while their socket still exists.
    for (auto& [key, inst] : old) {
        log_->info("{} removed from the configuration; stopping", inst->prefix());
        inst->stop();
    }
    old.clear();
    config_ = std::move(config);
    sync_sockets();
    for (auto* inst : started) {
        const auto* info = netlink_->find(inst->config().interface);
        if (info == nullptr) {
            log_->warn("{} interface {} does not exist (yet); in FAULT until it appears",
                       inst->prefix(), inst->config().interface);
        } else {
            inst->release_stale_addresses(*info);
        }
        inst->update_interface(info);
        inst->start();
    }
}

void Daemon::sync_sockets() {
    // Which (interface, family) pairs are wanted, with the interface's current index.
    std::map<std::pair<std::string, Family>, int> wanted;
    for (const auto& [key, inst] : instances_) {
        if (const auto* info = netlink_->find(key.interface)) {
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
            schedule_socket_retry();
            continue;
        }
        auto entry = std::make_unique<SocketEntry>();
        entry->socket = std::move(sock.value());
        entry->ifname = where.first;
        entry->watch =
            std::make_unique<boost::asio::posix::stream_descriptor>(io_, entry->socket->fd());
        sockets_.emplace(where, std::move(entry));
        watch_socket(where);
    }
    for (auto& [where, entry] : sockets_)
        entry->by_vrid.fill(nullptr);
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

void Daemon::schedule_socket_retry() {
    if (retry_pending_) return;
    retry_pending_ = true;
    retry_timer_.expires_after(kSocketRetry);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
        retry_pending_ = false;
        if (!ec) sync_sockets();
    });
}

void Daemon::watch_socket(const std::pair<std::string, Family>& where) {
    auto& entry = *sockets_.at(where);
    entry.watch->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                            [this, where](const boost::system::error_code& ec) {
                                if (ec) return;  // closed: the entry is gone
                                // Looked up again: the entry may have been replaced.
                                const auto it = sockets_.find(where);
                                if (it == sockets_.end()) return;
                                drain(*it->second);
                                if (sockets_.contains(where)) watch_socket(where);
                            });
}

void Daemon::drain(SocketEntry& entry) {
    for (int i = 0; i < kMaxPacketsPerWakeup; ++i) {
        std::error_code ec;
        const auto pkt = entry.socket->receive(rx_buffer_, ec);
        if (!pkt) {
            if (ec) log_->warn("receive on {}: {}", entry.ifname, ec.message());
            return;
        }
        const auto advert = proto::decode(pkt->message, pkt->meta);
        proto::DecodeError error{};
        Instance* inst = nullptr;
        if (!advert) {
            error = advert.error();
        } else {
            inst = entry.by_vrid[advert->fields.vrid.value()];
            if (inst == nullptr) error = proto::DecodeError::UnknownVrid;
        }
        if (inst != nullptr) {
            inst->receive(*advert, pkt->meta);
            continue;
        }
        ++entry.drops[static_cast<std::size_t>(error)];
        // Other VRIDs on a shared segment are normal; only malformed packets are news.
        if (error != proto::DecodeError::UnknownVrid && entry.drop_log.allow(Clock::now())) {
            log_->warn("[{}] dropped packet from {}: {}", entry.ifname, pkt->meta.src.to_string(),
                       proto::to_string(error));
        }
    }
}

void Daemon::watch_netlink() {
    netlink_watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [this](const boost::system::error_code& ec) {
                                   if (ec) return;
                                   if (auto err = netlink_->process()) {
                                       log_->warn("netlink: {}", err.message());
                                   }
                                   watch_netlink();
                               });
}

void Daemon::on_link_changed(int) {
    sync_sockets();
    for (auto& [key, inst] : instances_) {
        inst->update_interface(netlink_->find(key.interface));
    }
}

void Daemon::on_address_changed(int ifindex, const IpAddress& address, bool added) {
    const auto* info = netlink_->find(ifindex);
    if (info == nullptr) return;
    bool is_vip = false;
    for (auto& [key, inst] : instances_) {
        if (key.interface != info->name) continue;
        for (const auto& v : inst->config().addresses) {
            if (v.address != address) continue;
            is_vip = true;
            if (!added) inst->address_removed(address);
        }
    }
    if (is_vip) return;
    // An interface address changed: primary addresses may have moved.
    for (auto& [key, inst] : instances_) {
        if (key.interface == info->name) inst->update_interface(info);
    }
}

void Daemon::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        switch (signo) {
            case SIGTERM:
            case SIGINT:
                log_->info("signal {}: shutting down", signo == SIGTERM ? "TERM" : "INT");
                shutdown();
                return;
            case SIGHUP:
                log_->info("SIGHUP: reloading {}", options_.config_file);
                (void)reload();
                break;
            case SIGUSR1:
                write_snapshot();
                break;
            default:
                break;
        }
        wait_signals();
    });
}

ReloadResult Daemon::reload() {
    ReloadResult result;
    auto loaded = config::load_file(options_.config_file, [this](std::string_view name) {
        return netlink_->find(name) != nullptr;
    });
    result.diagnostics = loaded.diagnostics;
    for (const auto& d : loaded.diagnostics) {
        if (d.severity == config::Diagnostic::Severity::Error) {
            log_->error("{}", d.to_string());
        } else {
            log_->warn("{}", d.to_string());
        }
    }
    if (!loaded.ok()) {
        log_->error("reload failed: keeping the running configuration");
        return result;
    }
    apply(std::move(*loaded.config));
    result.applied = true;
    log_->info("reload done: {} instance(s)", instances_.size());
    return result;
}

void Daemon::shutdown() {
    // Masters send priority 0 and release their VIPs (RFC 9568 §6.4.3 (10)-(13)).
    for (auto& [key, inst] : instances_)
        inst->stop();
    signals_.cancel();
    io_.stop();
}

nlohmann::json Daemon::snapshot() const {
    using nlohmann::json;
    const auto now = Clock::now();
    json instances = json::array();
    for (const auto& [key, inst] : instances_)
        instances.push_back(inst->snapshot(now));
    json interfaces = json::array();
    for (const auto& [where, entry] : sockets_) {
        json drops = json::object();
        for (std::size_t i = 0; i < proto::kDecodeErrorCount; ++i) {
            drops[std::string(proto::to_string(static_cast<proto::DecodeError>(i)))] =
                entry->drops[i];
        }
        interfaces.push_back(json{{"interface", where.first},
                                  {"family", where.second == Family::IPv4 ? "ipv4" : "ipv6"},
                                  {"drops", drops}});
    }
    return json{{"pid", ::getpid()},
                {"config_file", options_.config_file},
                {"router_id", config_.global.router_id},
                {"instances", instances},
                {"sockets", interfaces}};
}

void Daemon::write_snapshot() {
    // Written to a fresh file (O_EXCL, O_NOFOLLOW, 0600) and renamed into place: a symlink
    // planted at either name is never followed, and readers never see half a file.
    const auto path = options_.runtime_dir + "/snapshot.json";
    const auto tmp = path + ".tmp." + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_->error("cannot write snapshot {}: {}", tmp, std::strerror(errno));
        return;
    }
    // Names come from the config file and the kernel: replace invalid UTF-8 rather than
    // throw (nlohmann::json's default).
    const auto text =
        snapshot().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        log_->error("cannot write snapshot {}: {}", path, std::strerror(errno));
        ::unlink(tmp.c_str());
        return;
    }
    log_->info("SIGUSR1: snapshot written to {}", path);
}

}  // namespace vipd
