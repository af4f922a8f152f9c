// When a master announces its VIPs (gratuitous ARP / unsolicited NA): a burst of `count`
// rounds `interval` apart on becoming master, the first at once, then one round every
// `refresh` while master. What a round sends is the instance's.
#pragma once

#include <memory>

#include "vipd/config/model.hpp"
#include "vipd/os/clock.hpp"

namespace vipd {

class AnnounceSchedule {
public:
    // The instance the rounds are for.
    class Owner {
    public:
        [[nodiscard]] virtual bool announcing() const = 0;  // still master
        virtual void announce_round() = 0;

    protected:
        ~Owner() = default;
    };

    // `config` is read at every step, so a reload's new settings apply at the next one.
    AnnounceSchedule(os::TimeSource& time, const config::AnnounceConfig& config, Owner& owner)
        : time_(time), config_(config), owner_(owner) {}

    // Becoming master, or VIPs added: a round now, the rest of the burst, then refreshes.
    void burst();
    // The refreshes alone, from now (a reload may have changed their period).
    void refresh();
    // Leaving master: nothing more is sent.
    void stop();

private:
    void tick();

    os::TimeSource& time_;
    const config::AnnounceConfig& config_;
    Owner& owner_;
    // Made when first needed: a backup never announces, and a thousand backups would
    // otherwise each hold two timers for nothing.
    std::unique_ptr<os::Alarm> burst_;    // the rest of a burst, interval apart
    std::unique_ptr<os::Alarm> refresh_;  // every refresh
    int rounds_left_ = 0;
};

}  // namespace vipd
