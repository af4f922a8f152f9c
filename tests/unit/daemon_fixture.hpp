// Instances on fake OS adapters and simulated time, keyed as the daemon keeps them: the
// fixture the tests of the daemon's modules (exit handover, reports) start from.
#pragma once

#include <spdlog/sinks/null_sink.h>

#include <fmt/format.h>

#include "daemon/reconciler.hpp"
#include "fakes.hpp"

namespace vipd {

class DaemonFixture : public testing::Test {
protected:
    DaemonFixture() {
        using testing::_;
        using testing::Return;
        ON_CALL(addresses, add(_, _, _)).WillByDefault(Return(std::error_code{}));
        ON_CALL(addresses, remove(_, _, _)).WillByDefault(Return(std::error_code{}));
        ON_CALL(announcer, announce(_, _, _, _)).WillByDefault(Return(std::error_code{}));
    }

    // An instance named `name` (VRID `vrid`, VIP 192.0.2.VRID), started on eth0; at
    // priority 255 it owns its VIP. `edit` changes the configuration before it starts.
    Instance& add(const char* name, int vrid, int priority = 150,
                  const std::function<void(config::InstanceConfig&)>& edit = {}) {
        auto c = web(priority);
        c.name = name;
        c.vrid = Vrid{static_cast<std::uint8_t>(vrid)};
        c.addresses = {{*IpAddress::parse(fmt::format("192.0.2.{}", vrid)), 24}};
        if (edit) edit(c);
        auto info = eth0();
        if (priority == 255) info.addresses.push_back({c.addresses[0].address, 24, 0x01});
        auto key = key_of(c);
        Instance::Env env{time, timers, addresses, announcer, log};
        env.handover_over = [this] {
            if (handover_over) handover_over();
        };
        auto inst = std::make_unique<Instance>(std::move(env), std::move(c));
        inst->set_transport(&transport);
        inst->update_interface(&info);
        inst->start();
        return *instances.emplace(std::move(key), std::move(inst)).first->second;
    }
    [[nodiscard]] bool all(State s) const {
        return std::all_of(instances.begin(), instances.end(),
                           [s](const auto& kv) { return kv.second->state() == s; });
    }
    void all_master() {
        ASSERT_TRUE(time.run_until([&] { return all(State::Master); }, std::chrono::seconds{2}));
    }
    // An advert from another router (192.0.2.12) at `priority` for `inst`.
    static void advert(Instance& inst, int priority) {
        deliver_advert(inst,
                       {.vrid = inst.config().vrid,
                        .priority = Priority{static_cast<std::uint8_t>(priority)},
                        .max_adver_int = Centiseconds{1}},
                       inst.config().addresses[0].address);
    }

    std::shared_ptr<spdlog::logger> log =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    os::SimulatedTime time;
    TimerQueue timers{time};
    testing::NiceMock<FakeAddresses> addresses;
    testing::NiceMock<FakeAnnouncer> announcer;
    FakeTransport transport;
    InstanceMap instances;
    std::function<void()> handover_over;  // what the instances' Env::handover_over calls
};

}  // namespace vipd
