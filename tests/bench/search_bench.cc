// Search benchmark: indexes a reproducible synthetic corpus with Meridian's SearchIndex (through
// the storage layer, in batches, as the server does), SQLite FTS5 and Xapian, then times the
// same query classes on all three. Not a test; see RESULTS.md for figures and the command.
//
//   search_bench [--messages N] [--queries N] [--dir PATH] [--no-stemming] [--check]
//                [--only-meridian] [--reuse] [--settle-merges] [--only KIND,...] [--per-query]
//                [--match TEXT] [--against PATH]
//
// --check compares Meridian's total hit counts with FTS5's and exits 1 on any difference (use
// with --no-stemming, since FTS5's unicode61 does not stem). --only-meridian skips the baselines
// (for profiling; their columns and the ratios are then 0). --reuse (with --dir) opens the
// indexes a previous run with the same --messages and --no-stemming left in PATH instead of
// building them again (no indexing figures for them; delete one engine's files to index it
// again); --settle-merges lets each of Meridian's merges finish before indexing goes on, so that
// every run ends with the same segments (for comparing two builds' query times; its indexing
// figures are not the server's); --only times just the named query classes
// (rare, mid, common, newest, and, phrase, prefix, channel); --per-query also prints each
// query's median time in the timed runs per engine, and Meridian's total; --match keeps only the
// queries whose text contains TEXT, or one of TEXT's '|'-separated parts (for profiling a few
// queries); --against opens a second Meridian index, which a run of another build left in PATH
// (its --dir, or that dir's "meridian"), and times it in turns with this run's in place of the
// baselines: an A/B comparison of two builds' or layouts' query times on one machine in one
// process.
//
// The engines are timed in turns, a round of a class's query set each, with the order rotating
// from round to round, so that a machine's drift during the run does not move the ratios.
#include <sqlite3.h>
#include <sys/resource.h>
#include <time.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "search_corpus.h"
#include "server/search/search_index.h"
#include "storage/kv_store.h"

namespace meridian::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Args {
  size_t messages = 1'000'000;
  size_t queries = 200;  // timed runs per class
  std::string dir;
  bool stemming = true;
  bool check = false;
  bool only_meridian = false;
  bool reuse = false;
  bool settle_merges = false;
  bool per_query = false;
  std::string against;  // a second Meridian index to time against this run's
  std::string match;    // only the queries whose FTS5 text contains one of its '|'-separated parts
  std::vector<std::string> only;  // query classes to time; empty: all
};

enum class Kind { kRare, kMid, kCommon, kCommonNewest, kAnd, kPhrase, kPrefix, kChannel };
constexpr Kind kKinds[] = {Kind::kRare, Kind::kMid,    Kind::kCommon, Kind::kCommonNewest,
                           Kind::kAnd,  Kind::kPhrase, Kind::kPrefix, Kind::kChannel};
// Each query class: its --only name and its row title.
struct KindInfo {
  Kind kind;
  const char* flag;
  const char* name;
};
constexpr KindInfo kKindInfo[] = {
    {Kind::kRare, "rare", "rare term, top-50 by relevance"},
    {Kind::kMid, "mid", "mid-frequency term, top-50 by relevance"},
    {Kind::kCommon, "common", "common term (~25%), top-50 by relevance"},
    {Kind::kCommonNewest, "newest", "common term (~25%), newest 50"},
    {Kind::kAnd, "and", "AND of two terms (mid + common), top-50"},
    {Kind::kPhrase, "phrase", "two-word phrase, top-50"},
    {Kind::kPrefix, "prefix", "prefix (3 letters), top-50"},
    {Kind::kChannel, "channel", "mid term + one channel, top-50"},
};
const KindInfo& Info(Kind k) {
  return *std::find_if(std::begin(kKindInfo), std::end(kKindInfo),
                       [&](const KindInfo& i) { return i.kind == k; });
}
const char* KindFlag(Kind k) { return Info(k).flag; }
const char* KindName(Kind k) { return Info(k).name; }

struct Query {
  Kind kind;
  std::vector<std::string> words;  // the prefix for kPrefix (without '*')
  uint64_t channel = 0;
};

