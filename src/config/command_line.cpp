// The shell-like word splitting of vipd.conf's commands (quotes and backslashes only).
#include "command_line.hpp"

#include <fmt/format.h>

#include <utility>

namespace vipd::config {

Expected<std::vector<std::string>, std::string> split_command(std::string_view cmd) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    };
    // execve would cut the argument there.
    if (cmd.find('\0') != std::string_view::npos) {
        return Unexpected{std::string{"command contains a NUL byte"}};
    }
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;  // a word may be empty: '' is an argument
    for (std::size_t i = 0; i < cmd.size(); ++i) {
        const char c = cmd[i];
        if (c == '\\' && i + 1 < cmd.size() && cmd[i + 1] == '\n') {
            ++i;  // line continuation, as in sh
            continue;
        }
        if (is_space(c)) {
            if (in_word) words.push_back(std::exchange(word, {}));
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (i + 1 == cmd.size()) {
                return Unexpected{fmt::format("trailing backslash at column {}", i + 1)};
            }
            word += cmd[++i];
        } else if (c == '\'') {
            // Nothing is special between single quotes, not even a backslash.
            const auto end = cmd.find('\'', i + 1);
            if (end == std::string_view::npos) {
                return Unexpected{fmt::format("unterminated ' starting at column {}", i + 1)};
            }
            word.append(cmd.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (;; ++j) {
                if (j == cmd.size()) {
                    return Unexpected{fmt::format("unterminated \" starting at column {}", i + 1)};
                }
                if (cmd[j] == '"') break;
                // Between double quotes a backslash escapes only these, as in sh.
                const bool escape =
                    cmd[j] == '\\' && j + 1 < cmd.size() &&
                    std::string_view{"$`\"\\\n"}.find(cmd[j + 1]) != std::string_view::npos;
                if (escape) {
                    if (cmd[++j] != '\n') word += cmd[j];
                } else {
                    word += cmd[j];
                }
            }
            i = j;
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    if (words.empty()) return Unexpected{std::string{"empty command"}};
    return words;
}

}  // namespace vipd::config
