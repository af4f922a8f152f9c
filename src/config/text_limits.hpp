// Limits on configuration text, checked before libconfig sees it: libconfig's scanner takes
// time quadratic in the length of one token (a 1 MiB string took 0.6 s, 4 MiB 7.5 s; a long
// comment or word the same), so a file with one could hold vipd -t, a start or a reload for
// minutes. Files, and each @include'd file, are read whole (bounded) and scanned here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::config {

inline constexpr std::size_t kMaxConfigFileBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxConfigTokenBytes = 64 * 1024;  // string, word or comment

struct TextProblem {
    int line = 0;  // 1-based; 0: the whole file
    std::string message;
};

// The first string, word (name, number) or comment in `text` longer than
// kMaxConfigTokenBytes, or nullopt.
[[nodiscard]] std::optional<TextProblem> oversized_token(std::string_view text);

// The files `text` names in @include directives (libconfig's: at the start of a line), as
// written.
[[nodiscard]] std::vector<std::string> includes(std::string_view text);

}  // namespace vipd::config
