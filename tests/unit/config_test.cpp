// The vipd.conf loader: values and defaults, every validation error with its exact message
// and line, @include, unreadable files, and the shipped example. The longer texts carry
// `# N` comments with their own line numbers, so that expected lines can be checked by eye.
#include "vipd/config/config.hpp"
#include <syslog.h>
#include "config/text_limits.hpp"
#include "vipd/daemon/daemon.hpp"
#include "vipd/os/files.hpp"
#include "vipd/os/host.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace vipd::config {
namespace {

using namespace std::chrono_literals;

constexpr const char* kName = "test.conf";

LoadResult load(const std::string& text, const InterfaceExists& exists = {}) {
    return load_string(text, kName, exists);
}

std::vector<std::string> messages(const LoadResult& r) {
    std::vector<std::string> out;
    for (const auto& d : r.diagnostics)
        out.push_back(d.to_string());
    return out;
}

// The single error of a load that must fail with exactly one (warnings, such as "no
// instances" in the short texts below, have tests of their own).
std::string only_error(const std::string& text) {
    const auto r = load(text);
    EXPECT_FALSE(r.ok());
    std::vector<std::string> errors;
    for (const auto& d : r.diagnostics) {
        if (d.severity == Diagnostic::Severity::Error) errors.push_back(d.to_string());
    }
    EXPECT_EQ(errors.size(), 1U) << ::testing::PrintToString(errors);
    return errors.empty() ? "(no error)" : errors[0];
}

// A valid IPv4 instance on lines 1..6 and `extra` from line 7 on, inside its group: for
// tests of one key.
std::string instance_with(const std::string& extra) {
    return "instances = (\n"                              // 1
           "    {\n"                                      // 2
           "        name = \"web\";\n"                    // 3
           "        interface = \"eth0\";\n"              // 4
           "        vrid = 51;\n"                         // 5
           "        addresses = [ \"192.0.2.1/24\" ];\n"  // 6
           + extra +                                      // 7...
           "\n    }\n);\n";
}

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

// Files under the test's temporary directory, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ =
            std::filesystem::path(::testing::TempDir()) /
            ("vipd_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& text) const {
        const auto p = path_ / name;
        std::ofstream(p) << text;
        return p.string();
    }
    [[nodiscard]] std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// --- values -------------------------------------------------------------------------------

// Every key of vipd.conf(5) set to something other than its default.
constexpr const char* kFull = R"(global = {                      # 1
    router_id = "lb1";                                           # 2
    log_level = "debug"; debug = [ "packets", "netlink" ]; log_facility = "local2"; # 3
    garp_count = 3;                                              # 4
    garp_interval = 0.5;                                         # 5
    garp_refresh = 30;                                           # 6
};                                                               # 7
instances = (                                                    # 8
    {                                                            # 9
        name = "web";                                            # 10
        interface = "eth0";                                      # 11
        vrid = 51;                                               # 12
        priority = 150;                                          # 13
        version = 3;                                             # 14
        advert_interval = 0.25;                                  # 15
        preempt = false;                                         # 16
        preempt_delay = 2.5;                                     # 17
        accept = false;                                          # 18
        addresses = [ "192.0.2.1/24", "192.0.2.2" ];             # 19
        unicast_peers = ( "192.0.2.12", "192.0.2.13" );          # 20
        source_address = "192.0.2.11";                           # 21
        checksum = "rfc9568";                                    # 22
        garp_count = 7;                                          # 23
        garp_interval = 0.05;                                    # 24
        garp_refresh = 0;                                        # 25
    },                                                           # 26
    {                                                            # 27
        name = "legacy";                                         # 28
        interface = "eth1";                                      # 29
        vrid = 52;                                               # 30
        version = 2;                                             # 31
        advert_interval = 3;                                     # 32
        authentication = { type = "pass"; password = "secret1"; };  # 33
        addresses = [ "198.51.100.1/25" ];                       # 34
    },                                                           # 35
    {                                                            # 36
        name = "web6";                                           # 37
        interface = "eth0";                                      # 38
        vrid = 51;                                               # 39
        priority = 255;                                          # 40
        addresses = [ "fe80::51/64", "2001:db8:51::1" ];         # 41
        source_address = "fe80::11";                             # 42
    }                                                            # 43
);                                                               # 44
)";

TEST(ConfigValues, FullExampleLoadsEveryField) {
    const auto r = load(kFull);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(messages(r), std::vector<std::string>{});
    const Config& c = *r.config;
    EXPECT_EQ(c.file, kName);

    EXPECT_EQ(c.global.router_id, "lb1");
    EXPECT_EQ(c.global.log_level, LogLevel::Debug);
    EXPECT_EQ(c.global.debug, bit(DebugCategory::Packets) | bit(DebugCategory::Netlink));
    EXPECT_EQ(c.global.log_facility, "local2");
    EXPECT_EQ(c.global.announce.count, 3);
    EXPECT_EQ(c.global.announce.interval, 500ms);
    EXPECT_EQ(c.global.announce.refresh, 30s);

    ASSERT_EQ(c.instances.size(), 3U);
    const InstanceConfig& web = c.instances[0];
    EXPECT_EQ(web.name, "web");
    EXPECT_EQ(web.interface, "eth0");
    EXPECT_EQ(web.vrid, Vrid{51});
    EXPECT_EQ(web.priority, Priority{150});
    EXPECT_EQ(web.version, Version::V3);
    EXPECT_EQ(web.family, Family::IPv4);
    EXPECT_EQ(web.advert_interval, Centiseconds{25});
    EXPECT_FALSE(web.preempt);
    EXPECT_EQ(web.preempt_delay, 2500ms);
    EXPECT_FALSE(web.accept);
    EXPECT_EQ(web.addresses,
              (std::vector<VipAddress>{{ip("192.0.2.1"), 24}, {ip("192.0.2.2"), 32}}));
    EXPECT_EQ(web.unicast_peers, (std::vector<IpAddress>{ip("192.0.2.12"), ip("192.0.2.13")}));
    EXPECT_EQ(web.source_address, ip("192.0.2.11"));
    EXPECT_EQ(web.auth_type, AuthType::None);
    EXPECT_EQ(web.password, "");
    EXPECT_EQ(web.checksum, ChecksumMode::Rfc9568);
    EXPECT_EQ(web.announce, (AnnounceConfig{7, 50ms, Duration::zero()}));
    EXPECT_EQ(web.file, kName);
    EXPECT_EQ(web.line, 9);

    const InstanceConfig& legacy = c.instances[1];
    EXPECT_EQ(legacy.name, "legacy");
    EXPECT_EQ(legacy.interface, "eth1");
    EXPECT_EQ(legacy.vrid, Vrid{52});
    EXPECT_EQ(legacy.priority, Priority{100});
    EXPECT_EQ(legacy.version, Version::V2);
    EXPECT_EQ(legacy.advert_interval, Centiseconds{300});
    EXPECT_EQ(legacy.auth_type, AuthType::SimplePassword);
    EXPECT_EQ(legacy.password, "secret1");
    EXPECT_EQ(legacy.addresses, (std::vector<VipAddress>{{ip("198.51.100.1"), 25}}));
    EXPECT_EQ(legacy.checksum, ChecksumMode::Auto);
    EXPECT_EQ(legacy.announce, c.global.announce);  // inherited whole
    EXPECT_EQ(legacy.line, 27);

    const InstanceConfig& web6 = c.instances[2];
    EXPECT_EQ(web6.name, "web6");
    EXPECT_EQ(web6.vrid, Vrid{51});  // same VRID and interface as "web", other family
    EXPECT_EQ(web6.family, Family::IPv6);
    EXPECT_EQ(web6.priority, kPriorityOwner);
    EXPECT_EQ(web6.addresses,
              (std::vector<VipAddress>{{ip("fe80::51"), 64}, {ip("2001:db8:51::1"), 128}}));
    EXPECT_EQ(web6.source_address, ip("fe80::11"));
    EXPECT_TRUE(web6.unicast_peers.empty());
    EXPECT_EQ(web6.line, 36);
}

TEST(ConfigValues, Defaults) {
    Checks checks;
    checks.host_name = [] { return os::host_name(); };
    const auto r = load_string(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
                                           addresses = [ "192.0.2.1" ]; } );)",
                               kName, checks);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_TRUE(r.diagnostics.empty());
    const Config& c = *r.config;

    std::array<char, 256> host{};
    ASSERT_EQ(::gethostname(host.data(), host.size() - 1), 0);
    EXPECT_EQ(c.global.router_id, host.data());
    EXPECT_EQ(c.global.log_level, LogLevel::Info);
    EXPECT_FALSE(c.global.debug.has_value());
    EXPECT_EQ(c.global.log_facility, "daemon");
    EXPECT_EQ(c.global.announce.count, 5);
    EXPECT_EQ(c.global.announce.interval, 200ms);
    EXPECT_EQ(c.global.announce.refresh, Duration::zero());

    ASSERT_EQ(c.instances.size(), 1U);
    const InstanceConfig& i = c.instances[0];
    EXPECT_EQ(i.priority, Priority{100});
    EXPECT_EQ(i.version, Version::V3);
    EXPECT_EQ(i.family, Family::IPv4);
    EXPECT_EQ(i.advert_interval, Centiseconds{100});
    EXPECT_TRUE(i.preempt);
    EXPECT_EQ(i.preempt_delay, Duration::zero());
    EXPECT_TRUE(i.accept);
    EXPECT_EQ(i.addresses, (std::vector<VipAddress>{{ip("192.0.2.1"), 32}}));
    EXPECT_TRUE(i.unicast_peers.empty());
    EXPECT_FALSE(i.source_address.has_value());
    EXPECT_EQ(i.auth_type, AuthType::None);
    EXPECT_TRUE(i.password.empty());
    EXPECT_EQ(i.checksum, ChecksumMode::Auto);
    EXPECT_EQ(i.announce, AnnounceConfig{});
    EXPECT_EQ(i.line, 1);
}

// router_id defaults to what the host-name probe answers; config itself asks the OS nothing.
TEST(ConfigValues, RouterIdDefaultsToTheProbedHostName) {
    const std::string text = "instances = ();";
    Checks checks;
    checks.host_name = [] { return std::string("lb-test"); };
    auto r = load_string(text, kName, checks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->global.router_id, "lb-test");

    checks.host_name = [] { return std::string(); };  // gethostname failed
    r = load_string(text, kName, checks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->global.router_id, "vipd");

    r = load_string(text, kName, Checks{});  // no probe at all
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->global.router_id, "vipd");

    checks.host_name = [] { return std::string("lb-test"); };
    r = load_string("global = { router_id = \"lb1\"; };\ninstances = ();", kName, checks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->global.router_id, "lb1");
}

// The daemon's checks (vipd -t, start, reload) hand the loader this host's name.
TEST(ConfigValues, SystemChecksProbeTheHostName) {
    const auto checks = system_checks();
    ASSERT_TRUE(checks.host_name);
    std::array<char, 256> host{};
    ASSERT_EQ(::gethostname(host.data(), host.size() - 1), 0);
    EXPECT_EQ(checks.host_name(), host.data());
}

TEST(ConfigValues, GlobalAfterInstancesStillApplies) {
    const auto r = load(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
                                           addresses = [ "192.0.2.1" ]; garp_count = 2; } );
global = { garp_count = 9; garp_interval = 1; };)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances[0].announce.count, 2);  // its own override
    EXPECT_EQ(r.config->instances[0].announce.interval, 1s);
}

