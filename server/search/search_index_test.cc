#include "server/search/search_index.h"

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/search/index_keys.h"
#include "storage/key_codec.h"
#include "storage/kv_store.h"

namespace meridian::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kGeneral = 1, kRandom = 2, kSecret = 3, kDm = 4;
constexpr uint64_t kAlice = 10, kBob = 11, kCarol = 12;

int64_t Micros(int y, int mo, int d, int h = 12, int mi = 0) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone()));
}

IndexedMessage Message(uint64_t channel, uint64_t seq, int64_t time_us, std::string text) {
  IndexedMessage m;
  m.channel = channel;
  m.seq = seq;
  m.author = kAlice;
  m.time_us = time_us;
  m.text = std::move(text);
  return m;
}

// Pages through a one-word query, which counts and skips whole segments and blocks, and
// through the same matches found by the general cursors ("word -nowhere"), expecting the
// same hits and scores on every page and `expected` matches in all.
void ExpectOneWordAgreesWithWalk(SearchIndex& index, const std::string& word, SearchSort sort,
                                 const std::vector<uint64_t>& scope, int page_size,
                                 uint64_t expected) {
  SCOPED_TRACE(::testing::Message()
               << word << (sort == SearchSort::kNewest ? " newest" : " relevance") << " page size "
               << page_size << " scope " << ::testing::PrintToString(scope));
  std::string token_fast, token_walk;
  for (int page = 0; page < 3; ++page) {
    SearchQuery q;
    q.sort = sort;
    q.page_size = page_size;
    q.documents = false;
    q.text = word;
    q.page_token = token_fast;
    auto fast = index.Search(q, AccessScope{scope});
    q.text = word + " -nowhere";
    q.page_token = token_walk;
    auto walk = index.Search(q, AccessScope{scope});
    ASSERT_TRUE(fast.ok()) << fast.status();
    ASSERT_TRUE(walk.ok()) << walk.status();
    ASSERT_EQ(fast->total_count, expected) << "page " << page;
    ASSERT_EQ(walk->total_count, expected) << "page " << page;
    ASSERT_EQ(fast->hits.size(), walk->hits.size()) << "page " << page;
    for (size_t i = 0; i < fast->hits.size(); ++i) {
      EXPECT_EQ(std::make_pair(fast->hits[i].channel, fast->hits[i].seq),
                std::make_pair(walk->hits[i].channel, walk->hits[i].seq))
          << "page " << page << " hit " << i;
      EXPECT_DOUBLE_EQ(fast->hits[i].score, walk->hits[i].score);
    }
    token_fast = fast->next_page_token;
    token_walk = walk->next_page_token;
    ASSERT_EQ(token_fast.empty(), token_walk.empty());
    if (token_fast.empty()) break;
  }
}

// Every test runs twice: with the defaults (small tests stay in the memory segment), and with
// every message flushed into its own segment and segments merged two at a time, so that
// flushes, merges and dead marks are under each of them.
struct Layout {
  const char* name;
  size_t segment_docs;
  size_t merge_fan_in;
};

// Waits for the flushes and merges the index started and installs them, until none is left,
// as later messages would: tests then see one layout whatever the timing.
void Settle(SearchIndex& index, storage::KvStore& store) {
  do {
    index.WaitForMerges();
    storage::WriteBatch batch;
    index.Maintain(&batch);
    ASSERT_TRUE(store.Write(batch, storage::Durability::kBuffered).ok());
    index.Commit();
  } while (index.merging());
}

class SearchIndexTest : public ::testing::TestWithParam<Layout> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("search_index_test_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir_);
    auto store = storage::OpenRocksDbStore({.path = dir_.string()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    Reopen();
  }

  SearchOptions Options() const {
    SearchOptions o;
    o.segment_docs = GetParam().segment_docs;
    o.merge_fan_in = GetParam().merge_fan_in;
    return o;
  }

  // A new index over the same store, as after a restart (clean or not: nothing is flushed).
  void Reopen() {
    index_.reset();
    auto index = SearchIndex::Open(*store_, Options());
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = *std::move(index);
  }

  // See the definition.
  void ReadsBlocksWrittenBefore(size_t skip_every, BlockLayout layout, const std::string& format);

  void Write(const storage::WriteBatch& batch) {
    ASSERT_TRUE(store_->Write(batch, storage::Durability::kBuffered).ok());
    index_->Commit();
    if (settle_) Settle(*index_, *store_);
  }
  void TearDown() override {
    index_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  IndexedMessage& Post(uint64_t channel, uint64_t author, int64_t time_us, std::string text) {
    IndexedMessage m;
    m.channel = channel;
    m.seq = ++seqs_[channel];
    m.author = author;
    m.time_us = time_us;
    m.text = std::move(text);
    if (channel == kDm) {
      m.is_direct = true;
      m.direct_members = {kAlice, kBob};
    }
    storage::WriteBatch batch;
    index_->IndexMessage(nullptr, &m, &batch);
    Write(batch);
    auto& slot = messages_[{channel, m.seq}];
    slot = std::move(m);
    return slot;
  }

  void Update(IndexedMessage& m, IndexedMessage next) {
    storage::WriteBatch batch;
    index_->IndexMessage(&m, &next, &batch);
    Write(batch);
    m = std::move(next);
  }

  void Delete(const IndexedMessage& m) {
    storage::WriteBatch batch;
    index_->IndexMessage(&m, nullptr, &batch);
    Write(batch);
  }

  absl::StatusOr<SearchResults> Run(std::string text, SearchSort sort = SearchSort::kRelevance,
                                    std::vector<uint64_t> scope = {kGeneral, kRandom, kDm},
                                    absl::TimeZone tz = absl::UTCTimeZone(), std::string token = "",
                                    int page_size = 20) {
    SearchQuery q;
    q.text = std::move(text);
    q.sort = sort;
    q.time_zone = tz;
    q.page_token = std::move(token);
    q.page_size = page_size;
    q.resolve = [](std::string_view name) -> absl::StatusOr<uint64_t> {
      static const std::map<std::string, uint64_t, std::less<>> kNames = {
          {"@alice", kAlice},     {"@bob", kBob},       {"@carol", kCarol},
          {"#general", kGeneral}, {"#random", kRandom}, {"#secret", kSecret}};
      auto it = kNames.find(name);
      if (it == kNames.end()) return absl::NotFoundError("no such name");
      return it->second;
    };
    return index_->Search(q, AccessScope{std::move(scope)});
  }

  // (channel, seq) of each hit, in order.
  std::vector<std::pair<uint64_t, uint64_t>> Ids(std::string text,
                                                 SearchSort sort = SearchSort::kRelevance,
                                                 std::vector<uint64_t> scope = {kGeneral, kRandom,
                                                                                kDm},
                                                 absl::TimeZone tz = absl::UTCTimeZone()) {
    auto r = Run(std::move(text), sort, std::move(scope), tz);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::pair<uint64_t, uint64_t>> out;
    if (!r.ok()) return out;
    for (const SearchHit& h : r->hits) out.emplace_back(h.channel, h.seq);
    EXPECT_EQ(r->total_count, out.size());
    return out;
  }

  uint64_t Stat(const std::string& key) {
    auto v = store_->Get(storage::Cf::kSearch, key);
    EXPECT_TRUE(v.ok());
    return v.ok() && v->has_value() ? storage::ReadU64(**v).value_or(0) : 0;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<SearchIndex> index_;
  std::map<uint64_t, uint64_t> seqs_;
  bool settle_ = true;
  std::map<std::pair<uint64_t, uint64_t>, IndexedMessage> messages_;
};

using Id = std::pair<uint64_t, uint64_t>;

TEST_P(SearchIndexTest, AndAndNotWithAFarCommonerTerm) {
  // "alpha" has 30x the matches of "beta": the AND skips through alpha's blocks.
  for (int i = 0; i < 150; ++i) Post(kGeneral, kAlice, Micros(2024, 1, 1) + i, "alpha filler");
  Post(kGeneral, kAlice, Micros(2024, 2, 1), "alpha beta");
  Post(kRandom, kBob, Micros(2024, 2, 2), "beta then alpha");
  Post(kGeneral, kAlice, Micros(2024, 2, 3), "alpha beta again");
  Post(kRandom, kBob, Micros(2024, 2, 4), "beta gamma");
  Post(kSecret, kBob, Micros(2024, 2, 5), "alpha beta secret");  // out of scope
  EXPECT_THAT(Ids("beta alpha", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 152}, Id{kRandom, 1}, Id{kGeneral, 151}));
  EXPECT_THAT(Ids("beta -alpha"), ElementsAre(Id{kRandom, 2}));
  EXPECT_THAT(Ids("\"alpha beta\"", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 152}, Id{kGeneral, 151}));
  // The shorter document ranks first.
  auto r = Run("beta alpha", SearchSort::kRelevance, {kGeneral, kRandom, kDm});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->hits.size(), 3u);
  EXPECT_EQ(Id(r->hits[0].channel, r->hits[0].seq), Id(kGeneral, 151));
  EXPECT_GT(r->hits[0].score, r->hits[2].score);
}

