// A private directory under /tmp for tests that need real files, removed with everything in
// it at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace vipd {

class TempDir {
public:
    TempDir() {
        std::string tmpl = "/tmp/vipd-unit-test-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp: " << errno;
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }

    std::string file(const std::string& name, mode_t mode,
                     const std::string& text = "#!/bin/sh\n") {
        const std::string p = path_ + "/" + name;
        std::ofstream(p) << text;
        EXPECT_EQ(::chmod(p.c_str(), mode), 0) << p;
        return p;
    }
    std::string dir(const std::string& name, mode_t mode) {
        const std::string p = path_ + "/" + name;
        EXPECT_EQ(::mkdir(p.c_str(), 0700), 0) << p;
        EXPECT_EQ(::chmod(p.c_str(), mode), 0) << p;  // chmod: mkdir's mode is masked by umask
        return p;
    }

private:
    std::string path_;
};

}  // namespace vipd