TEST(ConfigValues, OperabilityGlobals) {
    auto r = load(R"(global = { graceful_handover = false; control_group = "adm";
                              metrics_listen = "127.0.0.1:9650"; };
instances = ();)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_FALSE(r.config->global.graceful_handover);
    EXPECT_EQ(r.config->global.control_group, "adm");
    ASSERT_TRUE(r.config->global.metrics_listen);
    EXPECT_EQ(r.config->global.metrics_listen->address, ip("127.0.0.1"));
    EXPECT_EQ(r.config->global.metrics_listen->port, 9650);
    r = load(R"(global = { realtime_priority = 50; lock_memory = true; }; instances = ();)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->global.realtime_priority, 50);
    EXPECT_EQ(r.config->global.lock_memory, true);
    // Unset: as vipd was started (scheduling) and as its command line says (memory).
    r = load("instances = ();");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.config->global.realtime_priority.has_value());
    EXPECT_FALSE(r.config->global.lock_memory.has_value());
    r = load(R"(global = { realtime_priority = 0; lock_memory = false; }; instances = ();)");
    EXPECT_EQ(r.config->global.realtime_priority, 0);
    EXPECT_EQ(r.config->global.lock_memory, false);
    EXPECT_NE(only_error("global = { realtime_priority = 100; }; instances = ();")
                  .find("'realtime_priority' must be in the range 0..99"),
              std::string::npos);
    r = load(R"(global = { metrics_listen = "[::1]:80"; }; instances = ();)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->global.metrics_listen->address, ip("::1"));
    r = load("global = { }; instances = ();");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.config->global.graceful_handover);  // on by default
    EXPECT_FALSE(r.config->global.metrics_listen);
    EXPECT_EQ(r.config->global.control_group, "");
}

TEST(ConfigErrors, MetricsListenMustBeLoopbackAddressAndPort) {
    for (const char* bad : {"192.0.2.1:9650", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                            "::1:9650", "[::2]:9650", "localhost:9650", "127.0.0.1:9x"}) {
        const auto e = only_error(std::string("global = { metrics_listen = \"") + bad +
                                  "\"; }; instances = ();");
        EXPECT_NE(e.find("test.conf:1: 'metrics_listen' must be a loopback ADDRESS:PORT"),
                  std::string::npos)
            << bad << ": " << e;
    }
}

TEST(ConfigErrors, ControlGroupMustExist) {
    Checks checks;
    checks.group_exists = [](const std::string& g) { return g == "adm"; };
    auto r =
        load_string("global = {\n control_group = \"nosuch\"; }; instances = ();", kName, checks);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).front(), "test.conf:2: control_group 'nosuch': no such group");
    r = load_string("global = { control_group = \"adm\"; }; instances = ();", kName, checks);
    EXPECT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    // The admin group too (issue 13: changing state takes root or its members).
    r = load_string("global = {\n control_admin_group = \"nosuch\"; }; instances = ();", kName,
                    checks);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).front(), "test.conf:2: control_admin_group 'nosuch': no such group");
    r = load_string("global = { control_admin_group = \"adm\"; }; instances = ();", kName, checks);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->global.control_admin_group, "adm");
    EXPECT_EQ(r.config->global.control_group, "");
}

// A tracked file whose path others control is refused at load, with its line (issue 13).
TEST(ConfigErrors, TrackedFilePathMustBeSafe) {
    Checks checks;
    checks.tracked_file = [](const std::string& path) -> std::optional<std::string> {
        if (path.starts_with("/tmp/")) return "tracked file " + path + ": unsafe";
        return std::nullopt;
    };
    const std::string head =
        "instances = ( { name = \"a\"; interface = \"eth0\"; vrid = 1;\n"
        " addresses = [ \"192.0.2.1\" ];\n";
    auto r =
        load_string(head + " track_files = ( { path = \"/tmp/drain\"; } ); } );", kName, checks);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).front(), "test.conf:3: tracked file /tmp/drain: unsafe");
    r = load_string(head + " track_files = ( { path = \"/run/drain\"; } ); } );", kName, checks);
    EXPECT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
}

// The daemon's own check is the real one.
TEST(ConfigErrors, TheDaemonChecksTrackedFilePaths) {
    const auto checks = system_checks();
    ASSERT_TRUE(checks.tracked_file);
    EXPECT_EQ(checks.tracked_file("/etc/hostname"), std::nullopt);
    EXPECT_EQ(checks.tracked_file("/tmp/vipd-no-such-drain"),
              "tracked file /tmp/vipd-no-such-drain: directory /tmp is writable by others, who "
              "could create /tmp/vipd-no-such-drain");
}

// Issue 13: notify_fifo = "/etc/passwd" passed, and vipd appended a line per transition.
TEST(ConfigErrors, NotifyFifoMustBeAFifoIfItExists) {
    EXPECT_EQ(only_error("global = {\n notify_fifo = \"/etc/passwd\"; };\ninstances = ();"),
              "test.conf:2: notify_fifo '/etc/passwd' exists and is not a FIFO (create one with "
              "mkfifo, or name a path that is free)");
    TempDir dir;
    const auto fifo = dir.path() + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_TRUE(load("global = { notify_fifo = \"" + fifo + "\"; };\ninstances = ();").ok());
    EXPECT_TRUE(  // not there yet: vipd writes once it is
        load("global = { notify_fifo = \"" + dir.path() + "/later\"; };\ninstances = ();").ok());
}

// Legal but almost always mistakes: vipd -t warns (issue 13).
TEST(ConfigWarnings, LikelyMistakesAreWarnedAbout) {
    const auto r = load(R"(instances = (
    { name = "a"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ];
      unicast_peers = [ "192.0.2.1" ]; },
    { name = "b"; interface = "eth1"; vrid = 2; addresses = [ "192.0.2.1" ];
      garp_refresh = 0.005; }
);)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(messages(r),
              (std::vector<std::string>{
                  "test.conf:2: warning: unicast peer 192.0.2.1 is one of the instance's own VIPs: "
                  "list the peers' own addresses",
                  "test.conf:4: warning: VIP 192.0.2.1 is also in instance 'a' (test.conf:2): "
                  "whichever is master last holds it",
                  "test.conf:4: warning: garp_refresh under 10 ms: the segment gets hundreds of "
                  "gratuitous ARPs a second per VIP"}));
}

TEST(ConfigWarnings, AVipThatIsAlreadyAnInterfaceAddress) {
    Checks checks;
    checks.address_interface = [](const IpAddress& a) -> std::optional<std::string> {
        if (a == ip("192.0.2.1")) return "eth0";
        return std::nullopt;
    };
    const std::string text =
        "instances = (\n { name = \"a\"; interface = \"eth0\"; vrid = 1; "
        "priority = PRIO; addresses = [ \"192.0.2.1\" ]; } );";
    auto r = load_string(std::regex_replace(text, std::regex("PRIO"), "100"), kName, checks);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{
                               "test.conf:2: warning: VIP 192.0.2.1 is already an address of "
                               "'eth0': vipd removes it there while this instance is not master "
                               "(priority 255 makes it the owner)"});
    r = load_string(std::regex_replace(text, std::regex("PRIO"), "255"), kName, checks);
    EXPECT_TRUE(r.diagnostics.empty());  // the owner: its own address
    // The daemon's check asks the host: loopback has 127.0.0.1.
    EXPECT_EQ(system_checks().address_interface(ip("127.0.0.1")), "lo");
}

TEST(ConfigWarnings, AnOwnerWithoutTheAddressesAndASourceAddressElsewhere) {
    Checks checks;
    checks.address_interface = [](const IpAddress& a) -> std::optional<std::string> {
        if (a == ip("192.0.2.1") || a == ip("192.0.2.11")) return "eth0";
        if (a == ip("198.51.100.11")) return "eth1";
        return std::nullopt;
    };
    const auto load = [&](const std::string& priority, const std::string& vip,
                          const std::string& source) {
        return messages(load_string(
            "instances = (\n { name = \"a\"; interface = \"eth0\"; vrid = 1; priority = " +
                priority + "; addresses = [ \"" + vip + "\" ]; source_address = \"" + source +
                "\"; } );",
            kName, checks));
    };
    EXPECT_TRUE(load("255", "192.0.2.1", "192.0.2.11").empty());
    EXPECT_TRUE(load("100", "192.0.2.2", "192.0.2.11").empty());
    EXPECT_EQ(load("255", "192.0.2.2", "192.0.2.11"),
              std::vector<std::string>{
                  "test.conf:2: warning: priority 255 makes this router the owner of its VIPs, "
                  "but 192.0.2.2 is not an address of 'eth0': give the owner's addresses to the "
                  "interface, or use 254"});
    EXPECT_EQ(load("100", "192.0.2.2", "198.51.100.11"),
              std::vector<std::string>{
                  "test.conf:2: warning: source_address 198.51.100.11 is not an address of "
                  "'eth0' (it is on 'eth1'): adverts would leave from an address the peers "
                  "cannot answer, and rp_filter may drop them"});
    EXPECT_EQ(load("100", "192.0.2.2", "192.0.2.99"),
              std::vector<std::string>{
                  "test.conf:2: warning: source_address 192.0.2.99 is not an address of "
                  "'eth0' (no interface has it): adverts would leave from an address the peers "
                  "cannot answer, and rp_filter may drop them"});
}

TEST(ConfigValues, DurationsAndCentisecondsAreExact) {
    const auto r = load(R"(global = { garp_interval = 0.3; garp_refresh = 86400; };
instances = (
    { name = "a"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ];
      advert_interval = 0.1; preempt_delay = 2; },
    { name = "b"; interface = "eth0"; vrid = 2; addresses = [ "192.0.2.2" ];
      advert_interval = 2; preempt_delay = 0.001; },
    { name = "c"; interface = "eth0"; vrid = 3; addresses = [ "192.0.2.3" ];
      advert_interval = 40.95; preempt_delay = 3600L; },
    { name = "d"; interface = "eth0"; vrid = 4; addresses = [ "192.0.2.4" ];
      advert_interval = 0.01; },
    { name = "e"; interface = "eth0"; vrid = 5; addresses = [ "192.0.2.5" ];
      advert_interval = 0.07; },
    { name = "f"; interface = "eth0"; vrid = 6; addresses = [ "192.0.2.6" ];
      version = 2; advert_interval = 255.0; }
);)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& c = *r.config;
    EXPECT_EQ(c.global.announce.interval, 300ms);  // 0.3 is not exact in binary
    EXPECT_EQ(c.global.announce.refresh, 24h);
    ASSERT_EQ(c.instances.size(), 6U);
    EXPECT_EQ(c.instances[0].advert_interval, Centiseconds{10});
    EXPECT_EQ(c.instances[0].preempt_delay, 2s);  // an integer is accepted as seconds
    EXPECT_EQ(c.instances[1].advert_interval, Centiseconds{200});
    EXPECT_EQ(c.instances[1].preempt_delay, 1ms);
    EXPECT_EQ(c.instances[2].advert_interval, kMaxAdverIntV3);
    EXPECT_EQ(c.instances[2].preempt_delay, 1h);  // a 64-bit integer too
    EXPECT_EQ(c.instances[3].advert_interval, Centiseconds{1});
    EXPECT_EQ(c.instances[4].advert_interval, Centiseconds{7});  // 0.07 * 100 = 7.000...01
    EXPECT_EQ(c.instances[5].advert_interval, Centiseconds{25500});
}

TEST(ConfigValues, Ipv6Instance) {
    const auto r = load(R"(instances = ( {
    name = "v6"; interface = "eth0"; vrid = 7; priority = 200;
    addresses = ( "2001:db8::1", "2001:db8::2/64", "2001:db8:1::1/128" );
} );)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& i = r.config->instances[0];
    EXPECT_EQ(i.family, Family::IPv6);
    EXPECT_EQ(i.version, Version::V3);
    EXPECT_EQ(i.checksum, ChecksumMode::Auto);
    EXPECT_EQ(i.addresses,
              (std::vector<VipAddress>{
                  {ip("2001:db8::1"), 128}, {ip("2001:db8::2"), 64}, {ip("2001:db8:1::1"), 128}}));
}

TEST(ConfigValues, UnicastPeers) {
    const auto r = load(instance_with(R"(unicast_peers = [ "192.0.2.12", "192.0.2.13" ];
        source_address = "192.0.2.11";)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& i = r.config->instances[0];
    EXPECT_EQ(i.unicast_peers, (std::vector<IpAddress>{ip("192.0.2.12"), ip("192.0.2.13")}));
    EXPECT_EQ(i.source_address, ip("192.0.2.11"));
}

TEST(ConfigValues, Ipv6UnicastMayUseGlobalSource) {
    const auto r = load(R"(instances = ( {
    name = "v6"; interface = "eth0"; vrid = 7; addresses = [ "2001:db8::1" ];
    unicast_peers = [ "2001:db8::12" ]; source_address = "2001:db8::11";
} );)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances[0].source_address, ip("2001:db8::11"));
}

