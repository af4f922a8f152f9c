// The raw IPPROTO_VRRP (112) socket of one (interface, family), shared by every instance on
// that interface and demultiplexed by VRID above it. Sends with TTL/Hop Limit 255 from an
// explicit source; receives with the metadata the §7.1 checks need.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "vipd/core/expected.hpp"
#include "vipd/core/ip_address.hpp"
#include "vipd/proto/advert.hpp"

namespace vipd::os {

// What the instances need from a transport: tests substitute a fake.
class AdvertTransport {
public:
    virtual ~AdvertTransport() = default;
    virtual std::error_code send(std::span<const std::uint8_t> message, const IpAddress& src,
                                 const IpAddress& dst) = 0;
};

struct ReceivedPacket {
    std::span<const std::uint8_t> message;  // the VRRP message (IP header stripped)
    proto::RxMeta meta;
};

// Buffers for receive_batch: up to kSize packets (their layout is the socket's business).
// A slot holds any VRRP message (at most 4088 bytes) with its IP header; a longer packet
// arrives cut short and fails to decode.
class RxBatch {
public:
    static constexpr std::size_t kSize = 32;
    RxBatch();
    ~RxBatch();
    RxBatch(const RxBatch&) = delete;
    RxBatch& operator=(const RxBatch&) = delete;
    // What the last receive_batch read; valid until the batch is used again.
    [[nodiscard]] std::span<const ReceivedPacket> packets() const {
        return std::span(packets_).first(count_);
    }

private:
    friend class VrrpSocket;
    struct Buffers;
    std::unique_ptr<Buffers> buffers_;
    std::array<ReceivedPacket, kSize> packets_{};
    std::size_t count_ = 0;
};

class VrrpSocket final : public AdvertTransport {
public:
    // Opens, binds to the device, and (multicast) joins the VRRP group on it.
    static Expected<std::unique_ptr<VrrpSocket>, std::error_code> open(Family family, int ifindex,
                                                                       const std::string& ifname,
                                                                       bool join_group);
    ~VrrpSocket() override;
    VrrpSocket(const VrrpSocket&) = delete;
    VrrpSocket& operator=(const VrrpSocket&) = delete;

    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] Family family() const { return family_; }
    [[nodiscard]] int ifindex() const { return ifindex_; }

    std::error_code send(std::span<const std::uint8_t> message, const IpAddress& src,
                         const IpAddress& dst) override;

    // Up to RxBatch::kSize packets in one system call (recvmmsg, non-blocking); 0 when none
    // is waiting. batch.packets() point into the batch, valid until its next use. A packet
    // too short to carry an IP header has an empty message (a decode error).
    std::size_t receive_batch(RxBatch& batch, std::error_code& ec);

private:
    VrrpSocket(int fd, Family family, int ifindex) : fd_(fd), family_(family), ifindex_(ifindex) {}
    struct Header;
    [[nodiscard]] ReceivedPacket parse(std::span<const std::uint8_t> buffer, std::size_t len,
                                       const Header& header) const;
    int fd_;
    Family family_;
    int ifindex_;
};

// Which of `fds` have something to read, without waiting (one poll(2) for all of them).
// Returns how many; `readable[i]` for fds[i] (also set on an error condition, so that the
// read reports it).
std::size_t poll_readable(std::span<const int> fds, std::vector<bool>& readable);

}  // namespace vipd::os
