// A scanner that knows just enough of libconfig's lexical structure to measure its tokens:
// strings (with escapes, and adjacent ones libconfig joins), comments (#, //, /* */), words,
// and @include lines.
#include "text_limits.hpp"

#include <fmt/format.h>

namespace vipd::config {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Characters that end a word in libconfig's grammar.
bool is_punct(char c) {
    switch (c) {
        case '=':
        case ':':
        case ';':
        case ',':
        case '{':
        case '}':
        case '(':
        case ')':
        case '[':
        case ']':
        case '"':
        case '#':
            return true;
        default:
            return false;
    }
}

}  // namespace

std::optional<TextProblem> oversized_token(std::string_view text) {
    int line = 1;
    std::size_t i = 0;
    const auto too_long = [&](int at, const char* what) {
        return TextProblem{at, fmt::format("{} longer than {} KiB (vipd's limit)", what,
                                           kMaxConfigTokenBytes / 1024)};
    };
    // Advances past [i, end), counting lines; the length is end - start.
    const auto skip_to = [&](std::size_t end) {
        for (; i < end && i < text.size(); ++i)
            if (text[i] == '\n') ++line;
    };
    while (i < text.size()) {
        const char c = text[i];
        const int start_line = line;
        const std::size_t start = i;
        if (is_space(c)) {
            skip_to(i + 1);
        } else if (c == '#' || text.substr(i, 2) == "//") {
            const auto end = text.find('\n', i);
            skip_to(end == std::string_view::npos ? text.size() : end);
            if (i - start > kMaxConfigTokenBytes) return too_long(start_line, "a comment");
        } else if (text.substr(i, 2) == "/*") {
            const auto end = text.find("*/", i + 2);
            skip_to(end == std::string_view::npos ? text.size() : end + 2);
            if (i - start > kMaxConfigTokenBytes) return too_long(start_line, "a comment");
        } else if (c == '"') {
            std::size_t j = i + 1;
            while (j < text.size() && text[j] != '"')
                j += text[j] == '\\' ? 2U : 1U;
            skip_to(std::min(j + 1, text.size()));
            if (i - start > kMaxConfigTokenBytes) return too_long(start_line, "a string");
        } else if (is_punct(c)) {
            skip_to(i + 1);
        } else {
            std::size_t j = i;
            while (j < text.size() && !is_space(text[j]) && !is_punct(text[j]) &&
                   text.substr(j, 2) != "//" && text.substr(j, 2) != "/*")
                ++j;
            skip_to(std::max(j, i + 1));
            if (i - start > kMaxConfigTokenBytes) return too_long(start_line, "a word");
        }
    }
    return std::nullopt;
}

std::vector<std::string> includes(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        auto line = text.substr(pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (!line.starts_with("@include")) continue;
        const auto open = line.find('"');
        const auto close = open == std::string_view::npos ? open : line.find('"', open + 1);
        if (close == std::string_view::npos) continue;  // libconfig reports the syntax error
        out.emplace_back(line.substr(open + 1, close - open - 1));
    }
    return out;
}

}  // namespace vipd::config
