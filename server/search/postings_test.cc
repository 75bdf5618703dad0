#include "server/search/postings.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace meridian::search {
namespace {

// kBlockPostings postings over a few channels, with a few positions each.
PostingList MakeList(std::mt19937& rng, size_t n) {
  PostingList list;
  DocKey d{3, 1'000'000, 10};
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 5 == 0) {
      d.channel += 1 + rng() % 3;
      d.time = 1'000'000 + rng() % 1000;
      d.seq = rng() % 50;
    } else {
      d.time += rng() % 3;  // equal times happen
      d.seq += 1 + rng() % 4;
    }
    std::vector<uint32_t> positions;
    for (uint32_t p = rng() % 3, k = 0; k < 1 + rng() % 3; ++k, p += 1 + rng() % 5) {
      positions.push_back(p);
    }
    Posting p{d, static_cast<uint32_t>(3 + rng() % 20), static_cast<uint32_t>(positions.size()),
              static_cast<uint32_t>(list.positions.size()), 0};
    EncodePositions(positions, &list.positions);
    p.pos_bytes = static_cast<uint32_t>(list.positions.size() - p.pos_begin);
    list.postings.push_back(p);
  }
  return list;
}

// Blocks are written with a table of skip entries; those written before (varint entries, with
// time offsets or time deltas) are read too.
class LayoutTest : public testing::TestWithParam<BlockLayout> {};
INSTANTIATE_TEST_SUITE_P(Layouts, LayoutTest,
                         testing::Values(BlockLayout::kSkipTable, BlockLayout::kTimeOffsets,
                                         BlockLayout::kTimeDeltas),
                         [](const testing::TestParamInfo<BlockLayout>& info) {
                           switch (info.param) {
                             case BlockLayout::kSkipTable:
                               return "SkipTable";
                             case BlockLayout::kTimeOffsets:
                               return "TimeOffsets";
                             case BlockLayout::kTimeDeltas:
                               return "TimeDeltas";
                           }
                           return "";
                         });

TEST_P(LayoutTest, BlockRoundTripsWithItsHeader) {
  std::mt19937 rng(1);
  PostingList list = MakeList(rng, kBlockPostings);
  std::string block;
  EncodeBlock(list, 0, list.postings.size(), &block, kSkipEvery, GetParam());
  BlockDecoder dec;
  ASSERT_TRUE(dec.Reset(block));
  EXPECT_EQ(dec.layout(), GetParam());
  EXPECT_EQ(dec.count(), kBlockPostings);
  uint32_t max_tf = 0, min_length = UINT32_MAX;
  uint64_t newest = 0;
  for (size_t i = 0; i < list.postings.size(); ++i) {
    const Posting& want = list.postings[i];
    ASSERT_TRUE(dec.Next()) << i;
    EXPECT_EQ(dec.doc(), want.doc) << i;
    EXPECT_EQ(dec.doc_length(), want.doc_length);
    EXPECT_EQ(dec.tf(), want.tf);
    EXPECT_EQ(dec.positions(),
              std::string_view(list.positions).substr(want.pos_begin, want.pos_bytes));
    max_tf = std::max(max_tf, want.tf);
    min_length = std::min(min_length, want.doc_length);
    newest = std::max(newest, want.doc.time);
  }
  EXPECT_FALSE(dec.Next());
  EXPECT_TRUE(dec.ok());
  EXPECT_EQ(dec.max_tf(), max_tf);
  EXPECT_EQ(dec.min_length(), min_length);
  EXPECT_EQ(dec.max_time(), newest);
}