TEST_P(SearchIndexTest, AllWordsMustMatchAndStemmingApplies) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "The deployment failed on staging");
  Post(kGeneral, kBob, Micros(2024, 1, 2), "deploying to production now");
  Post(kGeneral, kBob, Micros(2024, 1, 3), "lunch?");
  EXPECT_THAT(Ids("deployment failed"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("deploy", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("DEPLOYMENTS", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("\"deployment failed\""), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("on"), ElementsAre(Id{kGeneral, 1}));  // two-letter word, no stop words
}

TEST_P(SearchIndexTest, PhraseExclusionOrPrefix) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "the build is red again");
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "red build lights are on");
  Post(kGeneral, kAlice, Micros(2024, 1, 3), "the build is green");
  EXPECT_THAT(Ids("\"build is red\""), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("build -red", SearchSort::kNewest), ElementsAre(Id{kGeneral, 3}));
  EXPECT_THAT(Ids("green OR again", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 3}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("gre*"), ElementsAre(Id{kGeneral, 3}));
  EXPECT_THAT(Ids("ligh*"), ElementsAre(Id{kGeneral, 2}));  // unstemmed prefix of "lights"
  EXPECT_THAT(Ids("zzz*"), IsEmpty());
}

TEST_P(SearchIndexTest, ExactPhraseOutranksScatteredWords) {
  // Same length, same words; only adjacency differs. The scattered one is newer, so a tie
  // would put it first.
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "please rotate the database password today");
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "password for the database will rotate today");
  auto ids = Ids("database password");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], (Id{kGeneral, 1}));
  auto r = Run("database password");
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->hits[0].score, r->hits[1].score)
      << r->hits[0].score << " " << r->hits[1].score << " " << r->hits[1].seq;
}

TEST_P(SearchIndexTest, NewestSortBreaksEqualScoresByTime) {
  Post(kGeneral, kAlice, Micros(2023, 5, 1), "standup notes");
  Post(kRandom, kAlice, Micros(2024, 5, 1), "standup notes");
  Post(kGeneral, kAlice, Micros(2022, 5, 1), "standup notes");
  EXPECT_THAT(Ids("standup", SearchSort::kNewest),
              ElementsAre(Id{kRandom, 1}, Id{kGeneral, 1}, Id{kGeneral, 2}));
  // Equal relevance: newer first as well.
  EXPECT_THAT(Ids("standup notes"), ElementsAre(Id{kRandom, 1}, Id{kGeneral, 1}, Id{kGeneral, 2}));
}

TEST_P(SearchIndexTest, AccessControlHidesResultsCountsAndSnippets) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "quarterly numbers look fine");
  Post(kSecret, kAlice, Micros(2024, 1, 2), "quarterly numbers: layoffs planned");
  Post(kSecret, kBob, Micros(2024, 1, 3), "layoffs layoffs layoffs");
  auto r = Run("quarterly");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_count, 1u);
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].channel, kGeneral);
  EXPECT_THAT(r->hits[0].snippet, ::testing::Not(HasSubstr("layoffs")));
  EXPECT_THAT(Ids("layoffs"), IsEmpty());
  EXPECT_THAT(Ids("in:#secret"), IsEmpty());  // naming the channel does not widen the scope
  EXPECT_THAT(Ids("-foo"), ElementsAre(Id{kGeneral, 1}));
  // With the channel in scope, it is found.
  EXPECT_THAT(Ids("layoffs", SearchSort::kNewest, {kSecret}),
              ElementsAre(Id{kSecret, 2}, Id{kSecret, 1}));
}

