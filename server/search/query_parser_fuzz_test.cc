// Runs the fuzzer's entry function over a fixed corpus of nasty inputs, so that plain builds
// (gcc, CI) exercise it too.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

TEST(QueryParserFuzzCorpus, NastyInputsNeitherCrashNorMisreport) {
  std::vector<std::string> corpus = {
      "",
      " ",
      "\"",
      "\"\"",
      "\" \"",
      "-",
      "--",
      "- -",
      "OR",
      "a OR",
      "OR a",
      "a OR OR b",
      "*",
      "**",
      "a*",
      "from:",
      "from:@",
      "from:@@x",
      "in:#",
      "in:@x",
      "has:",
      "has:x",
      "is:x",
      "before:",
      "before:2024-13-01",
      "on:2023-02-29",
      "on:2024-02-29",
      "during:2024",
      "after:99999-01-01",
      "x:y",
      "http://a",
      "std::vector",
      ":",
      "::",
      "a:",
      "\"unterminated",
      "a \"b c\" -d OR e",
      std::string("\0\0\0", 3),
      std::string("\xff\xfe\"\x80", 4),
      "\xe2\x80\x9cquoted\xe2\x80\x9d",
      std::string(5000, 'a'),
      std::string(3000, '"'),
      "-from:@a OR b",
      "in:#a OR in:#b",
      "in:#a OR b",
      "before:2024-01 OR x",
      "-on:2024-01-01",
  };
  std::string many;
  for (int i = 0; i < 100; ++i) many += "a ";
  corpus.push_back(many);
  for (const std::string& input : corpus) {
    EXPECT_EQ(0,
              LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size()))
        << input;
  }
}

}  // namespace