// One engine under test. Run returns the number of hits it reports in total (an estimate for
// Xapian) so that work cannot be optimised away.
// CPU seconds used by the whole process (all threads, RocksDB's background ones included) and
// by the calling thread. Unlike wall time they hardly move when other work shares the cores.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  virtual void Index(const Corpus& corpus) = 0;
  // Opens what Index left on disk (for --reuse).
  virtual void Open(const Corpus& corpus) = 0;
  // Where Index writes: --reuse indexes again only the engines whose path is gone.
  virtual std::filesystem::path path() const = 0;
  virtual uint64_t DiskBytes() = 0;
  virtual uint64_t Run(const Query& q) = 0;
};

uint64_t DirBytes(const std::filesystem::path& p) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

class MeridianEngine final : public Engine {
 public:
  MeridianEngine(std::filesystem::path dir, bool stemming, bool settle_merges,
                 std::string name = "Meridian")
      : dir_(std::move(dir)),
        stemming_(stemming),
        settle_merges_(settle_merges),
        name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::filesystem::path path() const override { return dir_; }

  void Open(const Corpus& corpus) override {
    OpenStore();
    OpenIndex();
    ReadEveryChannel(corpus);
  }

  // Searches run as a user who reads every channel of the corpus.
  void ReadEveryChannel(const Corpus& corpus) {
    scope_.clear();
    for (uint64_t c = 1; c <= corpus.options().channels; ++c) scope_.push_back(c);
  }

  void OpenStore() {
    auto store = storage::OpenRocksDbStore({.path = dir_.string()});
    if (!store.ok()) {
      std::fprintf(stderr, "open: %s\n", std::string(store.status().message()).c_str());
      std::exit(2);
    }
    store_ = *std::move(store);
    search::SearchOptions o;
    o.stemming = stemming_;
    options_ = o;
  }

  void Index(const Corpus& corpus) override {
    OpenStore();
    OpenIndex();
    // The messages of a group share one batch, written like the server's group commit.
    constexpr size_t kGroup = 256;
    storage::WriteBatch group;
    const auto& msgs = corpus.messages();
    Clock::duration analyze{}, write{};
    double analyze_cpu = 0, write_cpu = 0;
    // Sequences count per channel, as meridiand assigns them (the baselines number the
    // corpus as a whole: their own document ids).
    std::vector<uint64_t> last_seq(corpus.options().channels + 1, 0);
    for (size_t first = 0; first < msgs.size(); first += kGroup) {
      // Timed per group: two clock reads per message would cost more than a tenth of the work.
      auto t0 = Clock::now();
      const double c0 = ThreadCpuSeconds();
      for (size_t i = first; i < std::min(msgs.size(), first + kGroup); ++i) {
        search::IndexedMessage m;
        m.channel = msgs[i].channel;
        m.seq = ++last_seq[m.channel];
        m.author = msgs[i].author;
        m.time_us = msgs[i].time_us;
        m.text = msgs[i].text;
        index_->IndexMessage(nullptr, &m, &group);
      }
      auto t1 = Clock::now();
      const double c1 = ThreadCpuSeconds();
      analyze += t1 - t0;
      analyze_cpu += c1 - c0;
      absl::Status st = store_->Write(group, storage::Durability::kBuffered);
      write += Clock::now() - t1;
      write_cpu += ThreadCpuSeconds() - c1;
      if (!st.ok()) {
        std::fprintf(stderr, "write: %s\n", std::string(st.message()).c_str());
        std::exit(2);
      }
      index_->Commit();
      group.Clear();
      while (settle_merges_ && index_->merging()) {
        index_->WaitForMerges();
        index_->Maintain(&group);
        (void)store_->Write(group, storage::Durability::kBuffered);
        index_->Commit();
        group.Clear();
      }
    }
    // Merges run on the index's own thread; indexing is done when they are.
    auto m0 = Clock::now();
    do {
      index_->WaitForMerges();
      group.Clear();
      index_->Maintain(&group);
      (void)store_->Write(group, storage::Durability::kBuffered);
      index_->Commit();
    } while (index_->merging());
    group.Clear();
    index_->Maintain(&group);    // deletes the blocks the last merge replaced
    index_->FlushStats(&group);  // as meridiand does on a clean stop
    (void)store_->Write(group, storage::Durability::kBuffered);
    index_->Commit();
    const double settle = Seconds(Clock::now() - m0);
    // Everything on disk, as after FTS5's 'optimize' (counted in its time). Merged-away blocks
    // are dropped with their table files as soon as no search reads them, so no compaction is
    // needed for them; what RocksDB has not compacted yet (overwritten statistics, deleted log
    // entries) is counted in the size.
    auto f0 = Clock::now();
    (void)store_->Flush();
    std::printf(
        "  meridian: IndexMessage %.1fs (%.1f CPU s), Write %.1fs (%.1f CPU s), last merges "
        "%.1fs, Flush %.1fs, %zu segments\n",
        Seconds(analyze), analyze_cpu, Seconds(write), write_cpu, settle,
        Seconds(Clock::now() - f0), index_->segment_count());
    ReadEveryChannel(corpus);
    // A restart: the memory segment is rebuilt from the log and the document records.
    auto r0 = Clock::now();
    index_.reset();
    OpenIndex();
    std::printf("  meridian: reopened in %.1f ms, replaying %zu messages into memory\n",
                Seconds(Clock::now() - r0) * 1e3, index_->memory_docs());
  }

