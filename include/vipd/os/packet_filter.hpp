// Accept_Mode in the kernel (RFC 9568 §6.4.3): a master that is not the address owner and
// runs with accept = false must not take in packets addressed to its VIPs. vipd keeps one
// nftables table of its own, through libnftables, whose input chain drops them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"

struct nft_ctx;

namespace vipd::os {

// What instances need to refuse traffic to their VIPs: tests substitute a fake. An error
// is nft's message; the addresses are counted as blocked or not as the call went.
class PacketFilter {
public:
    virtual ~PacketFilter() = default;
    // Counted per address: an address two callers block stays blocked until both unblock.
    virtual std::optional<std::string> block(std::span<const IpAddress> addresses) = 0;
    virtual std::optional<std::string> unblock(std::span<const IpAddress> addresses) = 0;
};

// Runs nft commands; tests substitute a fake.
class NftRunner {
public:
    virtual ~NftRunner() = default;
    // `commands` in nft's syntax as one transaction: all of them or none. Error: nft's
    // message, on one line.
    virtual std::optional<std::string> run(const std::string& commands) = 0;
};

// One libnftables context (the shared plumbing: the load balancer's rules go through it too).
class Nftables final : public NftRunner {
public:
    static Expected<std::unique_ptr<Nftables>, std::string> open();
    ~Nftables() override;
    Nftables(const Nftables&) = delete;
    Nftables& operator=(const Nftables&) = delete;
    std::optional<std::string> run(const std::string& commands) override;

private:
    explicit Nftables(nft_ctx* ctx) : ctx_(ctx) {}
    nft_ctx* ctx_;
};

// The table's text (inet family, `table` its name): the input chain drops what is
// addressed to the sets' members, except neighbour discovery (ARP is not IP: untouched).
// Replaces a table of that name atomically, with `addresses` in its sets.
[[nodiscard]] std::string accept_table_commands(const std::string& table,
                                                std::span<const IpAddress> addresses);
// "add element ..." / "delete element ..." for `addresses` (both families).
[[nodiscard]] std::string accept_element_commands(const std::string& table, bool add,
                                                  std::span<const IpAddress> addresses);

class AcceptFilter final : public PacketFilter {
public:
    static constexpr const char* kTable = "vipd";
    explicit AcceptFilter(NftRunner& nft, std::string table = kTable)
        : nft_(nft), table_(std::move(table)) {}

    // At start: the table a crashed vipd left goes, with whatever it blocked. Error: nft
    // cannot be used here (no nf_tables, no CAP_NET_ADMIN).
    std::optional<std::string> reset();
    std::optional<std::string> block(std::span<const IpAddress> addresses) override;
    std::optional<std::string> unblock(std::span<const IpAddress> addresses) override;
    // At exit: the table goes; later calls change nothing.
    void remove();
    // The ruleset changed (the watch below): if vipd's table is gone, someone flushed it
    // (a firewall reload's "flush ruleset"): it is written again. True when it was.
    [[nodiscard]] bool restore_if_gone();

    [[nodiscard]] std::size_t blocked() const { return refs_.size(); }
    [[nodiscard]] std::uint64_t errors() const { return errors_; }

private:
    // The elements could not be changed (someone flushed the ruleset, or this is the
    // first): the whole table is written again from refs_.
    std::optional<std::string> rebuild();
    std::optional<std::string> failed(std::optional<std::string> why);

    NftRunner& nft_;
    std::string table_;
    std::map<IpAddress, unsigned> refs_;
    bool created_ = false;
    bool removed_ = false;
    std::uint64_t errors_ = 0;
};

}  // namespace vipd::os