TEST_P(SearchIndexTest, EditAndDeleteUpdateResults) {
  IndexedMessage& m = Post(kGeneral, kAlice, Micros(2024, 1, 1), "meet at noon");
  Post(kGeneral, kBob, Micros(2024, 1, 2), "noon works");
  EXPECT_THAT(Ids("noon", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  IndexedMessage edited = m;
  edited.text = "meet at three";
  Update(m, edited);
  EXPECT_THAT(Ids("noon"), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("three"), ElementsAre(Id{kGeneral, 1}));
  // A version edited or deleted after its segment was flushed counts in the document frequency
  // until a merge drops it (here, with two segments merged into one and the edit in a third,
  // none does); in memory it is gone at once.
  const uint64_t flushed_dead = GetParam().segment_docs == 1 ? 1 : 0;
  EXPECT_EQ(index_->DocumentFrequency("noon"), 1u + flushed_dead);
  EXPECT_EQ(Stat(DocCountKey()), 2u);
  Delete(m);
  EXPECT_THAT(Ids("three"), IsEmpty());
  EXPECT_THAT(Ids("meet"), IsEmpty());
  EXPECT_EQ(index_->DocumentFrequency("three"), flushed_dead);
  EXPECT_EQ(Stat(DocCountKey()), 1u);
  EXPECT_EQ(Stat(TotalLengthKey()), 2u);
}

TEST_P(SearchIndexTest, FlagChangesUpdateFilters) {
  IndexedMessage& m = Post(kGeneral, kAlice, Micros(2024, 1, 1), "ship it");
  EXPECT_THAT(Ids("is:pinned"), IsEmpty());
  IndexedMessage next = m;
  next.pinned = true;
  next.has_reaction = true;
  Update(m, next);
  EXPECT_THAT(Ids("is:pinned ship"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("has:reaction"), ElementsAre(Id{kGeneral, 1}));
  next.pinned = false;
  Update(m, next);
  EXPECT_THAT(Ids("is:pinned"), IsEmpty());
}

TEST_P(SearchIndexTest, StatisticsSurviveGroupedBatches) {
  // Two messages indexed before either batch is written (group commit) must both count.
  IndexedMessage a = Message(kGeneral, 1, Micros(2024, 1, 1), "alpha beta");
  IndexedMessage b = Message(kGeneral, 2, Micros(2024, 1, 2), "alpha gamma delta");
  storage::WriteBatch batch_a, batch_b;
  index_->IndexMessage(nullptr, &a, &batch_a);
  index_->IndexMessage(nullptr, &b, &batch_b);
  ASSERT_TRUE(store_->Write(batch_a, storage::Durability::kBuffered).ok());
  ASSERT_TRUE(store_->Write(batch_b, storage::Durability::kBuffered).ok());
  index_->Commit();
  EXPECT_EQ(index_->DocumentFrequency("alpha"), 2u);
  EXPECT_EQ(Stat(DocCountKey()), 2u);
  EXPECT_EQ(Stat(TotalLengthKey()), 5u);
  EXPECT_THAT(Ids("alpha", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  // A fresh index over the same store continues from the stored values.
  Reopen();
  Post(kGeneral, kAlice, Micros(2024, 1, 3), "alpha");
  EXPECT_EQ(index_->DocumentFrequency("alpha"), 3u);
  EXPECT_EQ(Stat(DocCountKey()), 3u);
}

TEST_P(SearchIndexTest, AnAbandonedBatchLeavesNoTrace) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "alpha");
  IndexedMessage a = Message(kRandom, 1, Micros(2024, 1, 2), "alpha beta");
  storage::WriteBatch dropped;
  index_->IndexMessage(nullptr, &a, &dropped);  // never written
  // Not visible before its batch is committed...
  EXPECT_THAT(Ids("alpha"), ElementsAre(Id{kGeneral, 1}));
  index_->Abandon();
  // ...nor after it is abandoned, also not in the statistics.
  EXPECT_THAT(Ids("alpha"), ElementsAre(Id{kGeneral, 1}));
  Post(kGeneral, kAlice, Micros(2024, 1, 3), "alpha");
  EXPECT_THAT(Ids("alpha", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("beta"), IsEmpty());
  EXPECT_EQ(index_->DocumentFrequency("alpha"), 2u);
  EXPECT_EQ(index_->DocumentFrequency("beta"), 0u);
  EXPECT_EQ(Stat(DocCountKey()), 2u);
}

TEST_P(SearchIndexTest, StatisticsAreExactOrLagByAtMostOneSixtyFourth) {
  // "common" is in every message, "rare" in the first 40 only. Document frequencies are exact
  // at every step (stored for flushed messages, counted in memory for the rest); the document
  // count may lag by value/64 above 64, which saves a write per message.
  constexpr int kMessages = 600;
  uint64_t written = 0;
  for (int i = 1; i <= kMessages; ++i) {
    IndexedMessage m = Message(kGeneral, static_cast<uint64_t>(i), Micros(2024, 1, 1) + i,
                               i <= 40 ? "common rare" : "common");
    storage::WriteBatch batch;
    index_->IndexMessage(nullptr, &m, &batch);
    const uint64_t keys = batch.size();
    Write(batch);
    ASSERT_EQ(index_->DocumentFrequency("rare"), static_cast<uint64_t>(std::min(i, 40)));
    ASSERT_EQ(index_->DocumentFrequency("common"), static_cast<uint64_t>(i));
    const uint64_t docs = Stat(DocCountKey());
    ASSERT_LE(docs, static_cast<uint64_t>(i));
    ASSERT_GE(docs, static_cast<uint64_t>(i) - static_cast<uint64_t>(i) / 64) << i;
    written += keys;
  }
  // Per message: the document and the log entry, and now and then a statistic (64 + about
  // 64 * ln(n / 64) writes each; writing both every time would be 4 keys per message). With a
  // flush per message, each message also writes its blocks.
  if (GetParam().segment_docs > kMessages) {
    EXPECT_LT(written, kMessages * 3u);
  }
  auto all = Run("rare", SearchSort::kNewest, {kGeneral});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->total_count, 40u);
  storage::WriteBatch flush;
  index_->FlushStats(&flush);
  ASSERT_TRUE(store_->Write(flush, storage::Durability::kBuffered).ok());
  EXPECT_EQ(Stat(DocCountKey()), static_cast<uint64_t>(kMessages));
  EXPECT_EQ(Stat(TotalLengthKey()), kMessages + 40u);
  Reopen();  // the memory segment's counts are rebuilt from the log
  EXPECT_EQ(index_->DocumentFrequency("common"), static_cast<uint64_t>(kMessages));
  EXPECT_EQ(index_->DocumentFrequency("rare"), 40u);
}

TEST_P(SearchIndexTest, AnalyzerIsRecordedAndAChangeIsRefused) {
  SearchOptions english;
  ASSERT_TRUE(SearchIndex::CheckAnalyzer(*store_, english).ok());
  ASSERT_TRUE(SearchIndex::CheckAnalyzer(*store_, english).ok());  // same again: fine
  SearchOptions none;
  none.stemming = false;
  absl::Status changed = SearchIndex::CheckAnalyzer(*store_, none);
  EXPECT_EQ(changed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.message(), HasSubstr("stemming_language = \"english\""));
  EXPECT_THAT(changed.message(), HasSubstr("stemming = false"));
  SearchOptions german;
  german.stemming_language = "german";
  EXPECT_EQ(SearchIndex::CheckAnalyzer(*store_, german).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(SearchIndexTest, PeopleChannelAndKindFilters) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "see https://example.com/report");
  Post(kRandom, kBob, Micros(2024, 1, 2), "report attached");
  Post(kDm, kBob, Micros(2024, 1, 3), "private report");
  IndexedMessage& t = Post(kGeneral, kCarol, Micros(2024, 1, 4), "report in thread");
  IndexedMessage threaded = t;
  threaded.in_thread = true;
  Update(t, threaded);
  EXPECT_THAT(Ids("report from:@bob", SearchSort::kNewest),
              ElementsAre(Id{kDm, 1}, Id{kRandom, 1}));
  EXPECT_THAT(Ids("report -from:@bob", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("report in:#random"), ElementsAre(Id{kRandom, 1}));
  EXPECT_THAT(Ids("report in:#random OR in:#general", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 2}, Id{kRandom, 1}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("report -in:#general", SearchSort::kNewest),
              ElementsAre(Id{kDm, 1}, Id{kRandom, 1}));
  EXPECT_THAT(Ids("with:@alice"), ElementsAre(Id{kDm, 1}));
  EXPECT_THAT(Ids("has:link"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("is:thread"), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("from:@alice OR from:@carol", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
}

TEST_P(SearchIndexTest, DatesUseTheSearchersTimeZone) {
  // 2024-03-10 23:30 UTC is still the 10th in New York and already the 11th in Tokyo.
  Post(kGeneral, kAlice, Micros(2024, 3, 10, 23, 30), "late note");
  Post(kGeneral, kAlice, Micros(2024, 2, 1), "early note");
  absl::TimeZone ny, tokyo;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tokyo", &tokyo));
  auto r = SearchSort::kNewest;
  std::vector<uint64_t> all = {kGeneral};
  EXPECT_THAT(Ids("note on:2024-03-10", r, all, ny), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("note on:2024-03-10", r, all, tokyo), IsEmpty());
  EXPECT_THAT(Ids("note on:2024-03-11", r, all, tokyo), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("note during:2024-03", r, all, ny), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("note before:2024-03", r, all, ny), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("note after:2024-02-01", r, all, ny), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("after:2024-01-31 before:2024-02-02", r, all, ny), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("during:2024", r, all, ny), ElementsAre(Id{kGeneral, 1}, Id{kGeneral, 2}));
}

TEST_P(SearchIndexTest, AnyLanguageCodeAndEmoji) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "我们明天去北京天安门");
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "東京タワーに行きました");
  Post(kGeneral, kAlice, Micros(2024, 1, 3), "ship it 🚀");
  Post(kGeneral, kAlice, Micros(2024, 1, 4), "bump to v1.2.3 in src/search/query_parser.cc");
  Post(kGeneral, kAlice, Micros(2024, 1, 5), "docs at https://wiki.example.org/Search_Help");
  EXPECT_THAT(Ids("北京"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("天安门"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("京", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("北门"), IsEmpty());  // not adjacent
  EXPECT_THAT(Ids("タワー"), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("東京"), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("🚀"), ElementsAre(Id{kGeneral, 3}));
  EXPECT_THAT(Ids("v1.2.3"), ElementsAre(Id{kGeneral, 4}));
  EXPECT_THAT(Ids("v1.2.4"), IsEmpty());
  EXPECT_THAT(Ids("query_parser.cc"), ElementsAre(Id{kGeneral, 4}));
  EXPECT_THAT(Ids("src/search/query_parser.cc"), ElementsAre(Id{kGeneral, 4}));
  EXPECT_THAT(Ids("parser"), ElementsAre(Id{kGeneral, 4}));
  EXPECT_THAT(Ids("https://wiki.example.org/search_help"), ElementsAre(Id{kGeneral, 5}));
  EXPECT_THAT(Ids("wiki.example.org"), ElementsAre(Id{kGeneral, 5}));
  EXPECT_THAT(Ids("help"), ElementsAre(Id{kGeneral, 5}));
  EXPECT_THAT(Ids("https://wiki.exa*"), ElementsAre(Id{kGeneral, 5}));
}

TEST_P(SearchIndexTest, SnippetHighlightsAreByteRangesOfMatches) {
  std::string filler(300, 'x');
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "Zürich office: " + filler + " the Deploys went fine");
  auto r = Run("deploy");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  const SearchHit& h = r->hits[0];
  EXPECT_LE(h.snippet.size(), 220u);
  ASSERT_EQ(h.highlights.size(), 1u);
  EXPECT_EQ(h.snippet.substr(h.highlights[0].begin, h.highlights[0].end - h.highlights[0].begin),
            "Deploys");
  EXPECT_EQ(h.author, kAlice);
  EXPECT_EQ(h.time_us, Micros(2024, 1, 1));
}

TEST_P(SearchIndexTest, PaginationAndTotalCount) {
  for (int i = 0; i < 7; ++i) Post(kGeneral, kAlice, Micros(2024, 1, 1 + i), "weekly sync");
  std::vector<uint64_t> seen;
  std::string token;
  for (int page = 0; page < 4; ++page) {
    auto r = Run("sync", SearchSort::kNewest, {kGeneral}, absl::UTCTimeZone(), token, 3);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->total_count, 7u);
    for (const auto& h : r->hits) seen.push_back(h.seq);
    token = r->next_page_token;
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{7, 6, 5, 4, 3, 2, 1}));
  auto bad = Run("sync", SearchSort::kNewest, {kGeneral}, absl::UTCTimeZone(), "3.deadbeef", 3);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(SearchIndexTest, QueryErrorsAreInvalidArgumentWithPosition) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "hello");
  auto r = Run("hello from:@nobody");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("at byte 11: unknown user '@nobody'"));
  r = Run("hello in:#nowhere");
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("at byte 9: unknown channel '#nowhere'"));
  r = Run("\"hello");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = Run("!!! ???");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = Run("!!! ???", SearchSort::kRelevance, {});  // even with nothing readable
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  auto empty = Run("hello", SearchSort::kRelevance, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->total_count, 0u);
}

TEST_P(SearchIndexTest, UnknownStemmingLanguageFailsValidation) {
  SearchOptions o;
  o.stemming_language = "klingon";
  EXPECT_EQ(SearchIndex::Validate(o).code(), absl::StatusCode::kInvalidArgument);
  o.stemming = false;
  EXPECT_TRUE(SearchIndex::Validate(o).ok());
}

TEST_P(SearchIndexTest, EverythingSurvivesARestartWithoutAFlush) {
  IndexedMessage& a = Post(kGeneral, kAlice, Micros(2024, 1, 1), "restart alpha");
  Post(kRandom, kBob, Micros(2024, 1, 2), "restart beta");
  IndexedMessage& c = Post(kGeneral, kCarol, Micros(2024, 1, 3), "restart gamma");
  IndexedMessage edited = a;
  edited.text = "restart delta";
  Update(a, edited);
  Delete(c);
  Reopen();  // the memory segment is rebuilt from the log and the document records
  EXPECT_THAT(Ids("restart", SearchSort::kNewest), ElementsAre(Id{kRandom, 1}, Id{kGeneral, 1}));
  EXPECT_THAT(Ids("alpha"), IsEmpty());
  EXPECT_THAT(Ids("delta"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_THAT(Ids("gamma"), IsEmpty());
  // And indexing goes on where it stopped.
  Post(kGeneral, kAlice, Micros(2024, 1, 4), "restart epsilon");
  Reopen();
  EXPECT_THAT(Ids("restart", SearchSort::kNewest),
              ElementsAre(Id{kGeneral, 3}, Id{kRandom, 1}, Id{kGeneral, 1}));
}

// A random mix of posts, edits and deletes against a plain model of the same messages, with
// restarts in between: the index must always answer exactly what the model says.
TEST_P(SearchIndexTest, AgreesWithAModelThroughEditsDeletesAndRestarts) {
  // Flushes and merges install whenever the merge thread is done: every interleaving of
  // frozen, flushed and merged segments must give the model's answers.
  settle_ = false;
  const std::vector<std::string> words = {"ant", "bee", "cat", "dog", "eel", "fox"};
  std::mt19937 rng(20261124);
  std::map<Id, IndexedMessage> model;
  auto check = [&](int step) {
    for (const std::string& w : words) {
      std::vector<Id> expected;
      for (const auto& [id, m] : model) {
        if ((" " + m.text + " ").find(" " + w + " ") != std::string::npos) expected.push_back(id);
      }
      auto r = Run(w, SearchSort::kNewest, {kGeneral, kRandom}, absl::UTCTimeZone(), "", 100);
      ASSERT_TRUE(r.ok()) << r.status();
      std::vector<Id> got;
      for (const SearchHit& h : r->hits) got.emplace_back(h.channel, h.seq);
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, expected) << "word " << w << " at step " << step;
      ASSERT_EQ(r->total_count, expected.size());
    }
    auto both =
        Run("ant bee", SearchSort::kNewest, {kGeneral, kRandom}, absl::UTCTimeZone(), "", 100);
    ASSERT_TRUE(both.ok());
    uint64_t n = 0;
    for (const auto& [id, m] : model) {
      const std::string t = " " + m.text + " ";
      n += t.find(" ant ") != std::string::npos && t.find(" bee ") != std::string::npos;
    }
    ASSERT_EQ(both->total_count, n) << "ant bee at step " << step;
    // Phrases, a repeated word among them, checked on the positions of every segment.
    for (const std::string phrase : {"ant bee", "ant ant", "bee ant bee"}) {
      auto r = Run("\"" + phrase + "\"", SearchSort::kNewest, {kGeneral, kRandom},
                   absl::UTCTimeZone(), "", 100);
      ASSERT_TRUE(r.ok()) << r.status();
      std::vector<Id> expected, got;
      for (const auto& [id, m] : model) {
        if ((" " + m.text + " ").find(" " + phrase + " ") != std::string::npos) {
          expected.push_back(id);
        }
      }
      for (const SearchHit& h : r->hits) got.emplace_back(h.channel, h.seq);
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, expected) << phrase << " at step " << step;
      ASSERT_EQ(r->total_count, expected.size());
    }
  };
  for (int step = 0; step < 300; ++step) {
    const int action = static_cast<int>(rng() % 10);
    if (action < 6 || model.empty()) {
      const uint64_t channel = rng() % 2 == 0 ? kGeneral : kRandom;
      std::string text;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
        text += (i > 0 ? " " : "") + words[rng() % words.size()];
      }
      IndexedMessage& m = Post(channel, kAlice, Micros(2024, 1, 1) + step, text);
      model[{m.channel, m.seq}] = m;
    } else {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng() % model.size()));
      IndexedMessage& stored = messages_[it->first];
      if (action < 9) {
        IndexedMessage next = stored;
        next.text = words[rng() % words.size()] + " " + words[rng() % words.size()];
        Update(stored, next);
        it->second = stored;
      } else {
        Delete(stored);
        model.erase(it);
      }
    }
    if (step % 37 == 36) Reopen();
    if (step % 10 == 9) check(step);
  }
  check(300);
}