  void OpenIndex() {
    auto index = search::SearchIndex::Open(*store_, options_);
    if (!index.ok()) {
      std::fprintf(stderr, "open index: %s\n", std::string(index.status().message()).c_str());
      std::exit(2);
    }
    index_ = *std::move(index);
  }

  uint64_t DiskBytes() override {
    return store_->ApproximateSize(storage::Cf::kSearch) +
           store_->ApproximateSize(storage::Cf::kSearchBlocks);
  }

  uint64_t Run(const Query& q) override {
    search::SearchQuery sq;
    sq.page_size = 50;
    sq.snippets = snippets_;
    sq.documents = snippets_;  // without snippets: ids only, like the baselines' queries
    switch (q.kind) {
      case Kind::kAnd:
        sq.text = q.words[0] + " " + q.words[1];
        break;
      case Kind::kPhrase:
        sq.text = "\"" + q.words[0] + " " + q.words[1] + "\"";
        break;
      case Kind::kPrefix:
        sq.text = q.words[0] + "*";
        break;
      case Kind::kChannel:
        sq.text = q.words[0] + " in:#c" + std::to_string(q.channel);
        break;
      default:
        sq.text = q.words[0];
    }
    if (q.kind == Kind::kCommonNewest) sq.sort = search::SearchSort::kNewest;
    sq.resolve = [](std::string_view name) -> absl::StatusOr<uint64_t> {
      return std::stoull(std::string(name.substr(2)));
    };
    auto r = index_->Search(sq, search::AccessScope{scope_});
    if (!r.ok()) {
      std::fprintf(stderr, "search '%s': %s\n", sq.text.c_str(),
                   std::string(r.status().message()).c_str());
      std::exit(2);
    }
    return r->total_count;
  }

  void set_snippets(bool on) { snippets_ = on; }

 private:
  std::filesystem::path dir_;
  bool stemming_;
  bool settle_merges_;  // see --settle-merges
  std::string name_;
  bool snippets_ = false;
  std::unique_ptr<storage::KvStore> store_;
  search::SearchOptions options_;
  std::unique_ptr<search::SearchIndex> index_;
  std::vector<uint64_t> scope_;
};

class Fts5Engine final : public Engine {
 public:
  explicit Fts5Engine(std::filesystem::path file) : file_(std::move(file)) {}
  ~Fts5Engine() override {
    for (auto* s : {top_, newest_, count_}) sqlite3_finalize(s);
    if (db_ != nullptr) sqlite3_close(db_);
  }
  std::string name() const override { return "SQLite FTS5"; }
  std::filesystem::path path() const override { return file_; }

