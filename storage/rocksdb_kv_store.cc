// KvStore on RocksDB 7.8.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "storage/kv_store.h"

namespace meridian::storage {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  if (s.IsIOError() && s.subcode() == rocksdb::Status::kNoSpace) {
    return absl::ResourceExhaustedError(msg);
  }
  return absl::InternalError(msg);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Search-index keys of one batch in key order: consecutive skip-list inserts then reuse the
// previous insert's position. Stable, so several ops on one key keep their order; ops on other
// keys commute inside an atomic batch.
std::vector<const WriteBatch::Op*> InsertionOrder(const WriteBatch& batch) {
  std::vector<const WriteBatch::Op*> order;
  order.reserve(batch.size());
  for (const auto& op : batch.ops()) order.push_back(&op);
  std::stable_sort(order.begin(), order.end(),
                   [](const WriteBatch::Op* a, const WriteBatch::Op* b) {
                     // Range deletions first (see WriteBatch::DeleteRange).
                     const bool ar = a->type == WriteBatch::OpType::kDeleteRange;
                     const bool br = b->type == WriteBatch::OpType::kDeleteRange;
                     if (ar != br) return ar;
                     if (a->cf != b->cf) return a->cf < b->cf;
                     return a->cf == Cf::kSearch && a->key < b->key;
                   });
  return order;
}

class RocksDbIterator final : public Iterator {
 public:
  // Bounds are owned here because RocksDB keeps only pointers to them.
  RocksDbIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const IteratorOptions& opts)
      : lower_(opts.lower_bound), upper_(opts.upper_bound) {
    rocksdb::ReadOptions ro;
    ro.fill_cache = opts.fill_cache;
    ro.readahead_size = opts.readahead_bytes;
    if (!lower_.empty()) {
      lower_slice_ = rocksdb::Slice(lower_);
      ro.iterate_lower_bound = &lower_slice_;
    }
    if (!upper_.empty()) {
      upper_slice_ = rocksdb::Slice(upper_);
      ro.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(ro, cf));
  }

  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void SeekForPrev(std::string_view target) override { it_->SeekForPrev(ToSlice(target)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override {
    auto k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    auto v = it_->value();
    return {v.data(), v.size()};
  }
  absl::Status status() const override { return FromRocks(it_->status(), "iterator"); }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Table files are built in <data dir>/ingest/ and moved into the database by ingestion. A file
// left there by a crash was never ingested; OpenRocksDbStore empties the directory.
constexpr char kIngestDir[] = "ingest";

class RocksDbTableWriter final : public TableWriter {
 public:
  RocksDbTableWriter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string path)
      : db_(db),
        cf_(cf),
        path_(std::move(path)),
        writer_(rocksdb::EnvOptions(), db->GetOptions(cf), cf, /*invalidate_page_cache=*/false) {}
  ~RocksDbTableWriter() override {
    if (open_) {
      writer_.Finish().PermitUncheckedError();
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }

  absl::Status Put(std::string_view key, std::string_view value) override {
    if (!open_) {
      rocksdb::Status s = writer_.Open(path_);
      if (!s.ok()) return FromRocks(s, "table writer open");
      open_ = true;
    }
    pending_ += key.size() + value.size();
    return FromRocks(writer_.Put(ToSlice(key), ToSlice(value)), "table writer put");
  }

  absl::Status Ingest() override {
    if (!open_) return absl::OkStatus();
    open_ = false;
    pending_ = 0;
    rocksdb::Status s = writer_.Finish();
    if (s.ok()) {
      rocksdb::IngestExternalFileOptions o;
      o.move_files = true;
      o.write_global_seqno = false;
      s = db_->IngestExternalFile(cf_, {path_}, o);
    }
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // linked into the database when it was ingested
    return FromRocks(s, "ingest table");
  }

  uint64_t pending_bytes() const override { return pending_; }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const std::string path_;
  rocksdb::SstFileWriter writer_;
  bool open_ = false;
  uint64_t pending_ = 0;
};

class RocksDbKvStore final : public KvStore {
 public:
  RocksDbKvStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> cfs)
      : db_(std::move(db)), cfs_(std::move(cfs)) {}

  ~RocksDbKvStore() override {
    for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h);
    db_->Close().PermitUncheckedError();
  }

  absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key) const override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "get");
    return std::optional<std::string>(std::move(value));
  }

  absl::Status Write(const WriteBatch& batch, Durability durability) override {
    rocksdb::WriteBatch wb;
    for (const WriteBatch::Op* op : InsertionOrder(batch)) {
      rocksdb::Status s;
      switch (op->type) {
        case WriteBatch::OpType::kPut:
          s = wb.Put(handle(op->cf), ToSlice(op->key), ToSlice(op->value));
          break;
        case WriteBatch::OpType::kDelete:
          s = wb.Delete(handle(op->cf), ToSlice(op->key));
          break;
        case WriteBatch::OpType::kDeleteRange:
          s = wb.DeleteRange(handle(op->cf), ToSlice(op->key), ToSlice(op->value));
          break;
      }
      if (!s.ok()) return FromRocks(s, "batch");
    }
    rocksdb::WriteOptions wo;
    // RocksDB's write thread joins concurrent synced writers into one WAL append and one fsync.
    wo.sync = durability == Durability::kSync;
    return FromRocks(db_->Write(wo, &wb), "write");
  }

  absl::Status SyncWal() override { return FromRocks(db_->SyncWAL(), "sync wal"); }

  std::unique_ptr<Iterator> NewIterator(Cf cf, const IteratorOptions& options) const override {
    return std::make_unique<RocksDbIterator>(db_.get(), handle(cf), options);
  }

  absl::Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
    if (!s.ok()) return FromRocks(s, "checkpoint");
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    return FromRocks(cp->CreateCheckpoint(dir), "checkpoint");
  }

  absl::Status Flush() override {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    return FromRocks(db_->Flush(fo, cfs_), "flush");
  }

  absl::Status Compact(Cf cf) override {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    return FromRocks(db_->CompactRange(co, handle(cf), nullptr, nullptr), "compact");
  }

  absl::StatusOr<std::unique_ptr<TableWriter>> NewTableWriter(Cf cf) override {
    const std::string path =
        absl::StrCat(db_->GetName(), "/", kIngestDir, "/", next_table_++, ".sst");
    return std::unique_ptr<TableWriter>(new RocksDbTableWriter(db_.get(), handle(cf), path));
  }

  absl::Status ReclaimRange(Cf cf, std::string_view begin, std::string_view end) override {
    const rocksdb::Slice b = ToSlice(begin), e = ToSlice(end);
    return FromRocks(rocksdb::DeleteFilesInRange(db_.get(), handle(cf), &b, &e,
                                                 /*include_end=*/false),
                     "reclaim range");
  }

  uint64_t ApproximateSize(Cf cf) const override {
    uint64_t live = 0;
    db_->GetIntProperty(handle(cf), "rocksdb.total-sst-files-size", &live);
    uint64_t mem = 0;
    db_->GetIntProperty(handle(cf), "rocksdb.size-all-mem-tables", &mem);
    return live + mem;
  }

  std::string Property(Cf cf, std::string_view name) const override {
    std::string out;
    db_->GetProperty(handle(cf), ToSlice(name), &out);
    return out;
  }

 private:
  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return cfs_[static_cast<int>(cf)]; }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::atomic<uint64_t> next_table_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<KvStore>> OpenRocksDbStore(const OpenOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("data directory is empty");
  std::error_code ec;
  if (options.create_if_missing) std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create data directory ", options.path, ": ", ec.message()));
  }
  const std::filesystem::path ingest = std::filesystem::path(options.path) / kIngestDir;
  if (std::filesystem::exists(options.path, ec)) {
    std::filesystem::remove_all(ingest, ec);
    if (!ec) std::filesystem::create_directories(ingest, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot prepare ", ingest.string(), ": ", ec.message()));
    }
  }

  rocksdb::Options db_opts;
  db_opts.create_if_missing = options.create_if_missing;
  db_opts.create_missing_column_families = true;
  db_opts.IncreaseParallelism(options.background_threads);
  db_opts.max_background_jobs = options.background_threads;
  db_opts.keep_log_file_num = 5;
  // Concurrent writers pipeline WAL and memtable work.
  db_opts.enable_pipelined_write = true;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;

  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (std::string_view name : kCfNames) {
    rocksdb::ColumnFamilyOptions cf_opts;
    cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf_opts.compression = rocksdb::kLZ4Compression;
    cf_opts.bottommost_compression = rocksdb::kZSTD;
    cf_opts.level_compaction_dynamic_level_bytes = true;
    if (name == CfName(Cf::kSearchBlocks)) {
      // Written only as whole table files (TableWriter) of delta-encoded postings, read by
      // seeks: no Bloom filter, and LZ4 at every level since the files are ingested straight
      // into the last one. No implicit read-ahead: a posting list's blocks are read a few at a
      // time between seeks, and RocksDB's readahead() calls on them cost 17% of a phrase query
      // (search_bench, 1M messages); long scans ask for it (IteratorOptions::readahead_bytes).
      rocksdb::BlockBasedTableOptions blocks = table;
      blocks.filter_policy.reset();
      blocks.max_auto_readahead_size = 0;
      // 16 KiB data blocks of about thirty posting blocks: a follower cursor's seek usually
      // lands in the data block it is in, which RocksDB then searches without its index.
      blocks.block_size = 16 << 10;
      cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(blocks));
      cf_opts.bottommost_compression = rocksdb::kLZ4Compression;
    }
    if (name == CfName(Cf::kSearch)) {
      // A segment flush writes thousands of block keys at once: more memtables let writes go
      // on while a flush waits for one of the few cores.
      cf_opts.max_write_buffer_number = 4;
    }
    descs.emplace_back(std::string(name), cf_opts);
  }

  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(db_opts, options.path, descs, &handles, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", options.path, " is in use by another process: ", s.ToString()));
    }
    return FromRocks(s, absl::StrCat("open ", options.path));
  }
  return std::unique_ptr<KvStore>(
      new RocksDbKvStore(std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

}  // namespace meridian::storage
