// Accept_Mode through libnftables: vipd's own table, a set of blocked VIPs per family,
// elements added and removed as masters with accept = false claim and release them.
#include "vipd/os/packet_filter.hpp"

#include <fmt/format.h>
#include <nftables/libnftables.h>

#include <algorithm>
#include <vector>

namespace vipd::os {

namespace {

std::string elements(std::span<const IpAddress> addresses, Family family) {
    std::string out;
    for (const auto& a : addresses) {
        if (a.family() != family) continue;
        if (!out.empty()) out += ", ";
        out += a.to_string();
    }
    return out;
}

// nft writes its errors over several lines (the command, a caret line): one line for logs.
std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text.empty() ? "nft failed without saying why" : text;
}

}  // namespace

Expected<std::unique_ptr<Nftables>, std::string> Nftables::open() {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (ctx == nullptr) return Unexpected{std::string("cannot make a libnftables context")};
    // Messages into buffers, never onto vipd's stdout/stderr.
    if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0) {
        nft_ctx_free(ctx);
        return Unexpected{std::string("cannot buffer libnftables output")};
    }
    return std::unique_ptr<Nftables>(new Nftables(ctx));
}

Nftables::~Nftables() {
    nft_ctx_free(ctx_);
}

std::optional<std::string> Nftables::run(const std::string& commands) {
    const bool ok = nft_run_cmd_from_buffer(ctx_, commands.c_str()) == 0;
    // Reading a buffer empties it: both, every time, or they grow with every command.
    (void)nft_ctx_get_output_buffer(ctx_);
    const char* err = nft_ctx_get_error_buffer(ctx_);
    if (ok) return std::nullopt;
    return one_line(err != nullptr ? err : "");
}

std::string accept_table_commands(const std::string& table, std::span<const IpAddress> addresses) {
    const auto v4 = elements(addresses, Family::IPv4);
    const auto v6 = elements(addresses, Family::IPv6);
    // "add; delete; define" in one transaction: replaces the table whether it was there.
    // Neighbour solicitations to a VIP (reachability probes) are answered, as ARP is.
    return fmt::format(
        "add table inet {0}\n"
        "delete table inet {0}\n"
        "table inet {0} {{\n"
        "  comment \"vipd: accept = false (RFC 9568 6.4.3); removed when vipd stops\"\n"
        "  set no_accept_v4 {{ type ipv4_addr;{1} }}\n"
        "  set no_accept_v6 {{ type ipv6_addr;{2} }}\n"
        "  chain input {{\n"
        "    type filter hook input priority filter; policy accept;\n"
        "    ip6 daddr @no_accept_v6 icmpv6 type {{ nd-neighbor-solicit, nd-neighbor-advert }} "
        "accept\n"
        "    ip daddr @no_accept_v4 counter drop\n"
        "    ip6 daddr @no_accept_v6 counter drop\n"
        "  }}\n"
        "}}\n",
        table, v4.empty() ? "" : " elements = { " + v4 + " };",
        v6.empty() ? "" : " elements = { " + v6 + " };");
}

std::string accept_element_commands(const std::string& table, bool add,
                                    std::span<const IpAddress> addresses) {
    std::string out;
    const char* verb = add ? "add" : "delete";
    for (const auto family : {Family::IPv4, Family::IPv6}) {
        const auto list = elements(addresses, family);
        if (list.empty()) continue;
        out += fmt::format("{} element inet {} {} {{ {} }}\n", verb, table,
                           family == Family::IPv4 ? "no_accept_v4" : "no_accept_v6", list);
    }
    return out;
}

std::optional<std::string> AcceptFilter::reset() {
    created_ = false;
    refs_.clear();
    return nft_.run(fmt::format("add table inet {0}\ndelete table inet {0}\n", table_));
}

std::optional<std::string> AcceptFilter::failed(std::optional<std::string> why) {
    if (why) ++errors_;
    return why;
}

std::optional<std::string> AcceptFilter::rebuild() {
    std::vector<IpAddress> all;
    all.reserve(refs_.size());
    for (const auto& [a, n] : refs_)
        all.push_back(a);
    auto why = nft_.run(accept_table_commands(table_, all));
    created_ = !why;
    return why;
}

std::optional<std::string> AcceptFilter::block(std::span<const IpAddress> addresses) {
    if (removed_) return std::nullopt;
    std::vector<IpAddress> fresh;
    for (const auto& a : addresses) {
        if (refs_[a]++ == 0) fresh.push_back(a);
    }
    if (fresh.empty()) return std::nullopt;
    if (created_ && !nft_.run(accept_element_commands(table_, true, fresh))) return std::nullopt;
    if (auto why = rebuild()) {
        // Not blocked: the counts say so, and the next call tries again.
        for (const auto& a : fresh) {
            if (--refs_[a] == 0) refs_.erase(a);
        }
        return failed(std::move(why));
    }
    return std::nullopt;
}

std::optional<std::string> AcceptFilter::unblock(std::span<const IpAddress> addresses) {
    if (removed_) return std::nullopt;
    std::vector<IpAddress> gone;
    for (const auto& a : addresses) {
        const auto it = refs_.find(a);
        if (it == refs_.end()) continue;
        if (--it->second == 0) {
            refs_.erase(it);
            gone.push_back(a);
        }
    }
    if (gone.empty() || !created_) return std::nullopt;
    if (!nft_.run(accept_element_commands(table_, false, gone))) return std::nullopt;
    return failed(rebuild());
}

bool AcceptFilter::restore_if_gone() {
    // Nothing refused: a missing table blocks nothing, and the next block() writes it anew.
    if (!created_ || removed_ || refs_.empty()) return false;
    if (!nft_.run(fmt::format("list table inet {}\n", table_))) return false;
    if (auto why = rebuild()) {
        created_ = true;  // still owed: try again at the next change
        ++errors_;
        return false;
    }
    return true;
}

void AcceptFilter::remove() {
    if (removed_) return;
    removed_ = true;
    refs_.clear();
    if (created_) (void)nft_.run(fmt::format("delete table inet {}\n", table_));
    created_ = false;
}

}  // namespace vipd::os