TEST(ConfigValues, V2Password) {
    const auto r = load(instance_with(R"(version = 2;
        authentication = { type = "pass"; password = "12345678"; };)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& i = r.config->instances[0];
    EXPECT_EQ(i.version, Version::V2);
    EXPECT_EQ(i.auth_type, AuthType::SimplePassword);
    EXPECT_EQ(i.password, "12345678");  // eight characters: the whole auth data field
    EXPECT_EQ(i.advert_interval, Centiseconds{100});
}

TEST(ConfigValues, V2AuthenticationNone) {
    const auto r = load(instance_with(R"(version = 2; authentication = { type = "none"; };)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances[0].auth_type, AuthType::None);
}

TEST(ConfigValues, ChecksumModes) {
    for (const auto& [text, mode] :
         {std::pair{"auto", ChecksumMode::Auto}, std::pair{"rfc9568", ChecksumMode::Rfc9568},
          std::pair{"pseudo-header", ChecksumMode::PseudoHeader}}) {
        const auto r = load(instance_with(std::string("checksum = \"") + text + "\";"));
        ASSERT_TRUE(r.ok()) << text;
        EXPECT_EQ(r.config->instances[0].checksum, mode) << text;
    }
}

TEST(ConfigValues, EmptyInstancesIsAWarning) {
    for (const char* text : {"instances = ();", "instances = [];"}) {
        const auto r = load(text);
        ASSERT_TRUE(r.ok()) << text;
        EXPECT_TRUE(r.config->instances.empty());
        EXPECT_EQ(messages(r),
                  std::vector<std::string>{"test.conf:1: warning: no instances: vipd will not do "
                                           "anything"});
    }
}

TEST(ConfigValues, SameVridOnOtherInterfaceOrFamilyIsFine) {
    const auto r = load(R"(instances = (
    { name = "a"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; },
    { name = "b"; interface = "eth1"; vrid = 1; addresses = [ "192.0.2.2" ]; },
    { name = "c"; interface = "eth0"; vrid = 1; addresses = [ "2001:db8::1" ]; }
);)");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances.size(), 3U);
}

TEST(ConfigValues, NamesAndInterfacesAtTheirLimits) {
    const auto r2 = load(R"(instances = ( {
    name = "Az09_.-xxxxxxxxxxxxxxxxxxxxxxxxx"; interface = "enp0s31f6.4094";
    vrid = 255; priority = 1; addresses = [ "192.0.2.1" ];
} );)");
    ASSERT_TRUE(r2.ok()) << ::testing::PrintToString(messages(r2));
    EXPECT_EQ(r2.config->instances[0].name.size(), 32U);
    EXPECT_EQ(r2.config->instances[0].vrid, Vrid{255});
    EXPECT_EQ(r2.config->instances[0].priority, Priority{1});
}

TEST(ConfigValues, TwoHundredFiftyFiveAddresses) {
    std::string list;
    for (int i = 1; i <= 255; ++i)
        list += "\"2001:db8::" + std::to_string(i) + "\", ";
    list.resize(list.size() - 2);
    const auto r = load(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
        addresses = [ )" +
                        list + " ]; } );");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances[0].addresses.size(), 255U);
}

// --- the unknown-interface callback ----------------------------------------------------------

TEST(ConfigInterface, UnknownInterfaceIsAWarning) {
    std::vector<std::string> asked;
    const auto r = load(instance_with(""), [&](std::string_view name) {
        asked.emplace_back(name);
        return name == "eth1";
    });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(asked, std::vector<std::string>{"eth0"});
    ASSERT_EQ(r.diagnostics.size(), 1U);
    EXPECT_EQ(r.diagnostics[0].severity, Diagnostic::Severity::Warning);
    EXPECT_EQ(r.diagnostics[0].line, 4);
    EXPECT_EQ(r.diagnostics[0].to_string(),
              "test.conf:4: warning: interface 'eth0' does not exist (it may appear later)");
    EXPECT_EQ(r.config->instances.size(), 1U);
}

TEST(ConfigInterface, KnownInterfaceGivesNoDiagnostic) {
    const auto r = load(instance_with(""), [](std::string_view name) { return name == "eth0"; });
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.diagnostics.empty());
}

TEST(ConfigInterface, WarningsDoNotHideErrors) {
    const auto r = load(instance_with("priority = 0;"), [](std::string_view) { return false; });
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r),
              (std::vector<std::string>{
                  "test.conf:4: warning: interface 'eth0' does not exist (it may appear later)",
                  "test.conf:7: 'priority' must be in the range 1..255 (got 0)"}));
}

// --- unknown keys -----------------------------------------------------------------------------

TEST(ConfigUnknownKey, InInstanceSuggestsClosest) {
    EXPECT_EQ(only_error(instance_with("prority = 100;")),
              "test.conf:7: unknown key 'prority' (did you mean 'priority'?)");
    EXPECT_EQ(only_error(instance_with("vird = 51;")),
              "test.conf:7: unknown key 'vird' (did you mean 'vrid'?)");  // transposition
    EXPECT_EQ(only_error(instance_with("advert_int = 1;")),
              "test.conf:7: unknown key 'advert_int'");  // keepalived's name: too far
}

TEST(ConfigLogging, DebugCategoriesAndFacilityAreChecked) {
    EXPECT_EQ(only_error("global = {\n    debug = [ \"packets\", \"arp\" ];\n};\ninstances = ();"),
              "test.conf:2: 'debug' entries must be packets, timers, netlink, scripts or control "
              "(got \"arp\")");
    EXPECT_EQ(only_error("global = {\n    debug = \"packets\";\n};\ninstances = ();"),
              "test.conf:2: 'debug' must be a list or array of strings");
    EXPECT_EQ(only_error("global = {\n    log_facility = \"kern\";\n};\ninstances = ();"),
              "test.conf:2: 'log_facility' must be daemon or local0..local7 (got \"kern\")");
    EXPECT_EQ(only_error("global = {\n    log_facility = \"local8\";\n};\ninstances = ();"),
              "test.conf:2: 'log_facility' must be daemon or local0..local7 (got \"local8\")");
    EXPECT_EQ(parse_log_facility("local7"), LOG_LOCAL7);
    EXPECT_EQ(parse_log_facility("daemon"), LOG_DAEMON);
    EXPECT_EQ(debug_set_text(0), "none");
    EXPECT_EQ(debug_set_text(kAllDebug), "all");
    EXPECT_EQ(debug_set_text(bit(DebugCategory::Timers) | bit(DebugCategory::Control)),
              "timers,control");
}

TEST(ConfigUnknownKey, InGlobal) {
    EXPECT_EQ(only_error("global = {\n    log_lvel = \"info\";\n};\ninstances = ();"),
              "test.conf:2: unknown key 'log_lvel' (did you mean 'log_level'?)");
    EXPECT_EQ(only_error("global = {\n    foo = 1;\n};\ninstances = ();"),
              "test.conf:2: unknown key 'foo'");
}

TEST(ConfigUnknownKey, InAuthentication) {
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = {
            typ = "none";
        };)")),
              "test.conf:9: unknown key 'typ' (did you mean 'type'?)");
}

TEST(ConfigUnknownKey, TopLevelSection) {
    EXPECT_EQ(only_error("globl = {};\ninstances = ();"),
              "test.conf:1: unknown key 'globl' (did you mean 'global'?)");
    EXPECT_EQ(only_error("instances = ();\nvrrp_instance = {};"),
              "test.conf:2: unknown key 'vrrp_instance'");
}

TEST(ConfigUnknownKey, KeyInTheWrongSectionSaysWhere) {
    EXPECT_EQ(only_error("global = {\n    priority = 100;\n};\ninstances = ();"),
              "test.conf:2: unknown key 'priority' (it belongs in an instance)");
    EXPECT_EQ(only_error(instance_with("log_level = \"debug\";")),
              "test.conf:7: unknown key 'log_level' (it belongs in 'global')");
    EXPECT_EQ(only_error("instances = ();\nrouter_id = \"x\";"),
              "test.conf:2: unknown key 'router_id' (it belongs in 'global')");
}

// --- types ------------------------------------------------------------------------------------

TEST(ConfigType, WrongScalarTypes) {
    EXPECT_EQ(only_error(instance_with("priority = \"100\";")),
              "test.conf:7: 'priority' must be an integer");
    EXPECT_EQ(only_error(instance_with("priority = 100.0;")),  // no silent conversion
              "test.conf:7: 'priority' must be an integer");
    EXPECT_EQ(only_error(instance_with("preempt = 1;")),
              "test.conf:7: 'preempt' must be true or false");
    EXPECT_EQ(only_error(instance_with("advert_interval = \"1s\";")),
              "test.conf:7: 'advert_interval' must be a number of seconds");
    EXPECT_EQ(only_error(instance_with("preempt_delay = true;")),
              "test.conf:7: 'preempt_delay' must be a number of seconds");
    EXPECT_EQ(only_error(instance_with("source_address = [ \"192.0.2.11\" ];")),
              "test.conf:7: 'source_address' must be a string");
    EXPECT_EQ(only_error(instance_with("checksum = 1;")),
              "test.conf:7: 'checksum' must be a string");
    EXPECT_EQ(only_error("global = { log_level = 3; };\ninstances = ();"),
              "test.conf:1: 'log_level' must be a string");
}

TEST(ConfigType, WrongTypeOfRequiredKeys) {
    EXPECT_EQ(only_error(R"(instances = ( {
    name = 1;
    interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'name' must be a string");
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "a";
    interface = "eth0"; vrid = "51"; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:3: 'vrid' must be an integer");
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "a"; interface = "eth0"; vrid = 1;
    addresses = "192.0.2.1"; } );)"),
              "test.conf:3: 'addresses' must be a list or array of strings");
}

TEST(ConfigType, ListEntriesMustBeStrings) {
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "a"; interface = "eth0"; vrid = 1;
    addresses = ( "192.0.2.1",
                  192 ); } );)"),
              "test.conf:4: 'addresses' entries must be strings");
    EXPECT_EQ(messages(load(instance_with("unicast_peers = [ 1,\n2 ];"))),
              (std::vector<std::string>{"test.conf:7: 'unicast_peers' entries must be strings",
                                        "test.conf:8: 'unicast_peers' entries must be strings"}));
}

TEST(ConfigType, Sections) {
    EXPECT_EQ(only_error("global = 1;\ninstances = ();"),
              "test.conf:1: 'global' must be a group: global = { ... };");
    EXPECT_EQ(only_error("instances = { name = \"a\"; };"),
              "test.conf:1: 'instances' must be a list of groups: instances = ( { ... }, { ... "
              "} );");
    EXPECT_EQ(only_error("instances = (\n    \"web\" );"),
              "test.conf:2: each entry of 'instances' must be a group: { name = ...; ... }");
    EXPECT_EQ(only_error(instance_with("version = 2; authentication = \"pass\";")),
              "test.conf:7: 'authentication' must be a group: authentication = { type = "
              "\"pass\"; password = \"...\"; };");
}

// --- required keys ----------------------------------------------------------------------------

TEST(ConfigRequired, MissingInstances) {
    EXPECT_EQ(only_error("global = { log_level = \"info\"; };"),
              "test.conf:1: missing required list 'instances' (instances = ( { ... }, ... );)");
    EXPECT_EQ(only_error(""),
              "test.conf:1: missing required list 'instances' (instances = ( { ... }, ... );)");
}

TEST(ConfigRequired, MissingInstanceKeysAreNamedAtTheGroup) {
    const auto r = load(R"(instances = (
    { name = "ok"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; },
    {
        priority = 100;
    }
);)");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), (std::vector<std::string>{
                               "test.conf:3: instance is missing required key 'name'",
                               "test.conf:3: instance is missing required key 'interface'",
                               "test.conf:3: instance is missing required key 'vrid'",
                               "test.conf:3: instance is missing required key 'addresses'",
                           }));
}

// --- ranges -----------------------------------------------------------------------------------