  void Index(const Corpus& corpus) override {
    Check(sqlite3_open(file_.c_str(), &db_));
    Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
    // The channel is an indexed token ("c17") so that a channel filter is an index lookup.
    Exec("CREATE VIRTUAL TABLE m USING fts5(body, ch, tokenize='unicode61', prefix='2 3')");
    sqlite3_stmt* ins = nullptr;
    Check(
        sqlite3_prepare_v2(db_, "INSERT INTO m(rowid, body, ch) VALUES(?,?,?)", -1, &ins, nullptr));
    Exec("BEGIN");
    const auto& msgs = corpus.messages();
    for (size_t i = 0; i < msgs.size(); ++i) {
      std::string ch = "c" + std::to_string(msgs[i].channel);
      sqlite3_bind_int64(ins, 1, static_cast<sqlite3_int64>(i + 1));
      sqlite3_bind_text(ins, 2, msgs[i].text.data(), static_cast<int>(msgs[i].text.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, ch.data(), static_cast<int>(ch.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(ins) != SQLITE_DONE) Check(SQLITE_ERROR);
      sqlite3_reset(ins);
      if ((i + 1) % 10000 == 0) Exec("COMMIT; BEGIN");
    }
    Exec("COMMIT");
    sqlite3_finalize(ins);
    Exec("INSERT INTO m(m) VALUES('optimize')");
    Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    Prepare();
  }

  void Open(const Corpus&) override {
    Check(sqlite3_open(file_.c_str(), &db_));
    Prepare();
  }

  void Prepare() {
    Check(sqlite3_prepare_v2(db_, "SELECT rowid FROM m WHERE m MATCH ?1 ORDER BY rank LIMIT 50", -1,
                             &top_, nullptr));
    Check(sqlite3_prepare_v2(db_,
                             "SELECT rowid FROM m WHERE m MATCH ?1 ORDER BY rowid DESC LIMIT 50",
                             -1, &newest_, nullptr));
    Check(sqlite3_prepare_v2(db_, "SELECT count(*) FROM m WHERE m MATCH ?1", -1, &count_, nullptr));
  }

  uint64_t DiskBytes() override { return std::filesystem::file_size(file_); }

  static std::string MatchText(const Query& q) {
    switch (q.kind) {
      case Kind::kAnd:
        return q.words[0] + " AND " + q.words[1];
      case Kind::kPhrase:
        return "\"" + q.words[0] + " " + q.words[1] + "\"";
      case Kind::kPrefix:
        return q.words[0] + "*";
      case Kind::kChannel:
        return q.words[0] + " AND c" + std::to_string(q.channel);
      default:
        return q.words[0];
    }
  }

  // The top 50 only: FTS5 counts with a second full query, which is not timed (in its favour).
  uint64_t Run(const Query& q) override {
    sqlite3_stmt* s = q.kind == Kind::kCommonNewest ? newest_ : top_;
    return Step(s, MatchText(q), false);
  }

  uint64_t Count(const Query& q) { return Step(count_, MatchText(q), true); }

 private:
  uint64_t Step(sqlite3_stmt* s, const std::string& match, bool count) {
    sqlite3_bind_text(s, 1, match.data(), static_cast<int>(match.size()), SQLITE_TRANSIENT);
    uint64_t n = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
      n = count ? static_cast<uint64_t>(sqlite3_column_int64(s, 0)) : n + 1;
    sqlite3_reset(s);
    return n;
  }
  void Exec(const char* sql) { Check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr)); }
  void Check(int rc) {
    if (rc != SQLITE_OK) {
      std::fprintf(stderr, "sqlite: %s\n", db_ ? sqlite3_errmsg(db_) : "open failed");
      std::exit(2);
    }
  }

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* top_ = nullptr;
  sqlite3_stmt* newest_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
};

