// libFuzzer target for the metrics HTTP request path: any bytes, parsed as the server parses
// a connection's request (same limits), then answered. Oracle: the exposition is rendered
// exactly when the answer is 200, which only GET or HEAD of /metrics gets; every answer
// serialises and closes the connection.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include <boost/asio/buffer.hpp>

#include "daemon/metrics_http_request.hpp"

namespace http = boost::beast::http;
using namespace vipd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > metrics_http::kMaxRequest) return 0;  // the server's read buffer stops there
    metrics_http::Parser parser;
    metrics_http::limit(parser);
    parser.eager(true);
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    boost::beast::error_code ec;
    while (!rest.empty() && !parser.is_done()) {
        const auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        if (ec == http::error::need_more) break;  // the server waits for more, then times out
        if (ec) return 0;                         // not HTTP: the server drops the connection
        rest.remove_prefix(used);
    }
    if (!parser.is_done()) return 0;
    const auto& request = parser.get();
    bool rendered = false;
    const auto response = metrics_http::respond(request, [&] {
        rendered = true;
        return std::string("vipd_up 1\n");
    });
    const bool ok = response.result() == http::status::ok;
    if (rendered != ok) std::abort();
    const bool readable =
        request.method() == http::verb::get || request.method() == http::verb::head;
    const auto target = request.target();
    if (ok && (!readable || !(target == "/metrics" || target.starts_with("/metrics?")))) {
        std::abort();
    }
    if (response.keep_alive()) std::abort();
    std::ostringstream wire;
    wire << response;
    if (wire.str().find("HTTP/1.") != 0) std::abort();
    return 0;
}
