// keepalived's matching rules for vrrp_track_process, so configurations carry over.
#include "vipd/core/process_match.hpp"

#include <algorithm>

namespace vipd {

std::string_view to_string(ParamMatch m) {
    switch (m) {
        case ParamMatch::None:
            return "none";
        case ParamMatch::Exact:
            return "exact";
        case ParamMatch::Partial:
            return "partial";
        case ParamMatch::Initial:
            return "initial";
    }
    return "none";
}

std::optional<ParamMatch> param_match_from(std::string_view text) {
    for (auto m : {ParamMatch::None, ParamMatch::Exact, ParamMatch::Partial, ParamMatch::Initial})
        if (to_string(m) == text) return m;
    return std::nullopt;
}

bool matches(const ProcessPattern& p, std::string_view comm, std::span<const std::string> argv) {
    if (!p.full_command && p.param_match == ParamMatch::None) return comm == p.process;
    if (argv.empty() || argv[0] != p.process) return false;
    const auto have = argv.subspan(1);
    const auto& want = p.args;
    switch (p.param_match) {
        case ParamMatch::None:
            return true;
        case ParamMatch::Exact:
            return have.size() == want.size() && std::equal(want.begin(), want.end(), have.begin());
        case ParamMatch::Partial:
        case ParamMatch::Initial: {
            if (have.size() < want.size()) return false;
            if (want.empty()) return true;
            const auto last = want.size() - 1;
            if (!std::equal(want.begin(), want.begin() + static_cast<std::ptrdiff_t>(last),
                            have.begin()))
                return false;
            return p.param_match == ParamMatch::Partial ? have[last] == want[last]
                                                        : have[last].starts_with(want[last]);
        }
    }
    return false;
}

void ProcessQuorum::start(std::size_t count) {
    count_ = count;
    up_ = meets(count);
    deadline_.reset();
}

bool ProcessQuorum::update(std::size_t count, TimePoint now) {
    count_ = count;
    const bool target = meets(count);
    if (target == up_) {
        deadline_.reset();  // back where it was before the delay ran out: nothing happened
        return false;
    }
    const Duration delay = target ? fork_delay_ : terminate_delay_;
    if (delay <= Duration::zero()) {
        up_ = target;
        deadline_.reset();
        return true;
    }
    if (!deadline_) deadline_ = now + delay;  // an earlier change the same way keeps its start
    return false;
}

bool ProcessQuorum::expire(TimePoint now) {
    if (!deadline_ || now < *deadline_) return false;
    deadline_.reset();
    const bool target = meets(count_);
    if (target == up_) return false;
    up_ = target;
    return true;
}

}  // namespace vipd
