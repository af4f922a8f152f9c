// The files vipd reads and writes beside the protocol (os/files): a tracked file is read
// without ever waiting or following what someone planted at its path (issue 13, item 2).
#include "vipd/os/files.hpp"
#include "vipd/os/host.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "temp_dir.hpp"

namespace vipd {
namespace {

class TrackedFileTest : public testing::Test {
protected:
    TempDir tmp_;
};

TEST_F(TrackedFileTest, TheLeadingNumberIsTheValue) {
    const auto read = [&](const std::string& text) {
        return os::read_tracked_file(tmp_.file("v", 0644, text));
    };
    EXPECT_EQ(read("12\n").value, 12);
    EXPECT_EQ(read("  -7 trailing words\n").value, -7);
    EXPECT_EQ(read("+3").value, 3);
    EXPECT_EQ(read("9223372036854775807").value, INT64_MAX);
    for (const auto* text : {"", "\n", "drain", "-", "x12"}) {
        const auto r = read(text);
        EXPECT_EQ(r.value, 0) << text;  // no number reads as 0, as keepalived reads it
        EXPECT_EQ(r.error, "") << text;
    }
    EXPECT_EQ(read("12").error, "");
}

TEST_F(TrackedFileTest, AMissingFileReadsAsZeroWithoutError) {
    const auto r = os::read_tracked_file(tmp_.path() + "/none");
    EXPECT_EQ(r.value, 0);
    EXPECT_EQ(r.error, "");
}

// The finding: a blocking read of a FIFO never returns (no writer) and froze the loop. This
// test hangs, and meson's timeout fails it, if the read ever waits again.
TEST_F(TrackedFileTest, AFifoIsRefusedWithoutWaiting) {
    const auto fifo = tmp_.path() + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto r = os::read_tracked_file(fifo);
    EXPECT_EQ(r.value, 0);
    EXPECT_EQ(r.error, "is a FIFO");
}

TEST_F(TrackedFileTest, ASymlinkIsNotFollowed) {
    const auto target = tmp_.file("real", 0644, "5\n");
    const auto link = tmp_.path() + "/link";
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    EXPECT_EQ(os::read_tracked_file(link).error, "is a symbolic link");
    const auto zero = tmp_.path() + "/zero";
    ASSERT_EQ(::symlink("/dev/zero", zero.c_str()), 0);
    EXPECT_EQ(os::read_tracked_file(zero).error, "is a symbolic link");
    EXPECT_EQ(os::read_tracked_file(target).value, 5);
}

TEST_F(TrackedFileTest, DevicesAndDirectoriesAreRefused) {
    EXPECT_EQ(os::read_tracked_file("/dev/zero").error, "is a character device");
    EXPECT_EQ(os::read_tracked_file(tmp_.path()).error, "is a directory");
}

// Only the first kTrackedReadLimit bytes are read: a huge file costs one small read, and a
// number too long to be one is an error, not a wrapped value.
TEST_F(TrackedFileTest, TheReadIsBounded) {
    const auto big = tmp_.file("big", 0644, "42\n" + std::string(8 * 1024 * 1024, 'x'));
    EXPECT_EQ(os::read_tracked_file(big).value, 42);
    const auto digits = tmp_.file("digits", 0644, std::string(os::kTrackedReadLimit * 2, '9'));
    const auto r = os::read_tracked_file(digits);
    EXPECT_EQ(r.value, 0);
    EXPECT_EQ(r.error, "holds a number out of range");
}

// --- the notify FIFO, the socket, the pid file and the runtime directory --------------------

TEST_F(TrackedFileTest, NotifyLinesGoOnlyToAFifo) {
    const auto file = tmp_.file("passwd", 0644, "root:x:0:0\n");
    EXPECT_EQ(os::append_line_nonblocking(file, "INSTANCE web MASTER"),
              std::make_error_code(std::errc::wrong_protocol_type));
    std::ifstream in(file);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "root:x:0:0\n");  // untouched
    const auto link = tmp_.path() + "/link";
    ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
    EXPECT_TRUE(os::append_line_nonblocking(link, "x"));
    // A FIFO with a reader gets the line.
    const auto fifo = tmp_.path() + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    EXPECT_FALSE(os::append_line_nonblocking(fifo, "INSTANCE web MASTER"));
    std::array<char, 64> buf{};
    EXPECT_EQ(::read(reader, buf.data(), buf.size()), 20);
    ::close(reader);
}

TEST_F(TrackedFileTest, SocketAccessNeverFollowsALink) {
    const auto target = tmp_.file("shadow", 0600, "secret\n");
    const auto link = tmp_.path() + "/vipd.sock";
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
    EXPECT_TRUE(os::set_socket_access(link, std::nullopt, 0666));
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);  // the target kept its mode
    EXPECT_EQ(os::set_socket_access(target, std::nullopt, 0666),
              std::make_error_code(std::errc::not_a_socket));
}

TEST_F(TrackedFileTest, ThePidFileLockNotThePidSaysWhoRuns) {
    const auto path = tmp_.path() + "/vipd.pid";
    // A stale file naming a live process that is not vipd (pid 1, or a reused pid): the old
    // kill(pid, 0) check refused to start; the lock is free, so this start goes ahead.
    tmp_.file("vipd.pid", 0644, "1\n");
    auto first = os::PidFile::create(path);
    ASSERT_TRUE(first) << first.error();
    std::ifstream in(path);
    std::string pid;
    in >> pid;
    EXPECT_EQ(pid, std::to_string(::getpid()));
    // While it is held, another is refused, naming the holder (another process: a child).
    const pid_t child = ::fork();
    if (child == 0) {
        auto second = os::PidFile::create(path);
        const bool named =
            !second && second.error().find("another vipd (pid " + std::to_string(::getppid()) +
                                           ")") != std::string::npos;
        ::_exit(named ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child was not refused";
    first.value().reset();  // released: the file goes
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
    EXPECT_TRUE(os::PidFile::create(path));
}

TEST_F(TrackedFileTest, ARuntimeDirectoryOthersCanWriteIsRefused) {
    EXPECT_EQ(os::make_runtime_dir(tmp_.path() + "/run"), std::nullopt);  // created, 0755
    const auto open = tmp_.dir("open", 0777);
    EXPECT_EQ(os::make_runtime_dir(open), "runtime directory " + open + " is writable by others");
    const auto group = tmp_.dir("group", 0775);
    EXPECT_EQ(os::make_runtime_dir(group), "runtime directory " + group + " is writable by group");
    const auto file = tmp_.file("file", 0644);
    EXPECT_EQ(os::make_runtime_dir(file), "runtime directory " + file + " is not a directory");
}

// --user: the directory goes to the user once set up, and comes back at the next start;
// one owned by anybody else is still refused.
TEST_F(TrackedFileTest, ARuntimeDirectoryGoesToVipdsUserAndComesBack) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
    const auto dir = tmp_.dir("run", 0755);
    const std::pair<uid_t, gid_t> user{4242, 4243};
    ASSERT_FALSE(os::give_runtime_dir(dir, user.first, user.second));
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242U);
    EXPECT_EQ(st.st_gid, 4243U);
    EXPECT_EQ(os::make_runtime_dir(dir),
              "runtime directory " + dir + " is owned by uid 4242, not root");
    EXPECT_EQ(os::make_runtime_dir(dir, std::pair<uid_t, gid_t>{4244, 4244}),
              "runtime directory " + dir + " is owned by uid 4242, not root");
    EXPECT_EQ(os::make_runtime_dir(dir, user), std::nullopt);
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0U);
}

}  // namespace
}  // namespace vipd
