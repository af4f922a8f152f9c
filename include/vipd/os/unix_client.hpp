// The client side of a Unix stream socket that speaks in lines (vipctl to vipd): one
// request line out, one reply line back, within a time limit.
#pragma once

#include <string>
#include <string_view>

#include "vipd/core/expected.hpp"

namespace vipd::os {

// Sends `line` (a newline is added) and returns the first line of the reply, or why not:
// the socket could not be reached, the peer closed early, or nothing came within
// `timeout_seconds`.
[[nodiscard]] Expected<std::string, std::string> exchange_line(const std::string& path,
                                                               std::string_view line,
                                                               double timeout_seconds);

}  // namespace vipd::os
