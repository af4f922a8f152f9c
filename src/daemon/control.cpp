// Control socket: request validation (pure) and the Asio server around it.
#include "vipd/daemon/control.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <istream>

namespace vipd {
namespace {

nlohmann::json error_reply(const std::string& message) {
    return nlohmann::json{{"ok", false}, {"error", message}};
}

}  // namespace

nlohmann::json handle_control_request(std::string_view line, const ControlCommands& commands) {
    if (line.size() > kMaxControlRequest) return error_reply("request too large");
    const auto request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded()) return error_reply("request is not valid JSON");
    if (!request.is_object()) return error_reply("request must be a JSON object");
    const auto it = request.find("command");
    if (it == request.end() || !it->is_string()) {
        return error_reply("request needs a \"command\" string");
    }
    const auto command = it->get<std::string>();
    try {
        if (command == "status" && commands.status) {
            return nlohmann::json{{"ok", true}, {"result", commands.status()}};
        }
        if (command == "reload" && commands.reload) {
            auto result = commands.reload();
            const bool applied = result.value("applied", false);
            return nlohmann::json{{"ok", applied}, {"result", std::move(result)}};
        }
        if (command == "ping") return nlohmann::json{{"ok", true}, {"result", "pong"}};
    } catch (const std::exception& e) {
        return error_reply(std::string("internal error: ") + e.what());
    }
    return error_reply("unknown command \"" + command + "\" (status, reload, ping)");
}

struct ControlServer::Session : std::enable_shared_from_this<Session> {
    Session(boost::asio::local::stream_protocol::socket s, ControlServer& owner)
        : socket(std::move(s)), server(owner), buffer(kMaxControlRequest + 1) {}

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
                self->reply(handle_control_request(line, self->server.commands_), true);
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
    ControlServer& server;
    boost::asio::streambuf buffer;
    std::string out;
};

ControlServer::ControlServer(boost::asio::io_context& io, ControlCommands commands,
                             std::shared_ptr<spdlog::logger> log)
    : io_(io), commands_(std::move(commands)), log_(std::move(log)), acceptor_(io) {}

ControlServer::~ControlServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (!path_.empty()) ::unlink(path_.c_str());
}

std::error_code ControlServer::listen(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return std::make_error_code(std::errc::file_exists);
        ::unlink(path.c_str());  // left by a previous run (the pid file says none is alive)
    }
    boost::system::error_code ec;
    acceptor_.open(boost::asio::local::stream_protocol(), ec);
    if (!ec) acceptor_.bind(boost::asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return std::error_code(ec.value(), std::system_category());
    path_ = path;
    if (::chmod(path.c_str(), 0660) != 0) return {errno, std::system_category()};
    accept();
    return {};
}

void ControlServer::accept() {
    acceptor_.async_accept(
        [this](const boost::system::error_code& ec, boost::asio::local::stream_protocol::socket s) {
            if (ec == boost::asio::error::operation_aborted) return;
            if (!ec) std::make_shared<Session>(std::move(s), *this)->read();
            accept();
        });
}

}  // namespace vipd
