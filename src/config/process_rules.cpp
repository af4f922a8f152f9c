// vipd.conf's `processes` (keepalived's vrrp_track_process): what to look for and how many.
#include <fmt/format.h>

#include "loader.hpp"

namespace vipd::config {

std::vector<ProcessConfig> Loader::processes(const Setting* list) {
    std::vector<ProcessConfig> out;
    if (list == nullptr) return out;
    if (!list->isList()) {
        schema_.error(*list,
                      "'processes' must be a list of groups: processes = ( { name = ...; "
                      "process = ...; } );");
        return out;
    }
    for (int i = 0; i < list->getLength(); ++i) {
        const Setting& s = (*list)[i];
        if (!s.isGroup()) {
            schema_.error(s,
                          "each entry of 'processes' must be a group: { name = ...; process = "
                          "...; }");
            continue;
        }
        schema_.check_keys(s, kProcessKeys);
        if (auto p = process(s, out)) out.push_back(std::move(*p));
    }
    return out;
}

std::optional<ProcessConfig> Loader::process(const Setting& s,
                                             const std::vector<ProcessConfig>& seen) {
    ProcessConfig c;
    c.file = schema_.file_of(s);
    c.line = Schema::line_of(s);
    bool ok = true;
    if (auto name = entry_name(s, "process", seen)) {
        c.name = std::move(*name);
    } else {
        ok = false;
    }
    // Arguments, or param_match alone (no arguments at all), compare the command line
    // (keepalived: giving parameters implies full_command).
    if (const auto* a = Schema::find(s, "args")) {
        if (const auto entries = schema_.string_list(*a)) {
            for (const auto* e : *entries)
                c.pattern.args.emplace_back(e->c_str());
            c.pattern.param_match = ParamMatch::Exact;
        } else {
            ok = false;
        }
    }
    if (const auto* m = Schema::find(s, "param_match")) {
        if (auto v = schema_.string_value(*m)) {
            const auto match = param_match_from(*v);
            if (!match || *match == ParamMatch::None) {
                schema_.error(*m, fmt::format("unknown param_match '{}' (expected exact, partial "
                                              "or initial)",
                                              *v));
                ok = false;
            } else {
                c.pattern.param_match = *match;
            }
        }
    }
    if (const auto* f = Schema::find(s, "full_command")) {
        c.pattern.full_command = schema_.bool_value(*f).value_or(false);
    }
    if (c.pattern.param_match != ParamMatch::None) c.pattern.full_command = true;
    if (const auto* p = Schema::find(s, "process")) {
        if (auto v = schema_.string_value(*p)) {
            if (v->empty()) {
                schema_.error(*p, "'process' must not be empty");
                ok = false;
            } else if (!c.pattern.full_command && v->find('/') != std::string::npos) {
                schema_.error(*p, fmt::format("'{}' is a path, and a process name never holds "
                                              "a '/'; set full_command = true to match the "
                                              "command line's first word",
                                              *v));
                ok = false;
            } else if (!c.pattern.full_command && v->size() > kMaxProcessName) {
                schema_.error(*p, fmt::format("process name '{}' is longer than the {} characters "
                                              "the kernel keeps, so it never matches; set "
                                              "full_command = true to match the command line",
                                              *v, kMaxProcessName));
                ok = false;
            }
            c.pattern.process = std::move(*v);
        } else {
            ok = false;
        }
    } else {
        schema_.error(s, "process is missing required key 'process' (the name to look for)");
        ok = false;
    }
    if (const auto* q = Schema::find(s, "quorum")) {
        if (const auto x = schema_.int_value(*q, 0, kMaxQuorum)) {
            c.quorum = static_cast<std::size_t>(*x);
        } else {
            ok = false;
        }
    }
    if (const auto* q = Schema::find(s, "quorum_max")) {
        if (const auto x = schema_.int_value(*q, 0, kMaxQuorum)) {
            c.quorum_max = static_cast<std::size_t>(*x);
            if (*c.quorum_max < c.quorum) {
                schema_.error(*q, fmt::format("quorum_max ({}) is below quorum ({}): the process "
                                              "could never be up",
                                              *c.quorum_max, c.quorum));
                ok = false;
            }
        } else {
            ok = false;
        }
    }
    if (const auto* w = Schema::find(s, "weight")) {
        if (const auto x = schema_.int_value(*w, -kMaxWeight, kMaxWeight)) {
            c.weight = static_cast<int>(*x);
        } else {
            ok = false;
        }
    }
    const auto delay = [&](const char* key, Duration& out) {
        if (const auto* d = Schema::find(s, key)) {
            if (const auto x = schema_.seconds_value(*d, 0, 3600)) {
                out = to_duration(*x);
            } else {
                ok = false;
            }
        }
    };
    delay("delay", c.fork_delay);
    c.terminate_delay = c.fork_delay;
    delay("fork_delay", c.fork_delay);
    delay("terminate_delay", c.terminate_delay);
    if (!ok) return std::nullopt;
    return c;
}

}  // namespace vipd::config