TEST(ConfigRange, Integers) {
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0";
    vrid = 0; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'vrid' must be in the range 1..255 (got 0)");
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0";
    vrid = 256; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'vrid' must be in the range 1..255 (got 256)");
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0";
    vrid = 5000000000L; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'vrid' must be in the range 1..255 (got 5000000000)");
    EXPECT_EQ(only_error(instance_with("priority = 256;")),
              "test.conf:7: 'priority' must be in the range 1..255 (got 256)");
    EXPECT_EQ(only_error(instance_with("priority = -1;")),
              "test.conf:7: 'priority' must be in the range 1..255 (got -1)");
    EXPECT_EQ(only_error(instance_with("version = 4;")),
              "test.conf:7: 'version' must be 2 or 3 (got 4)");
    EXPECT_EQ(only_error(instance_with("garp_count = 0;")),
              "test.conf:7: 'garp_count' must be in the range 1..100 (got 0)");
    EXPECT_EQ(only_error("global = { garp_count = 101; };\ninstances = ();"),
              "test.conf:1: 'garp_count' must be in the range 1..100 (got 101)");
}

TEST(ConfigRange, Seconds) {
    EXPECT_EQ(only_error("global = { garp_interval = 10.5; };\ninstances = ();"),
              "test.conf:1: 'garp_interval' must be in the range 0..10 seconds (got 10.5)");
    EXPECT_EQ(only_error("global = { garp_refresh = -1; };\ninstances = ();"),
              "test.conf:1: 'garp_refresh' must be in the range 0..86400 seconds (got -1)");
    EXPECT_EQ(only_error(instance_with("preempt_delay = 3601;")),
              "test.conf:7: 'preempt_delay' must be in the range 0..3600 seconds (got 3601)");
    EXPECT_EQ(only_error(instance_with("garp_interval = 1e999;")),
              "test.conf:7: 'garp_interval' must be in the range 0..10 seconds (got inf)");
}

TEST(ConfigRange, V3AdvertInterval) {
    EXPECT_EQ(only_error(instance_with("advert_interval = 41;")),
              "test.conf:7: 'advert_interval' must be in the range 0.01..40.95 seconds for "
              "VRRPv3 (got 41)");
    EXPECT_EQ(only_error(instance_with("advert_interval = 0;")),
              "test.conf:7: 'advert_interval' must be in the range 0.01..40.95 seconds for "
              "VRRPv3 (got 0)");
    EXPECT_EQ(only_error(instance_with("advert_interval = 0.005;")),
              "test.conf:7: 'advert_interval' must be in the range 0.01..40.95 seconds for "
              "VRRPv3 (got 0.005)");
    // Not rounded to 1 or 2 cs: that would change the failover time without saying so.
    EXPECT_EQ(only_error(instance_with("advert_interval = 0.015;")),
              "test.conf:7: 'advert_interval' must be a whole number of centiseconds for VRRPv3 "
              "(got 0.015)");
    EXPECT_EQ(only_error(instance_with("advert_interval = 1.234;")),
              "test.conf:7: 'advert_interval' must be a whole number of centiseconds for VRRPv3 "
              "(got 1.234)");
}

TEST(ConfigRange, V2AdvertInterval) {
    EXPECT_EQ(only_error(instance_with("version = 2; advert_interval = 0.5;")),
              "test.conf:7: 'advert_interval' must be a whole number of seconds in the range "
              "1..255 for VRRPv2 (got 0.5)");
    EXPECT_EQ(only_error(instance_with("version = 2; advert_interval = 1.5;")),
              "test.conf:7: 'advert_interval' must be a whole number of seconds in the range "
              "1..255 for VRRPv2 (got 1.5)");
    EXPECT_EQ(only_error(instance_with("version = 2; advert_interval = 256;")),
              "test.conf:7: 'advert_interval' must be a whole number of seconds in the range "
              "1..255 for VRRPv2 (got 256)");
}

TEST(ConfigRange, AdvertIntervalWithABadVersionReportsOnlyTheVersion) {
    EXPECT_EQ(only_error(instance_with("version = 4; advert_interval = 0.015;")),
              "test.conf:7: 'version' must be 2 or 3 (got 4)");
}

TEST(ConfigRange, LogLevel) {
    EXPECT_EQ(only_error("global = {\n    log_level = \"verbose\";\n};\ninstances = ();"),
              "test.conf:2: 'log_level' must be one of debug, info, notice, warning, error "
              "(got \"verbose\")");
}

TEST(ConfigRange, RouterId) {
    EXPECT_EQ(only_error("global = { router_id = \"\"; };\ninstances = ();"),
              "test.conf:1: 'router_id' must be 1..64 characters");
}

TEST(ConfigRange, InstanceName) {
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "web 1";
    interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'name' must be 1..32 characters of A-Z a-z 0-9 _ . - (got \"web "
              "1\")");
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "";
    interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'name' must be 1..32 characters of A-Z a-z 0-9 _ . - (got \"\")");
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "abcdefghijklmnopqrstuvwxyz0123456";
    interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'name' must be 1..32 characters of A-Z a-z 0-9 _ . - (got "
              "\"abcdefghijklmnopqrstuvwxyz0123456\")");
}

TEST(ConfigRange, ControlCharactersAreNotEchoed) {
    EXPECT_EQ(only_error(R"(instances = ( {
    name = "web\n\x1b[2J";
    interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'name' must be 1..32 characters of A-Z a-z 0-9 _ . - (got "
              "\"web??[2J\")");
}

TEST(ConfigRange, InterfaceName) {
    EXPECT_EQ(only_error(R"(instances = ( { name = "a";
    interface = "abcdefghijklmnop";
    vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'interface' must be 1..15 characters without '/', ':' or spaces "
              "(got \"abcdefghijklmnop\")");
    EXPECT_EQ(only_error(R"(instances = ( { name = "a";
    interface = "eth0:1";
    vrid = 1; addresses = [ "192.0.2.1" ]; } );)"),
              "test.conf:2: 'interface' must be 1..15 characters without '/', ':' or spaces "
              "(got \"eth0:1\")");
}

// --- addresses --------------------------------------------------------------------------------

std::string with_addresses(const std::string& list) {
    return "instances = ( { name = \"a\"; interface = \"eth0\"; vrid = 1;\n"  // 1
           "    addresses = [\n"                                              // 2
           + list + " ]; } );";                                               // 3...
}

TEST(ConfigAddresses, Invalid) {
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.300\"")),
              "test.conf:3: invalid address '192.0.2.300' (expected IP or IP/PREFIX)");
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/\"")),
              "test.conf:3: invalid address '192.0.2.1/' (expected IP or IP/PREFIX)");
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/24x\"")),
              "test.conf:3: invalid address '192.0.2.1/24x' (expected IP or IP/PREFIX)");
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/-1\"")),
              "test.conf:3: invalid address '192.0.2.1/-1' (expected IP or IP/PREFIX)");
    EXPECT_EQ(only_error(with_addresses("\"vip.example\"")),
              "test.conf:3: invalid address 'vip.example' (expected IP or IP/PREFIX)");
}

TEST(ConfigAddresses, PrefixRange) {
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/33\"")),
              "test.conf:3: prefix length of '192.0.2.1/33' must be in the range 1..32");
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/0\"")),
              "test.conf:3: prefix length of '192.0.2.1/0' must be in the range 1..32");
    EXPECT_EQ(only_error(with_addresses("\"2001:db8::1/129\"")),
              "test.conf:3: prefix length of '2001:db8::1/129' must be in the range 1..128");
    const auto r = load(with_addresses("\"2001:db8::1/128\", \"2001:db8::2/1\""));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.config->instances[0].addresses[1].prefix_len, 1);
}

TEST(ConfigAddresses, NotUnicast) {
    EXPECT_EQ(only_error(with_addresses("\"224.0.0.18\"")),
              "test.conf:3: address '224.0.0.18' is not a unicast address");
    EXPECT_EQ(only_error(with_addresses("\"0.0.0.0/8\"")),
              "test.conf:3: address '0.0.0.0/8' is not a unicast address");
    EXPECT_EQ(only_error(with_addresses("\"ff02::12\"")),
              "test.conf:3: address 'ff02::12' is not a unicast address");
}

TEST(ConfigAddresses, MixedFamilies) {
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1\",\n\"2001:db8::1\"")),
              "test.conf:4: address '2001:db8::1' is IPv6 but the instance's first address is "
              "IPv4 (one family per instance)");
}

TEST(ConfigAddresses, DuplicateNamesBothLines) {
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1/24\",\n\"192.0.2.2\",\n\"192.0.2.1/32\"")),
              "test.conf:5: duplicate address '192.0.2.1' (first at test.conf:3)");
    EXPECT_EQ(only_error(with_addresses("\"2001:db8::1\", \"2001:DB8:0::1\"")),
              "test.conf:3: duplicate address '2001:db8::1' (first at test.conf:3)");
}

TEST(ConfigAddresses, Count) {
    EXPECT_EQ(only_error("instances = ( { name = \"a\"; interface = \"eth0\"; vrid = 1;\n"
                         "    addresses = [ ]; } );"),
              "test.conf:2: 'addresses' must have 1..255 entries (got 0)");
    std::string list;
    for (int i = 0; i < 256; ++i)
        list += "\"2001:db8::" + std::to_string(i + 1) + "\", ";
    list.resize(list.size() - 2);
    EXPECT_EQ(only_error("instances = ( { name = \"a\"; interface = \"eth0\"; vrid = 1;\n"
                         "    addresses = [ " +
                         list + " ]; } );"),
              "test.conf:2: 'addresses' must have 1..255 entries (got 256)");
}

TEST(ConfigAddresses, UnicastPeers) {
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ \"2001:db8::12\" ];")),
              "test.conf:7: unicast peer '2001:db8::12' is IPv6 but the addresses are IPv4");
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ \"192.0.2.12\",\n\"192.0.2.12\" ];")),
              "test.conf:8: duplicate unicast peer '192.0.2.12' (first at test.conf:7)");
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ \"192.0.2.12/24\" ];")),
              "test.conf:7: invalid unicast peer '192.0.2.12/24' (expected an IP address)");
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ \"224.0.0.18\" ];")),
              "test.conf:7: unicast peer '224.0.0.18' is not a unicast address");
}

// 1,024 peers at most, and duplicates found without comparing every pair (issue 13: 100k
// peers took over 10 s).
TEST(ConfigAddresses, UnicastPeersAreBounded) {
    std::string list;
    for (int i = 0; i < 1025; ++i)
        list += fmt::format("\"198.18.{}.{}\", ", i / 250, i % 250 + 1);
    list.resize(list.size() - 2);
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ " + list + " ];")),
              "test.conf:7: too many unicast_peers (1025; at most 1024)");
    list.resize(list.rfind(','));  // 1,024: accepted
    EXPECT_TRUE(load(instance_with("unicast_peers = [ " + list + " ];")).ok());
}

TEST(ConfigAddresses, SourceAddress) {
    EXPECT_EQ(only_error(instance_with("source_address = \"2001:db8::11\";")),
              "test.conf:7: source address '2001:db8::11' is IPv6 but the addresses are IPv4");
    EXPECT_EQ(only_error(instance_with("source_address = \"192.0.2.11/24\";")),
              "test.conf:7: invalid source address '192.0.2.11/24' (expected an IP address)");
    EXPECT_EQ(only_error(instance_with("source_address = \"0.0.0.0\";")),
              "test.conf:7: source address '0.0.0.0' is not a unicast address");
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
    addresses = [ "2001:db8::1" ];
    source_address = "2001:db8::11"; } );)"),
              "test.conf:3: source address '2001:db8::11' must be link-local (fe80::/10): IPv6 "
              "multicast adverts come from the link-local address");
}

// --- version-dependent keys -------------------------------------------------------------------

TEST(ConfigVersion, V2IsIpv4Only) {
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
    version = 2;
    addresses = [ "2001:db8::1" ]; } );)"),
              "test.conf:2: VRRPv2 is IPv4 only: use version = 3 for IPv6 addresses");
}

TEST(ConfigVersion, AuthenticationIsV2Only) {
    EXPECT_EQ(only_error(instance_with("authentication = { type = \"pass\"; password = \"x\"; };")),
              "test.conf:7: 'authentication' is VRRPv2 only (RFC 9568 removed it): set version "
              "= 2 or remove it");
    EXPECT_EQ(only_error(instance_with("version = 3; authentication = { type = \"none\"; };")),
              "test.conf:7: 'authentication' is VRRPv2 only (RFC 9568 removed it): set version "
              "= 2 or remove it");
}

