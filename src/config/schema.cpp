// The generic half of loading a libconfig file: typed readers, FILE:LINE diagnostics in
// file order, did-you-mean hints. libconfig's exceptions stop here.
#include "schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace vipd::config {

std::string Diagnostic::to_string() const {
    const std::string_view tag = severity == Severity::Warning ? "warning: " : "";
    // Line 0 means the file as a whole (it could not be read at all).
    if (line <= 0) return fmt::format("{}: {}{}", file, tag, message);
    return fmt::format("{}:{}: {}{}", file, line, tag, message);
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), so that
// both "prority" and "priroity" are one edit from "priority".
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= m; ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

std::optional<std::string_view> closest(std::string_view key, KeySet known) {
    constexpr std::size_t kMaxDistance = 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = kMaxDistance + 1;
    for (const auto k : known) {
        // Lengths this far apart are beyond the limit anyway; skipping them also keeps a
        // pathological key name from costing length x length memory.
        const std::size_t length_gap =
            key.size() > k.size() ? key.size() - k.size() : k.size() - key.size();
        if (length_gap > kMaxDistance) continue;
        const std::size_t dist = edit_distance(key, k);
        if (dist < best_distance) {
            best = k;
            best_distance = dist;
        }
    }
    return best;
}

std::string resolve_file(const std::string& main_file, const std::string& include_dir,
                         const char* f) {
    if (f == nullptr || main_file == f) return main_file;
    if (!include_dir.empty() && f[0] != '/') return include_dir + "/" + f;
    return f;
}

Schema::Schema(std::string main_file, std::string include_dir, std::vector<Section> sections)
    : main_file_(std::move(main_file)),
      include_dir_(std::move(include_dir)),
      sections_(std::move(sections)) {}

std::string Schema::file_of(const Setting& s) const {
    return resolve_file(main_file_, include_dir_, s.getSourceFile());
}

int Schema::line_of(const Setting& s) {
    return std::max(1, static_cast<int>(s.getSourceLine()));
}

std::string Schema::location(const Setting& s) const {
    return fmt::format("{}:{}", file_of(s), line_of(s));
}

void Schema::number(const Setting& s) {
    order_.emplace(&s, order_.size() + 1);
    if (s.isAggregate()) {
        for (int i = 0; i < s.getLength(); ++i) {
            number(s[i]);
        }
    }
}

void Schema::report(Diagnostic::Severity severity, const Setting& s, std::string message) {
    // Messages quote values from the file; keep control characters out of the logs.
    std::replace_if(
        message.begin(), message.end(),
        [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }, '?');
    // Diagnostics are listed in file order; the tree is numbered only when there is one.
    if (order_.empty() && root_ != nullptr) number(*root_);
    const auto it = order_.find(&s);
    entries_.push_back({it == order_.end() ? 0 : it->second,
                        Diagnostic{severity, file_of(s), line_of(s), std::move(message)}});
}

void Schema::error(const Setting& s, std::string message) {
    report(Diagnostic::Severity::Error, s, std::move(message));
}

void Schema::warning(const Setting& s, std::string message) {
    report(Diagnostic::Severity::Warning, s, std::move(message));
}

bool Schema::failed() const {
    return std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) {
        return e.diagnostic.severity == Diagnostic::Severity::Error;
    });
}

std::vector<Diagnostic> Schema::diagnostics() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.order < b.order; });
    std::vector<Diagnostic> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) {
        out.push_back(e.diagnostic);
    }
    return out;
}

const Setting* Schema::find(const Setting& group, const char* key) {
    if (!group.isGroup()) return nullptr;
    for (int i = 0, n = group.getLength(); i < n; ++i) {
        const Setting& member = group[i];
        const char* name = member.getName();
        if (name != nullptr && std::strcmp(name, key) == 0) return &member;
    }
    return nullptr;
}

