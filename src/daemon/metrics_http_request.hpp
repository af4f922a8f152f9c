// What the metrics server does with one request, apart from the socket: the parser's limits
// and the answer. Separate so that tests/fuzz/fuzz_metrics_http.cpp drives it with any bytes.
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <functional>
#include <string>

namespace vipd::metrics_http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Header and body together: a scrape is a few hundred bytes.
inline constexpr std::size_t kMaxRequest = 8192;

// Applies the limits to a parser before it reads.
void limit(Parser& parser);

// GET or HEAD /metrics[?...]: 200 with render()'s text (HEAD: no body); any other method
// 405, any other path 404. render runs only for a 200. Connection: close.
[[nodiscard]] Response respond(const Request& request, const std::function<std::string()>& render);

}  // namespace vipd::metrics_http
