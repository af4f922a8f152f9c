// The generic half of loading a libconfig file: the walk, typed readers that report what is
// wrong, FILE:LINE diagnostics in file order, and did-you-mean hints for unknown keys.
// Nothing here knows vipd's settings; config/loader.cpp holds those rules.
#pragma once

#include <cstddef>
#include <functional>
#include <libconfig.h++>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vipd/config/config.hpp"

namespace vipd::config {

using libconfig::Setting;
using KeySet = std::span<const std::string_view>;

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
// The known key at most two edits from `key`, if any.
[[nodiscard]] std::optional<std::string_view> closest(std::string_view key, KeySet known);

// libconfig reports an @include'd file by the name written in the @include, which is
// relative to the include directory; name it from where the user stands instead.
[[nodiscard]] std::string resolve_file(const std::string& main_file, const std::string& include_dir,
                                       const char* f);

// One file being validated. Diagnostics are collected with the position of their setting
// in a pre-order walk of the tree, which is line order within a file and places an
// @include'd file's settings where the @include stands.
class Schema {
public:
    // A section whose keys are worth naming when one turns up elsewhere ("it belongs in
    // 'global'"), checked in this order before the did-you-mean hint.
    struct Section {
        KeySet keys;
        std::string_view where;
    };

    Schema(std::string main_file, std::string include_dir, std::vector<Section> sections);

    [[nodiscard]] std::string file_of(const Setting& s) const;
    // The root has no line of its own; what is missing from it is reported at line 1.
    [[nodiscard]] static int line_of(const Setting& s);
    [[nodiscard]] std::string location(const Setting& s) const;  // "FILE:LINE"

    void set_root(const Setting& root) { root_ = &root; }
    void error(const Setting& s, std::string message);
    void warning(const Setting& s, std::string message);
    // Every diagnostic so far in file order, and whether any is an error.
    [[nodiscard]] std::vector<Diagnostic> diagnostics();
    [[nodiscard]] bool failed() const;

    // One pass over the group's members (Setting::exists and operator[] each parse `key`
    // as a path and search the group: a thousand instances probe dozens of keys each).
    [[nodiscard]] static const Setting* find(const Setting& group, const char* key);

    // Reports every member of `group` not in `known`, with a hint where one helps.
    void check_keys(const Setting& group, KeySet known);

    // Typed readers: each reports what is wrong and returns nullopt.
    std::optional<std::string> string_value(const Setting& s);
    std::optional<bool> bool_value(const Setting& s);
    std::optional<long long> integer(const Setting& s);
    std::optional<long long> int_value(const Setting& s, long long lo, long long hi);
    // Seconds as an integer or a float ("2" or "0.5").
    std::optional<double> number_value(const Setting& s);
    std::optional<double> seconds_value(const Setting& s, double lo, double hi);
    std::optional<std::vector<const Setting*>> string_list(const Setting& s);

private:
    struct Entry {
        std::size_t order;
        Diagnostic diagnostic;
    };
    void number(const Setting& s);
    void report(Diagnostic::Severity severity, const Setting& s, std::string message);

    std::string main_file_;
    std::string include_dir_;
    std::vector<Section> sections_;
    const Setting* root_ = nullptr;
    std::unordered_map<const Setting*, std::size_t> order_;
    std::vector<Entry> entries_;
};

// A problem with the file as a whole (line 0: it could not be read at all).
[[nodiscard]] Diagnostic file_error(const std::string& file, std::string message);

// Reads a file with `read` on a fresh libconfig::Config (strict types, @include relative to
// `include_dir`) and hands the tree to `validate`. Every libconfig exception ends here as a
// diagnostic; a syntax error is reported at its FILE:LINE.
[[nodiscard]] LoadResult parse(const std::string& file, const std::string& include_dir,
                               const std::function<void(libconfig::Config&)>& read,
                               const std::function<LoadResult(const Setting& root)>& validate);

}  // namespace vipd::config