TEST(ConfigVersion, PasswordRules) {
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = {
            type = "pass";
        };)")),
              "test.conf:9: authentication type \"pass\" requires a 'password'");
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = { type = "pass";
            password = "123456789"; };)")),
              "test.conf:9: 'password' must be 1..8 characters (got 9)");
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = { type = "pass";
            password = ""; };)")),
              "test.conf:9: 'password' must be 1..8 characters (got 0)");
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = {
            password = "secret"; };)")),
              "test.conf:9: 'password' is set but the authentication type is \"none\"");
    EXPECT_EQ(only_error(instance_with(R"(version = 2;
        authentication = {
            type = "md5"; };)")),
              "test.conf:9: 'type' must be \"none\" or \"pass\" (got \"md5\")");
}

TEST(ConfigVersion, ChecksumIsV3Ipv4Only) {
    EXPECT_EQ(only_error(instance_with("version = 2;\nchecksum = \"auto\";")),
              "test.conf:8: 'checksum' applies to VRRPv3 over IPv4 only (this instance is "
              "VRRPv2)");
    EXPECT_EQ(only_error(R"(instances = ( { name = "a"; interface = "eth0"; vrid = 1;
    addresses = [ "2001:db8::1" ];
    checksum = "pseudo-header"; } );)"),
              "test.conf:3: 'checksum' applies to VRRPv3 over IPv4 only (IPv6 always includes "
              "the pseudo-header)");
    EXPECT_EQ(only_error(instance_with("checksum = \"rfc5798\";")),
              "test.conf:7: 'checksum' must be \"auto\", \"rfc9568\" or \"pseudo-header\" (got "
              "\"rfc5798\")");
}

// --- across instances -------------------------------------------------------------------------

TEST(ConfigCrossCheck, DuplicateInstanceName) {
    EXPECT_EQ(only_error(R"(instances = (
    {
        name = "web"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ];
    },
    {
        name = "web";
        interface = "eth0"; vrid = 2; addresses = [ "192.0.2.2" ];
    }
);)"),
              "test.conf:6: duplicate instance name 'web' (first defined at test.conf:2)");
}

TEST(ConfigCrossCheck, DuplicateVrid) {
    EXPECT_EQ(only_error(R"(instances = (
    {
        name = "a"; interface = "eth0"; vrid = 51; addresses = [ "192.0.2.1" ];
    },
    {
        name = "b"; interface = "eth0";
        vrid = 51;
        addresses = [ "192.0.2.2" ];
    }
);)"),
              "test.conf:7: duplicate VRID 51 for IPv4 on 'eth0' (first used by instance 'a' at "
              "test.conf:2)");
}

TEST(ConfigCrossCheck, DuplicateVridOfAnInstanceWithABadName) {
    const auto r = load(R"(instances = (
    { name = "bad name"; interface = "eth0"; vrid = 5; addresses = [ "192.0.2.1" ]; },
    { name = "b"; interface = "eth0"; vrid = 5; addresses = [ "192.0.2.2" ]; }
);)");
    EXPECT_EQ(messages(r),
              (std::vector<std::string>{
                  "test.conf:2: 'name' must be 1..32 characters of A-Z a-z 0-9 _ . - (got \"bad "
                  "name\")",
                  "test.conf:3: duplicate VRID 5 for IPv4 on 'eth0' (first used at test.conf:2)",
              }));
}

TEST(ConfigCrossCheck, ReportedOncePerInstanceEvenWithThreeCopies) {
    const auto r = load(R"(instances = (
    { name = "a"; interface = "eth0"; vrid = 9; addresses = [ "192.0.2.1" ]; },
    { name = "a"; interface = "eth0"; vrid = 8; addresses = [ "192.0.2.2" ]; },
    { name = "a"; interface = "eth0"; vrid = 9; addresses = [ "192.0.2.3" ]; }
);)");
    EXPECT_EQ(messages(r), (std::vector<std::string>{
                               "test.conf:3: duplicate instance name 'a' (first defined at "
                               "test.conf:2)",
                               "test.conf:4: duplicate instance name 'a' (first defined at "
                               "test.conf:2)",
                               "test.conf:4: duplicate VRID 9 for IPv4 on 'eth0' (first used by "
                               "instance 'a' at test.conf:2)",
                           }));
}

// --- many errors at once ----------------------------------------------------------------------

TEST(ConfigErrors, AllReportedInLineOrder) {
    const auto r = load(R"(instances = (                                 # 1
    {                                                                     # 2
        name = "web";                                                     # 3
        interface = "eth0";                                               # 4
        vrid = 51;                                                        # 5
        addresses = [ "192.0.2.1" ];                                      # 6
    },                                                                    # 7
    {                                                                     # 8
        prority = 100;                                                    # 9
        name = "web";                                                     # 10
        interface = "eth0";                                               # 11
        vrid = 300;                                                       # 12
        advert_interval = 0.015;                                          # 13
        addresses = [ "192.0.2.2", "2001:db8::1" ];                       # 14
    }                                                                     # 15
);                                                                        # 16
global = {                                                                # 17
    garp_count = 0;                                                       # 18
    log_level = "loud";                                                   # 19
};                                                                        # 20
extra = 1;                                                                # 21
)");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r),
              (std::vector<std::string>{
                  "test.conf:9: unknown key 'prority' (did you mean 'priority'?)",
                  "test.conf:10: duplicate instance name 'web' (first defined at test.conf:2)",
                  "test.conf:12: 'vrid' must be in the range 1..255 (got 300)",
                  "test.conf:13: 'advert_interval' must be a whole number of centiseconds for "
                  "VRRPv3 (got 0.015)",
                  "test.conf:14: address '2001:db8::1' is IPv6 but the instance's first address "
                  "is IPv4 (one family per instance)",
                  "test.conf:18: 'garp_count' must be in the range 1..100 (got 0)",
                  "test.conf:19: 'log_level' must be one of debug, info, notice, warning, error "
                  "(got \"loud\")",
                  "test.conf:21: unknown key 'extra'",
              }));
}

// --- syntax errors ----------------------------------------------------------------------------

TEST(ConfigSyntax, MissingBraceReportsItsLine) {
    const auto r = load(R"(instances = (
    {
        name = "web";
        interface = "eth0";
    ,
);)");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{"test.conf:5: syntax error"});
}

TEST(ConfigSyntax, MissingValueReportsItsLine) {
    EXPECT_EQ(only_error("global = {\n    garp_count = ;\n};\ninstances = ();"),
              "test.conf:2: syntax error");
}

TEST(ConfigSyntax, MissingCommaBetweenInstances) {
    EXPECT_EQ(only_error(R"(instances = (
    { name = "a"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ]; }
    { name = "b"; interface = "eth0"; vrid = 2; addresses = [ "192.0.2.2" ]; }
);)"),
              "test.conf:3: syntax error");
}

TEST(ConfigSyntax, UnclosedGroupAtEndOfFile) {
    EXPECT_EQ(only_error("global = {\n    garp_count = 1;\n"), "test.conf:3: syntax error");
}

TEST(ConfigSyntax, DuplicateKeyInAGroup) {
    EXPECT_EQ(only_error(instance_with("priority = 100;\npriority = 200;")),
              "test.conf:8: duplicate setting name");
}

TEST(ConfigSyntax, MixedArrayIsRejectedByTheParser) {
    EXPECT_EQ(only_error(instance_with("unicast_peers = [ \"192.0.2.12\", 1 ];")),
              "test.conf:7: mismatched element type in array");
}

// libconfig's terminators are optional: a missing semicolon between two settings is not
// an error, so it must not change the values either.
TEST(ConfigSyntax, MissingSemicolonIsAccepted) {
    const auto r = load(instance_with("priority = 120\naccept = false"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances[0].priority, Priority{120});
    EXPECT_FALSE(r.config->instances[0].accept);
}

// libconfig quirk: a string's line is that of the token after it (adjacent strings are
// concatenated, so the parser looks ahead), so a list entry last on its line is reported
// at the line of what follows it.
TEST(ConfigSyntax, StringEntryLineIsThatOfTheNextToken) {
    EXPECT_EQ(only_error(with_addresses("\"192.0.2.1\",\n\"192.0.2.1\"\n")),
              "test.conf:5: duplicate address '192.0.2.1' (first at test.conf:3)");
}

TEST(ConfigSyntax, GarbageNeverThrows) {
    const std::string garbage("\x01\x02{{{ = = \"\xff\xfe", 12);
    LoadResult r;
    EXPECT_NO_THROW(r = load(garbage));
    EXPECT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1U);
    EXPECT_EQ(r.diagnostics[0].file, kName);
    EXPECT_EQ(r.diagnostics[0].line, 1);
}

// --- files and @include -----------------------------------------------------------------------

TEST(ConfigFile, MissingFileNamesIt) {
    TempDir dir;
    const std::string path = dir.path() + "/nope.conf";
    const auto r = load_file(path);
    EXPECT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.size(), 1U);
    EXPECT_EQ(r.diagnostics[0].file, path);
    EXPECT_EQ(r.diagnostics[0].line, 0);
    EXPECT_EQ(r.diagnostics[0].to_string(),
              path + ": cannot read configuration file: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAFile) {
    TempDir dir;
    const auto r = load_file(dir.path());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{
                               dir.path() + ": cannot read configuration file: Is a directory"});
}

TEST(ConfigFile, LoadsAFileAndNamesItInDiagnostics) {
    TempDir dir;
    const auto path = dir.write("vipd.conf", instance_with("prority = 1;"));
    const auto r = load_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{
                               path + ":7: unknown key 'prority' (did you mean 'priority'?)"});

    const auto ok_path = dir.write("ok.conf", instance_with(""));
    const auto ok = load_file(ok_path);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.config->file, ok_path);
    EXPECT_EQ(ok.config->instances[0].file, ok_path);
    EXPECT_EQ(ok.config->instances[0].line, 2);
}

TEST(ConfigFile, IncludeIsRelativeToTheFilesDirectory) {
    TempDir dir;
    dir.write("instances.conf", R"({
    name = "web";
    interface = "eth0"; vrid = 51; addresses = [ "192.0.2.1" ];
})");
    const auto path = dir.write("vipd.conf", R"(global = { garp_count = 2; };
instances = (
@include "instances.conf"
);)");
    const auto r = load_file(path);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    ASSERT_EQ(r.config->instances.size(), 1U);
    EXPECT_EQ(r.config->instances[0].name, "web");
    EXPECT_EQ(r.config->instances[0].announce.count, 2);
    EXPECT_EQ(r.config->instances[0].file, dir.path() + "/instances.conf");
    EXPECT_EQ(r.config->instances[0].line, 1);
}

// libconfig takes time quadratic in one token's length (4 MiB: 7.5 s), so vipd refuses a
// token over 64 KiB before libconfig sees it: in the file, or in any file it includes.
TEST(ConfigFile, OversizedTokensAreRefusedBeforeParsing) {
    const std::string big(kMaxConfigTokenBytes + 1, 'x');
    const std::string fits(kMaxConfigTokenBytes - 1, 'x');
    EXPECT_EQ(only_error("instances = ();\n#" + big + "\n"),
              "test.conf:2: a comment longer than 64 KiB (vipd's limit)");
    EXPECT_TRUE(load("instances = ();\n#" + fits + "\n").ok());
    EXPECT_EQ(only_error("instances = ();\n/* a\n" + big + " */\n"),
              "test.conf:2: a comment longer than 64 KiB (vipd's limit)");
    EXPECT_EQ(only_error("\nglobal = { router_id = \"" + big + "\"; };\ninstances = ();"),
              "test.conf:2: a string longer than 64 KiB (vipd's limit)");
    EXPECT_EQ(only_error("global = { " + big + " = 1; };"),
              "test.conf:1: a word longer than 64 KiB (vipd's limit)");

    TempDir dir;
    dir.write("more.conf", "\n\n# " + big + "\n");
    const auto path = dir.write("vipd.conf", "instances = (\n@include \"more.conf\"\n);\n");
    const auto r = load_file(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).front(),
              dir.path() + "/more.conf:3: a comment longer than 64 KiB (vipd's limit)");
}

