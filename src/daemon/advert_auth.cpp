// auth_hmac for one instance: keys by id, the sender's sequence, the receiver's checks.
#include "advert_auth.hpp"

#include <algorithm>

namespace vipd {

AdvertAuth::AdvertAuth(const config::HmacAuthConfig& c, std::span<const IpAddress> peers)
    : mode_(c.mode), replay_(c.anti_replay, c.time_window, peers) {
    set_keys(c);
}

void AdvertAuth::set_keys(const config::HmacAuthConfig& c) {
    keys_.clear();
    for (const auto& k : c.keys)
        keys_.emplace_back(k.id, proto::HmacKey(k.secret.bytes()));
    active_key_ = c.active_key;
    mode_ = c.mode;
}

void AdvertAuth::reconfigure(const config::HmacAuthConfig& c, std::span<const IpAddress> peers) {
    set_keys(c);
    replay_.reconfigure(c.anti_replay, c.time_window, peers);
}

const proto::HmacKey* AdvertAuth::find(std::uint8_t id) const {
    const auto it =
        std::find_if(keys_.begin(), keys_.end(), [id](const auto& k) { return k.first == id; });
    return it == keys_.end() ? nullptr : &it->second;
}

bool AdvertAuth::sign(std::span<std::uint8_t> message, Version version, Vrid vrid,
                      const IpAddress& src, const IpAddress& dst, WallTime now) {
    // (The loader makes the active key one of the keys; OpenSSL may still have refused it.)
    const auto* key = find(active_key_);
    if (key == nullptr || !key->usable()) return false;
    proto::write_hmac_trailer(
        message, *key, version, vrid, src, dst,
        {.key_id = active_key_, .sequence = sequence_.next(now, replay_.mode(), replay_.window())});
    return true;
}

AdvertAuth::Verdict AdvertAuth::check(const proto::Advert& advert, const IpAddress& src,
                                      WallTime now) {
    const auto drop = [](DropReason r) { return Verdict{r}; };
    const auto message = advert.signed_message;
    if (message.empty()) {
        // Rollout: until every peer signs, permissive and receive-only take unsigned adverts.
        return mode_ == HmacMode::Enforce ? drop(DropReason::HmacMissing) : Verdict{};
    }
    const auto trailer = proto::read_hmac_trailer(message);
    if (!trailer || trailer->ext_type != proto::kHmacSha256Trunc128) {
        return drop(DropReason::HmacMalformed);
    }
    Verdict v;
    if (!replay_.fresh(trailer->sequence, now, v.skew_seconds)) return drop(DropReason::HmacStale);
    const auto* key = find(trailer->key_id);
    if (key == nullptr) return drop(DropReason::HmacUnknownKey);
    if (!proto::hmac_matches(message, *key, advert.fields.version, advert.fields.vrid, src)) {
        return drop(DropReason::HmacBadTag);
    }
    if (!replay_.accept(src, trailer->sequence, now)) return drop(DropReason::HmacReplay);
    last_skew_ = v.skew_seconds;
    const auto half = replay_.window().count() / 2;
    v.skew_warning =
        replay_.mode() == AntiReplay::Time && (v.skew_seconds > half || v.skew_seconds < -half);
    return v;
}

AuthStatus AdvertAuth::status() const {
    AuthStatus s;
    s.mode = std::string(to_string(mode_));
    s.active_key = active_key_;
    for (const auto& [id, key] : keys_)
        s.keys.push_back(id);
    s.anti_replay = std::string(to_string(replay_.mode()));
    if (replay_.mode() == AntiReplay::Time) {
        s.time_window_s = static_cast<int>(replay_.window().count());
    }
    s.last_skew_s = last_skew_;
    return s;
}

}  // namespace vipd
