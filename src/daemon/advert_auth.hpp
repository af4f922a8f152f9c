// An instance's auth_hmac at run time (draft-cassen-vrrp-auth-hmac-00): signs the adverts
// it sends and checks those it hears, with the keys, rollout mode and anti-replay state of
// its configuration. The bytes are proto/hmac's, the clock rules core/hmac_replay's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "vipd/config/model.hpp"
#include "vipd/core/drop_reason.hpp"
#include "vipd/core/hmac_replay.hpp"
#include "vipd/daemon/status.hpp"
#include "vipd/proto/advert.hpp"
#include "vipd/proto/hmac.hpp"

namespace vipd {

class AdvertAuth {
public:
    // `peers`: a unicast instance's peers (each keeps its replay mark); empty: multicast.
    AdvertAuth(const config::HmacAuthConfig& c, std::span<const IpAddress> peers);

    // A reload: keys, active key, mode and window are replaced; the send sequence and the
    // replay marks stay (a rotation or a new interval must not reopen replays), but for
    // peers no longer configured.
    void reconfigure(const config::HmacAuthConfig& c, std::span<const IpAddress> peers);

    // Whether adverts carry a trailer (not in receive-only mode).
    [[nodiscard]] bool signs() const { return mode_ != HmacMode::ReceiveOnly; }
    // Writes the trailer over the last proto::kHmacTrailerSize bytes of `message`; false
    // when the active key cannot sign (nothing written: the advert must not go).
    [[nodiscard]] bool sign(std::span<std::uint8_t> message, Version version, Vrid vrid,
                            const IpAddress& src, const IpAddress& dst, WallTime now);

    struct Verdict {
        std::optional<DropReason> drop;  // none: accept
        bool skew_warning = false;       // accepted, but the sender's clock is half a window off
        std::int64_t skew_seconds = 0;
    };
    // The draft's receive rules, in its order: trailer present (enforce), well formed, fresh
    // (time mode, before any HMAC is computed), known key, tag, then the replay mark.
    [[nodiscard]] Verdict check(const proto::Advert& advert, const IpAddress& src, WallTime now);

    [[nodiscard]] AuthStatus status() const;

private:
    void set_keys(const config::HmacAuthConfig& c);
    [[nodiscard]] const proto::HmacKey* find(std::uint8_t id) const;

    std::vector<std::pair<std::uint8_t, proto::HmacKey>> keys_;
    std::uint8_t active_key_ = 0;
    HmacMode mode_;
    HmacSequence sequence_;
    ReplayGuard replay_;  // also holds the anti-replay rule and window
    std::optional<std::int64_t> last_skew_;
};

}  // namespace vipd
