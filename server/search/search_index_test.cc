#include "server/search/search_index.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/search/index_keys.h"
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

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("search_index_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = storage::OpenRocksDbStore({.path = dir_.string()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    index_ = std::make_unique<SearchIndex>(*store_, SearchOptions{});
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
    EXPECT_TRUE(store_->Write(batch, storage::Durability::kBuffered).ok());
    auto& slot = messages_[{channel, m.seq}];
    slot = std::move(m);
    return slot;
  }

  void Update(IndexedMessage& m, IndexedMessage next) {
    storage::WriteBatch batch;
    index_->IndexMessage(&m, &next, &batch);
    ASSERT_TRUE(store_->Write(batch, storage::Durability::kBuffered).ok());
    m = std::move(next);
  }

  void Delete(const IndexedMessage& m) {
    storage::WriteBatch batch;
    index_->IndexMessage(&m, nullptr, &batch);
    ASSERT_TRUE(store_->Write(batch, storage::Durability::kBuffered).ok());
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
  std::map<std::pair<uint64_t, uint64_t>, IndexedMessage> messages_;
};

using Id = std::pair<uint64_t, uint64_t>;

TEST_F(SearchIndexTest, AndWithAFarCommonerTermProbesAndAgreesWithWalking) {
  // "alpha" has 30x the matches of "beta", so AND and NOT check it by point lookups; the
  // answers must be those of walking both lists.
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
  // Scores come from the probed postings too: the shorter document ranks first.
  auto r = Run("beta alpha", SearchSort::kRelevance, {kGeneral, kRandom, kDm});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->hits.size(), 3u);
  EXPECT_EQ(Id(r->hits[0].channel, r->hits[0].seq), Id(kGeneral, 151));
  EXPECT_GT(r->hits[0].score, r->hits[2].score);
}

TEST_F(SearchIndexTest, AllWordsMustMatchAndStemmingApplies) {
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

TEST_F(SearchIndexTest, PhraseExclusionOrPrefix) {
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

TEST_F(SearchIndexTest, ExactPhraseOutranksScatteredWords) {
  // Same length, same words; only adjacency differs. The scattered one is newer, so a tie
  // would put it first.
  Post(kGeneral, kAlice, Micros(2024, 1, 1), "please rotate the database password today");
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "password for the database will rotate today");
  auto ids = Ids("database password");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], (Id{kGeneral, 1}));
  auto r = Run("database password");
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->hits[0].score, r->hits[1].score);
}

TEST_F(SearchIndexTest, NewestSortBreaksEqualScoresByTime) {
  Post(kGeneral, kAlice, Micros(2023, 5, 1), "standup notes");
  Post(kRandom, kAlice, Micros(2024, 5, 1), "standup notes");
  Post(kGeneral, kAlice, Micros(2022, 5, 1), "standup notes");
  EXPECT_THAT(Ids("standup", SearchSort::kNewest),
              ElementsAre(Id{kRandom, 1}, Id{kGeneral, 1}, Id{kGeneral, 2}));
  // Equal relevance: newer first as well.
  EXPECT_THAT(Ids("standup notes"), ElementsAre(Id{kRandom, 1}, Id{kGeneral, 1}, Id{kGeneral, 2}));
}

