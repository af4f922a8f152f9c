// Capabilities through libcap (Debian's libcap-dev): the sets and their text form without
// hand-written capget/capset structures.
#include "vipd/os/privileges.hpp"

#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

namespace vipd::os {
namespace {

struct CapFree {
    void operator()(void* p) const { cap_free(p); }
};

// What the daemon uses once running (privileges.hpp says what for).
constexpr std::array kRunning{CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_NICE, CAP_IPC_LOCK,
                              CAP_NET_BIND_SERVICE};

bool kept(PrivilegeStage stage, cap_value_t cap) {
    const bool running = std::find(kRunning.begin(), kRunning.end(), cap) != kRunning.end();
    switch (stage) {
        case PrivilegeStage::Startup:
            return running || cap == CAP_CHOWN || cap == CAP_KILL;
        case PrivilegeStage::Launcher:
            return cap == CAP_KILL;
        case PrivilegeStage::Running:
            return running;
    }
    return false;
}

std::error_code last_error() {
    return {errno, std::system_category()};
}

}  // namespace

std::error_code keep_capabilities(PrivilegeStage stage) {
    std::unique_ptr<_cap_struct, CapFree> caps(cap_get_proc());
    if (!caps) return last_error();
    const auto known = static_cast<cap_value_t>(cap_max_bits());
    for (cap_value_t cap = 0; cap < known; ++cap) {
        // Inheritable goes empty: nothing passes through exec but what the kernel gives a
        // new program anyway.
        if (cap_set_flag(caps.get(), CAP_INHERITABLE, 1, &cap, CAP_CLEAR) != 0) return last_error();
        if (kept(stage, cap)) {
            // Running raises what it keeps from the permitted set: a change of user has
            // emptied the effective set. The other stages only ever lower.
            cap_flag_value_t permitted = CAP_CLEAR;
            if (stage == PrivilegeStage::Running &&
                cap_get_flag(caps.get(), cap, CAP_PERMITTED, &permitted) == 0 &&
                permitted == CAP_SET &&
                cap_set_flag(caps.get(), CAP_EFFECTIVE, 1, &cap, CAP_SET) != 0) {
                return last_error();
            }
            continue;
        }
        if (cap_set_flag(caps.get(), CAP_EFFECTIVE, 1, &cap, CAP_CLEAR) != 0) return last_error();
        if (stage == PrivilegeStage::Running &&
            cap_set_flag(caps.get(), CAP_PERMITTED, 1, &cap, CAP_CLEAR) != 0) {
            return last_error();
        }
    }
    if (cap_set_proc(caps.get()) != 0) return last_error();
    // A program vipd started as uid 0 would get root's capabilities back from the bounding
    // set; under no_new_privs it gets no more than the permitted set just narrowed.
    if (stage == PrivilegeStage::Running && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return last_error();
    return {};
}

std::error_code become_user(const std::string& name, uid_t uid, gid_t gid) {
    std::unique_ptr<_cap_struct, CapFree> caps(cap_get_proc());
    if (!caps) return last_error();
    const std::array<cap_value_t, 2> needed{CAP_SETUID, CAP_SETGID};
    if (cap_set_flag(caps.get(), CAP_EFFECTIVE, 2, needed.data(), CAP_SET) != 0 ||
        cap_set_proc(caps.get()) != 0) {
        return last_error();
    }
    // The permitted set survives the change of uid (the kernel would empty it), so that
    // keep_capabilities(Running) can take what the daemon keeps from it.
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return last_error();
    if (::initgroups(name.c_str(), gid) != 0 || ::setresgid(gid, gid, gid) != 0 ||
        ::setresuid(uid, uid, uid) != 0) {
        return last_error();
    }
    if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return last_error();
    return {};
}

std::string capabilities_text() {
    std::unique_ptr<_cap_struct, CapFree> caps(cap_get_proc());
    if (!caps) return "?";
    std::unique_ptr<char, CapFree> text(cap_to_text(caps.get(), nullptr));
    return text ? std::string(text.get()) : "?";
}

}  // namespace vipd::os