TEST(ConfigFile, AFileOverTheSizeLimitIsRefused) {
    TempDir dir;
    std::string text = "instances = ();\n";
    const std::string line = "# " + std::string(1000, 'x') + "\n";
    while (text.size() <= kMaxConfigFileBytes)
        text += line;
    const auto path = dir.write("vipd.conf", text);
    const auto r = load_file(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r).front(),
              path + ": configuration larger than 4 MiB in all (vipd's limit)");
}

TEST(ConfigFile, ErrorsInAnIncludedFileNameThatFile) {
    TempDir dir;
    const auto inc = dir.write("web.conf", R"({
    name = "web";
    interface = "eth0";
    vrid = 0;
    addresses = [ "192.0.2.1" ];
})");
    const auto path = dir.write("vipd.conf", R"(instances = (
@include "web.conf"
,
    {
        name = "web"; interface = "eth1"; vrid = 1; addresses = [ "192.0.2.2" ];
        priority = 0;
    }
);)");
    const auto r = load_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r),
              (std::vector<std::string>{
                  inc + ":4: 'vrid' must be in the range 1..255 (got 0)",
                  path + ":5: duplicate instance name 'web' (first defined at " + inc + ":1)",
                  path + ":6: 'priority' must be in the range 1..255 (got 0)",
              }));
}

TEST(ConfigFile, SyntaxErrorInAnIncludedFileNamesThatFile) {
    TempDir dir;
    const auto inc = dir.write("global.conf", "garp_count = 1;\ngarp_interval = ;\n");
    const auto path = dir.write("vipd.conf",
                                "global = {\n@include \"global.conf\"\n};\n"
                                "instances = ();\n");
    const auto r = load_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{inc + ":2: syntax error"});
}

TEST(ConfigFile, MissingIncludeFile) {
    TempDir dir;
    const auto path = dir.write("vipd.conf", "instances = ();\n@include \"missing.conf\"\n");
    const auto r = load_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{path +
                                                    ":2: cannot open include file (paths are "
                                                    "relative to '" +
                                                    dir.path() + "')"});
}

TEST(ConfigFile, LoadStringIncludesByAbsolutePath) {
    TempDir dir;
    const auto inc = dir.write("bad.conf", "\n\nfoo = 1;\n");
    EXPECT_EQ(only_error("instances = ();\n@include \"" + inc + "\"\n"),
              inc + ":3: unknown key 'foo'");
}

TEST(ConfigFile, ShippedExampleIsValid) {
    const auto r = load_file(VIPD_SOURCE_DIR "/etc/vipd.conf");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_TRUE(r.diagnostics.empty()) << ::testing::PrintToString(messages(r));
    const auto& c = *r.config;
    ASSERT_EQ(c.instances.size(), 3U);
    EXPECT_EQ(c.instances[0].family, Family::IPv4);
    EXPECT_TRUE(c.instances[0].unicast_peers.empty());
    EXPECT_EQ(c.instances[1].family, Family::IPv6);
    EXPECT_FALSE(c.instances[2].unicast_peers.empty());
}

// The commented-out VRRPv2 instance of the example must be valid too once uncommented.
TEST(ConfigFile, ShippedExampleV2InstanceIsValidUncommented) {
    std::ifstream in(VIPD_SOURCE_DIR "/etc/vipd.conf");
    ASSERT_TRUE(in);
    std::string text;
    bool in_v2 = false;
    for (std::string line; std::getline(in, line);) {
        if (line.find("# ,{") != std::string::npos) in_v2 = true;
        if (in_v2) {
            const auto hash = line.find("# ");
            if (hash != std::string::npos) line.erase(hash, 2);
            if (line.find('}') != std::string::npos && line.find("};") == std::string::npos) {
                in_v2 = false;
            }
        }
        text += line + "\n";
    }
    const auto r = load_string(text, "vipd.conf");
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    ASSERT_EQ(r.config->instances.size(), 4U);
    const auto& legacy = r.config->instances[3];
    EXPECT_EQ(legacy.version, Version::V2);
    EXPECT_EQ(legacy.auth_type, AuthType::SimplePassword);
    EXPECT_FALSE(legacy.password.empty());
}

// --- names of enum values ---------------------------------------------------------------------

TEST(ConfigNames, LogLevelRoundTrips) {
    for (const auto l :
         {LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error}) {
        EXPECT_EQ(parse_log_level(to_string(l)), l);
    }
    EXPECT_EQ(to_string(LogLevel::Warning), "warning");
    EXPECT_FALSE(parse_log_level("warn"));
    EXPECT_FALSE(parse_log_level("INFO"));
    EXPECT_FALSE(parse_log_level(""));
}

TEST(ConfigNames, ChecksumModeRoundTrips) {
    for (const auto m : {ChecksumMode::Auto, ChecksumMode::Rfc9568, ChecksumMode::PseudoHeader}) {
        EXPECT_EQ(parse_checksum_mode(to_string(m)), m);
    }
    EXPECT_EQ(to_string(ChecksumMode::PseudoHeader), "pseudo-header");
    EXPECT_FALSE(parse_checksum_mode("pseudo_header"));
}

TEST(ConfigNames, DiagnosticToString) {
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Error, "a.conf", 3, "bad"}).to_string(),
              "a.conf:3: bad");
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Warning, "a.conf", 4, "odd"}).to_string(),
              "a.conf:4: warning: odd");
    EXPECT_EQ((Diagnostic{Diagnostic::Severity::Error, "a.conf", 0, "gone"}).to_string(),
              "a.conf: gone");
}

// --- scripts, trackers and notifications (issue 4) ---------------------------------------

// `scripts` before an instance (lines 1..3) and the instance after it, with `extra` in it.
std::string with_script(const std::string& script, const std::string& extra) {
    return "scripts = (\n"  // 1
           "  { " +
           script +
           " }\n"                   // 2
           ");\n"                   // 3
           + instance_with(extra);  // 4...
}

TEST(ConfigTracking, ScriptsAndTrackersLoad) {
    const auto r = load(with_script(
        R"(name = "chk"; command = "/bin/sh -c 'test -e /run/ok'"; interval = 0.5; timeout = 0.2;
           rise = 2; fall = 3; weight = -40; user = "daemon";)",
        R"(track_scripts = ( "chk", { name = "chk"; weight = 10; reverse = true; } );
           track_interfaces = ( "eth1", { name = "eth2"; weight = -5; } );
           track_files = ( { path = "/run/lb/weight"; weight = 3; } );)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& c = *r.config;
    ASSERT_EQ(c.scripts.size(), 1U);
    const auto& sc = c.scripts[0];
    EXPECT_EQ(sc.argv, (std::vector<std::string>{"/bin/sh", "-c", "test -e /run/ok"}));
    EXPECT_EQ(sc.interval, 500ms);
    EXPECT_EQ(sc.timeout, 200ms);
    EXPECT_EQ(sc.rise, 2);
    EXPECT_EQ(sc.fall, 3);
    EXPECT_EQ(sc.weight, -40);
    EXPECT_EQ(sc.user, "daemon");
    const auto& i = c.instances[0];
    ASSERT_EQ(i.track_scripts.size(), 2U);
    EXPECT_EQ(i.track_scripts[0], (TrackScript{"chk", -40, false}));  // the script's weight
    EXPECT_EQ(i.track_scripts[1], (TrackScript{"chk", 10, true}));    // overridden
    ASSERT_EQ(i.track_interfaces.size(), 2U);
    EXPECT_EQ(i.track_interfaces[0], (TrackInterface{"eth1", 0, false}));
    EXPECT_EQ(i.track_interfaces[1], (TrackInterface{"eth2", -5, false}));
    ASSERT_EQ(i.track_files.size(), 1U);
    EXPECT_EQ(i.track_files[0], (TrackFile{"/run/lb/weight", 3, false}));
}

TEST(ConfigTracking, ScriptDefaults) {
    const auto r = load(with_script(R"(name = "chk"; command = "/bin/true";)", ""));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& sc = r.config->scripts[0];
    EXPECT_EQ(sc.interval, 1s);
    EXPECT_EQ(sc.timeout, 1s);  // the interval
    EXPECT_EQ(sc.rise, 1);
    EXPECT_EQ(sc.fall, 1);
    EXPECT_EQ(sc.weight, 0);
    EXPECT_EQ(sc.user, "nobody");  // never root unless asked for
}

// `processes` (keepalived's vrrp_track_process) on line 2, an instance from line 4 on.
std::string with_process(const std::string& process, const std::string& extra) {
    return "processes = (\n"
           "  { " +
           process +
           " }\n"                   // 2
           ");\n"                   // 3
           + instance_with(extra);  // 4...
}

TEST(ConfigProcesses, ProcessesAndTheirTrackersLoad) {
    const auto r = load(with_process(
        R"(name = "lb"; process = "/usr/sbin/haproxy"; args = [ "-f", "/etc/haproxy" ];
           param_match = "initial"; quorum = 2; quorum_max = 4; weight = -30; delay = 1.5;
           terminate_delay = 3;)",
        R"(track_processes = ( "lb", { name = "lb"; weight = 0; reverse = true; } );)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    ASSERT_EQ(r.config->processes.size(), 1U);
    const auto& p = r.config->processes[0];
    EXPECT_EQ(p.pattern, (ProcessPattern{.process = "/usr/sbin/haproxy",
                                         .args = {"-f", "/etc/haproxy"},
                                         .param_match = ParamMatch::Initial,
                                         .full_command = true}));
    EXPECT_EQ(p.quorum, 2U);
    EXPECT_EQ(p.quorum_max, 4U);
    EXPECT_EQ(p.weight, -30);
    EXPECT_EQ(p.fork_delay, 1500ms);  // from delay
    EXPECT_EQ(p.terminate_delay, 3s);
    const auto& i = r.config->instances[0];
    ASSERT_EQ(i.track_processes.size(), 2U);
    EXPECT_EQ(i.track_processes[0], (TrackProcess{"lb", -30, false}));  // the process's weight
    EXPECT_EQ(i.track_processes[1], (TrackProcess{"lb", 0, true}));
}

TEST(ConfigProcesses, ANameAloneMatchesTheProcessName) {
    const auto r = load(with_process(R"(name = "web"; process = "nginx";)", ""));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& p = r.config->processes[0];
    EXPECT_EQ(p.pattern, (ProcessPattern{.process = "nginx"}));
    EXPECT_EQ(p.quorum, 1U);
    EXPECT_EQ(p.quorum_max, std::nullopt);
    EXPECT_EQ(p.fork_delay, Duration::zero());
}

TEST(ConfigProcesses, MistakesNameTheirLine) {
    EXPECT_EQ(only_error(with_process(R"(name = "x"; process = "/usr/sbin/nginx";)", "")),
              "test.conf:2: '/usr/sbin/nginx' is a path, and a process name never holds a '/'; "
              "set full_command = true to match the command line's first word");
    EXPECT_EQ(only_error(with_process(R"(name = "x"; process = "a-very-long-daemon";)", "")),
              "test.conf:2: process name 'a-very-long-daemon' is longer than the 15 characters "
              "the kernel keeps, so it never matches; set full_command = true to match the "
              "command line");
    EXPECT_EQ(
        only_error(with_process(R"(name = "x"; process = "a"; quorum = 3; quorum_max = 2;)", "")),
        "test.conf:2: quorum_max (2) is below quorum (3): the process could never be up");
    EXPECT_EQ(only_error(with_process(R"(name = "x"; process = "a"; param_match = "prefix";)", "")),
              "test.conf:2: unknown param_match 'prefix' (expected exact, partial or initial)");
    EXPECT_EQ(only_error(with_process(R"(name = "x";)", "")),
              "test.conf:2: process is missing required key 'process' (the name to look for)");
    EXPECT_EQ(
        only_error(with_process(R"(name = "x"; process = "a";)", R"(track_processes = ( "y" );)")),
        "test.conf:10: no process named 'y' in 'processes'");
    EXPECT_EQ(only_error(with_process(R"(name = "x"; process = "a"; pid = 1;)", "")),
              "test.conf:2: unknown key 'pid'");
}

TEST(ConfigTracking, UnknownScriptIsAnError) {
    EXPECT_EQ(only_error(with_script(R"(name = "chk"; command = "/bin/true";)",
                                     R"(track_scripts = ( "nope" );)")),
              "test.conf:10: no script named 'nope' in 'scripts'");
}

TEST(ConfigTracking, CommandMustBeAnAbsolutePathAndBalanced) {
    EXPECT_EQ(only_error(with_script(R"(name = "chk"; command = "true";)", "")),
              "test.conf:2: 'command': the program must be an absolute path (got \"true\"); a "
              "shell command can be written \"/bin/sh -c '...'\"");
    const auto e = only_error(with_script(R"(name = "chk"; command = "/bin/sh -c 'oops";)", ""));
    EXPECT_NE(e.find("test.conf:2: 'command': "), std::string::npos) << e;
}

TEST(ConfigTracking, ScriptCheckRefusalNamesTheLine) {
    Checks checks;
    checks.script = [](const std::vector<std::string>& argv,
                       const std::string& user) -> std::optional<std::string> {
        return "script " + argv.front() + " (as " + user +
               "): directory /srv is writable by others";
    };
    const auto r =
        load_string(with_script(R"(name = "chk"; command = "/srv/chk";)", ""), kName, checks);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r), std::vector<std::string>{
                               "test.conf:2: script /srv/chk (as nobody): directory /srv is "
                               "writable by others"});
}

// The check sees the whole command line, split as it will run: an argument can be the
// script that actually runs ("/bin/sh /srv/chk.sh").
TEST(ConfigTracking, ScriptCheckSeesEveryArgument) {
    std::vector<std::vector<std::string>> seen;
    Checks checks;
    checks.script = [&](const std::vector<std::string>& argv,
                        const std::string&) -> std::optional<std::string> {
        seen.push_back(argv);
        if (argv.size() > 1 && argv[1] == "/srv/chk.sh") return "script argument /srv/chk.sh: no";
        return std::nullopt;
    };
    const auto r = load_string(
        with_script(R"(name = "chk"; command = "/bin/sh '/srv/chk.sh' -x";)", ""), kName, checks);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(messages(r),
              std::vector<std::string>{"test.conf:2: script argument /srv/chk.sh: no"});
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_EQ(seen[0], (std::vector<std::string>{"/bin/sh", "/srv/chk.sh", "-x"}));
}

TEST(ConfigTracking, WeightRangeAndUnknownTrackerKeys) {
    EXPECT_NE(only_error(with_script(R"(name = "chk"; command = "/bin/true"; weight = 254;)", ""))
                  .find("'weight'"),
              std::string::npos);
    EXPECT_NE(only_error(with_script(R"(name = "chk"; command = "/bin/true";)",
                                     R"(track_scripts = ( { name = "chk"; wieght = 1; } );)"))
                  .find("unknown key 'wieght' (did you mean 'weight'?)"),
              std::string::npos);
}

TEST(ConfigTracking, NotifyCommandsAndGlobals) {
    const auto r =
        load("global = { script_user = \"daemon\"; notify_fifo = \"/run/vipd/notify\"; };\n" +
             instance_with(R"(notify = { master = "/usr/local/bin/m arg"; any = "/bin/logger";
                                     timeout = 3; };)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->global.notify_fifo, "/run/vipd/notify");
    const auto& n = r.config->instances[0].notify;
    EXPECT_EQ(n.master, (std::vector<std::string>{"/usr/local/bin/m", "arg"}));
    EXPECT_EQ(n.any, (std::vector<std::string>{"/bin/logger"}));
    EXPECT_TRUE(n.backup.empty());
    EXPECT_EQ(n.timeout, 3s);
    EXPECT_EQ(n.user, "daemon");
    EXPECT_NE(only_error(instance_with(R"(notify = { masterr = "/bin/true"; };)"))
                  .find("did you mean 'master'"),
              std::string::npos);
}

