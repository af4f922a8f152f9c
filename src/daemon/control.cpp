// Control socket: request validation (pure) and the Asio server around it.
#include "control.hpp"

#include "printable.hpp"
#include "vipd/daemon/log.hpp"
#include "vipd/os/files.hpp"
#include "vipd/os/peer.hpp"

#include <fmt/format.h>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <istream>
#include <list>

namespace vipd {
namespace {

using nlohmann::json;

json error_reply(const std::string& message) {
    return json{{"ok", false}, {"error", message}};
}

// The request's arguments, checked one by one; the first problem is the error reply.
struct Args {
    const json& request;
    std::optional<std::string> problem;

    std::string instance() {
        const auto it = request.find("instance");
        if (it == request.end() || !it->is_string() || it->get<std::string>().empty()) {
            fail("needs an \"instance\" name");
            return {};
        }
        return it->get<std::string>();
    }
    bool flag(const char* key, std::optional<bool> fallback) {
        const auto it = request.find(key);
        if (it == request.end() && fallback) return *fallback;
        if (it == request.end() || !it->is_boolean()) {
            fail(fmt::format("needs \"{}\": true or false", key));
            return false;
        }
        return it->get<bool>();
    }
    std::optional<Priority> priority() {
        const auto it = request.find("priority");
        if (it != request.end() && it->is_null()) return std::nullopt;
        if (it == request.end() || !it->is_number_integer() || it->get<std::int64_t>() < 1 ||
            it->get<std::int64_t>() > 254) {
            fail("needs \"priority\": 1..254, or null for the configured one");
            return std::nullopt;
        }
        return Priority{static_cast<std::uint8_t>(it->get<std::int64_t>())};
    }
    std::optional<IpAddress> address(const char* key) {
        const auto it = request.find(key);
        if (it == request.end() || it->is_null()) return std::nullopt;
        std::optional<IpAddress> a;
        if (it->is_string()) a = IpAddress::parse(it->get<std::string>());
        if (!a) fail(fmt::format("\"{}\" must be an IP address", key));
        return a;
    }
    // A string argument that `parse` turns into a T; "must be `what`" otherwise.
    template <typename Parse>
    auto named(const char* key, Parse parse, std::string_view what)
        -> decltype(parse(std::string_view{})) {
        const auto it = request.find(key);
        if (it == request.end() || it->is_null()) return std::nullopt;
        decltype(parse(std::string_view{})) v;
        if (it->is_string()) v = parse(it->get<std::string>());
        if (!v) fail(fmt::format("\"{}\" must be {}", key, what));
        return v;
    }
    void fail(std::string message) {
        if (!problem) problem = std::move(message);
    }
};

}  // namespace

void handle_control_request(std::string_view line, ControlApi& api, const ControlCaller& caller,
                            const std::function<void(json)>& reply) {
    if (line.size() > kMaxControlRequest) return reply(error_reply("request too large"));
    const auto request = json::parse(line, nullptr, false);
    if (request.is_discarded()) return reply(error_reply("request is not valid JSON"));
    if (!request.is_object()) return reply(error_reply("request must be a JSON object"));
    const auto it = request.find("command");
    if (it == request.end() || !it->is_string()) {
        return reply(error_reply("request needs a \"command\" string"));
    }
    const auto command = it->get<std::string>();
    // Exactly one reply, even if a handler throws after answering.
    auto answered = std::make_shared<bool>(false);
    auto respond = [reply, answered, reload = command == "reload"](ControlResult r) {
        if (*answered) return;
        *answered = true;
        if (!r) return reply(error_reply(r.error()));
        // A refused reload is not ok, but its result carries the diagnostics.
        const bool ok = !reload || r.value().value("applied", false);
        reply(json{{"ok", ok}, {"result", std::move(r.value())}});
    };
    Args args{request, std::nullopt};
    try {
        // The call, once the arguments are known good; `changes` for a state-changing one,
        // with what it asks for in words (the audit log's).
        std::function<void()> call;
        std::optional<std::string> changes;
        if (command == "ping") {
            call = [&] { respond(json("pong")); };
        } else if (command == "status") {
            call = [&] { api.status(respond); };
        } else if (command == "reload") {
            call = [&] { api.reload(respond); };
            changes = "reload";
        } else if (command == "metrics") {
            call = [&] { api.metrics(respond); };
        } else if (command == "stats") {
            const bool clear = args.flag("clear", false);
            call = [&, clear] { api.stats(clear, respond); };
            if (clear) changes = "stats --clear";
        } else if (command == "handover") {
            auto name = args.instance();
            const auto to = args.address("to");
            changes = "handover " + name + (to ? " to " + to->to_string() : "");
            call = [&, name, to] { api.handover(name, to, respond); };
        } else if (command == "set-priority") {
            auto name = args.instance();
            const auto priority = args.priority();
            changes = fmt::format("set-priority {} {}", name,
                                  priority ? std::to_string(priority->value()) : "configured");
            call = [&, name, priority] { api.set_priority(name, priority, respond); };
        } else if (command == "maintenance") {
            auto name = args.instance();
            const bool on = args.flag("on", std::nullopt);
            changes = fmt::format("maintenance {} {}", name, on ? "on" : "off");
            call = [&, name, on] { api.maintenance(name, on, respond); };
        } else if (command == "log-level") {
            const auto level = args.named("level", config::parse_log_level,
                                          "debug, info, notice, warning or error");
            const auto category = args.named("category", config::parse_debug_category,
                                             "packets, timers, netlink, scripts or control");
            if (category && !level) args.fail("a \"category\" needs a \"level\"");
            if (level) {
                changes = fmt::format(
                    "log-level {}{}", config::to_string(*level),
                    category ? " " + std::string(config::to_string(*category)) : std::string());
            }
            call = [&, level, category] { api.log_level(level, category, respond); };
        } else {
            return respond(
                Unexpected(fmt::format("unknown command \"{}\" ({})", command, kControlCommands)));
        }
        if (args.problem) return respond(Unexpected(command + ": " + *args.problem));
        if (changes) {
            api.audit(caller, *changes, caller.may_change);
            if (!caller.may_change) {
                return respond(Unexpected(fmt::format(
                    "{}: permission denied: uid {} may read but not change state (that takes "
                    "root or control_admin_group)",
                    command, caller.uid)));
            }
        }
        call();
    } catch (const std::exception& e) {
        respond(Unexpected(std::string("internal error: ") + e.what()));
    }
}

// The sessions open now, oldest first. Sessions add and remove themselves.
struct ControlServer::Registry {
    std::list<Session*> sessions;
    std::size_t open = 0;  // not yet closed (a closed one lingers until its handlers ran)
};

struct ControlServer::Session : std::enable_shared_from_this<Session> {
    Session(boost::asio::local::stream_protocol::socket s, ControlServer& owner, ControlCaller who)
        : socket(std::move(s)),
          api(owner.api_),
          log(owner.log_),
          limits(owner.limits_),
          caller(who),
          registry(owner.registry_),
          timer(socket.get_executor()),
          buffer(kMaxControlRequest + 1) {
        registry->sessions.push_back(this);
        self_in_registry = std::prev(registry->sessions.end());
        ++registry->open;
    }
    ~Session() {
        registry->sessions.erase(self_in_registry);
        if (!closed) --registry->open;
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void read() {
        busy = false;
        idle_since = std::chrono::steady_clock::now();
        expire_after(limits.idle);
        boost::asio::async_read_until(
            socket, buffer, '\n',
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                self->timer.cancel();
                if (ec == boost::asio::error::not_found) {
                    // Longer than the limit without a newline: answer, then hang up.
                    self->reply(error_reply("request too large"), false);
                    return;
                }
                if (ec || self->closed) return;  // closed, timed out or evicted
                self->busy = true;
                std::string line(n, '\0');
                std::istream in(&self->buffer);
                in.read(line.data(), static_cast<std::streamsize>(n));
                while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
                    line.pop_back();
                }
                logs::debug(*self->log, config::DebugCategory::Control,
                            "request from uid {} pid {}: {}", self->caller.uid, self->caller.pid,
                            printable(line));
                // The reply may come later (a handover): the session lives until it has.
                handle_control_request(line, self->api, self->caller,
                                       [self](nlohmann::json r) { self->reply(r, true); });
            });
    }

