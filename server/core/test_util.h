// Helpers for tests of the core: a temporary data directory that removes itself.
#ifndef MERIDIAN_SERVER_CORE_TEST_UTIL_H_
#define MERIDIAN_SERVER_CORE_TEST_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace meridian {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("meridian-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_TEST_UTIL_H_
