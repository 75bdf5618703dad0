#include "server/search/postings.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace meridian::search {
namespace {

// 128 postings over a few channels, with a few positions each.
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

TEST(PostingsTest, BlockRoundTripsWithItsHeader) {
  std::mt19937 rng(1);
  PostingList list = MakeList(rng, kBlockPostings);
  std::string block;
  EncodeBlock(list, 0, list.postings.size(), &block);
  BlockDecoder dec;
  ASSERT_TRUE(dec.Reset(block));
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

TEST(PostingsTest, SkippingLandsWhereWalkingDoes) {
  std::mt19937 rng(2);
  for (size_t n : {size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{100}, kBlockPostings}) {
    PostingList list = MakeList(rng, n);
    std::string block;
    EncodeBlock(list, 0, n, &block);
    for (int trial = 0; trial < 200; ++trial) {
      // A seek from some posting to a later target, as a cursor does.
      const size_t from = rng() % n;
      const DocKey& lo = list.postings[from].doc;
      const DocKey& hi = list.postings[from + rng() % (n - from)].doc;
      DocKey target = rng() % 2 ? hi : Successor(lo);
      if (target < lo) target = lo;
      BlockDecoder dec;
      ASSERT_TRUE(dec.Reset(block));
      for (size_t i = 0; i <= from; ++i) ASSERT_TRUE(dec.Next());
      if (dec.doc() < target) dec.SkipTowards(target);
      bool found = dec.doc() >= target;
      while (!found && dec.Next()) found = dec.doc() >= target;
      auto want = std::lower_bound(list.postings.begin() + static_cast<ptrdiff_t>(from),
                                   list.postings.end(), target,
                                   [](const Posting& a, const DocKey& k) { return a.doc < k; });
      ASSERT_EQ(found, want != list.postings.end()) << "n " << n << " trial " << trial;
      if (found) {
        EXPECT_EQ(dec.doc(), want->doc);
        EXPECT_EQ(dec.tf(), want->tf);
        EXPECT_EQ(dec.positions(),
                  std::string_view(list.positions).substr(want->pos_begin, want->pos_bytes));
      }
    }
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

TEST(PostingsTest, TruncatedBlocksAreRejected) {
  std::mt19937 rng(3);
  PostingList list = MakeList(rng, 64);
  std::string block;
  EncodeBlock(list, 0, 64, &block);
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, block.size() / 2, block.size() - 1}) {
    BlockDecoder dec;
    size_t decoded = 0;
    if (dec.Reset(std::string_view(block).substr(0, cut))) {
      while (dec.Next()) ++decoded;
    }
    EXPECT_FALSE(dec.ok() && decoded == 64) << cut;
  }
}

}  // namespace
}  // namespace meridian::search
