// libFuzzer target for the script launcher's input: a request as a daemon taken over could
// write it. A request that decodes must encode to the same bytes (the format has one way to
// write each request) and go through the launcher's policy; a reply that decodes must
// decode again after encoding.
#include <cstdlib>
#include <string_view>

#include "daemon/script_policy.hpp"
#include "vipd/os/launcher.hpp"

using namespace vipd;

namespace {

const ScriptPolicy& policy() {
    static const ScriptPolicy p = [] {
        config::Config c;
        config::ScriptConfig s;
        s.name = "check";
        s.argv = {"/bin/true"};
        s.user = "root";
        c.scripts.push_back(s);
        config::InstanceConfig i;
        i.name = "web";
        i.notify.any = {"/bin/true"};
        i.notify.user = "root";
        c.instances.push_back(i);
        return ScriptPolicy(c, UserTable{});
    }();
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto request = os::decode_request(bytes)) {
        if (os::encode(*request) != bytes) std::abort();
        if (request->kind == os::LauncherRequest::Kind::Run) (void)policy().refusal(request->spec);
    }
    if (auto reply = os::decode_reply(bytes)) {
        if (!os::decode_reply(os::encode(*reply))) std::abort();
    }
    return 0;
}