TEST_P(LayoutTest, WideKeysRoundTrip) {
  // Real time keys (microseconds with the sign bit set), far-apart times and sequence numbers
  // that wrap around: varints of one to ten bytes, decoded near the block's end as well.
  std::mt19937_64 rng(5);
  PostingList list;
  DocKey d{1, (uint64_t{1} << 63) + 1'700'000'000'000'000, 0};
  for (size_t i = 0; i < kBlockPostings; ++i) {
    const int shift = static_cast<int>(rng() % 64);
    if (rng() % 4 == 0) {
      d.channel += 1 + (rng() >> shift);  // up to channel ids near 2^64, once
      d.channel = std::min(d.channel, UINT64_MAX - kBlockPostings);
    }
    d.time += rng() >> (shift / 2 + 30);
    d.seq = rng() >> shift;
    list.postings.push_back(Posting{d, static_cast<uint32_t>(rng() >> 32), 1,
                                    static_cast<uint32_t>(list.positions.size()), 0});
    EncodePositions({static_cast<uint32_t>(rng() >> 40)}, &list.positions);
    list.postings.back().pos_bytes =
        static_cast<uint32_t>(list.positions.size() - list.postings.back().pos_begin);
  }
  std::string block;
  EncodeBlock(list, 0, list.postings.size(), &block, kSkipEvery, GetParam());
  BlockDecoder dec;
  ASSERT_TRUE(dec.Reset(block));
  for (size_t i = 0; i < list.postings.size(); ++i) {
    ASSERT_TRUE(dec.Next()) << i;
    EXPECT_EQ(dec.doc(), list.postings[i].doc) << i;
    EXPECT_EQ(dec.doc_length(), list.postings[i].doc_length) << i;
  }
  EXPECT_FALSE(dec.Next());
  EXPECT_TRUE(dec.ok());
  // Seeks go through skip entries of the same wide channels, times and sequence numbers, in
  // DocKey order (above, sequence numbers fall within a time, as deltas of every sign).
  std::sort(list.postings.begin(), list.postings.end(),
            [](const Posting& a, const Posting& b) { return a.doc < b.doc; });
  EncodeBlock(list, 0, list.postings.size(), &block, kSkipEvery, GetParam());
  for (size_t i = 0; i < list.postings.size(); i += 7) {
    ASSERT_TRUE(dec.Reset(block));
    ASSERT_TRUE(dec.NextAtLeast(list.postings[i].doc)) << i;
    EXPECT_EQ(dec.doc(), list.postings[i].doc) << i;
    EXPECT_EQ(dec.doc_length(), list.postings[i].doc_length) << i;
  }
}

TEST(PostingsTest, TimeOffsetsTakeTheFewestBytesThatHoldTheBlocksSpan) {
  // Two postings `span` apart in time: read back by walking and by seeking, and apart from the
  // header's varint of the span, the block is two postings of `width` time bytes each.
  auto block_of = [](uint64_t span) {
    PostingList list;
    for (uint64_t t : {uint64_t{5}, 5 + span}) {
      list.postings.push_back(
          Posting{DocKey{2, t, 1 + t % 7}, 4, 1, static_cast<uint32_t>(list.positions.size()), 0});
      EncodePositions({3}, &list.positions);
      list.postings.back().pos_bytes =
          static_cast<uint32_t>(list.positions.size() - list.postings.back().pos_begin);
    }
    std::string block;
    EncodeBlock(list, 0, 2, &block);
    return std::make_pair(list, block);
  };
  auto varint_bytes = [](uint64_t v) {
    std::string out;
    AppendVarint(&out, v);
    return out.size();
  };
  const size_t empty = block_of(1).second.size() - varint_bytes(1) - 2;  // all but the times
  for (size_t width = 1; width <= 8; ++width) {
    const uint64_t widest = width == 8 ? UINT64_MAX - 5 : (uint64_t{1} << (8 * width)) - 1;
    for (uint64_t span : {width == 1 ? 1 : uint64_t{1} << (8 * (width - 1)), widest}) {
      auto [list, block] = block_of(span);
      EXPECT_EQ(block.size(), empty + varint_bytes(span) + 2 * width) << span;
      BlockDecoder dec;
      ASSERT_TRUE(dec.Reset(block)) << span;
      EXPECT_EQ(dec.layout(), BlockLayout::kSkipTable);
      ASSERT_TRUE(dec.Next());
      EXPECT_EQ(dec.doc(), list.postings[0].doc);
      ASSERT_TRUE(dec.Next());
      EXPECT_EQ(dec.doc(), list.postings[1].doc) << span;
      EXPECT_EQ(dec.tf(), 1u);
      EXPECT_FALSE(dec.Next());
      EXPECT_TRUE(dec.ok());
      ASSERT_TRUE(dec.Reset(block));
      ASSERT_TRUE(dec.NextAtLeast(Successor(list.postings[0].doc)));
      EXPECT_EQ(dec.doc(), list.postings[1].doc) << span;
      std::string three;
      EncodePositions({3}, &three);
      EXPECT_EQ(dec.positions(), three) << span;
    }
  }
}

TEST_P(LayoutTest, SkippingLandsWhereWalkingDoes) {
  std::mt19937 rng(2);
  // Every skip spacing a block may have; 32 with time deltas is the layout of the first
  // format-3 blocks, whose entries are read with the header.
  for (size_t every : {size_t{8}, kSkipEvery, size_t{32}, size_t{64}}) {
    for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{31}, size_t{32},
                     size_t{33}, size_t{100}, kOldBlockPostings, size_t{200}, kBlockPostings}) {
      PostingList list = MakeList(rng, n);
      std::string block;
      EncodeBlock(list, 0, n, &block, every, GetParam());
      for (int trial = 0; trial < 200; ++trial) {
        // A seek from some posting to a later target, as a cursor does.
        const size_t from = rng() % n;
        const DocKey& lo = list.postings[from].doc;
        const DocKey& hi = list.postings[from + rng() % (n - from)].doc;
        DocKey target = rng() % 2 ? hi : Successor(lo);
        if (target < lo) target = lo;
        BlockDecoder dec;
        ASSERT_TRUE(dec.Reset(block));
        // Half the trials seek before the first posting is decoded.
        const bool fresh = from == 0 && rng() % 2 == 0;
        for (size_t i = 0; i <= from && !fresh; ++i) ASSERT_TRUE(dec.Next());
        const bool found = dec.NextAtLeast(target);
        auto want = std::lower_bound(list.postings.begin() + static_cast<ptrdiff_t>(from),
                                     list.postings.end(), target,
                                     [](const Posting& a, const DocKey& k) { return a.doc < k; });
        ASSERT_EQ(found, want != list.postings.end())
            << "every " << every << " n " << n << " trial " << trial;
        if (found) {
          EXPECT_EQ(dec.doc(), want->doc);
          EXPECT_EQ(dec.tf(), want->tf);
          EXPECT_EQ(dec.positions(),
                    std::string_view(list.positions).substr(want->pos_begin, want->pos_bytes));
          // And on to the end from there, as a walk would go.
          size_t rest = 0;
          while (dec.Next()) ++rest;
          EXPECT_TRUE(dec.ok());
          EXPECT_EQ(rest, static_cast<size_t>(list.postings.end() - want) - 1);
        }
      }
    }
  }
}

