// libFuzzer target for the configuration loader: any text in, a Config or FILE:LINE
// diagnostics out, never a crash, a hang or a leak. Oracle beyond that: the result is valid
// exactly when no diagnostic is an error, every diagnostic says something, and a valid
// configuration keeps the invariants the daemon relies on.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vipd/config/config.hpp"
#include "vipd/proto/advert.hpp"

using namespace vipd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto r = config::load_string(text, "fuzz.conf", config::Checks{});
    bool error = false;
    for (const auto& d : r.diagnostics) {
        if (d.message.empty() || d.line < 0) std::abort();
        error = error || d.severity == config::Diagnostic::Severity::Error;
    }
    if (r.ok() == error) std::abort();
    if (!r.ok()) return 0;
    for (const auto& i : r.config->instances) {
        if (i.name.empty() || i.interface.empty()) std::abort();
        if (i.addresses.empty() || i.addresses.size() > proto::kMaxAddresses) std::abort();
        if (i.vrid.value() == 0 || i.priority.value() == 0) std::abort();
        for (const auto& a : i.addresses)
            if (a.address.family() != i.family) std::abort();
    }
    return 0;
}
