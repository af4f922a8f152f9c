// Loading vipd.conf: the file parsed and validated as a whole into config::Config, every
// problem reported as FILE:LINE: message. Loading never throws and never touches the
// running daemon: the caller decides whether to apply the result. What the loader needs to
// ask the host (interfaces, users, groups, the host name) comes in through Checks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vipd/config/model.hpp"
#include "vipd/core/expected.hpp"

namespace vipd::config {

struct Diagnostic {
    enum class Severity : std::uint8_t { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;
    int line = 0;
    std::string message;
    // "FILE:LINE: message" for errors, "FILE:LINE: warning: message" for warnings;
    // line 0 (the file could not be read at all) gives "FILE: message".
    [[nodiscard]] std::string to_string() const;
};

struct LoadResult {
    std::optional<Config> config;  // set when there are no errors (warnings allowed)
    std::vector<Diagnostic> diagnostics;
    [[nodiscard]] bool ok() const { return config.has_value(); }
};

// Answers whether a network interface of this name exists (an unknown one is a warning:
// it may appear later). Empty = don't check.
using InterfaceExists = std::function<bool(std::string_view)>;

// Whether the command line `argv` may be run as `user`: nullopt if so, else why not (an
// unknown user; a program, `#!` interpreter or file argument others could replace:
// os::insecure_command_reason). Empty = don't check.
using ScriptCheck = std::function<std::optional<std::string>(const std::vector<std::string>& argv,
                                                             const std::string& user)>;

struct Checks {
    InterfaceExists interface_exists;
    ScriptCheck script;
    // Why a tracked file's path is unsafe to read (os::insecure_tracked_file_reason), or
    // nullopt. Empty = don't check.
    std::function<std::optional<std::string>(const std::string& path)> tracked_file;
    std::function<bool(const std::string&)> group_exists;  // control_group; empty = don't check
    // The interface that already has this address, if any (a VIP there is a warning).
    // Empty = don't check.
    std::function<std::optional<std::string>(const IpAddress&)> address_interface;
    // router_id's default; empty (or an empty answer) = "vipd".
    std::function<std::string()> host_name;
    // The contents of an auth_hmac key file (os::read_secret_file), or why it is refused.
    // Empty = key files cannot be read (each is an error).
    std::function<Expected<std::string, std::string>(const std::string& path)> read_secret;
};

[[nodiscard]] LoadResult load_file(const std::string& path, const Checks& checks);
[[nodiscard]] LoadResult load_string(const std::string& text, const std::string& name,
                                     const Checks& checks);

[[nodiscard]] LoadResult load_file(const std::string& path,
                                   const InterfaceExists& interface_exists = {});
// `name` stands in for the file name in diagnostics.
[[nodiscard]] LoadResult load_string(const std::string& text, const std::string& name,
                                     const InterfaceExists& interface_exists = {});

// `config` as vipd.conf text with every setting spelled out, defaults included (vipd -d);
// load_string reads it back to an equal Config (file and line aside).
[[nodiscard]] std::string to_text(const Config& config);

}  // namespace vipd::config
