// Control socket: request validation (pure) and the Asio server around it.
#include "control.hpp"

#include "vipd/os/files.hpp"

#include <fmt/format.h>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <istream>

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
    void fail(std::string message) {
        if (!problem) problem = std::move(message);
    }
};

}  // namespace

void handle_control_request(std::string_view line, ControlApi& api,
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
        if (command == "ping") {
            respond(json("pong"));
        } else if (command == "status") {
            api.status(respond);
        } else if (command == "reload") {
            api.reload(respond);
        } else if (command == "metrics") {
            api.metrics(respond);
        } else if (command == "stats") {
            const bool clear = args.flag("clear", false);
            if (!args.problem) api.stats(clear, respond);
        } else if (command == "handover") {
            auto name = args.instance();
            const auto to = args.address("to");
            if (!args.problem) api.handover(name, to, respond);
        } else if (command == "set-priority") {
            auto name = args.instance();
            const auto priority = args.priority();
            if (!args.problem) api.set_priority(name, priority, respond);
        } else if (command == "maintenance") {
            auto name = args.instance();
            const bool on = args.flag("on", std::nullopt);
            if (!args.problem) api.maintenance(name, on, respond);
        } else {
            respond(
                Unexpected(fmt::format("unknown command \"{}\" ({})", command, kControlCommands)));
        }
        if (args.problem) respond(Unexpected(command + ": " + *args.problem));
    } catch (const std::exception& e) {
        respond(Unexpected(std::string("internal error: ") + e.what()));
    }
}

struct ControlServer::Session : std::enable_shared_from_this<Session> {
    Session(boost::asio::local::stream_protocol::socket s, ControlServer& owner)
        : socket(std::move(s)), api(owner.api_), buffer(kMaxControlRequest + 1) {}

    void read() {
        boost::asio::async_read_until(
            socket, buffer, '\n',
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec == boost::asio::error::not_found) {
                    // Longer than the limit without a newline: answer, then hang up.
                    self->reply(error_reply("request too large"), false);
                    return;
                }
                if (ec) return;  // closed
                std::string line(n, '\0');
                std::istream in(&self->buffer);
                in.read(line.data(), static_cast<std::streamsize>(n));
                while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
                    line.pop_back();
                }
                // The reply may come later (a handover): the session lives until it has.
                handle_control_request(line, self->api,
                                       [self](nlohmann::json r) { self->reply(r, true); });
            });
    }

    void reply(const nlohmann::json& r, bool more) {
        out = r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        boost::asio::async_write(
            socket, boost::asio::buffer(out),
            [self = shared_from_this(), more](const boost::system::error_code& ec, std::size_t) {
                if (!ec && more) self->read();
            });
    }

    boost::asio::local::stream_protocol::socket socket;
    ControlApi& api;  // outlives the server, hence any session
    boost::asio::streambuf buffer;
    std::string out;
};

ControlServer::ControlServer(boost::asio::io_context& io, ControlApi& api,
                             std::shared_ptr<spdlog::logger> log)
    : io_(io), api_(api), log_(std::move(log)), acceptor_(io), retry_(io) {}

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
            std::make_shared<Session>(std::move(s), *this)->read();
            accept();
        });
}

}  // namespace vipd