TEST(ConfigSyncGroups, MembersMustExistBeTwoAndBelongToOneGroup) {
    const std::string two = R"(instances = (
  { name = "web"; interface = "eth0"; vrid = 51; addresses = ( "192.0.2.1/24" ); },
  { name = "db"; interface = "eth0"; vrid = 52; addresses = ( "192.0.2.2/24" ); }
);
)";
    const auto ok =
        load(two + R"(sync_groups = ( { name = "g"; instances = ( "web", "db" ); } );)");
    ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(messages(ok));
    ASSERT_EQ(ok.config->sync_groups.size(), 1U);
    EXPECT_EQ(ok.config->sync_groups[0].name, "g");
    EXPECT_EQ(ok.config->sync_groups[0].instances, (std::vector<std::string>{"web", "db"}));
    const auto notified = load(two + R"(sync_groups = ( { name = "g"; instances = ( "web", "db" );
        notify = { master = "/usr/local/bin/gm"; }; } );)");
    ASSERT_TRUE(notified.ok()) << ::testing::PrintToString(messages(notified));
    EXPECT_EQ(notified.config->sync_groups[0].notify.master,
              (std::vector<std::string>{"/usr/local/bin/gm"}));
    EXPECT_EQ(notified.config->sync_groups[0].notify.user, "nobody");
    const auto dup = load(two + R"(sync_groups = ( { name = "g"; instances = ( "web", "db" ); },
        { name = "g"; instances = ( "web" ); } );)");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(messages(dup)[0], "test.conf:6: duplicate sync group name 'g'");
    EXPECT_EQ(
        only_error(two + R"(sync_groups = ( { name = "g"; instances = ( "web", "nope" ); } );)"),
        "test.conf:5: no instance named 'nope'");
    EXPECT_EQ(only_error(two + R"(sync_groups = ( { name = "g"; instances = ( "web" ); } );)"),
              "test.conf:5: a sync group needs at least two instances");
    const auto twice = load(two +
                            "sync_groups = ( { name = \"g\"; instances = ( \"web\", \"db\" ); },\n"
                            "  { name = \"h\"; instances = ( \"web\", \"db\" ); } );");
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(messages(twice)[0], "test.conf:6: instance 'web' is already in sync group 'g'");
}

}  // namespace
}  // namespace vipd::config

// --- vipd -d: the effective configuration, written back -----------------------------------

namespace vipd::config {
namespace {

// Everything a Config holds: scripts, every kind of tracker, notify on an instance and a
// sync group, words that need quoting, IPv6 metrics, unicast, v2 with a password.
constexpr const char* kEverything = R"(global = {
    router_id = "lb \"one\"";
    log_level = "notice"; debug = [ "timers" ]; log_facility = "local4";
    garp_count = 2; garp_interval = 0.05; garp_refresh = 120;
    script_user = "daemon";
    control_group = "adm"; control_admin_group = "root";
    metrics_listen = "[::1]:9650";
    graceful_handover = false; realtime_priority = 10; lock_memory = true;
};
scripts = (
    { name = "chk"; command = "/bin/sh -c 'exit 0' \"two words\""; interval = 2.5;
      timeout = 0.5; rise = 3; fall = 2; weight = -20; user = "root"; },
    { name = "other"; command = "/bin/true"; }
);
processes = (
    { name = "lb"; process = "/usr/sbin/haproxy"; args = [ "-f", "/etc/h a" ];
      param_match = "partial"; quorum = 0; quorum_max = 3; weight = 12; fork_delay = 0.25;
      terminate_delay = 2; },
    { name = "bare"; process = "sshd"; },
    { name = "none"; process = "/bin/x"; param_match = "exact"; }
);
instances = (
    { name = "web"; interface = "eth0"; vrid = 51; priority = 150; advert_interval = 0.03;
      preempt = false; preempt_delay = 2.5; accept = true; checksum = "pseudo-header";
      addresses = [ "192.0.2.1/24", "192.0.2.2" ]; unicast_peers = [ "192.0.2.12" ];
      source_address = "192.0.2.11"; garp_count = 7;
      track_scripts = ( "chk", { name = "other"; weight = 10; reverse = true; } );
      track_interfaces = ( "eth1", { name = "eth2"; weight = -5; } );
      track_files = ( { path = "/run/it's here"; weight = -3; reverse = true; } );
      notify = { master = "/usr/local/bin/m 'a b' c\\d"; any = "/bin/logger -t vipd";
                 user = "root"; timeout = 3; };
      virtual_routes = ( { to = "198.51.100.0/24"; via = "192.0.2.254"; dev = "eth0";
                           src = "192.0.2.1"; metric = 4000000000L; table = 100; },
                         { to = "203.0.113.7"; type = "blackhole"; } );
      virtual_rules = ( { from = "192.0.2.1"; table = 100; priority = 1000; },
                        { to = "198.18.0.0/15"; from = "192.0.2.0/24"; table = 7;
                          priority = 2000; } );
      track_processes = ( "lb", { name = "bare"; weight = -7; reverse = true; } ); },
    { name = "legacy"; interface = "eth1"; vrid = 52; version = 2; advert_interval = 3;
      notify = { user = "root"; timeout = 2; };
      authentication = { type = "pass"; password = "s3cr\"t"; };
      addresses = [ "198.51.100.1/25" ]; },
    { name = "web6"; interface = "eth0"; vrid = 51; addresses = [ "2001:db8::1/64" ];
      auth_hmac = { keys = ( { id = 3; key = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"; },
                             { id = 9; key = "an ASCII secret of thirty-two bytes"; } );
                    active_key = 9; mode = "permissive"; anti_replay = "time"; time_window = 30; }; },
    { name = "mono"; interface = "eth1"; vrid = 53; addresses = [ "198.51.100.9/25" ];
      auth_hmac = { keys = ( { id = 1; key = "an ASCII secret of thirty-two bytes"; } );
                    mode = "receive-only"; anti_replay = "monotonic"; }; }
);
sync_groups = ( { name = "g"; instances = ( "web", "legacy" );
                  notify = { fault = "/usr/local/bin/gf"; }; } );
)";

// Config has no operator== (file names differ on purpose); compare what the daemon uses.
// Equal but for where each item was defined (file and line).
template <typename T>
void expect_same_items(std::vector<T> a, std::vector<T> b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i].file = b[i].file = "";
        a[i].line = b[i].line = 0;
        EXPECT_EQ(a[i], b[i]) << a[i].name;
    }
}

void expect_same(const Config& a, const Config& b) {
    EXPECT_EQ(a.global, b.global);
    expect_same_items(a.scripts, b.scripts);
    expect_same_items(a.processes, b.processes);
    expect_same_items(a.instances, b.instances);
    expect_same_items(a.sync_groups, b.sync_groups);
}

TEST(ConfigWriter, TheEffectiveConfigurationReadsBackTheSame) {
    for (const char* text : {kEverything, kFull, "instances = ();"}) {
        const auto first = load(text);
        ASSERT_TRUE(first.ok()) << ::testing::PrintToString(messages(first));
        const auto written = to_text(*first.config);
        const auto again = load_string(written, "written.conf");
        ASSERT_TRUE(again.ok()) << written << ::testing::PrintToString(messages(again));
        expect_same(*first.config, *again.config);
        // And writing that gives the same text but for the FILE:LINE comments.
        const std::regex where("# [a-z.]+:[0-9]+|configuration of [a-z.]+");
        EXPECT_EQ(std::regex_replace(to_text(*again.config), where, ""),
                  std::regex_replace(written, where, ""));
    }
}

