// The union of a prefix's many words, one segment at a time.
#ifndef MERIDIAN_SERVER_SEARCH_LIST_CURSOR_H_
#define MERIDIAN_SERVER_SEARCH_LIST_CURSOR_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "server/search/cursors.h"
#include "server/search/search_caches.h"

namespace meridian::search {

// The union of many children, drained into one sorted list per segment (prefix expansions
// with many terms); duplicate documents' scores add up. Its buffers come from `pool` (may be
// null) and go back to it.
class ListCursor final : public Cursor {
 public:
  ListCursor(std::vector<std::unique_ptr<Cursor>> children, VectorPool<ScoredDoc>* pool);
  ~ListCursor() override;
  void Reset() override;
  bool SeekGeq(const DocKey& target) override;
  double Score() override { return entries_[i_].score; }
  double Cost() const override { return cost_; }

 private:
  // A node of the merge tree: a leaf reads one child's run in drained_, from `pos` to `end`;
  // an inner node merges two nodes, whose next entries are `a` and `b` (null when done).
  struct Node {
    int left = -1, right = -1;
    size_t pos = 0, end = 0;
    const ScoredDoc* a = nullptr;
    const ScoredDoc* b = nullptr;
  };
  void Merge();
  const ScoredDoc* Next(int node);

  std::vector<std::unique_ptr<Cursor>> children_;
  VectorPool<ScoredDoc>* pool_;
  double cost_ = 0;
  std::vector<ScoredDoc> drained_;  // the children's runs, one after another
  std::vector<Node> nodes_;
  std::vector<ScoredDoc> entries_;  // merged: ascending, one per document
  size_t i_ = 0;
};

}  // namespace meridian::search

#endif  // MERIDIAN_SERVER_SEARCH_LIST_CURSOR_H_
