// A reproducible synthetic chat corpus for the search benchmark: pseudo-words with a Zipf
// distribution, messages spread over channels, users and a year of time.
#ifndef MERIDIAN_TESTS_BENCH_SEARCH_CORPUS_H_
#define MERIDIAN_TESTS_BENCH_SEARCH_CORPUS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace meridian::bench {

// SplitMix64: the same stream on every platform and standard library (unlike std::*_distribution).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_;
};

struct CorpusOptions {
  uint64_t seed = 20261123;
  size_t messages = 1'000'000;
  size_t vocabulary = 50'000;
  double zipf_exponent = 1.0;
  uint64_t channels = 500;
  uint64_t users = 1000;
  int min_words = 3;
  int max_words = 25;
  int64_t start_us = 1704067200000000;  // 2024-01-01T00:00:00Z
};

struct CorpusMessage {
  uint64_t channel;  // 1..channels
  uint64_t author;   // 1..users
  int64_t time_us;   // increasing with the message index
  std::string text;
};

class Corpus {
 public:
  explicit Corpus(const CorpusOptions& o) : options_(o) {
    Rng rng(o.seed);
    static const char* kOnsets[] = {"b", "c", "d",  "f",  "g",  "h",  "j",  "k",
                                    "l", "m", "n",  "p",  "r",  "s",  "t",  "v",
                                    "w", "z", "br", "st", "tr", "pl", "gr", "sh"};
    static const char* kVowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "y"};
    std::unordered_set<std::string> seen;
    while (words_.size() < o.vocabulary) {
      std::string w;
      int syllables = 1 + static_cast<int>(rng.Uniform(3));
      for (int s = 0; s < syllables; ++s) {
        w += kOnsets[rng.Uniform(std::size(kOnsets))];
        w += kVowels[rng.Uniform(std::size(kVowels))];
      }
      if (rng.Uniform(3) == 0) w += kOnsets[rng.Uniform(12)];
      if (seen.insert(w).second) words_.push_back(w);
    }
    std::vector<double> cdf(o.vocabulary);
    double sum = 0;
    for (size_t r = 0; r < o.vocabulary; ++r) {
      sum += 1.0 / std::pow(static_cast<double>(r + 1), o.zipf_exponent);
      cdf[r] = sum;
    }
    for (double& c : cdf) c /= sum;
    messages_.reserve(o.messages);
    int64_t t = o.start_us;
    for (size_t i = 0; i < o.messages; ++i) {
      CorpusMessage m;
      m.channel = 1 + rng.Uniform(o.channels);
      m.author = 1 + rng.Uniform(o.users);
      t += 1 + static_cast<int64_t>(rng.Uniform(60'000'000));
      m.time_us = t;
      int n = o.min_words + static_cast<int>(rng.Uniform(o.max_words - o.min_words + 1));
      for (int k = 0; k < n; ++k) {
        size_t r =
            static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), rng.Unit()) - cdf.begin());
        if (r >= o.vocabulary) r = o.vocabulary - 1;
        if (k > 0) m.text += ' ';
        m.text += words_[r];
      }
      messages_.push_back(std::move(m));
    }
  }

  const std::vector<std::string>& words() const { return words_; }  // by Zipf rank
  const std::vector<CorpusMessage>& messages() const { return messages_; }
  const CorpusOptions& options() const { return options_; }

 private:
  CorpusOptions options_;
  std::vector<std::string> words_;
  std::vector<CorpusMessage> messages_;
};

}  // namespace meridian::bench

#endif  // MERIDIAN_TESTS_BENCH_SEARCH_CORPUS_H_