TEST_P(LayoutTest, CorruptBlocksNeverReadPastTheirEnd) {
  // Damaged bytes: a decoder reports the block malformed or decodes at most
  // its count, and never reads outside the block (the copy has no slack after it).
  std::mt19937 rng(6);
  PostingList list = MakeList(rng, kBlockPostings);
  std::string good;
  EncodeBlock(list, 0, kBlockPostings, &good, kSkipEvery, GetParam());
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = good;
    // Half in the header and skip entries, half anywhere (postings passed over included).
    const size_t at = rng() % (trial % 2 == 0 ? std::min<size_t>(bad.size(), 96) : bad.size());
    bad[at] = static_cast<char>(rng());
    auto copy = std::make_unique<char[]>(bad.size());
    std::memcpy(copy.get(), bad.data(), bad.size());
    BlockDecoder dec;
    if (!dec.Reset(std::string_view(copy.get(), bad.size()))) continue;
    size_t decoded = 0;
    const DocKey& target = list.postings[rng() % kBlockPostings].doc;
    if (dec.NextAtLeast(target)) ++decoded;
    while (dec.Next()) ++decoded;
    EXPECT_LE(decoded, dec.count()) << "trial " << trial;
  }
}

TEST(PostingsTest, TermBlocksFollowTheirSummaryInKeyOrder) {
  std::mt19937 rng(4);
  PostingList list = MakeList(rng, 3 * kBlockPostings + 5);
  std::vector<std::pair<std::string, std::string>> put;
  EncodeTermBlocks(7, "word", list, [&](std::string_view key, std::string_view value) {
    put.emplace_back(key, value);
  });
  ASSERT_EQ(put.size(), 1 + 4u);
  for (size_t i = 1; i < put.size(); ++i) EXPECT_LT(put[i - 1].first, put[i].first);
  for (size_t i = 0; i < put.size(); ++i) {
    EXPECT_EQ(BlockKeyTerm(put[i].first), "word");
    EXPECT_EQ(IsTermSummaryKey(put[i].first), i == 0);
  }
  EXPECT_EQ(put[0].first, BlockPrefix(7, "word"));
  TermSummary s;
  ASSERT_TRUE(DecodeTermSummary(put[0].second, &s));
  EXPECT_EQ(s.count, list.postings.size());
  EXPECT_EQ(s.min_channel, list.postings.front().doc.channel);
  EXPECT_EQ(s.max_channel, list.postings.back().doc.channel);
  uint64_t newest = 0;
  uint32_t max_tf = 0, min_length = UINT32_MAX;
  for (const Posting& p : list.postings) {
    newest = std::max(newest, p.doc.time);
    max_tf = std::max(max_tf, p.tf);
    min_length = std::min(min_length, p.doc_length);
  }
  EXPECT_EQ(s.max_time, newest);
  EXPECT_EQ(s.max_tf, max_tf);
  EXPECT_EQ(s.min_length, min_length);
  for (size_t cut = 0; cut < put[0].second.size(); ++cut) {
    EXPECT_FALSE(DecodeTermSummary(std::string_view(put[0].second).substr(0, cut), &s)) << cut;
  }
  // One block carries no summary: its header and key say the same.
  list.postings.resize(kBlockPostings);
  put.clear();
  EncodeTermBlocks(7, "word", list, [&](std::string_view key, std::string_view value) {
    put.emplace_back(key, value);
  });
  ASSERT_EQ(put.size(), 1u);
  EXPECT_FALSE(IsTermSummaryKey(put[0].first));
  TermSummary one;
  ASSERT_TRUE(SummarizeBlock(ParseDocKey(put[0].first), put[0].second, &one));
  EXPECT_EQ(one.count, kBlockPostings);
  EXPECT_EQ(one.min_channel, list.postings.front().doc.channel);
  EXPECT_EQ(one.max_channel, list.postings.back().doc.channel);
  EXPECT_EQ(one.max_time, std::max_element(list.postings.begin(), list.postings.end(),
                                           [](const Posting& a, const Posting& b) {
                                             return a.doc.time < b.doc.time;
                                           })
                              ->doc.time);
  put.clear();
  EncodeTermBlocks(7, "word", PostingList{}, [&](std::string_view key, std::string_view value) {
    put.emplace_back(key, value);
  });
  EXPECT_TRUE(put.empty());
}