    void reply(const nlohmann::json& r, bool more) {
        if (closed) return;
        busy = true;
        out = r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        logs::debug(*log, config::DebugCategory::Control, "reply to uid {} pid {}: {} bytes{}",
                    caller.uid, caller.pid, out.size(),
                    r.value("ok", true) ? "" : ": " + printable(r.value("error", "")));
        expire_after(limits.writing);
        boost::asio::async_write(
            socket, boost::asio::buffer(out),
            [self = shared_from_this(), more](const boost::system::error_code& ec, std::size_t) {
                self->timer.cancel();
                if (!ec && more && !self->closed) self->read();
            });
    }

    // Closes the connection after `limit` unless the timer is cancelled first.
    void expire_after(std::chrono::milliseconds limit) {
        timer.expires_after(limit);
        timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock()) self->close();
        });
    }

    void close() {
        if (closed) return;
        closed = true;
        --registry->open;
        boost::system::error_code ignored;
        socket.close(ignored);  // the pending read or write ends with operation_aborted
        timer.cancel();
    }

    boost::asio::local::stream_protocol::socket socket;
    ControlApi& api;  // outlives the server, hence any session
    std::shared_ptr<spdlog::logger> log;
    const ControlLimits limits;
    const ControlCaller caller;
    std::shared_ptr<Registry> registry;
    std::list<Session*>::iterator self_in_registry;
    boost::asio::steady_timer timer;
    boost::asio::streambuf buffer;
    std::string out;
    bool busy = false;    // a request is being answered (never evicted)
    bool closed = false;  // by a timeout or to make room
    std::chrono::steady_clock::time_point idle_since;
};

