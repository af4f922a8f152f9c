// The script launcher's program: a loop of its own with the ProcessRunner, serving the
// daemon's requests under ScriptPolicy, and nothing else of vipd (no sockets, no logger).
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <csignal>
#include <iostream>

#include "script_policy.hpp"
#include "users.hpp"
#include "vipd/daemon/daemon.hpp"
#include "vipd/os/launcher.hpp"
#include "vipd/os/privileges.hpp"

namespace vipd {

int run_script_launcher(int fd, const std::string& config_file, const config::Config& config) {
    // Nothing of the daemon's but the link (stdio stays: the journal).
    const auto link = static_cast<unsigned>(fd);
    if (fd > STDERR_FILENO + 1) (void)::close_range(STDERR_FILENO + 1, link - 1, 0);
    (void)::close_range(link + 1, ~0U, 0);
    (void)::prctl(PR_SET_NAME, "vipd-launcher", 0, 0, 0);
    // No core dumps or /proc access for a same-uid process with fewer capabilities either.
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // A stop (SIGTERM to the whole service) or Ctrl-C is the daemon's to handle: it still
    // runs the STOP notifications through us, then closes the link, which is our end.
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE})
        std::signal(sig, SIG_IGN);
    if (auto ec = os::keep_capabilities(os::PrivilegeStage::Launcher)) {
        std::cerr << "vipd-launcher: cannot drop capabilities: " << ec.message() << "\n";
        return 1;
    }
    std::vector<std::string> problems;  // the daemon reports them
    ScriptPolicies policy;
    policy.replace(ScriptPolicy(config, UserTable::resolve(config, problems)));

    boost::asio::io_context io;
    os::ProcessRunner runner(io);
    os::LauncherServer server(
        io, fd, runner,
        {.refusal =
             [&policy](const os::ScriptSpec& spec) {
                 auto why = policy.refusal(spec);
                 if (why) std::cerr << "vipd-launcher: refused to run " << *why << "\n";
                 return why;
             },
         .reload =
             [&policy, &config_file] {
                 auto loaded = config::load_file(config_file, system_checks());
                 if (!loaded.ok()) {
                     std::cerr << "vipd-launcher: " << config_file
                               << " is not valid now: the commands of the configuration "
                                  "read before still run\n";
                     return;
                 }
                 std::vector<std::string> ignored;
                 policy.replace(
                     ScriptPolicy(*loaded.config, UserTable::resolve(*loaded.config, ignored)));
             }});
    server.start();
    io.run();
    return 0;
}

}  // namespace vipd
