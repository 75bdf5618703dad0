#include <gtest/gtest.h>

#include <filesystem>

#include "storage/key_codec.h"
#include "storage/kv_store.h"

namespace meridian::storage {
namespace {

class RocksDbKvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-storage-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<KvStore> Open() {
    auto s = OpenRocksDbStore({.path = dir_.string()});
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }

  std::filesystem::path dir_;
};

TEST_F(RocksDbKvStoreTest, BatchIsAtomicAndSurvivesReopen) {
  {
    auto db = Open();
    WriteBatch b;
    b.Put(Cf::kUsers, "u1", "alice");
    b.Put(Cf::kMessages, "m1", "hello");
    b.Delete(Cf::kUsers, "absent");
    ASSERT_TRUE(db->Write(b, Durability::kSync).ok());
  }
  auto db = Open();
  EXPECT_EQ(db->Get(Cf::kUsers, "u1").value(), std::optional<std::string>("alice"));
  EXPECT_EQ(db->Get(Cf::kMessages, "m1").value(), std::optional<std::string>("hello"));
  // Column families are separate key spaces.
  EXPECT_EQ(db->Get(Cf::kMessages, "u1").value(), std::nullopt);
}

TEST_F(RocksDbKvStoreTest, BufferedWritesAreVisibleAndSyncable) {
  auto db = Open();
  WriteBatch b;
  b.Put(Cf::kEvents, "e", "x");
  ASSERT_TRUE(db->Write(b, Durability::kBuffered).ok());
  EXPECT_TRUE(db->Get(Cf::kEvents, "e").value().has_value());
  EXPECT_TRUE(db->SyncWal().ok());
}

// Write reorders search keys for faster memtable inserts; ops on one key must keep their order.
TEST_F(RocksDbKvStoreTest, SearchOpsOnOneKeyKeepTheirOrderInABatch) {
  auto db = Open();
  WriteBatch b;
  std::string posting = std::string("pzebra") + '\0' + std::string(24, '\x01');
  b.Put(Cf::kSearch, "z", "1");
  b.Put(Cf::kSearch, posting, "first");
  b.Put(Cf::kSearch, "a", "1");
  b.Delete(Cf::kSearch, "z");
  b.Delete(Cf::kSearch, posting);
  b.Put(Cf::kSearch, posting, "second");
  b.Put(Cf::kSearch, "p", "short key outside the posting layout");
  ASSERT_TRUE(db->Write(b, Durability::kBuffered).ok());
  EXPECT_EQ(db->Get(Cf::kSearch, posting).value(), std::optional<std::string>("second"));
  EXPECT_EQ(db->Get(Cf::kSearch, "z").value(), std::nullopt);
  EXPECT_EQ(db->Get(Cf::kSearch, "a").value(), std::optional<std::string>("1"));
  EXPECT_TRUE(db->Get(Cf::kSearch, "p").value().has_value());
}

TEST_F(RocksDbKvStoreTest, RangeDeletionsApplyBeforeTheBatchsOtherOps) {
  auto db = Open();
  WriteBatch before;
  for (const char* k : {"a", "b", "c", "d"}) before.Put(Cf::kSearch, k, "old");
  before.Put(Cf::kMessages, "b", "other column family");
  ASSERT_TRUE(db->Write(before, Durability::kBuffered).ok());
  WriteBatch b;
  b.Put(Cf::kSearch, "b", "new");  // inside the range, but written by this batch: kept
  b.DeleteRange(Cf::kSearch, "a", "d");
  ASSERT_TRUE(db->Write(b, Durability::kBuffered).ok());
  EXPECT_EQ(db->Get(Cf::kSearch, "a").value(), std::nullopt);
  EXPECT_EQ(db->Get(Cf::kSearch, "b").value(), std::optional<std::string>("new"));
  EXPECT_EQ(db->Get(Cf::kSearch, "c").value(), std::nullopt);
  EXPECT_EQ(db->Get(Cf::kSearch, "d").value(), std::optional<std::string>("old"));
  EXPECT_TRUE(db->Get(Cf::kMessages, "b").value().has_value());
}

TEST_F(RocksDbKvStoreTest, CompactDropsDeletedData) {
  auto db = Open();
  WriteBatch fill;
  const std::string value(4096, 'v');
  for (int i = 0; i < 2000; ++i) fill.Put(Cf::kSearch, "k" + std::to_string(i), value);
  ASSERT_TRUE(db->Write(fill, Durability::kBuffered).ok());
  ASSERT_TRUE(db->Flush().ok());
  const uint64_t full = db->ApproximateSize(Cf::kSearch);
  WriteBatch drop;
  drop.DeleteRange(Cf::kSearch, "k", "l");
  ASSERT_TRUE(db->Write(drop, Durability::kBuffered).ok());
  ASSERT_TRUE(db->Flush().ok());
  EXPECT_GE(db->ApproximateSize(Cf::kSearch), full / 2);  // still on disk
  ASSERT_TRUE(db->Compact(Cf::kSearch).ok());
  EXPECT_LT(db->ApproximateSize(Cf::kSearch), full / 10);
  EXPECT_EQ(db->Get(Cf::kSearch, "k1").value(), std::nullopt);
}

TEST_F(RocksDbKvStoreTest, TableWriterKeysAppearAtIngestAndSurviveReopen) {
  {
    auto db = Open();
    auto writer = db->NewTableWriter(Cf::kSearchBlocks);
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_TRUE((*writer)->Ingest().ok());  // nothing written yet: nothing to do
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE((*writer)->Put(KeyBuilder().Byte('b').U64(i).Take(), std::to_string(i)).ok());
    }
    EXPECT_GT((*writer)->pending_bytes(), 0u);
    EXPECT_EQ(db->Get(Cf::kSearchBlocks, KeyBuilder().Byte('b').U64(7).Take()).value(),
              std::nullopt);
    ASSERT_TRUE((*writer)->Ingest().ok());
    EXPECT_EQ((*writer)->pending_bytes(), 0u);
    EXPECT_EQ(db->Get(Cf::kSearchBlocks, KeyBuilder().Byte('b').U64(7).Take()).value(),
              std::optional<std::string>("7"));
    // The same writer goes on with later keys in a second file.
    ASSERT_TRUE((*writer)->Put(KeyBuilder().Byte('b').U64(100).Take(), "100").ok());
    ASSERT_TRUE((*writer)->Ingest().ok());
    EXPECT_EQ(db->Get(Cf::kSearch, KeyBuilder().Byte('b').U64(7).Take()).value(), std::nullopt);
  }
  auto db = Open();
  EXPECT_EQ(db->Get(Cf::kSearchBlocks, KeyBuilder().Byte('b').U64(100).Take()).value(),
            std::optional<std::string>("100"));
  // Ingestion moved the files into the database: none is left where they were built.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "ingest"));
}

