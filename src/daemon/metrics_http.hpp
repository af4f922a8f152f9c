// GET /metrics over HTTP on a loopback address (global metrics_listen), for a Prometheus
// scraper on the same host. Boost.Beast does the HTTP; each connection gets one request,
// a deadline and a size limit, so a slow or hostile client can't hold the daemon up.
#pragma once

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "vipd/config/config.hpp"

namespace vipd {

class MetricsHttpServer {
public:
    // `render` produces the exposition text on each scrape.
    MetricsHttpServer(boost::asio::io_context& io, std::function<std::string()> render,
                      std::shared_ptr<spdlog::logger> log);
    ~MetricsHttpServer();
    MetricsHttpServer(const MetricsHttpServer&) = delete;
    MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

    std::error_code listen(const config::ListenAddress& where);
    [[nodiscard]] const config::ListenAddress& where() const { return where_; }

private:
    struct Session;
    void accept();

    std::shared_ptr<std::function<std::string()>> render_;  // shared with live sessions
    std::shared_ptr<spdlog::logger> log_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;  // after an accept error (EMFILE...), not a busy loop
    config::ListenAddress where_;
    // Connections open now: at most kMaxSessions, so local clients can't use up vipd's
    // descriptors (its VRRP sockets and scripts need them).
    std::shared_ptr<int> sessions_ = std::make_shared<int>(0);
    // Handlers already queued when the server is destroyed (reload) see it expired.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// A server on `where`, or null (logged: the protocol matters more than the exporter, so
// vipd goes on without it) when it can't listen there.
[[nodiscard]] std::unique_ptr<MetricsHttpServer> serve_metrics(boost::asio::io_context& io,
                                                               const config::ListenAddress& where,
                                                               std::function<std::string()> render,
                                                               std::shared_ptr<spdlog::logger> log);

}  // namespace vipd