TEST_P(SearchIndexTest, ScopesAndDateRangesMatchAModel) {
  // Channels 20..27, messages over ten days. A scope of consecutive channels is checked by its
  // ends, any other by search: both must skip exactly what they exclude, with date ranges too.
  const std::vector<std::string> words = {"ant", "bee", "cat"};
  std::mt19937 rng(20261125);
  std::vector<IndexedMessage> posted;
  for (int i = 0; i < 150; ++i) {  // no search finds more than a page of 100
    const uint64_t channel = 20 + rng() % 8;
    const int day = 1 + static_cast<int>(rng() % 10);
    std::string text;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      text += (k > 0 ? " " : "") + words[rng() % words.size()];
    }
    posted.push_back(
        Post(channel, kAlice, Micros(2024, 5, day, static_cast<int>(rng() % 24)), text));
  }
  const std::vector<std::vector<uint64_t>> scopes = {
      {20, 21, 22, 23, 24, 25, 26, 27}, {22, 23, 24}, {21, 23, 24, 27}, {25}, {19, 20, 21, 28}};
  const std::vector<std::pair<std::string, std::pair<int, int>>> ranges = {
      {"", {1, 11}},
      {" after:2024-05-03", {4, 11}},
      {" before:2024-05-06", {1, 6}},
      {" after:2024-05-02 before:2024-05-09", {3, 9}},
      {" on:2024-05-07", {7, 8}}};
  for (const std::string query : {"ant", "ant bee", "\"bee cat\""}) {
    for (const auto& scope : scopes) {
      for (const auto& [range, days] : ranges) {
        std::vector<Id> expected;
        for (const IndexedMessage& m : posted) {
          const std::string text = " " + m.text + " ";
          const bool match = query == "ant"       ? text.find(" ant ") != std::string::npos
                             : query == "ant bee" ? text.find(" ant ") != std::string::npos &&
                                                        text.find(" bee ") != std::string::npos
                                                  : text.find(" bee cat ") != std::string::npos;
          const bool in_scope = std::find(scope.begin(), scope.end(), m.channel) != scope.end();
          const bool in_range = m.time_us >= Micros(2024, 5, days.first, 0) &&
                                m.time_us < Micros(2024, 5, days.second, 0);
          if (match && in_scope && in_range) expected.emplace_back(m.channel, m.seq);
        }
        auto r = Run(query + range, SearchSort::kNewest, scope, absl::UTCTimeZone(), "", 100);
        ASSERT_TRUE(r.ok()) << r.status();
        std::vector<Id> got;
        for (const SearchHit& h : r->hits) got.emplace_back(h.channel, h.seq);
        std::sort(got.begin(), got.end());
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(got, expected) << query << range << " in " << scope.front() << ".."
                                 << scope.back();
        EXPECT_EQ(r->total_count, expected.size()) << query << range;
      }
    }
  }
}

