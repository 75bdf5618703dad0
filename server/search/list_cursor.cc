#include "server/search/list_cursor.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

namespace meridian::search {

ListCursor::ListCursor(std::vector<std::unique_ptr<Cursor>> children, VectorPool<ScoredDoc>* pool)
    : children_(std::move(children)), pool_(pool) {
  for (auto& c : children_) {
    cost_ += c->Cost();
    c->ReadOnceInOrder();
  }
  if (pool_ != nullptr) {
    drained_ = pool_->Take();
    entries_ = pool_->Take();
  }
}

ListCursor::~ListCursor() {
  if (pool_ != nullptr) {
    pool_->Give(std::move(drained_));
    pool_->Give(std::move(entries_));
  }
}

void ListCursor::Reset() {
  drained_.clear();
  nodes_.clear();
  i_ = 0;
  for (auto& c : children_) {
    c->Reset();
    const size_t begin = drained_.size();
    DocKey t;
    while (c->SeekGeq(t)) {
      drained_.push_back(ScoredDoc{c->doc(), c->Score()});
      t = Successor(c->doc());
    }
    if (drained_.size() > begin) nodes_.push_back(Node{-1, -1, begin, drained_.size()});
  }
  Merge();
}

// Each child's run is sorted, so they are merged rather than sorted together: through a tree of
// two-way merges built like a Huffman code of the runs' lengths (the two shortest joined first),
// in which an entry meets as many comparisons as its run is deep. The words of a prefix follow
// Zipf's law, so most entries come from a few long runs near the root: a merge of 2,000 runs
// compares each entry a few times where sorting them all compared it some twenty.
void ListCursor::Merge() {
  entries_.clear();
  if (nodes_.empty()) return;
  using Item = std::pair<size_t, int>;  // (entries under the node, node)
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
    queue.emplace(nodes_[n].end - nodes_[n].pos, n);
  }
  while (queue.size() > 1) {
    const auto [size_a, a] = queue.top();
    queue.pop();
    const auto [size_b, b] = queue.top();
    queue.pop();
    nodes_.push_back(Node{a, b});
    queue.emplace(size_a + size_b, static_cast<int>(nodes_.size()) - 1);
  }
  const int root = queue.top().second;
  for (Node& n : nodes_) {  // children come before their parent
    if (n.left >= 0) {
      n.a = Next(n.left);
      n.b = Next(n.right);
    }
  }
  entries_.reserve(drained_.size());
  for (const ScoredDoc* e = Next(root); e != nullptr; e = Next(root)) {
    if (!entries_.empty() && entries_.back().doc == e->doc) {
      entries_.back().score += e->score;
    } else {
      entries_.push_back(*e);
    }
  }
}

const ScoredDoc* ListCursor::Next(int node) {
  Node& n = nodes_[static_cast<size_t>(node)];
  if (n.left < 0) return n.pos < n.end ? &drained_[n.pos++] : nullptr;
  const ScoredDoc* out;
  if (n.b == nullptr || (n.a != nullptr && n.a->doc <= n.b->doc)) {
    out = n.a;
    if (out != nullptr) n.a = Next(n.left);
  } else {
    out = n.b;
    n.b = Next(n.right);
  }
  return out;
}

bool ListCursor::SeekGeq(const DocKey& target) {
  if (i_ < entries_.size() && entries_[i_].doc >= target) {
    doc_ = entries_[i_].doc;
    return true;
  }
  auto it = std::lower_bound(entries_.begin() + static_cast<ptrdiff_t>(i_), entries_.end(), target,
                             [](const ScoredDoc& e, const DocKey& k) { return e.doc < k; });
  i_ = static_cast<size_t>(it - entries_.begin());
  if (i_ >= entries_.size()) return false;
  doc_ = entries_[i_].doc;
  return true;
}

}  // namespace meridian::search
