// vipd's rules for auth_hmac (draft-cassen-vrrp-auth-hmac-00): keys by id, inline or from a
// file, the active one, the rollout mode and the anti-replay window, at their FILE:LINE.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "loader.hpp"
#include "vipd/proto/hmac.hpp"

namespace vipd::config {
namespace {

constexpr long long kMinWindow = 1;
constexpr long long kMaxWindow = 300;
constexpr std::chrono::seconds kWindowFloor{5};  // keepalived's, when derived

// Zeroes a string holding key material when the scope ends, whichever way it ends.
struct WipeOnExit {
    std::string& s;
    explicit WipeOnExit(std::string& text) : s(text) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { ::explicit_bzero(s.data(), s.size()); }
};

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "hex:0011..." (blanks between the digits allowed, as keepalived reads it) or the
// secret's own ASCII bytes (keepalived's two spellings); why not. The message never
// quotes the secret.
Expected<std::vector<std::uint8_t>, std::string> decode_secret(std::string_view text) {
    std::vector<std::uint8_t> out;
    out.reserve(proto::kHmacMaxKey);  // never reallocated: no copy of the key left behind
    const auto fail = [&](std::string why) {
        ::explicit_bzero(out.data(), out.capacity());
        return Expected<std::vector<std::uint8_t>, std::string>{Unexpected{std::move(why)}};
    };
    std::size_t bytes = text.size();
    if (text.starts_with("hex:")) {
        text.remove_prefix(4);
        std::size_t digits = 0;
        int high = 0;
        for (const char c : text) {
            if (c == ' ' || c == '\t') continue;
            const int d = hex_digit(c);
            if (d < 0) return fail("the hex: value has a character that is not a hex digit");
            if (++digits % 2 == 1) {
                high = d;
            } else if (out.size() < proto::kHmacMaxKey) {
                out.push_back(static_cast<std::uint8_t>(high * 16 + d));
            }
        }
        if (digits % 2 != 0) return fail("an odd number of hex digits");
        bytes = digits / 2;
    } else if (bytes <= proto::kHmacMaxKey) {
        out.assign(text.begin(), text.end());
    }
    if (bytes < proto::kHmacMinKey || bytes > proto::kHmacMaxKey) {
        return fail(fmt::format("{} bytes; a key is {}..{} bytes", bytes, proto::kHmacMinKey,
                                proto::kHmacMaxKey));
    }
    return out;
}

}  // namespace

void Loader::auth_hmac(const Setting& s, InstanceConfig& c) {
    constexpr const char* kShape =
        "auth_hmac = { keys = ( { id = 1; key = \"file:/etc/vipd/vrrp.key\"; } ); };";
    if (!s.isGroup()) {
        schema_.error(s, fmt::format("'auth_hmac' must be a group: {}", kShape));
        return;
    }
    schema_.check_keys(s, kHmacKeys);
    if (c.auth_type != AuthType::None) {
        schema_.error(s, "'auth_hmac' replaces 'authentication' (VRRPv2 passwords): remove one");
    }
    HmacAuthConfig h;
    if (Schema::find(s, "keys") == nullptr) {
        schema_.error(s, fmt::format("'auth_hmac' needs at least one key: {}", kShape));
    }
    bool had_key_entries = false;  // (an entry in error was reported on its own)
    each_group(s, "keys", "{ id = 1; key = \"hex:...\"; }", kHmacKeyKeys, [&](const Setting& e) {
        had_key_entries = true;
        HmacKeyConfig k;
        bool ok = true;
        if (const auto* id = Schema::find(e, "id")) {
            if (const auto v = schema_.int_value(*id, 1, 255)) {
                k.id = static_cast<std::uint8_t>(*v);
                if (std::any_of(h.keys.begin(), h.keys.end(),
                                [&](const HmacKeyConfig& o) { return o.id == k.id; })) {
                    schema_.error(*id, fmt::format("duplicate auth_hmac key id {}", *v));
                    ok = false;
                }
            } else {
                ok = false;
            }
        } else {
            schema_.error(e, "an auth_hmac key needs an 'id' (1..255)");
            ok = false;
        }
        const auto* key = Schema::find(e, "key");
        if (key == nullptr) {
            schema_.error(e,
                          "an auth_hmac key needs a 'key': \"hex:...\", \"file:PATH\" or "
                          "32..64 ASCII characters");
            return;
        }
        auto text = schema_.string_value(*key);
        if (!text) return;
        const WipeOnExit wipe_text{*text};
        std::string material = *text;
        const WipeOnExit wipe_material{material};
        if (text->starts_with("file:")) {
            const auto path = text->substr(5);
            if (!checks_.read_secret) {
                schema_.error(*key, fmt::format("key file {} cannot be read here", path));
                return;
            }
            auto read = checks_.read_secret(path);
            if (!read) {
                schema_.error(*key, fmt::format("key file {} {}", path, read.error()));
                return;
            }
            material = std::move(read.value());
            // A line end left by an editor is not part of the key (keepalived drops it too).
            while (!material.empty() && (material.back() == '\n' || material.back() == '\r'))
                material.pop_back();
        }
        auto secret = decode_secret(material);
        if (!secret) {
            schema_.error(*key, fmt::format("auth_hmac key {}: {}",
                                            text->starts_with("file:") ? text->substr(5) : "value",
                                            secret.error()));
            return;
        }
        if (!ok) return;
        // An inline secret is not kept as text beside the bytes (vipd -d writes it as hex:).
        if (text->starts_with("file:")) k.value = *text;
        k.secret = SecretBytes(std::move(secret.value()));
        h.keys.push_back(std::move(k));
    });
    if (Schema::find(s, "keys") != nullptr && h.keys.empty() && !had_key_entries) {
        schema_.error(*Schema::find(s, "keys"), fmt::format("'keys' is empty: {}", kShape));
    }
    if (const auto* a = Schema::find(s, "active_key")) {
        if (const auto v = schema_.int_value(*a, 1, 255)) {
            h.active_key = static_cast<std::uint8_t>(*v);
            if (std::none_of(h.keys.begin(), h.keys.end(),
                             [&](const HmacKeyConfig& k) { return k.id == h.active_key; })) {
                schema_.error(*a, fmt::format("active_key {} is not one of the keys", *v));
            }
        }
    } else if (h.keys.size() > 1) {
        schema_.error(s, "'auth_hmac' has several keys: say which signs with active_key = ID;");
    } else if (h.keys.size() == 1) {
        h.active_key = h.keys.front().id;
    }
    if (const auto* m = Schema::find(s, "mode")) {
        if (const auto v = schema_.string_value(*m)) {
            if (const auto mode = parse_hmac_mode(*v)) {
                h.mode = *mode;
            } else {
                schema_.error(*m, fmt::format("'mode' must be \"enforce\", \"permissive\" or "
                                              "\"receive-only\" (got \"{}\")",
                                              *v));
            }
        }
    }
    if (const auto* r = Schema::find(s, "anti_replay")) {
        if (const auto v = schema_.string_value(*r)) {
            if (const auto rule = parse_anti_replay(*v)) {
                h.anti_replay = *rule;
            } else {
                schema_.error(*r, fmt::format("'anti_replay' must be \"time\" or \"monotonic\" "
                                              "(got \"{}\")",
                                              *v));
            }
        }
    }
    // keepalived's default: three times the advert interval in whole seconds, 5..300.
    const auto derived = std::chrono::seconds{3 * (c.advert_interval.count() / 100)};
    h.time_window = std::clamp(derived, kWindowFloor, std::chrono::seconds{kMaxWindow});
    if (const auto* w = Schema::find(s, "time_window")) {
        if (h.anti_replay != AntiReplay::Time) {
            schema_.error(*w, "'time_window' applies to anti_replay = \"time\" only");
        } else if (const auto v = schema_.int_value(*w, kMinWindow, kMaxWindow)) {
            h.time_window = std::chrono::seconds{*v};
        }
    }
    c.auth_hmac = std::move(h);
}

}  // namespace vipd::config