class XapianEngine final : public Engine {
 public:
  explicit XapianEngine(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::string name() const override { return "Xapian"; }
  std::filesystem::path path() const override { return dir_; }

  void Index(const Corpus& corpus) override {
    Xapian::WritableDatabase db(dir_.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;  // positional, no stemming
    const auto& msgs = corpus.messages();
    for (size_t i = 0; i < msgs.size(); ++i) {
      Xapian::Document doc;
      tg.set_document(doc);
      tg.index_text(msgs[i].text);
      doc.add_boolean_term("XC" + std::to_string(msgs[i].channel));
      doc.add_value(0, Xapian::sortable_serialise(static_cast<double>(msgs[i].time_us)));
      doc.set_data(msgs[i].text);
      db.add_document(doc);
    }
    db.commit();
    db.close();
    Open(corpus);
  }

  void Open(const Corpus&) override { db_ = std::make_unique<Xapian::Database>(dir_.string()); }

  uint64_t DiskBytes() override { return DirBytes(dir_); }

  // Xapian reports an estimated total (no check_at_least): faster than an exact count.
  uint64_t Run(const Query& q) override {
    Xapian::Enquire enquire(*db_);
    Xapian::Query query;
    switch (q.kind) {
      case Kind::kAnd:
        query = Xapian::Query(Xapian::Query::OP_AND, Xapian::Query(q.words[0]),
                              Xapian::Query(q.words[1]));
        break;
      case Kind::kPhrase: {
        std::vector<Xapian::Query> parts = {Xapian::Query(q.words[0]), Xapian::Query(q.words[1])};
        query = Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), 2);
        break;
      }
      case Kind::kPrefix:
        query = Xapian::Query(Xapian::Query::OP_WILDCARD, q.words[0]);
        break;
      case Kind::kChannel:
        query = Xapian::Query(Xapian::Query::OP_FILTER, Xapian::Query(q.words[0]),
                              Xapian::Query("XC" + std::to_string(q.channel)));
        break;
      default:
        query = Xapian::Query(q.words[0]);
    }
    enquire.set_query(query);
    if (q.kind == Kind::kCommonNewest) enquire.set_sort_by_value(0, true);
    Xapian::MSet mset = enquire.get_mset(0, 50);
    return mset.get_matches_estimated() + mset.size();
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Xapian::Database> db_;
};

std::map<Kind, std::vector<Query>> MakeQueries(const Corpus& corpus) {
  const auto& words = corpus.words();
  const size_t n = corpus.messages().size();
  std::vector<uint32_t> df(words.size());
  {
    std::unordered_map<std::string_view, uint32_t> rank;
    for (size_t r = 0; r < words.size(); ++r) rank[words[r]] = static_cast<uint32_t>(r);
    std::vector<uint32_t> last(words.size(), UINT32_MAX);
    for (size_t i = 0; i < n; ++i) {
      std::string_view t = corpus.messages()[i].text;
      for (size_t b = 0; b < t.size();) {
        size_t e = t.find(' ', b);
        if (e == std::string_view::npos) e = t.size();
        uint32_t r = rank[t.substr(b, e - b)];
        if (last[r] != i) df[r]++, last[r] = static_cast<uint32_t>(i);
        b = e + 1;
      }
    }
  }
  auto pick = [&](double lo, double hi, size_t want) {
    std::vector<std::string> out;
    for (size_t r = 0; r < words.size() && out.size() < want; ++r) {
      if (df[r] >= lo && df[r] <= hi) out.push_back(words[r]);
    }
    return out;
  };
  std::vector<std::string> rare = pick(3, 30, 50);
  std::vector<std::string> mid = pick(0.002 * n, 0.01 * n, 50);
  std::vector<std::string> common = pick(0.20 * n, 0.30 * n, 10);
  if (common.empty()) {  // tiny corpora: the word closest to 25%
    size_t best = 0;
    for (size_t r = 0; r < words.size(); ++r) {
      if (std::abs(static_cast<double>(df[r]) - 0.25 * n) <
          std::abs(static_cast<double>(df[best]) - 0.25 * n))
        best = r;
    }
    common.push_back(words[best]);
  }
  if (rare.empty()) rare.push_back(words.back());
  if (mid.empty()) mid.push_back(words[words.size() / 100]);
  std::map<Kind, std::vector<Query>> q;
  for (const auto& w : rare) q[Kind::kRare].push_back({Kind::kRare, {w}});
  for (const auto& w : mid) q[Kind::kMid].push_back({Kind::kMid, {w}});
  for (const auto& w : common) {
    q[Kind::kCommon].push_back({Kind::kCommon, {w}});
    q[Kind::kCommonNewest].push_back({Kind::kCommonNewest, {w}});
  }
  for (size_t i = 0; i < mid.size(); ++i)
    q[Kind::kAnd].push_back({Kind::kAnd, {mid[i], common[i % common.size()]}});
  for (size_t i = 0; i < mid.size(); ++i) {
    q[Kind::kPrefix].push_back(
        {Kind::kPrefix, {mid[i].substr(0, std::min<size_t>(3, mid[i].size()))}});
    q[Kind::kChannel].push_back(
        {Kind::kChannel, {mid[i]}, 1 + (i * 37) % corpus.options().channels});
  }
  Rng rng(7);
  for (int i = 0; i < 50; ++i) {  // adjacent pairs from real messages, so phrases do match
    const std::string& t = corpus.messages()[rng.Uniform(n)].text;
    size_t sp = t.find(' ');
    if (sp == std::string::npos) continue;
    size_t sp2 = t.find(' ', sp + 1);
    q[Kind::kPhrase].push_back(
        {Kind::kPhrase,
         {t.substr(0, sp),
          t.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1)}});
  }
  return q;
}

struct Latency {
  double p50_ms = 0, p99_ms = 0;
  std::vector<double> per_query_ms;  // each query's median, in the order of the queries
};

Latency Summarize(std::vector<double> ms, std::vector<std::vector<double>> each) {
  std::sort(ms.begin(), ms.end());
  Latency l{ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], {}};
  for (auto& t : each) {
    std::sort(t.begin(), t.end());
    l.per_query_ms.push_back(t.empty() ? 0 : t[t.size() / 2]);
  }
  return l;
}

