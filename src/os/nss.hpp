// The buffer dance of the reentrant NSS lookups (getpwnam_r, getgrnam_r): sized by sysconf,
// doubled on ERANGE up to 1 MiB. `buf` is the caller's, since the answer points into it.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <vector>

namespace vipd::os {

// `call(data, size)` is the lookup; returns its status (0, or an errno value).
template <class Call>
int nss_lookup(int size_hint_name, std::vector<char>& buf, Call call) {
    const long hint = ::sysconf(size_hint_name);
    buf.resize(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    int rc = 0;
    while ((rc = call(buf.data(), buf.size())) == ERANGE && buf.size() < 1024 * 1024)
        buf.resize(buf.size() * 2);
    return rc;
}

}  // namespace vipd::os