TEST_P(SearchIndexTest, OneWordSearchesCountWhatTheySkipExactly) {
  // The older messages are longer, so that by score as by time a small page fills from the
  // newest segments and the older ones are counted from their summaries. "common" is in all
  // three channels, "solo" only in kRandom; one message in five has neither.
  const uint64_t channels[] = {kGeneral, kRandom, kDm};
  std::vector<IndexedMessage*> posted;
  std::map<Id, std::string> live;
  for (int i = 0; i < 36; ++i) {
    const uint64_t channel = channels[i % 3];
    std::string text = i % 5 == 4 ? "other words" : "common";
    if (i < 24) text += " padding padding padding padding";
    if (channel == kRandom) text += " solo";
    IndexedMessage& m = Post(channel, kAlice, Micros(2024, 1, 1) + i * 60'000'000LL, text);
    posted.push_back(&m);
    live[{m.channel, m.seq}] = text;
  }
  auto remove = [&](int i) {
    Delete(*posted[i]);
    live.erase({posted[i]->channel, posted[i]->seq});
  };
  auto edit = [&](int i, std::string text) {
    IndexedMessage next = *posted[i];
    next.text = text;
    Update(*posted[i], next);  // a newer segment, an old time
    live[{next.channel, next.seq}] = text;
  };
  // Dead documents in the older segments: with the word, without it (4: "other words"), and
  // edited into a newer segment with the word or without it.
  remove(3);
  remove(4);
  edit(6, "changed");
  edit(7, "common common solo");
  auto check = [&] {
    const std::vector<std::vector<uint64_t>> scopes = {
        {kGeneral, kRandom, kDm}, {kGeneral}, {kGeneral, kRandom}, {kGeneral, kDm}, {kRandom}};
    for (const std::string word : {"common", "solo"}) {
      for (const std::vector<uint64_t>& scope : scopes) {
        uint64_t expected = 0;
        for (const auto& [id, text] : live) {
          expected += std::count(scope.begin(), scope.end(), id.first) > 0 &&
                      (" " + text + " ").find(" " + word + " ") != std::string::npos;
        }
        for (SearchSort sort : {SearchSort::kNewest, SearchSort::kRelevance}) {
          for (int page_size : {1, 4}) {
            ExpectOneWordAgreesWithWalk(*index_, word, sort, scope, page_size, expected);
          }
        }
      }
    }
  };
  check();
  // Summaries now cached; a document dies in a segment they describe.
  remove(9);
  check();
}

TEST_P(SearchIndexTest, ScoresFollowTheStatisticsAsTheyChange) {
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "rare word here");
  IndexedMessage& m = Post(kGeneral, kAlice, Micros(2024, 1, 2), "rare again");
  Post(kRandom, kBob, Micros(2024, 1, 3), "something else entirely");
  auto before = Run("rare");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->hits.size(), 2u);
  // Searches keep what they read of the statistics; an edit changes them.
  IndexedMessage next = m;
  next.text = "no longer";
  Update(m, next);
  auto after = Run("rare");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->hits.size(), 1u);
  EXPECT_GT(after->hits[0].score, before->hits[1].score);  // the word became rarer
  Reopen();  // nothing kept: everything read from the store
  auto fresh = Run("rare");
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->hits.size(), 1u);
  EXPECT_DOUBLE_EQ(after->hits[0].score, fresh->hits[0].score);
}

TEST_P(SearchIndexTest, OpenDeletesBlocksOfSegmentsThatWereNeverInstalled) {
  // As if a merge wrote its blocks and the process died before its record was committed.
  storage::WriteBatch orphan;
  std::string key = BlockPrefix(999, "ghost");
  AppendDocKey(&key, DocKey{kGeneral, TimeToKey(Micros(2024, 1, 1)), 1});
  orphan.Put(kBlocksCf, key, "garbage");
  ASSERT_TRUE(store_->Write(orphan, storage::Durability::kBuffered).ok());
  Reopen();
  auto v = store_->Get(kBlocksCf, key);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "ghost");
  EXPECT_THAT(Ids("ghost"), ElementsAre(Id{kGeneral, 1}));
}

TEST_P(SearchIndexTest, AFormatTwoIndexHasItsBlocksMovedAtOpen) {
  for (uint64_t i = 1; i <= 20; ++i) {
    Post(kGeneral, kAlice, Micros(2024, 1, 1) + static_cast<int64_t>(i), "zebra words");
  }
  index_.reset();
  // Format 2 kept the blocks in the search column family: put them back there.
  storage::WriteBatch back;
  auto it = store_->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  size_t blocks = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (IsTermSummaryKey(it->key())) continue;  // format 2 had none
    back.Put(storage::Cf::kSearch, it->key(), it->value());
    ++blocks;
  }
  back.DeleteRange(kBlocksCf, "b", "c");
  back.Put(storage::Cf::kSearch, FormatKey(), "2");
  back.Put(storage::Cf::kSearch, "fmoved", std::string(8, '\0'));  // a stored frequency
  ASSERT_TRUE(store_->Write(back, storage::Durability::kSync).ok());
  Reopen();
  EXPECT_EQ(Ids("zebra").size(), 20u);
  auto format = store_->Get(storage::Cf::kSearch, FormatKey());
  ASSERT_TRUE(format.ok() && format->has_value());
  EXPECT_EQ(**format, "4");
  auto old = store_->NewIterator(storage::Cf::kSearch, TagBounds(kBlockTag));
  old->SeekToFirst();
  EXPECT_FALSE(old->Valid());
  EXPECT_EQ(store_->Get(storage::Cf::kSearch, "fmoved").value(), std::nullopt);
  size_t now = 0, summaries = 0;
  auto moved = store_->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  for (moved->SeekToFirst(); moved->Valid(); moved->Next()) {
    (IsTermSummaryKey(moved->key()) ? summaries : now)++;
  }
  // Every term of every segment got its summary back: the frequencies and one-word counts
  // agree with what was posted.
  EXPECT_EQ(summaries > 0, now > 0);
  EXPECT_EQ(index_->DocumentFrequency("zebra"), 20u);
  auto newest = Run("zebra", SearchSort::kNewest, {kGeneral}, absl::UTCTimeZone(), "", 5);
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->total_count, 20u);
  ASSERT_EQ(newest->hits.size(), 5u);
  EXPECT_EQ(newest->hits[0].seq, 20u);
  // Blocks of merged-away segments are deleted at open as well, so fewer may remain.
  EXPECT_LE(now, blocks);
  if (GetParam().segment_docs == 1) {
    EXPECT_GT(now, 0u);
  }
}

