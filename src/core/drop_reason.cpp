// The drop reasons' counter names, as the snapshot, the metrics and vipctl show them.
#include "vipd/core/drop_reason.hpp"

namespace vipd {

std::string_view to_string(DropReason r) {
    switch (r) {
        case DropReason::TooShort:
            return "too_short";
        case DropReason::UnknownVersion:
            return "unknown_version";
        case DropReason::VersionFamilyMismatch:
            return "version_family_mismatch";
        case DropReason::BadType:
            return "bad_type";
        case DropReason::NoAddresses:
            return "no_addresses";
        case DropReason::Truncated:
            return "truncated";
        case DropReason::TrailingBytes:
            return "trailing_bytes";
        case DropReason::BadChecksum:
            return "bad_checksum";
        case DropReason::IntervalZero:
            return "interval_zero";
        case DropReason::BadTtl:
            return "bad_ttl";
        case DropReason::UnknownVrid:
            return "unknown_vrid";
        case DropReason::VersionMismatch:
            return "version_mismatch";
        case DropReason::AuthTypeMismatch:
            return "auth_type_mismatch";
        case DropReason::AuthFailure:
            return "auth_failure";
        case DropReason::NotAPeer:
            return "not_a_peer";
        case DropReason::LocalIsOwner:
            return "local_is_owner";
        case DropReason::IntervalMismatch:
            return "interval_mismatch";
        case DropReason::AddressMismatch:
            return "address_mismatch";
        case DropReason::HmacMissing:
            return "hmac_missing";
        case DropReason::HmacMalformed:
            return "hmac_malformed";
        case DropReason::HmacUnknownKey:
            return "hmac_unknown_key";
        case DropReason::HmacBadTag:
            return "hmac_bad_tag";
        case DropReason::HmacStale:
            return "hmac_stale";
        case DropReason::HmacReplay:
            return "hmac_replay";
    }
    return "unknown";
}

}  // namespace vipd
