// A value or an error, for code paths where exceptions must not be used (everything that
// runs inside the event loop). A small stand-in for C++23 std::expected, which g++ 12 in
// C++20 mode lacks; its interface is the subset of std::expected we use, so switching later
// is a rename.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace vipd {

template <typename E>
struct Unexpected {
    E error;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class Expected {
public:
    // NOLINTNEXTLINE(google-explicit-constructor): implicit like std::expected
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    // NOLINTNEXTLINE(google-explicit-constructor)
    Expected(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}

    [[nodiscard]] bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    [[nodiscard]] const T& value() const& {
        assert(has_value());
        return std::get<0>(v_);
    }
    [[nodiscard]] T& value() & {
        assert(has_value());
        return std::get<0>(v_);
    }
    [[nodiscard]] const E& error() const {
        assert(!has_value());
        return std::get<1>(v_);
    }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, E> v_;
};

}  // namespace vipd