// Posts 300 messages, rewrites every block of the index in `layout` with skip entries every
// `skip_every` postings (as an earlier version wrote them), marks the index `format`, and
// checks that phrases and ANDs, which seek within blocks, still count right.
void SearchIndexTest::ReadsBlocksWrittenBefore(size_t skip_every, BlockLayout layout,
                                               const std::string& format) {
  for (uint64_t i = 1; i <= 300; ++i) {
    std::string text = i % 3 == 0 ? "deploy the fix" : "fix the deploy";
    if (i % 37 == 0) text += " rarely";  // a sparse leader: the other words' cursors skip
    Post(kGeneral, kAlice, Micros(2024, 1, 1) + static_cast<int64_t>(i), text);
  }
  index_.reset();
  storage::WriteBatch old;
  auto it = store_->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  size_t rewritten = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (IsTermSummaryKey(it->key())) continue;
    BlockDecoder dec;
    ASSERT_TRUE(dec.Reset(it->value()));
    EXPECT_EQ(dec.layout(), BlockLayout::kSkipTable);
    PostingList list;
    while (dec.Next()) {
      list.postings.push_back(Posting{dec.doc(), dec.doc_length(), dec.tf(),
                                      static_cast<uint32_t>(list.positions.size()),
                                      static_cast<uint32_t>(dec.positions().size())});
      list.positions.append(dec.positions());
    }
    ASSERT_TRUE(dec.ok());
    std::string value;
    EncodeBlock(list, 0, list.postings.size(), &value, skip_every, layout);
    rewritten += value != it->value();
    old.Put(kBlocksCf, it->key(), value);
  }
  if (GetParam().segment_docs < 300) {
    EXPECT_GT(rewritten, 0u);
  }
  old.Put(storage::Cf::kSearch, FormatKey(), format);
  ASSERT_TRUE(store_->Write(old, storage::Durability::kSync).ok());
  Reopen();
  auto stored = store_->Get(storage::Cf::kSearch, FormatKey());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, "4");
  for (const auto& [text, want] : {std::pair<std::string, uint64_t>{"\"deploy the fix\"", 100},
                                   {"\"fix the deploy\"", 200},
                                   {"fix deploy", 300},
                                   {"rarely fix", 8},
                                   {"\"fix the deploy rarely\"", 6}}) {
    auto r = Run(text);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->total_count, want) << text;
  }
}

TEST_P(SearchIndexTest, AFormatThreeIndexIsReadAsItIs) {
  // Format 3 wrote skip entries every 32 postings, without their byte length.
  ReadsBlocksWrittenBefore(32, BlockLayout::kTimeDeltas, "3");
}

TEST_P(SearchIndexTest, BlocksWithTimeDeltasAreReadAsTheyAre) {
  // Format 4 before time offsets: skip entries every 16 postings, times as varint deltas.
  ReadsBlocksWrittenBefore(16, BlockLayout::kTimeDeltas, "4");
}

TEST_P(SearchIndexTest, BlocksWithVarintSkipEntriesAreReadAsTheyAre) {
  // Format 4 before the skip table: times as offsets, skip entries as varints.
  ReadsBlocksWrittenBefore(16, BlockLayout::kTimeOffsets, "4");
}

TEST_P(SearchIndexTest, AnIndexFromThePreReleaseFormatIsRefused) {
  index_.reset();
  auto dir = dir_.string() + "_old";
  std::filesystem::remove_all(dir);
  auto store = storage::OpenRocksDbStore({.path = dir});
  ASSERT_TRUE(store.ok());
  storage::WriteBatch old;
  old.Put(storage::Cf::kSearch, std::string("pword") + '\0' + std::string(24, '\1'), "");
  ASSERT_TRUE((*store)->Write(old, storage::Durability::kBuffered).ok());
  auto index = SearchIndex::Open(**store, Options());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(index.status().message(), HasSubstr("pre-release"));
  store->reset();
  std::filesystem::remove_all(dir);
}

// A store and an index with small segments, in a directory of their own, for tests that pick
// their own layout.
struct Scratch {
  Scratch(const std::string& name, size_t segment_docs, size_t merge_fan_in)
      : dir(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    auto opened = storage::OpenRocksDbStore({.path = dir.string()});
    EXPECT_TRUE(opened.ok()) << opened.status();
    store = *std::move(opened);
    options.segment_docs = segment_docs;
    options.merge_fan_in = merge_fan_in;
    Reopen();
  }
  void Reopen() {
    index.reset();
    auto i = SearchIndex::Open(*store, options);
    EXPECT_TRUE(i.ok()) << i.status();
    index = *std::move(i);
  }
  ~Scratch() {
    index.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  SearchOptions options;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<SearchIndex> index;
};

TEST(SearchIndexLayoutTest, FlushesAndMergesKeepFewSegmentsAndDeleteMergedBlocks) {
  Scratch scratch("search_index_layout", 4, 2);
  auto* index = &scratch.index;
  auto* store = &scratch.store;
  auto post = [&](uint64_t i) {
    IndexedMessage m = Message(kGeneral, i, Micros(2024, 1, 1) + static_cast<int64_t>(i),
                               "word" + std::to_string(i % 3));
    storage::WriteBatch batch;
    (*index)->IndexMessage(nullptr, &m, &batch);
    ASSERT_TRUE((*store)->Write(batch, storage::Durability::kBuffered).ok());
    (*index)->Commit();
  };
  // Only the live segments' blocks stay stored: the distinct segment ids under 'b'.
  auto stored_segments = [&] {
    std::set<uint64_t> ids;
    storage::IteratorOptions opts;
    opts.lower_bound = "b";
    opts.upper_bound = "c";
    auto it = (*store)->NewIterator(kBlocksCf, opts);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ids.insert(*storage::ReadU64(it->key().substr(1)));
    }
    return ids.size();
  };
  for (uint64_t i = 1; i <= 64; ++i) {
    post(i);
    Settle(**index, **store);  // one flush of exactly 4 messages each time
  }
  // 16 flushes of 4, merged pairwise on the merge thread: in the end one segment of level 4.
  Settle(**index, **store);
  EXPECT_EQ((*index)->segment_count(), 1u);
  EXPECT_EQ((*index)->memory_docs(), 0u);
  post(65);
  post(66);
  EXPECT_EQ((*index)->segment_count(), 1u);
  EXPECT_EQ((*index)->memory_docs(), 2u);
  // No search holds the merged-away segments: their blocks are deleted, by dropping their table
  // files. Nothing, not even a range deletion, went through kBlocksCf's memtable, where it would
  // have stayed in every later seek's path.
  EXPECT_EQ(stored_segments(), 1u);
  EXPECT_EQ((*store)->Property(kBlocksCf, "rocksdb.num-entries-active-mem-table"), "0");
  EXPECT_EQ((*store)->Property(kBlocksCf, "rocksdb.num-entries-imm-mem-tables"), "0");
  EXPECT_EQ((*store)->Property(kBlocksCf, "rocksdb.num-files-at-level0"), "0");
  SearchQuery q;
  q.text = "word1";
  q.page_size = 100;
  auto r = (*index)->Search(q, AccessScope{{kGeneral}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total_count, 22u);  // 1, 4, ..., 64 (65 % 3 == 2, 66 % 3 == 0)
}

TEST(SearchIndexBlocksTest, OneWordQueriesSkippingBlocksAgreeWithTheFullWalk) {
  // Several segments, with blocks of kBlockPostings postings of "common".
  Scratch scratch("search_index_blocks", 300, 2);
  auto* index = &scratch.index;
  auto* store = &scratch.store;
  std::mt19937 rng(7);
  std::vector<IndexedMessage> posted;
  auto write = [&](const IndexedMessage* before, const IndexedMessage* after) {
    storage::WriteBatch batch;
    (*index)->IndexMessage(before, after, &batch);
    ASSERT_TRUE((*store)->Write(batch, storage::Durability::kBuffered).ok());
    (*index)->Commit();
    Settle(**index, **store);
  };
  for (uint64_t i = 1; i <= 2000; ++i) {
    const uint64_t channel = 1 + rng() % 3;
    IndexedMessage m =
        Message(channel, i, Micros(2024, 1, 1) + static_cast<int64_t>(i) * 1000, "common");
    // Repeats (in channel 1 only) and lengths vary, so blocks' best scores differ.
    if (channel == 1) {
      for (int r = static_cast<int>(rng() % 3); r > 0; --r) m.text += " common";
    }
    for (int r = static_cast<int>(rng() % 6); r > 0; --r) m.text += " filler";
    write(nullptr, &m);
    posted.push_back(m);
  }
  // Edits and deletions leave dead documents in flushed segments.
  for (int k = 0; k < 20; ++k) {  // few, so that some blocks hold none
    IndexedMessage& m = posted[rng() % posted.size()];
    if (m.text.empty()) continue;
    if (k % 3 == 0) {
      write(&m, nullptr);
      m.text.clear();
    } else {
      IndexedMessage next = m;
      next.text = k % 2 ? "common common common" : "other";
      write(&m, &next);
      m = next;
    }
  }
  ASSERT_GT((*index)->segment_count(), 1u);
  uint64_t live = 0;
  for (const IndexedMessage& m : posted) live += m.text.find("common") != std::string::npos;
  // "common" over channels 1-3 is counted and skipped by block.
  for (SearchSort sort : {SearchSort::kRelevance, SearchSort::kNewest}) {
    for (int page_size : {1, 50}) {
      ExpectOneWordAgreesWithWalk(**index, "common", sort, {1, 2, 3}, page_size, live);
    }
  }
}

// A query, and which of the posted messages it matches.
struct ModelCase {
  std::string text;
  std::function<bool(const IndexedMessage&)> matches;
};

// Pages through every case, newest first, in every scope, and expects exactly the posted
// messages that the case matches there: in the count and in the hits.
void ExpectCasesMatchModel(SearchIndex& index, const std::vector<IndexedMessage>& posted,
                           const std::vector<ModelCase>& cases,
                           const std::vector<std::vector<uint64_t>>& scopes,
                           const std::string& label) {
  for (const ModelCase& c : cases) {
    for (const std::vector<uint64_t>& scope : scopes) {
      std::vector<std::pair<uint64_t, uint64_t>> want;
      for (const IndexedMessage& m : posted) {
        if (c.matches(m) && std::count(scope.begin(), scope.end(), m.channel) > 0) {
          want.emplace_back(m.channel, m.seq);
        }
      }
      std::sort(want.begin(), want.end());
      std::vector<std::pair<uint64_t, uint64_t>> got;
      SearchQuery q;
      q.text = c.text;
      q.sort = SearchSort::kNewest;
      q.page_size = 100;
      do {
        auto r = index.Search(q, AccessScope{scope});
        ASSERT_TRUE(r.ok()) << r.status();
        EXPECT_EQ(r->total_count, want.size()) << c.text << ", " << label;
        for (const SearchHit& h : r->hits) got.emplace_back(h.channel, h.seq);
        q.page_token = r->next_page_token;
      } while (!q.page_token.empty());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want) << c.text << ", " << label;
    }
  }
}

