// auth_hmac's rollout modes and anti-replay rules (draft-cassen-vrrp-auth-hmac-00), as the
// configuration names them: the vocabulary config, core and the daemon share.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vipd {

// Rollout modes: receive-only sends no trailer and checks those that come; permissive
// also signs, and still takes adverts without one; enforce drops those.
enum class HmacMode : std::uint8_t { ReceiveOnly, Permissive, Enforce };
// time: a trailer older or newer than the window is stale, and each sender's sequence must
// grow; monotonic: only the growth (for hosts without synchronised clocks).
enum class AntiReplay : std::uint8_t { Time, Monotonic };
[[nodiscard]] std::string_view to_string(HmacMode m);
[[nodiscard]] std::string_view to_string(AntiReplay a);
// The names to_string gives, read back; nullopt for any other.
[[nodiscard]] std::optional<HmacMode> parse_hmac_mode(std::string_view s);
[[nodiscard]] std::optional<AntiReplay> parse_anti_replay(std::string_view s);

}  // namespace vipd
