// vipctl stats --clear moves a baseline and never resets the counters themselves (the
// metrics' counters must never go backwards): one helper for every set of counters.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vipd {

// What was counted since `base`, element by element. A set of counters of its own type
// gives Baseline an overload of counted_since beside the type.
template <std::size_t N>
[[nodiscard]] std::array<std::uint64_t, N> counted_since(const std::array<std::uint64_t, N>& total,
                                                         const std::array<std::uint64_t, N>& base) {
    std::array<std::uint64_t, N> out{};
    for (std::size_t i = 0; i < N; ++i)
        out[i] = total[i] - base[i];
    return out;
}

template <typename Counts>
class Baseline {
public:
    // What was counted since the last clear(), given the counters' totals now.
    [[nodiscard]] Counts since(const Counts& total) const { return counted_since(total, base_); }
    void clear(const Counts& total) { base_ = total; }

private:
    Counts base_{};
};

}  // namespace vipd