TEST(SearchIndexBlocksTest, AWordsOnlyBlockInASegmentIsReadFromTheCacheAlike) {
  // Segments of 200 messages, never merged: "alpha" and "beta" have one block of 200 postings
  // in each, without a summary, over 1 KiB (times an hour apart take five bytes a posting),
  // and longer than the blocks of segments written before summaries, so that it takes a look
  // past it to know it is the only one. Searches keep it in memory and seek within it, for
  // phrases and ANDs, from their first search on.
  Scratch scratch("search_index_one_block", 200, 64);
  std::vector<IndexedMessage> posted;
  for (uint64_t i = 1; i <= 600; ++i) {
    const char* text = i % 3 == 0 ? "alpha beta filler" : (i % 3 == 1 ? "beta alpha" : "alpha");
    const int64_t hours = static_cast<int64_t>(i) * 3'600'000'000;
    IndexedMessage m = Message(1 + i % 4, i, Micros(2024, 1, 1) + hours, text);
    storage::WriteBatch batch;
    scratch.index->IndexMessage(nullptr, &m, &batch);
    ASSERT_TRUE(scratch.store->Write(batch, storage::Durability::kBuffered).ok());
    scratch.index->Commit();
    Settle(*scratch.index, *scratch.store);
    posted.push_back(m);
  }
  ASSERT_EQ(scratch.index->segment_count(), 3u);
  size_t large_single_blocks = 0;
  auto it = scratch.store->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (BlockKeyTerm(it->key()) != "alpha") continue;
    ASSERT_FALSE(IsTermSummaryKey(it->key()));
    EXPECT_GT(it->value().size(), 1024u);
    EXPECT_LE(it->value().size(), SegmentTerm::kMaxBlockBytes);
    ++large_single_blocks;
  }
  EXPECT_EQ(large_single_blocks, 3u);  // one a segment: no summary, so a single block
  const std::vector<ModelCase> cases = {
      {"alpha", [](const IndexedMessage&) { return true; }},
      {"\"alpha beta\"", [](const IndexedMessage& m) { return m.seq % 3 == 0; }},
      {"\"beta alpha\"", [](const IndexedMessage& m) { return m.seq % 3 == 1; }},
      {"beta alpha", [](const IndexedMessage& m) { return m.seq % 3 != 2; }},
      {"alpha -beta", [](const IndexedMessage& m) { return m.seq % 3 == 2; }},
  };
  const std::vector<std::vector<uint64_t>> scopes = {{1, 2, 3, 4}, {2, 3}, {1, 4}};
  for (int round = 0; round < 2; ++round) {  // the first search fills the cache
    ExpectCasesMatchModel(*scratch.index, posted, cases, scopes, "round " + std::to_string(round));
  }
}

TEST(SearchIndexBlocksTest, AWordsBlocksInASegmentAreReadWholeAndKept) {
  // One segment of 2,000 messages over four channels: "common" has eight blocks there, few
  // enough to be read whole and kept at the first seek in them (following "often", in a tenth
  // of the messages, or "rare"), and "rare" is a sparse leader whose followers hop over
  // several blocks at a time, onto the first and the last posting of a block. Once the blocks
  // are kept, searches seek in memory: with the blocks gone from the store, they find the
  // same.
  Scratch scratch("search_index_whole_term", 2000, 64);
  std::vector<IndexedMessage> posted;
  for (uint64_t i = 1; i <= 2000; ++i) {
    const char* text = i % 10 == 0 ? "other filler" : "common filler";
    if (i % 10 == 5) text = "often common filler";
    posted.push_back(Message(1 + i % 4, i, Micros(2024, 1, 1) + static_cast<int64_t>(i), text));
  }
  std::vector<IndexedMessage*> common;  // in DocKey order, as the word's postings
  for (IndexedMessage& m : posted) {
    if (m.text.find("common") != std::string::npos) common.push_back(&m);
  }
  std::sort(common.begin(), common.end(), [](const IndexedMessage* a, const IndexedMessage* b) {
    return std::tie(a->channel, a->time_us, a->seq) < std::tie(b->channel, b->time_us, b->seq);
  });
  for (size_t rank : {255, 256, 1279, 1280, 1791}) common[rank]->text = "rare common";
  for (size_t rank : {700, 1500}) common[rank]->text = "common rare";
  storage::WriteBatch batch;
  for (IndexedMessage& m : posted) scratch.index->IndexMessage(nullptr, &m, &batch);
  ASSERT_TRUE(scratch.store->Write(batch, storage::Durability::kBuffered).ok());
  scratch.index->Commit();
  Settle(*scratch.index, *scratch.store);
  ASSERT_EQ(scratch.index->segment_count(), 1u);
  storage::WriteBatch drop;
  size_t blocks = 0;
  auto it = scratch.store->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (BlockKeyTerm(it->key()) != "common") continue;
    drop.Delete(kBlocksCf, it->key());
    blocks += !IsTermSummaryKey(it->key());
  }
  ASSERT_GE(blocks, 7u);
  ASSERT_LE(blocks * kBlockPostings, SegmentTerm::kMaxListPostings);
  auto has = [](const IndexedMessage& m, const std::string& text) {
    return m.text.find(text) != std::string::npos;
  };
  const std::vector<ModelCase> cases = {
      {"often common", [&](const IndexedMessage& m) { return has(m, "often"); }},
      {"\"often common\"", [&](const IndexedMessage& m) { return has(m, "often common"); }},
      {"\"rare common\"", [&](const IndexedMessage& m) { return has(m, "rare common"); }},
      {"\"common rare\"", [&](const IndexedMessage& m) { return has(m, "common rare"); }},
      {"rare common", [&](const IndexedMessage& m) { return has(m, "rare"); }},
      {"common -rare",
       [&](const IndexedMessage& m) { return has(m, "common") && !has(m, "rare"); }},
      {"common filler", [&](const IndexedMessage& m) { return has(m, "common filler"); }},
  };
  const std::vector<std::vector<uint64_t>> scopes = {{1, 2, 3, 4}, {2, 3}, {1, 4}, {3}};
  ExpectCasesMatchModel(*scratch.index, posted, cases, scopes, "reading the store");
  ASSERT_TRUE(scratch.store->Write(drop, storage::Durability::kBuffered).ok());
  ExpectCasesMatchModel(*scratch.index, posted, cases, scopes, "from memory");
}