TEST_F(SearchIndexTest, AccessControlHidesResultsCountsAndSnippets) {
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

TEST_F(SearchIndexTest, EditAndDeleteUpdateResults) {
  IndexedMessage& m = Post(kGeneral, kAlice, Micros(2024, 1, 1), "meet at noon");
  Post(kGeneral, kBob, Micros(2024, 1, 2), "noon works");
  EXPECT_THAT(Ids("noon", SearchSort::kNewest), ElementsAre(Id{kGeneral, 2}, Id{kGeneral, 1}));
  IndexedMessage edited = m;
  edited.text = "meet at three";
  Update(m, edited);
  EXPECT_THAT(Ids("noon"), ElementsAre(Id{kGeneral, 2}));
  EXPECT_THAT(Ids("three"), ElementsAre(Id{kGeneral, 1}));
  EXPECT_EQ(Stat(DfKey("noon")), 1u);
  EXPECT_EQ(Stat(DocCountKey()), 2u);
  Delete(m);
  EXPECT_THAT(Ids("three"), IsEmpty());
  EXPECT_THAT(Ids("meet"), IsEmpty());
  EXPECT_EQ(Stat(DfKey("three")), 0u);
  EXPECT_EQ(Stat(DocCountKey()), 1u);
  EXPECT_EQ(Stat(TotalLengthKey()), 2u);
}

TEST_F(SearchIndexTest, FlagChangesUpdateFilters) {
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

TEST_F(SearchIndexTest, StatisticsSurviveGroupedBatches) {
  // Two messages indexed before either batch is written (group commit) must both count.
  IndexedMessage a = Message(kGeneral, 1, Micros(2024, 1, 1), "alpha beta");
  IndexedMessage b = Message(kGeneral, 2, Micros(2024, 1, 2), "alpha gamma delta");
  storage::WriteBatch batch_a, batch_b;
  index_->IndexMessage(nullptr, &a, &batch_a);
  index_->IndexMessage(nullptr, &b, &batch_b);
  ASSERT_TRUE(store_->Write(batch_a, storage::Durability::kBuffered).ok());
  ASSERT_TRUE(store_->Write(batch_b, storage::Durability::kBuffered).ok());
  EXPECT_EQ(Stat(DfKey("alpha")), 2u);
  EXPECT_EQ(Stat(DocCountKey()), 2u);
  EXPECT_EQ(Stat(TotalLengthKey()), 5u);
  // A fresh index over the same store continues from the stored values.
  index_ = std::make_unique<SearchIndex>(*store_, SearchOptions{});
  Post(kGeneral, kAlice, Micros(2024, 1, 3), "alpha");
  EXPECT_EQ(Stat(DfKey("alpha")), 3u);
  EXPECT_EQ(Stat(DocCountKey()), 3u);
}

TEST_F(SearchIndexTest, DiscardCachedStatsAfterAFailedWrite) {
  IndexedMessage a = Message(kGeneral, 1, Micros(2024, 1, 1), "alpha");
  storage::WriteBatch dropped;
  index_->IndexMessage(nullptr, &a, &dropped);  // never written
  index_->DiscardCachedStats();
  Post(kGeneral, kAlice, Micros(2024, 1, 2), "alpha");
  EXPECT_EQ(Stat(DfKey("alpha")), 1u);
  EXPECT_EQ(Stat(DocCountKey()), 1u);
}

TEST_F(SearchIndexTest, StoredStatisticsLagByAtMostOneSixtyFourthAndFlushExactly) {
  // "common" is in every message, "rare" in the first 40 only: below 64 a statistic is always
  // stored exactly; above, it may lag by value/64, which saves a write per message.
  uint64_t written = 0;
  for (int i = 1; i <= 3000; ++i) {
    IndexedMessage m = Message(kGeneral, static_cast<uint64_t>(i), Micros(2024, 1, 1) + i,
                               i <= 40 ? "common rare" : "common");
    storage::WriteBatch batch;
    index_->IndexMessage(nullptr, &m, &batch);
    const uint64_t keys = batch.size();
    ASSERT_TRUE(store_->Write(batch, storage::Durability::kBuffered).ok());
    if (i <= 40) {
      ASSERT_EQ(Stat(DfKey("rare")), static_cast<uint64_t>(i));
    }
    const uint64_t stored = Stat(DfKey("common"));
    ASSERT_LE(stored, static_cast<uint64_t>(i));
    ASSERT_GE(stored, static_cast<uint64_t>(i) - static_cast<uint64_t>(i) / 64) << i;
    const uint64_t docs = Stat(DocCountKey());
    ASSERT_GE(docs, static_cast<uint64_t>(i) - static_cast<uint64_t>(i) / 64) << i;
    written += keys;
  }
  // Per message: 3 postings (the word and the two filter terms), the document, and now and
  // then a statistic (about 64 * ln(n / 64) writes each). Writing every statistic every time
  // would be 7 keys per message.
  EXPECT_LT(written, 3000u * 5);
  storage::WriteBatch flush;
  index_->FlushStats(&flush);
  ASSERT_TRUE(store_->Write(flush, storage::Durability::kBuffered).ok());
  EXPECT_EQ(Stat(DfKey("common")), 3000u);
  EXPECT_EQ(Stat(DfKey("rare")), 40u);
  EXPECT_EQ(Stat(DocCountKey()), 3000u);
  EXPECT_EQ(Stat(TotalLengthKey()), 3040u);
}

TEST_F(SearchIndexTest, AnalyzerIsRecordedAndAChangeIsRefused) {
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

TEST_F(SearchIndexTest, PeopleChannelAndKindFilters) {
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

TEST_F(SearchIndexTest, DatesUseTheSearchersTimeZone) {
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

TEST_F(SearchIndexTest, AnyLanguageCodeAndEmoji) {
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

TEST_F(SearchIndexTest, SnippetHighlightsAreByteRangesOfMatches) {
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

TEST_F(SearchIndexTest, PaginationAndTotalCount) {
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

TEST_F(SearchIndexTest, QueryErrorsAreInvalidArgumentWithPosition) {
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

TEST_F(SearchIndexTest, UnknownStemmingLanguageFailsValidation) {
  SearchOptions o;
  o.stemming_language = "klingon";
  EXPECT_EQ(SearchIndex::Validate(o).code(), absl::StatusCode::kInvalidArgument);
  o.stemming = false;
  EXPECT_TRUE(SearchIndex::Validate(o).ok());
}

}  // namespace
}  // namespace meridian::search
