// One request per connection (Connection: close): scrapers reconnect every interval anyway,
// and it keeps the server to a read, a write and a deadline.
#include "metrics_http.hpp"

#include "metrics_http_request.hpp"
#include "vipd/daemon/log.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace vipd {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr std::chrono::seconds kDeadline{5};
constexpr int kMaxSessions = 16;
constexpr std::chrono::milliseconds kAcceptRetry{100};

}  // namespace

namespace metrics_http {

void limit(Parser& parser) {
    parser.header_limit(kMaxRequest);
    parser.body_limit(kMaxRequest);
}

Response respond(const Request& req, const std::function<std::string()>& render) {
    Response response;
    response.version(req.version());
    response.keep_alive(false);
    response.set(http::field::server, "vipd");
    const auto target = req.target();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET, HEAD");
        response.body() = "only GET /metrics\n";
    } else if (target != "/metrics" && !target.starts_with("/metrics?")) {
        response.result(http::status::not_found);
        response.body() = "vipd serves /metrics\n";
    } else {
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = render();
    }
    if (response.result() != http::status::ok) {
        response.set(http::field::content_type, "text/plain; charset=utf-8");
    }
    response.prepare_payload();
    if (req.method() == http::verb::head) response.body().clear();
    return response;
}

}  // namespace metrics_http

struct MetricsHttpServer::Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket s, std::shared_ptr<std::function<std::string()>> r,
            std::shared_ptr<int> count)
        : stream(std::move(s)), render(std::move(r)), sessions(std::move(count)) {
        ++*sessions;
        metrics_http::limit(parser);
    }
    ~Session() { --*sessions; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() {
        stream.expires_after(kDeadline);
        http::async_read(stream, buffer, parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return;  // closed, timed out or not HTTP: just drop it
                             self->respond();
                         });
    }

    void respond() {
        response = metrics_http::respond(parser.get(), *render);
        http::async_write(stream, response,
                          [self = shared_from_this()](beast::error_code, std::size_t) {
                              beast::error_code ignored;
                              self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    beast::tcp_stream stream;
    std::shared_ptr<std::function<std::string()>> render;
    std::shared_ptr<int> sessions;
    beast::flat_buffer buffer{metrics_http::kMaxRequest};
    metrics_http::Parser parser;
    metrics_http::Response response;
};

MetricsHttpServer::MetricsHttpServer(boost::asio::io_context& io,
                                     std::function<std::string()> render,
                                     std::shared_ptr<spdlog::logger> log)
    : render_(std::make_shared<std::function<std::string()>>(std::move(render))),
      log_(std::move(log)),
      acceptor_(io),
      retry_(io) {}

MetricsHttpServer::~MetricsHttpServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

std::error_code MetricsHttpServer::listen(const config::ListenAddress& where) {
    const auto bytes = where.address.bytes();
    boost::asio::ip::address address;
    if (where.address.family() == Family::IPv4) {
        boost::asio::ip::address_v4::bytes_type b{};
        std::copy(bytes.begin(), bytes.end(), b.begin());
        address = boost::asio::ip::address_v4(b);
    } else {
        boost::asio::ip::address_v6::bytes_type b{};
        std::copy(bytes.begin(), bytes.end(), b.begin());
        address = boost::asio::ip::address_v6(b);
    }
    const tcp::endpoint endpoint(address, where.port);
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(tcp::socket::max_listen_connections, ec);
    if (ec) return std::error_code(ec.value(), std::system_category());
    where_ = where;
    accept();
    return {};
}

void MetricsHttpServer::accept() {
    acceptor_.async_accept(
        [this, alive = std::weak_ptr(alive_)](const boost::system::error_code& ec, tcp::socket s) {
            if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
            if (ec) {
                log_->warn("metrics: accept: {}; retrying in {} ms", ec.message(),
                           kAcceptRetry.count());
                retry_.expires_after(kAcceptRetry);
                retry_.async_wait([this, alive](const boost::system::error_code& e) {
                    if (!e && !alive.expired()) accept();
                });
                return;
            }
            if (*sessions_ < kMaxSessions) {
                std::make_shared<Session>(std::move(s), render_, sessions_)->start();
            }  // else: closed at once (the socket goes out of scope)
            accept();
        });
}

std::unique_ptr<MetricsHttpServer> serve_metrics(boost::asio::io_context& io,
                                                 const config::ListenAddress& where,
                                                 std::function<std::string()> render,
                                                 std::shared_ptr<spdlog::logger> log) {
    const auto text = where.address.family() == Family::IPv6
                          ? fmt::format("[{}]:{}", where.address.to_string(), where.port)
                          : fmt::format("{}:{}", where.address.to_string(), where.port);
    auto server = std::make_unique<MetricsHttpServer>(io, std::move(render), log);
    if (auto ec = server->listen(where)) {
        log->error("metrics_listen {}: {}; metrics only through vipctl", text, ec.message());
        return nullptr;
    }
    logs::info(*log, "serving metrics on http://{}/metrics", text);
    return server;
}

}  // namespace vipd