ControlServer::ControlServer(boost::asio::io_context& io, ControlApi& api,
                             std::shared_ptr<spdlog::logger> log, ControlLimits limits)
    : api_(api),
      log_(std::move(log)),
      limits_(limits),
      acceptor_(io),
      retry_(io),
      registry_(std::make_shared<Registry>()) {}

ControlServer::~ControlServer() {
    retry_.cancel();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (!path_.empty()) os::remove_file(path_);
}

std::error_code ControlServer::listen(const std::string& path, std::optional<gid_t> group) {
    if (auto stale = os::clear_stale_socket(path)) return stale;
    boost::system::error_code ec;
    acceptor_.open(boost::asio::local::stream_protocol(), ec);
    if (!ec) acceptor_.bind(boost::asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return std::error_code(ec.value(), std::system_category());
    path_ = path;
    if (auto access = os::set_socket_access(path, group, 0660)) return access;
    accept();
    return {};
}

void ControlServer::accept() {
    acceptor_.async_accept(
        [this](const boost::system::error_code& ec, boost::asio::local::stream_protocol::socket s) {
            if (ec == boost::asio::error::operation_aborted) return;
            if (ec) {
                // Out of descriptors, say: try again shortly rather than spin.
                log_->warn("control socket: accept: {}; retrying in 100 ms", ec.message());
                retry_.expires_after(std::chrono::milliseconds{100});
                retry_.async_wait([this](const boost::system::error_code& e) {
                    if (!e) accept();
                });
                return;
            }
            admit(std::move(s));
            accept();
        });
}

ControlCaller control_caller(const os::PeerCredentials& cred, std::optional<gid_t> admin_group) {
    return ControlCaller{
        .uid = cred.uid,
        .pid = cred.pid,
        .may_change = cred.uid == 0 || (admin_group && cred.in_group(*admin_group))};
}

void ControlServer::admit(boost::asio::local::stream_protocol::socket socket) {
    const auto who = os::peer_credentials(socket.native_handle());
    if (!who) {
        log_->warn("control socket: cannot tell who connected ({}); closed", who.error().message());
        return;
    }
    const auto caller = control_caller(who.value(), admin_group_);
    if (registry_->open >= limits_.max_sessions) {
        // Make room: the session that has waited longest without asking anything goes.
        Session* idlest = nullptr;
        for (auto* session : registry_->sessions) {
            if (session->closed || session->busy) continue;
            if (idlest == nullptr || session->idle_since < idlest->idle_since) idlest = session;
        }
        const bool room = idlest != nullptr;
        if (busy_log_.allow(std::chrono::steady_clock::now())) {
            const auto quiet = busy_log_.take_suppressed();
            log_->warn("control socket: {} connections open (the limit); {} (uid {} pid {}){}",
                       limits_.max_sessions,
                       room ? "closed the longest idle one for a new one" : "refused a new one",
                       caller.uid, caller.pid,
                       quiet ? fmt::format(" ({} more not logged)", quiet) : std::string());
        }
        if (!room) {
            // Every session is answering something: tell this one, without waiting on it.
            const std::string busy =
                error_reply("busy: too many control connections").dump() + "\n";
            boost::system::error_code ignored;
            socket.non_blocking(true, ignored);
            socket.send(boost::asio::buffer(busy), 0, ignored);
            return;
        }
        idlest->close();
    }
    std::make_shared<Session>(std::move(socket), *this, caller)->read();
}

}  // namespace vipd