TEST_P(LayoutTest, TruncatedBlocksAreRejected) {
  std::mt19937 rng(3);
  PostingList list = MakeList(rng, 64);
  std::string block;
  EncodeBlock(list, 0, 64, &block, kSkipEvery, GetParam());
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, block.size() / 2, block.size() - 1}) {
    BlockDecoder dec;
    size_t decoded = 0;
    if (dec.Reset(std::string_view(block).substr(0, cut))) {
      while (dec.Next()) ++decoded;
    }
    EXPECT_FALSE(dec.ok() && decoded == 64) << cut;
  }
}

std::string Encoded(const std::vector<uint32_t>& positions) {
  std::string out;
  EncodePositions(positions, &out);
  return out;
}

// Term i of the phrase has `positions[i]` in the document and sits offsets[i] after the first.
bool Phrase(const std::vector<std::vector<uint32_t>>& positions,
            const std::vector<uint32_t>& offsets) {
  std::vector<std::string> bytes;
  for (const auto& p : positions) bytes.push_back(Encoded(p));
  std::vector<PositionReader> readers;
  for (const std::string& b : bytes) readers.emplace_back(b);
  return FindPhrase(readers, offsets);
}

TEST(PositionsTest, ReaderSeeksForwardOnly) {
  const std::string bytes = Encoded({0, 3, 200, 201});  // the delta 197 is a 2-byte varint
  ASSERT_EQ(bytes.size(), 5u);
  PositionReader r(bytes);
  ASSERT_TRUE(r.SeekAtLeast(0));
  EXPECT_EQ(r.at(), 0u);
  ASSERT_TRUE(r.SeekAtLeast(4));
  EXPECT_EQ(r.at(), 200u);
  ASSERT_TRUE(r.SeekAtLeast(1));  // already past: stays
  EXPECT_EQ(r.at(), 200u);
  ASSERT_TRUE(r.SeekAtLeast(201));
  EXPECT_FALSE(r.SeekAtLeast(202));
  EXPECT_FALSE(PositionReader("").SeekAtLeast(0));
  // A truncated varint ends the list.
  PositionReader truncated(std::string_view(bytes).substr(0, 3));
  EXPECT_TRUE(truncated.SeekAtLeast(3));
  EXPECT_FALSE(truncated.SeekAtLeast(4));
}