TEST_F(RocksDbKvStoreTest, TableWriterRefusesKeysOutOfOrderAndLeavesNothing) {
  auto db = Open();
  {
    auto writer = db->NewTableWriter(Cf::kSearchBlocks);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Put("m", "1").ok());
    EXPECT_FALSE((*writer)->Put("a", "2").ok());
  }  // abandoned without Ingest
  EXPECT_EQ(db->Get(Cf::kSearchBlocks, "m").value(), std::nullopt);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "ingest"));
}

TEST_F(RocksDbKvStoreTest, ReclaimRangeDropsIngestedFilesAtOnce) {
  auto db = Open();
  const std::string value(4096, 'v');
  for (char segment : {'1', '2'}) {
    auto writer = db->NewTableWriter(Cf::kSearchBlocks);
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE((*writer)->Put(std::string(1, segment) + KeyBuilder().U64(i).Take(), value).ok());
    }
    ASSERT_TRUE((*writer)->Ingest().ok());
  }
  const uint64_t full = db->ApproximateSize(Cf::kSearchBlocks);
  WriteBatch drop;
  drop.DeleteRange(Cf::kSearchBlocks, "1", "2");
  ASSERT_TRUE(db->Write(drop, Durability::kBuffered).ok());
  ASSERT_TRUE(db->ReclaimRange(Cf::kSearchBlocks, "1", "2").ok());
  // One of the two files is gone without a compaction; the other segment is intact.
  EXPECT_LT(db->ApproximateSize(Cf::kSearchBlocks), full * 3 / 4);
  EXPECT_EQ(db->Get(Cf::kSearchBlocks, "1" + KeyBuilder().U64(5).Take()).value(), std::nullopt);
  EXPECT_EQ(db->Get(Cf::kSearchBlocks, "2" + KeyBuilder().U64(5).Take()).value(),
            std::optional<std::string>(value));
}

TEST_F(RocksDbKvStoreTest, BoundedIterationInBothDirections) {
  auto db = Open();
  WriteBatch b;
  for (uint64_t ch : {1, 2}) {
    for (uint64_t seq = 1; seq <= 5; ++seq) {
      b.Put(Cf::kMessages, KeyBuilder().U64(ch).U64(seq).Take(), std::to_string(ch * 10 + seq));
    }
  }
  ASSERT_TRUE(db->Write(b, Durability::kSync).ok());

  std::string prefix = KeyBuilder().U64(1).Take();
  auto it = db->NewIterator(Cf::kMessages,
                            {.lower_bound = prefix, .upper_bound = PrefixSuccessor(prefix)});
  std::vector<std::string> forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) forward.emplace_back(it->value());
  EXPECT_EQ(forward, (std::vector<std::string>{"11", "12", "13", "14", "15"}));

  std::vector<std::string> backward;
  for (it->SeekForPrev(KeyBuilder().U64(1).U64(3).Take()); it->Valid(); it->Prev()) {
    backward.emplace_back(it->value());
  }
  EXPECT_EQ(backward, (std::vector<std::string>{"13", "12", "11"}));
  EXPECT_TRUE(it->status().ok());
}

TEST_F(RocksDbKvStoreTest, SecondOpenOfSameDirectoryIsRefused) {
  auto db = Open();
  auto second = OpenRocksDbStore({.path = dir_.string()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RocksDbKvStoreTest, CheckpointIsAnOpenableCopy) {
  auto db = Open();
  WriteBatch b;
  b.Put(Cf::kChannels, "c", "general");
  ASSERT_TRUE(db->Write(b, Durability::kSync).ok());
  auto cp = dir_.string() + "-checkpoint";
  std::filesystem::remove_all(cp);
  ASSERT_TRUE(db->Checkpoint(cp).ok());
  auto copy = OpenRocksDbStore({.path = cp, .create_if_missing = false});
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ((*copy)->Get(Cf::kChannels, "c").value(), std::optional<std::string>("general"));
  copy->reset();
  std::filesystem::remove_all(cp);
}

}  // namespace
}  // namespace meridian::storage