TEST(ConfigWriter, DefaultsAreSpelledOut) {
    const auto r = load(instance_with(""));
    ASSERT_TRUE(r.ok());
    const auto text = to_text(*r.config);
    for (const char* line :
         {"    log_level = \"info\";\n", "    garp_count = 5;\n", "    garp_interval = 0.2;\n",
          "    script_user = \"nobody\";\n", "    graceful_handover = true;\n",
          "        priority = 100;\n", "        version = 3;\n", "        advert_interval = 1;\n",
          "        preempt = true;\n", "        preempt_delay = 0;\n",
          "        addresses = [ \"192.0.2.1/24\" ];\n", "        checksum = \"auto\";\n",
          "        # unicast_peers: none (multicast)\n", "    {   # test.conf:2\n",
          "    # debug: unset (every category at log_level debug, else none)\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " not in:\n" << text;
    }
}

// --- auth_hmac ------------------------------------------------------------------------------

constexpr const char* kHexKey =
    "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(ConfigHmac, KeysModesAndTheDerivedWindowAreRead) {
    const auto r = load(instance_with(fmt::format(
        R"(advert_interval = 2.5; auth_hmac = {{ keys = ( {{ id = 7; key = "{}"; }} ); }};)",
        kHexKey)));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& h = r.config->instances.at(0).auth_hmac;
    ASSERT_TRUE(h.has_value());
    ASSERT_EQ(h->keys.size(), 1U);
    EXPECT_EQ(h->keys[0].id, 7);
    ASSERT_EQ(h->keys[0].secret.bytes().size(), 32U);
    EXPECT_EQ(h->keys[0].secret.bytes()[31], 0x1f);
    EXPECT_EQ(h->keys[0].value, "");  // an inline secret is kept as bytes only
    EXPECT_EQ(h->active_key, 7);      // the only key signs
    EXPECT_EQ(h->mode, HmacMode::Enforce);
    EXPECT_EQ(h->anti_replay, AntiReplay::Time);
    EXPECT_EQ(h->time_window, 6s);  // 3 x 2 s: the interval in whole seconds, as keepalived
    const auto fast = load(instance_with(fmt::format(
        R"(advert_interval = 0.1; auth_hmac = {{ keys = ( {{ id = 1; key = "{}"; }} ); }};)",
        kHexKey)));
    ASSERT_TRUE(fast.ok());
    EXPECT_EQ(fast.config->instances.at(0).auth_hmac->time_window, 5s);  // at least 5 s
    // keepalived's hex may have blanks between the digits.
    const auto spaced = load(instance_with(
        R"(auth_hmac = { keys = ( { id = 1; key = "hex:00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d )"
        R"(0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"; } ); };)"));
    ASSERT_TRUE(spaced.ok()) << ::testing::PrintToString(messages(spaced));
    EXPECT_EQ(spaced.config->instances.at(0).auth_hmac->keys[0].secret, h->keys[0].secret);
}

TEST(ConfigHmac, EveryMistakeIsNamedAtItsLine) {
    const auto key = [](int id, const std::string& v) {
        return fmt::format(R"({{ id = {}; key = "{}"; }})", id, v);
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"auth_hmac = { keys = ( " + key(1, "hex:0011") + " ); };",
         "test.conf:7: auth_hmac key value: 2 bytes; a key is 32..64 bytes"},
        {"auth_hmac = { keys = ( " + key(1, "hex:0g" + std::string(62, '0')) + " ); };",
         "test.conf:7: auth_hmac key value: the hex: value has a character that is not a hex "
         "digit"},
        {"auth_hmac = { keys = ( ); };",
         "test.conf:7: 'keys' is empty: auth_hmac = { keys = ( { id = 1; key = "
         "\"file:/etc/vipd/vrrp.key\"; } ); };"},
        {"auth_hmac = { keys = ( " + key(1, "hex:0" + std::string(64, '0')) + " ); };",
         "test.conf:7: auth_hmac key value: an odd number of hex digits"},
        {"auth_hmac = { keys = ( " + key(1, std::string(65, 'x')) + " ); };",
         "test.conf:7: auth_hmac key value: 65 bytes; a key is 32..64 bytes"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) + ", " + key(1, kHexKey) + " ); };",
         "test.conf:7: duplicate auth_hmac key id 1"},
        {"auth_hmac = { keys = ( " + key(0, kHexKey) + " ); };",
         "test.conf:7: 'id' must be in the range 1..255 (got 0)"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) + ", " + key(2, kHexKey) + " ); };",
         "test.conf:7: 'auth_hmac' has several keys: say which signs with active_key = ID;"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) + " ); active_key = 2; };",
         "test.conf:7: active_key 2 is not one of the keys"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) + " ); mode = \"strict\"; };",
         "test.conf:7: 'mode' must be \"enforce\", \"permissive\" or \"receive-only\" (got "
         "\"strict\")"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) +
             " ); anti_replay = \"monotonic\"; time_window = 9; };",
         "test.conf:7: 'time_window' applies to anti_replay = \"time\" only"},
        {"auth_hmac = { keys = ( " + key(1, kHexKey) + " ); time_window = 301; };",
         "test.conf:7: 'time_window' must be in the range 1..300 (got 301)"},
        {"auth_hmac = { };",
         "test.conf:7: 'auth_hmac' needs at least one key: auth_hmac = { "
         "keys = ( { id = 1; key = \"file:/etc/vipd/vrrp.key\"; } ); };"},
        {"auth_hmac = { keys = ( " + key(1, "file:/etc/vipd/k") + " ); };",
         "test.conf:7: key file /etc/vipd/k cannot be read here"},
        {"version = 2; authentication = { type = \"pass\"; password = \"x\"; };\n"
         "auth_hmac = { keys = ( " +
             key(1, kHexKey) + " ); };",
         "test.conf:8: 'auth_hmac' replaces 'authentication' (VRRPv2 passwords): remove one"},
    };
    for (const auto& [extra, want] : cases)
        EXPECT_EQ(only_error(instance_with(extra)), want) << extra;
}

TEST(ConfigHmac, AKeyFileIsReadOnlyWhenPrivate) {
    TempDir dir;
    Checks checks;
    checks.read_secret = [](const std::string& path) { return os::read_secret_file(path); };
    const auto conf = [&](const std::string& path) {
        return instance_with(
            fmt::format(R"(auth_hmac = {{ keys = ( {{ id = 1; key = "file:{}"; }} ); }};)", path));
    };
    // A systemd credential or a file written by hand (its line end is not part of the key).
    const auto good = dir.write("vrrp.key", std::string(kHexKey) + "\n");
    ::chmod(good.c_str(), 0600);
    const auto r = load_string(conf(good), kName, checks);
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    EXPECT_EQ(r.config->instances.at(0).auth_hmac->keys.at(0).secret.bytes().size(), 32U);
    EXPECT_EQ(r.config->instances.at(0).auth_hmac->keys.at(0).value, "file:" + good);
    // Readable by others: refused, and said how to fix it.
    const auto open = dir.write("open.key", kHexKey);
    ::chmod(open.c_str(), 0644);
    const auto bad = load_string(conf(open), kName, checks);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(messages(bad).at(0),
              fmt::format("test.conf:7: key file {} is open to group or others (mode 0644): "
                          "chmod 600 it",
                          open));
    const auto missing = load_string(conf(dir.path() + "/none"), kName, checks);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(messages(missing).at(0), fmt::format("test.conf:7: key file {}/none cannot be "
                                                   "opened: No such file or directory",
                                                   dir.path()));
    // A directory is not a key.
    const auto not_a_file = load_string(conf(dir.path()), kName, checks);
    ASSERT_FALSE(not_a_file.ok());
    EXPECT_EQ(
        messages(not_a_file).at(0),
        fmt::format("test.conf:7: key file {} is a directory, not a regular file", dir.path()));
}

}  // namespace

TEST(ConfigRoutes, RoutesAndRulesAreRead) {
    const auto r = load(instance_with(R"(virtual_routes = (
            { to = "198.51.100.0/24"; via = "192.0.2.254"; },
            { to = "2001:db8:1::/48"; dev = "eth1"; metric = 10; table = 200; },
            { to = "203.0.113.0/24"; type = "unreachable"; } );
        virtual_rules = ( { from = "192.0.2.1"; table = 100; priority = 500; } );)"));
    ASSERT_TRUE(r.ok()) << ::testing::PrintToString(messages(r));
    const auto& c = r.config->instances[0];
    ASSERT_EQ(c.virtual_routes.size(), 3U);
    EXPECT_EQ(to_string(c.virtual_routes[0]), "198.51.100.0/24 via 192.0.2.254");
    EXPECT_EQ(to_string(c.virtual_routes[1]), "2001:db8:1::/48 dev eth1 metric 10 table 200");
    EXPECT_EQ(to_string(c.virtual_routes[2]), "unreachable 203.0.113.0/24");
    EXPECT_EQ(c.virtual_routes[0].table, kMainTable);
    ASSERT_EQ(c.virtual_rules.size(), 1U);
    EXPECT_EQ(to_string(c.virtual_rules[0]), "priority 500 from 192.0.2.1/32 table 100");
    EXPECT_EQ(c.virtual_rules[0].family, Family::IPv4);
}

TEST(ConfigRoutes, ARouteBelongsToOneInstance) {
    EXPECT_EQ(only_error(R"(instances = (
        { name = "a"; interface = "eth0"; vrid = 1; addresses = [ "192.0.2.1" ];
          virtual_routes = ( { to = "198.51.100.0/24"; via = "192.0.2.254"; } ); },
        { name = "b"; interface = "eth0"; vrid = 2; addresses = [ "192.0.2.2" ];
          virtual_routes = ( { to = "198.51.100.0/24"; via = "192.0.2.254"; } ); } );)"),
              "test.conf:4: virtual route 198.51.100.0/24 via 192.0.2.254 is also in instance "
              "'a' (test.conf:2): a route or rule belongs to one instance");
}

TEST(ConfigRoutes, MistakesNameTheirLine) {
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { via = \"192.0.2.254\"; } );")),
              "test.conf:7: a virtual route needs 'to' (the destination, IP/PREFIX)");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.0/24\"; } );")),
              "test.conf:7: a unicast virtual route needs 'via' or 'dev'");
    EXPECT_EQ(only_error(instance_with(
                  "virtual_routes = ( { to = \"198.51.100.0/24\";\nvia = \"2001:db8::1\"; } );")),
              "test.conf:8: 'via' is IPv6 but 'to' is IPv4");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.0/33\"; dev = "
                                       "\"eth0\"; } );")),
              "test.conf:7: prefix length of '198.51.100.0/33' must be in the range 0..32");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.7/24\"; dev = "
                                       "\"eth0\"; } );")),
              "test.conf:7: '198.51.100.7/24' has bits set past its prefix length; write "
              "'198.51.100.0/24'");
    EXPECT_EQ(only_error(instance_with("virtual_rules = ( { from = \"2001:db8::1/63\"; table = "
                                       "1; priority = 5; } );")),
              "test.conf:7: '2001:db8::1/63' has bits set past its prefix length; write "
              "'2001:db8::/63'");
    EXPECT_EQ(only_error(instance_with(
                  "virtual_routes = ( { to = \"198.51.100.0/24\"; type = \"nat\"; } );")),
              "test.conf:7: unknown route type 'nat' (expected unicast, blackhole, unreachable "
              "or prohibit)");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.0/24\"; type = "
                                       "\"blackhole\"; via = \"192.0.2.9\"; } );")),
              "test.conf:7: a blackhole route has no 'via' or 'dev'");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.0/24\"; dev = "
                                       "\"eth0\"; table = 0; } );")),
              "test.conf:7: 'table' must be in the range 1..4294967295 (got 0)");
    EXPECT_EQ(only_error(instance_with("virtual_routes = ( { to = \"198.51.100.0/24\"; dev = "
                                       "\"eth0\"; },\n{ to = \"198.51.100.0/24\"; dev = "
                                       "\"eth0\"; } );")),
              "test.conf:8: duplicate virtual route '198.51.100.0/24 dev eth0'");
    EXPECT_EQ(only_error(instance_with("virtual_rules = ( { table = 100; } );")),
              "test.conf:7: a virtual rule needs 'from' or 'to' (or both)");
    EXPECT_EQ(only_error(instance_with("virtual_rules = ( { from = \"192.0.2.1\"; } );")),
              "test.conf:7: a virtual rule needs 'table' (the table it looks up)");
    EXPECT_EQ(
        only_error(instance_with("virtual_rules = ( { from = \"192.0.2.1\"; table = 1; } );")),
        "test.conf:7: a virtual rule needs 'priority' (1..32766): without one the kernel gives "
        "every add a new place");
    EXPECT_EQ(only_error(instance_with(
                  "virtual_rules = ( { from = \"192.0.2.1\"; to = \"2001:db8::/32\"; table = 1; "
                  "priority = 9; } );")),
              "test.conf:7: 'from' and 'to' of a virtual rule must be of one family");
    EXPECT_EQ(only_error(instance_with("virtual_rules = ( { from = \"192.0.2.1\"; table = 1; "
                                       "priority = 32767; } );")),
              "test.conf:7: 'priority' must be in the range 1..32766 (got 32767)");
    EXPECT_EQ(only_error(instance_with("virtual_rules = ( { from = \"192.0.2.1\"; table = 1; "
                                       "priority = 9; iif = \"eth0\"; } );")),
              "test.conf:7: unknown key 'iif'");
}

}  // namespace vipd::config
