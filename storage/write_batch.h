// A set of writes applied atomically by KvStore::Write: all of them, or none.
#ifndef MERIDIAN_STORAGE_WRITE_BATCH_H_
#define MERIDIAN_STORAGE_WRITE_BATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "storage/column_families.h"

namespace meridian::storage {

// Not safe for concurrent use. Keys and values are copied in.
class WriteBatch {
 public:
  enum class OpType { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Cf cf;
    std::string key;
    std::string value;  // for kDeleteRange: the end of the range (exclusive)
  };

  void Put(Cf cf, std::string_view key, std::string_view value) {
    bytes_ += key.size() + value.size();
    ops_.push_back(Op{OpType::kPut, cf, std::string(key), std::string(value)});
  }
  void Delete(Cf cf, std::string_view key) {
    bytes_ += key.size();
    ops_.push_back(Op{OpType::kDelete, cf, std::string(key), {}});
  }
  // Deletes every key in [begin, end) that exists before this batch is written. Range
  // deletions apply before the batch's other ops, whatever their order in the batch, so a Put
  // in the same batch is never removed by one.
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
    bytes_ += begin.size() + end.size();
    ops_.push_back(Op{OpType::kDeleteRange, cf, std::string(begin), std::string(end)});
  }
  // Appends every op of `other` after this batch's own.
  void Append(const WriteBatch& other) {
    ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
    bytes_ += other.bytes_;
  }
  void Clear() {
    ops_.clear();
    bytes_ = 0;
  }

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  size_t ApproximateBytes() const { return bytes_; }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

}  // namespace meridian::storage

#endif  // MERIDIAN_STORAGE_WRITE_BATCH_H_