TEST(PositionsTest, PhraseEdgeCases) {
  // At position 0, and not before it: "b" at 0 cannot follow an "a" at -1.
  EXPECT_TRUE(Phrase({{0}, {1}}, {0, 1}));
  EXPECT_FALSE(Phrase({{5}, {0, 4}}, {0, 1}));
  EXPECT_FALSE(Phrase({{1}, {0, 1, 2}}, {0, 2}));
  // A repeated word ("a a"): one position list read twice.
  EXPECT_TRUE(Phrase({{0, 1}, {0, 1}}, {0, 1}));
  EXPECT_FALSE(Phrase({{3, 5}, {3, 5}}, {0, 1}));
  EXPECT_TRUE(Phrase({{2, 7, 8}, {2, 7, 8}}, {0, 1}));
  // A gap where a stop word or a punctuation-only token was dropped from the query.
  EXPECT_TRUE(Phrase({{5}, {7}}, {0, 2}));
  EXPECT_FALSE(Phrase({{5}, {6}}, {0, 2}));
  // Several occurrences of each word: only the last pair is adjacent.
  EXPECT_TRUE(Phrase({{1, 9, 20}, {4, 12, 21}}, {0, 1}));
  EXPECT_FALSE(Phrase({{1, 9}, {3, 8, 11}}, {0, 1}));
  // Three words, where the first candidate start fails on the third word.
  EXPECT_TRUE(Phrase({{1, 10}, {2, 11}, {12}}, {0, 1, 2}));
  EXPECT_FALSE(Phrase({{1, 10}, {2, 11}, {4, 13}}, {0, 1, 2}));
  // A word missing from the document.
  EXPECT_FALSE(Phrase({{1}, {}}, {0, 1}));
}

TEST(PositionsTest, PhraseAgreesWithBruteForce) {
  std::mt19937 rng(4);
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t words = 1 + rng() % 4;
    std::vector<std::vector<uint32_t>> positions(words);
    std::vector<uint32_t> offsets = {0};
    for (size_t i = 0; i < words; ++i) {
      if (i > 0) offsets.push_back(offsets.back() + 1 + (rng() % 4 == 0));
      const uint32_t span = trial % 2 ? 12 : 300;  // dense, or sparse with multi-byte deltas
      for (uint32_t p = 0; p < span; ++p) {
        if (rng() % 4 == 0) positions[i].push_back(p);
      }
    }
    bool want = false;
    for (uint32_t s = 0; s < 400 && !want; ++s) {
      want = true;
      for (size_t i = 0; i < words && want; ++i) {
        want = std::binary_search(positions[i].begin(), positions[i].end(), s + offsets[i]);
      }
    }
    ASSERT_EQ(Phrase(positions, offsets), want) << "trial " << trial;
  }
}

}  // namespace
}  // namespace meridian::search
