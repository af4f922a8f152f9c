// The files vipd reads and writes beside the protocol (os/files): a tracked file is read
// without ever waiting or following what someone planted at its path (issue 13, item 2).
#include "vipd/os/files.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace
}  // namespace vipd