TEST(SearchIndexBlocksTest, APrefixOfManyWordsIsTheUnionOfTheirPostings) {
  // Forty words start with "pre", as frequent as Zipf's law makes them, in three segments and
  // the memory segment; a message often holds two or three of them. A prefix of more than four
  // words merges their postings in each segment (ListCursor), from runs of very different
  // lengths, and must count each message once.
  Scratch scratch("search_index_prefix_union", 500, 64);
  const std::string letters = "bcdfgkmnpt";
  std::vector<std::string> words;
  for (char a : letters.substr(0, 4)) {
    for (char b : letters) words.push_back(std::string("pre") + a + b);
  }
  std::vector<double> weights;
  for (size_t k = 0; k < words.size(); ++k) weights.push_back(1.0 / static_cast<double>(k + 1));
  std::mt19937 rng(20261124);
  std::discrete_distribution<size_t> zipf(weights.begin(), weights.end());
  std::vector<IndexedMessage> posted;
  for (uint64_t i = 1; i <= 1700; ++i) {
    std::string text = rng() % 4 == 0 ? "other" : "filler";
    for (int k = 0, n = static_cast<int>(rng() % 4); k < n; ++k) text += " " + words[zipf(rng)];
    IndexedMessage m =
        Message(1 + rng() % 5, i, Micros(2024, 1, 1) + static_cast<int64_t>(i), text);
    storage::WriteBatch batch;
    scratch.index->IndexMessage(nullptr, &m, &batch);
    ASSERT_TRUE(scratch.store->Write(batch, storage::Durability::kBuffered).ok());
    scratch.index->Commit();
    Settle(*scratch.index, *scratch.store);  // each flush of 500 installed before more come
    posted.push_back(m);
  }
  ASSERT_EQ(scratch.index->segment_count(), 3u);
  auto has = [](const IndexedMessage& m, const std::string& text) {
    return (" " + m.text).find(" " + text) != std::string::npos;
  };
  const std::vector<ModelCase> cases = {
      {"pre*", [&](const IndexedMessage& m) { return has(m, "pre"); }},
      {"preb*", [&](const IndexedMessage& m) { return has(m, "preb"); }},
      {"other pre*", [&](const IndexedMessage& m) { return has(m, "other") && has(m, "pre"); }},
      {"other -pred*", [&](const IndexedMessage& m) { return has(m, "other") && !has(m, "pred"); }},
  };
  const std::vector<std::vector<uint64_t>> scopes = {{1, 2, 3, 4, 5}, {2, 4}, {3}};
  for (int round = 0; round < 2; ++round) {  // the second takes the first's buffers
    ExpectCasesMatchModel(*scratch.index, posted, cases, scopes, "round " + std::to_string(round));
  }
  // Ranked, a message's score is the sum of its words' scores: three messages alone in a
  // channel, as long as each other, hold two words, one of them or the other.
  const std::vector<IndexedMessage> ranked = {
      Message(9, 5000, Micros(2024, 2, 1), "filler " + words[39] + " " + words[38]),
      Message(9, 5001, Micros(2024, 2, 2), "filler " + words[39] + " filler"),
      Message(9, 5002, Micros(2024, 2, 3), "filler filler " + words[38])};
  storage::WriteBatch batch;
  for (IndexedMessage m : ranked) scratch.index->IndexMessage(nullptr, &m, &batch);
  ASSERT_TRUE(scratch.store->Write(batch, storage::Durability::kBuffered).ok());
  scratch.index->Commit();
  SearchQuery q;
  q.text = "pre*";
  auto r = scratch.index->Search(q, AccessScope{{9}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->hits.size(), 3u);
  std::map<uint64_t, double> score;
  for (const SearchHit& h : r->hits) score[h.seq] = h.score;
  EXPECT_EQ(r->hits[0].seq, 5000u);
  EXPECT_NEAR(score[5000], score[5001] + score[5002], 1e-9);
}

TEST(SearchIndexBlocksTest, SummariesCountLargeSegmentsAroundTheirDeadDocuments) {
  // Segments of 600 merged two at a time: one of 2,400 messages, 10% of them without the
  // word, under 200 in memory; the old ones are long, so that neither order takes any.
  Scratch scratch("search_index_summaries", 600, 2);
  std::vector<IndexedMessage> posted;
  auto write = [&](const IndexedMessage* before, const IndexedMessage* after) {
    storage::WriteBatch batch;
    scratch.index->IndexMessage(before, after, &batch);
    ASSERT_TRUE(scratch.store->Write(batch, storage::Durability::kBuffered).ok());
    scratch.index->Commit();
    Settle(*scratch.index, *scratch.store);  // segments of exactly 600, whatever the timing
  };
  for (uint64_t i = 1; i <= 2600; ++i) {
    std::string text = i % 10 == 0 ? "other" : "common";
    if (i <= 2400) text += " filler filler filler";
    IndexedMessage m = Message(1 + i % 3, i, Micros(2024, 1, 1) + static_cast<int64_t>(i), text);
    write(nullptr, &m);
    posted.push_back(m);
  }
  ASSERT_EQ(scratch.index->segment_count(), 1u);
  std::vector<bool> alive(posted.size(), true);
  auto remove = [&](size_t i) {
    write(&posted[i], nullptr);
    alive[i] = false;
  };
  auto check = [&] {
    // The word's channels, 1-3, wholly in scope or not, contiguous or not.
    const std::vector<std::vector<uint64_t>> scopes = {{1, 2, 3}, {1, 2, 3, 4}, {1, 2}, {1, 3}};
    for (const std::vector<uint64_t>& scope : scopes) {
      uint64_t expected = 0;
      for (size_t i = 0; i < posted.size(); ++i) {
        expected += alive[i] && posted[i].text.find("common") != std::string::npos &&
                    std::count(scope.begin(), scope.end(), posted[i].channel) > 0;
      }
      for (SearchSort sort : {SearchSort::kRelevance, SearchSort::kNewest}) {
        ExpectOneWordAgreesWithWalk(*scratch.index, "common", sort, scope, 5, expected);
      }
    }
  };
  check();
  // Dead documents in the large segment, looked up one by one: one with the word, one
  // without (its channel is in the word's range, but it is not among the word's postings).
  remove(100);  // 101: "common"
  remove(99);   // 100: "other"
  check();
  // A segment written before summaries: its blocks are read (where a single one would pass
  // for a summary).
  storage::WriteBatch drop;
  auto it = scratch.store->NewIterator(kBlocksCf, TagBounds(kBlockTag));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (IsTermSummaryKey(it->key())) drop.Delete(kBlocksCf, it->key());
  }
  ASSERT_FALSE(drop.empty());
  ASSERT_TRUE(scratch.store->Write(drop, storage::Durability::kBuffered).ok());
  scratch.Reopen();
  check();
  for (size_t i = 200; i < 260; i += 2) remove(i);
  check();
}

INSTANTIATE_TEST_SUITE_P(Layouts, SearchIndexTest,
                         ::testing::Values(Layout{"InMemory", 8192, 8},
                                           Layout{"SegmentPerMessage", 1, 2}),
                         [](const ::testing::TestParamInfo<Layout>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace meridian::search
