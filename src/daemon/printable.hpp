// Untrusted text made fit for one log line.
#pragma once

#include <string>
#include <string_view>

namespace vipd {

// Text from outside (a script's output) made safe for one log line: control characters,
// newlines included, become \n, \r, \t or \xNN, so nothing in it can forge a line of its
// own; cut at `max` bytes ("..." marks the cut).
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max = 200) {
    std::string out;
    const auto cut = text.size() > max;
    for (const char c : cut ? text.substr(0, max) : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (u < 0x20 || u == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    if (cut) out += "...";
    return out;
}

}  // namespace vipd