// Times `runs` queries on each engine. The engines take turns, a round of the whole query set
// each, and the order of their turns rotates from round to round: a machine that slows down
// or speeds up during the measurement moves every engine's figures alike, not the ratios.
std::vector<Latency> Time(const std::vector<Engine*>& engines, const std::vector<Query>& qs,
                          size_t runs) {
  uint64_t sink = 0;
  for (Engine* e : engines) {
    for (const Query& q : qs) sink += e->Run(q);  // warm-up: caches hold what a live server's would
  }
  const size_t n = engines.size();
  std::vector<std::vector<double>> ms(n);
  std::vector<std::vector<std::vector<double>>> each(n,
                                                     std::vector<std::vector<double>>(qs.size()));
  for (size_t done = 0, round = 0; done < runs; done += qs.size(), ++round) {
    const size_t count = std::min(qs.size(), runs - done);
    for (size_t turn = 0; turn < n; ++turn) {
      const size_t e = (round + turn) % n;
      for (size_t i = 0; i < count; ++i) {
        auto t0 = Clock::now();
        sink += engines[e]->Run(qs[i]);
        ms[e].push_back(Seconds(Clock::now() - t0) * 1e3);
        each[e][i].push_back(ms[e].back());
      }
    }
  }
  if (sink == 0xdeadbeef) std::puts("");
  std::vector<Latency> out;
  for (size_t e = 0; e < n; ++e) out.push_back(Summarize(std::move(ms[e]), std::move(each[e])));
  return out;
}