void Schema::check_keys(const Setting& group, KeySet known) {
    const auto contains = [](KeySet keys, std::string_view key) {
        return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    for (int i = 0; i < group.getLength(); ++i) {
        const Setting& s = group[i];
        const std::string_view key = s.getName() != nullptr ? s.getName() : "";
        if (contains(known, key)) continue;
        // A key put in the wrong section is a different mistake from a typo.
        std::string hint;
        for (const auto& section : sections_) {
            if (section.keys.data() != known.data() && contains(section.keys, key)) {
                hint = fmt::format(" (it belongs in {})", section.where);
                break;
            }
        }
        if (hint.empty()) {
            if (const auto near = closest(key, known)) {
                hint = fmt::format(" (did you mean '{}'?)", *near);
            }
        }
        error(s, fmt::format("unknown key '{}'{}", key, hint));
    }
}

std::optional<std::string> Schema::string_value(const Setting& s) {
    if (s.getType() != Setting::TypeString) {
        error(s, fmt::format("'{}' must be a string", s.getName()));
        return std::nullopt;
    }
    return std::string(s.c_str());
}

std::optional<bool> Schema::bool_value(const Setting& s) {
    if (s.getType() != Setting::TypeBoolean) {
        error(s, fmt::format("'{}' must be true or false", s.getName()));
        return std::nullopt;
    }
    return static_cast<bool>(s);
}

std::optional<long long> Schema::integer(const Setting& s) {
    switch (s.getType()) {
        case Setting::TypeInt:
            return static_cast<int>(s);
        case Setting::TypeInt64:
            return static_cast<long long>(s);
        case Setting::TypeNone:
        case Setting::TypeFloat:
        case Setting::TypeString:
        case Setting::TypeBoolean:
        case Setting::TypeGroup:
        case Setting::TypeArray:
        case Setting::TypeList:
            break;
    }
    error(s, fmt::format("'{}' must be an integer", s.getName()));
    return std::nullopt;
}

std::optional<long long> Schema::int_value(const Setting& s, long long lo, long long hi) {
    const auto v = integer(s);
    if (!v) return std::nullopt;
    if (*v < lo || *v > hi) {
        error(s, fmt::format("'{}' must be in the range {}..{} (got {})", s.getName(), lo, hi, *v));
        return std::nullopt;
    }
    return v;
}

// With auto-conversion off libconfig would reject an integer where a float is read, so the
// three numeric types are read here.
std::optional<double> Schema::number_value(const Setting& s) {
    switch (s.getType()) {
        case Setting::TypeInt:
            return static_cast<double>(static_cast<int>(s));
        case Setting::TypeInt64:
            return static_cast<double>(static_cast<long long>(s));
        case Setting::TypeFloat:
            return static_cast<double>(s);
        case Setting::TypeNone:
        case Setting::TypeString:
        case Setting::TypeBoolean:
        case Setting::TypeGroup:
        case Setting::TypeArray:
        case Setting::TypeList:
            break;
    }
    error(s, fmt::format("'{}' must be a number of seconds", s.getName()));
    return std::nullopt;
}

std::optional<double> Schema::seconds_value(const Setting& s, double lo, double hi) {
    const auto v = number_value(s);
    if (!v) return std::nullopt;
    if (!(*v >= lo && *v <= hi)) {  // also rejects NaN and inf (1e999)
        error(s, fmt::format("'{}' must be in the range {}..{} seconds (got {})", s.getName(), lo,
                             hi, *v));
        return std::nullopt;
    }
    return v;
}

std::optional<std::vector<const Setting*>> Schema::string_list(const Setting& s) {
    if (s.getType() != Setting::TypeList && s.getType() != Setting::TypeArray) {
        error(s, fmt::format("'{}' must be a list or array of strings", s.getName()));
        return std::nullopt;
    }
    std::vector<const Setting*> out;
    for (int i = 0; i < s.getLength(); ++i) {
        const Setting& e = s[i];
        if (e.getType() != Setting::TypeString) {
            error(e, fmt::format("'{}' entries must be strings", s.getName()));
            continue;
        }
        out.push_back(&e);
    }
    return out;
}

Diagnostic file_error(const std::string& file, std::string message) {
    return Diagnostic{Diagnostic::Severity::Error, file, 0, std::move(message)};
}

LoadResult parse(const std::string& file, const std::string& include_dir,
                 const std::function<void(libconfig::Config&)>& read,
                 const std::function<LoadResult(const Setting& root)>& validate) {
    LoadResult result;
    try {
        libconfig::Config cfg;
        // Strict types: "vrid = 1.0" and "preempt = 1" are mistakes, not conversions.
        cfg.setAutoConvert(false);
        if (!include_dir.empty()) cfg.setIncludeDir(include_dir.c_str());
        try {
            read(cfg);
        } catch (const libconfig::ParseException& e) {
            std::string message = e.getError() != nullptr ? e.getError() : "syntax error";
            if (message == "cannot open include file" && !include_dir.empty()) {
                message += fmt::format(" (paths are relative to '{}')", include_dir);
            }
            result.diagnostics.push_back(Diagnostic{Diagnostic::Severity::Error,
                                                    resolve_file(file, include_dir, e.getFile()),
                                                    std::max(1, e.getLine()), std::move(message)});
            return result;
        }
        return validate(cfg.getRoot());
    } catch (const libconfig::FileIOException&) {
        result.diagnostics.push_back(file_error(file, "cannot read configuration file"));
    } catch (const libconfig::SettingException& e) {
        result.diagnostics.push_back(file_error(
            file, fmt::format("internal error at setting '{}': {}", e.getPath(), e.what())));
    } catch (const std::exception& e) {
        result.diagnostics.push_back(file_error(file, fmt::format("internal error: {}", e.what())));
    }
    result.config.reset();
    return result;
}

}  // namespace vipd::config
