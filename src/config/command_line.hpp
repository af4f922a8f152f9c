// How vipd.conf's command strings (health checks, notify) become argv: split as a shell
// splits quoted words, without a shell. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vipd/core/expected.hpp"

namespace vipd::config {

// Splits a command line into words the way a shell would for quoting only: whitespace
// separates, '...' and "..." group, backslash escapes; no variables, globs or pipes (a
// command that needs those says so: "/bin/sh -c '...'"). Error text for unbalanced quotes.
[[nodiscard]] Expected<std::vector<std::string>, std::string> split_command(std::string_view cmd);

}  // namespace vipd::config