int Main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--messages")
      args.messages = std::stoull(value());
    else if (a == "--queries")
      args.queries = std::stoull(value());
    else if (a == "--dir")
      args.dir = value();
    else if (a == "--no-stemming")
      args.stemming = false;
    else if (a == "--check")
      args.check = true;
    else if (a == "--only-meridian")
      args.only_meridian = true;
    else if (a == "--reuse")
      args.reuse = true;
    else if (a == "--per-query")
      args.per_query = true;
    else if (a == "--settle-merges")
      args.settle_merges = true;
    else if (a == "--match")
      args.match = value();
    else if (a == "--against")
      args.against = value();
    else if (a == "--only") {
      std::string v = value();
      for (size_t b = 0; b <= v.size();) {
        size_t e = std::min(v.find(',', b), v.size());
        std::string k = v.substr(b, e - b);
        if (std::none_of(std::begin(kKinds), std::end(kKinds),
                         [&](Kind kind) { return k == KindFlag(kind); })) {
          std::fprintf(stderr,
                       "--only: unknown query class '%s' (expected rare, mid, common, newest, and, "
                       "phrase, prefix or channel)\n",
                       k.c_str());
          return 2;
        }
        args.only.push_back(k);
        b = e + 1;
      }
    } else {
      std::fprintf(
          stderr,
          "usage: search_bench [--messages N] [--queries N] [--dir PATH] [--no-stemming] "
          "[--check] [--only-meridian] [--reuse] [--settle-merges] [--only KIND,...] [--per-query] "
          "[--match TEXT] [--against PATH]\n");
      return 2;
    }
  }
  const bool own_dir = args.dir.empty();
  if (!args.against.empty()) {
    // Either the index itself or the --dir of the run that left it. Opening anything else would
    // create an empty store there and time it.
    const std::filesystem::path given = args.against;
    if (!std::filesystem::exists(given / "CURRENT") &&
        std::filesystem::exists(given / "meridian" / "CURRENT")) {
      args.against = given / "meridian";
    }
    if (!std::filesystem::exists(std::filesystem::path(args.against) / "CURRENT")) {
      std::fprintf(stderr,
                   "--against: %s holds no Meridian index (no RocksDB CURRENT file in it or in "
                   "its meridian/); expected the --dir of an earlier run, or its meridian/\n",
                   given.c_str());
      return 2;
    }
  }
  if (args.reuse && own_dir) {
    std::fprintf(stderr, "--reuse needs --dir: the directory a previous run indexed into\n");
    return 2;
  }
  std::filesystem::path dir = own_dir ? std::filesystem::temp_directory_path() /
                                            ("search_bench_" + std::to_string(::getpid()))
                                      : std::filesystem::path(args.dir);
  // What the indexes in `dir` were built from; --reuse opens them only when it matches.
  const std::string stamp = "messages " + std::to_string(args.messages) + " stemming " +
                            (args.stemming ? "on" : "off") + "\n";
  const std::filesystem::path stamp_file = dir / "corpus.txt";
  bool reuse = false;
  if (args.reuse) {
    std::string have;
    if (FILE* f = std::fopen(stamp_file.c_str(), "r")) {
      char buf[128];
      size_t n = std::fread(buf, 1, sizeof buf, f);
      std::fclose(f);
      have.assign(buf, n);
    }
    reuse = have == stamp;
    if (!reuse)
      std::printf("--reuse: %s holds no indexes of this corpus; building them\n", dir.c_str());
  }
  if (!reuse) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }

  CorpusOptions co;
  co.messages = args.messages;
  auto t0 = Clock::now();
  Corpus corpus(co);
  auto queries = MakeQueries(corpus);
  if (!args.match.empty()) {
    for (auto& [kind, qs] : queries) {
      std::erase_if(qs, [&](const Query& q) {
        const std::string text = Fts5Engine::MatchText(q);
        for (size_t b = 0; b <= args.match.size();) {
          size_t e = std::min(args.match.find('|', b), args.match.size());
          if (text.find(args.match.substr(b, e - b)) != std::string::npos) return false;
          b = e + 1;
        }
        return true;
      });
    }
  }
  std::printf("corpus: %zu messages, %zu words, %llu channels, %llu users, seed %llu (%.1fs)\n",
              corpus.messages().size(), corpus.words().size(),
              static_cast<unsigned long long>(co.channels),
              static_cast<unsigned long long>(co.users), static_cast<unsigned long long>(co.seed),
              Seconds(Clock::now() - t0));

  auto meridian =
      std::make_unique<MeridianEngine>(dir / "meridian", args.stemming, args.settle_merges);
  auto fts5 = std::make_unique<Fts5Engine>(dir / "fts5.db");
  auto xapian = std::make_unique<XapianEngine>(dir / "xapian");
  std::vector<Engine*> engines = {meridian.get(), fts5.get(), xapian.get()};
  if (args.only_meridian) engines.resize(1);  // for profiling: no baselines, no ratios
  std::unique_ptr<MeridianEngine> against;
  if (!args.against.empty()) {
    against = std::make_unique<MeridianEngine>(args.against, args.stemming, false, "against");
    against->Open(corpus);
    engines.resize(1);
  }
  std::map<std::string, double> rate, cpu_rate;
  std::map<std::string, uint64_t> bytes;
  for (Engine* e : engines) {
    if (reuse && std::filesystem::exists(e->path())) {
      e->Open(corpus);
      bytes[e->name()] = e->DiskBytes();
      continue;
    }
    auto s = Clock::now();
    const double cpu0 = ProcessCpuSeconds();
    e->Index(corpus);
    double secs = Seconds(Clock::now() - s);
    double cpu = ProcessCpuSeconds() - cpu0;
    rate[e->name()] = static_cast<double>(corpus.messages().size()) / secs;
    cpu_rate[e->name()] = static_cast<double>(corpus.messages().size()) / cpu;
    bytes[e->name()] = e->DiskBytes();
    std::printf("indexed %-12s %8.0f msgs/s  (%.1fs, %.1f CPU s)  %7.1f MiB on disk\n",
                e->name().c_str(), rate[e->name()], secs, cpu,
                static_cast<double>(bytes[e->name()]) / (1 << 20));
  }

  if (!reuse && !own_dir && !args.only_meridian) {
    if (FILE* f = std::fopen(stamp_file.c_str(), "w")) {
      std::fputs(stamp.c_str(), f);
      std::fclose(f);
    }
  }

  auto timed = [&](Kind k) {  // --only
    return args.only.empty() ||
           std::find(args.only.begin(), args.only.end(), KindFlag(k)) != args.only.end();
  };
  if (against != nullptr) {
    // In place of the baselines: this run's index against the other, in turns.
    std::printf("\n| query (p50 / p99 ms) | Meridian | against | Meridian / against (p50) |\n");
    std::printf("|---|---|---|---|\n");
    engines.push_back(against.get());
    for (Kind k : kKinds) {
      if (!timed(k)) continue;
      const auto& qs = queries[k];
      if (qs.empty()) continue;
      std::vector<Latency> l = Time(engines, qs, args.queries);
      if (args.per_query) {
        for (size_t i = 0; i < qs.size(); ++i) {
          std::printf("  %-40s %9.3f %9.3f\n", Fts5Engine::MatchText(qs[i]).c_str(),
                      l[0].per_query_ms[i], l[1].per_query_ms[i]);
        }
      }
      std::printf("| %s (%zu queries) | %.3f / %.3f | %.3f / %.3f | %.3f |\n", KindName(k),
                  qs.size(), l[0].p50_ms, l[0].p99_ms, l[1].p50_ms, l[1].p99_ms,
                  l[0].p50_ms / l[1].p50_ms);
    }
    against.reset();
    meridian.reset();
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
  }

  int mismatches = 0;
  if (args.check && !args.only_meridian) {
    for (Kind k : {Kind::kRare, Kind::kMid, Kind::kCommon, Kind::kAnd, Kind::kPhrase, Kind::kPrefix,
                   Kind::kChannel}) {
      for (const Query& q : queries[k]) {
        uint64_t ours = meridian->Run(q), theirs = fts5->Count(q);
        if (ours != theirs) {
          ++mismatches;
          std::printf("MISMATCH %s [%s]: meridian %llu, fts5 %llu\n", KindName(k),
                      Fts5Engine::MatchText(q).c_str(), static_cast<unsigned long long>(ours),
                      static_cast<unsigned long long>(theirs));
        }
      }
    }
    std::printf("check: %d count mismatches against FTS5\n", mismatches);
  }

  std::printf(
      "\n| query (p50 / p99 ms) | Meridian | SQLite FTS5 | Xapian | Meridian / faster baseline "
      "(p50) |\n");
  std::printf("|---|---|---|---|---|\n");
  for (Kind k : kKinds) {
    if (!timed(k)) continue;
    const auto& qs = queries[k];
    if (qs.empty()) continue;
    std::vector<Latency> l = Time(engines, qs, args.queries);
    l.resize(3);
    if (args.per_query) {
      for (size_t i = 0; i < qs.size(); ++i) {
        std::printf("  %-40s", Fts5Engine::MatchText(qs[i]).c_str());
        for (size_t e = 0; e < engines.size(); ++e) std::printf(" %9.3f", l[e].per_query_ms[i]);
        std::printf("  hits %llu\n", static_cast<unsigned long long>(engines[0]->Run(qs[i])));
      }
    }
    double best = std::min(l[1].p50_ms, l[2].p50_ms);
    std::printf("| %s (%zu queries) | %.3f / %.3f | %.3f / %.3f | %.3f / %.3f | %.2f |\n",
                KindName(k), qs.size(), l[0].p50_ms, l[0].p99_ms, l[1].p50_ms, l[1].p99_ms,
                l[2].p50_ms, l[2].p99_ms, l[0].p50_ms / best);
  }
  if (!args.only.empty()) {
    meridian.reset();
    fts5.reset();
    xapian.reset();
    if (own_dir) std::filesystem::remove_all(dir);
    return mismatches == 0 ? 0 : 1;
  }
  meridian->set_snippets(true);
  Latency snip = Time({meridian.get()}, queries[Kind::kCommon], args.queries)[0];
  std::printf("| common term top-50 WITH snippets (Meridian only) | %.3f / %.3f | | | |\n",
              snip.p50_ms, snip.p99_ms);
  if (reuse) std::puts("\nindexes reused: no indexing figures");
  std::printf("\n| indexing | Meridian | SQLite FTS5 | Xapian |\n|---|---|---|---|\n");
  std::printf("| msgs/s | %.0f | %.0f | %.0f |\n", rate["Meridian"], rate["SQLite FTS5"],
              rate["Xapian"]);
  std::printf("| msgs per CPU second (all threads) | %.0f | %.0f | %.0f |\n", cpu_rate["Meridian"],
              cpu_rate["SQLite FTS5"], cpu_rate["Xapian"]);
  std::printf("| MiB on disk | %.1f | %.1f | %.1f |\n", bytes["Meridian"] / 1048576.0,
              bytes["SQLite FTS5"] / 1048576.0, bytes["Xapian"] / 1048576.0);
  std::printf("| size / FTS5 | %.2f | 1.00 | %.2f |\n",
              static_cast<double>(bytes["Meridian"]) / bytes["SQLite FTS5"],
              static_cast<double>(bytes["Xapian"]) / bytes["SQLite FTS5"]);

  meridian.reset();
  fts5.reset();
  xapian.reset();
  if (own_dir) std::filesystem::remove_all(dir);
  return mismatches == 0 ? 0 : 1;
}

}  // namespace
}  // namespace meridian::bench

int main(int argc, char** argv) { return meridian::bench::Main(argc, argv); }
