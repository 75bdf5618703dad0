#include "server/search/cursors.h"

#include <algorithm>
#include <optional>

namespace meridian::search {
namespace {

// A seek costs about as much as a handful of Next() calls; try those first for short hops.
constexpr int kNextsBeforeSeek = 4;
// An AND child with this many times the lead's matches is probed per candidate rather than
// walked: one Get (usually answered by a bloom filter when it misses) against a seek.
constexpr double kProbeRatio = 16;

}  // namespace

TermCursor::TermCursor(EvalContext* ctx, std::string_view term, double idf, double cost)
    : ctx_(ctx), prefix_(TermPrefix(term)), idf_(idf), cost_(cost) {
  storage::IteratorOptions opts;
  opts.lower_bound = prefix_;
  opts.upper_bound = storage::PrefixSuccessor(prefix_);
  it_ = ctx_->store->NewIterator(storage::Cf::kSearch, opts);
  seek_key_.reserve(prefix_.size() + 24);
}

void TermCursor::SeekTo(uint64_t channel, uint64_t time, uint64_t seq) {
  seek_key_.assign(prefix_);
  AppendDocKey(&seek_key_, DocKey{channel, time, seq});
  it_->Seek(seek_key_);
}

// Moves forward to the first posting inside the scope: a channel of ctx_->channels and a time
// in [time_lo, time_hi). Everything outside is jumped over with one seek per gap.
bool TermCursor::Settle() {
  const std::vector<uint64_t>& channels = ctx_->channels;
  for (;;) {
    if (!it_->Valid()) {
      absl::Status st = it_->status();
      if (!st.ok() && ctx_->status.ok()) ctx_->status = st;
      exhausted_ = true;
      return false;
    }
    DocKey d = ParseDocKey(it_->key());
    if (!checked_valid_ || d.channel != checked_channel_) {
      auto next = std::lower_bound(channels.begin(), channels.end(), d.channel);
      if (next == channels.end()) {
        exhausted_ = true;
        return false;
      }
      if (*next != d.channel) {
        SeekTo(*next, ctx_->time_lo, 0);
        continue;
      }
      checked_channel_ = d.channel;
      checked_valid_ = true;
    }
    if (d.time < ctx_->time_lo) {
      SeekTo(d.channel, ctx_->time_lo, 0);
      continue;
    }
    if (d.time >= ctx_->time_hi) {
      auto next = std::upper_bound(channels.begin(), channels.end(), d.channel);
      if (next == channels.end()) {
        exhausted_ = true;
        return false;
      }
      SeekTo(*next, ctx_->time_lo, 0);
      continue;
    }
    doc_ = d;
    return true;
  }
}

bool TermCursor::SeekGeq(const DocKey& target) {
  if (exhausted_) return false;
  if (!started_) {
    started_ = true;
    DocKey t = target;
    if (!ctx_->channels.empty() && t.channel < ctx_->channels.front()) {
      t = DocKey{ctx_->channels.front(), ctx_->time_lo, 0};
    }
    SeekTo(t.channel, t.time, t.seq);
    return Settle();
  }
  if (doc_ >= target) return true;
  for (int i = 0; i < kNextsBeforeSeek; ++i) {
    it_->Next();
    if (!Settle()) return false;
    if (doc_ >= target) return true;
  }
  SeekTo(target.channel, target.time, target.seq);
  return Settle();
}

bool TermCursor::Probe(const DocKey& d) {
  seek_key_.assign(prefix_);
  AppendDocKey(&seek_key_, d);
  absl::StatusOr<std::optional<std::string>> v = ctx_->store->Get(storage::Cf::kSearch, seek_key_);
  if (!v.ok()) {
    if (ctx_->status.ok()) ctx_->status = v.status();
    return false;
  }
  if (!v->has_value()) return false;
  probe_value_ = **std::move(v);
  probed_ = true;
  doc_ = d;
  return true;
}

std::string_view TermCursor::value() const {
  return probed_ ? std::string_view(probe_value_) : it_->value();
}

double TermCursor::Score() {
  if (idf_ <= 0) return 0;
  std::string_view v = value();
  uint64_t doc_len = 1;
  if (!ReadVarint(&v, &doc_len)) return 0;
  // Every position delta is one varint: count their final bytes.
  double tf = 0;
  for (char c : v) tf += (static_cast<uint8_t>(c) & 0x80) == 0;
  const double norm =
      ctx_->k1 * (1 - ctx_->b + ctx_->b * static_cast<double>(doc_len) / ctx_->avg_doc_length);
  return idf_ * tf * (ctx_->k1 + 1) / (tf + norm);
}

void TermCursor::Positions(std::vector<uint32_t>* out) const {
  out->clear();
  std::string_view v = value();
  uint64_t x = 0;
  if (!ReadVarint(&v, &x)) return;
  uint64_t pos = 0;
  while (!v.empty() && ReadVarint(&v, &x)) {
    pos += x;
    out->push_back(static_cast<uint32_t>(pos));
  }
}

AndCursor::AndCursor(std::vector<std::unique_ptr<Cursor>> must,
                     std::vector<std::unique_ptr<Cursor>> must_not)
    : must_(std::move(must)), must_not_(std::move(must_not)) {
  SortByCost();
}

void AndCursor::SortByCost() {
  std::stable_sort(must_.begin(), must_.end(),
                   [](const auto& a, const auto& b) { return a->Cost() < b->Cost(); });
  const double lead = must_.empty() ? 0 : must_[0]->Cost();
  auto probe = [lead](const Cursor& c) { return c.Probes() && c.Cost() >= kProbeRatio * lead; };
  probe_must_.assign(must_.size(), false);
  for (size_t i = 1; i < must_.size(); ++i) probe_must_[i] = probe(*must_[i]);
  probe_must_not_.assign(must_not_.size(), false);
  for (size_t i = 0; i < must_not_.size(); ++i) probe_must_not_[i] = probe(*must_not_[i]);
}

bool AndCursor::SeekGeq(const DocKey& target) {
  DocKey candidate = target;
  for (;;) {
    if (!must_[0]->SeekGeq(candidate)) return false;
    candidate = must_[0]->doc();
    bool agreed = true;
    for (size_t i = 1; i < must_.size(); ++i) {
      if (probe_must_[i]) {
        if (must_[i]->Probe(candidate)) continue;
        candidate = Successor(candidate);
        agreed = false;
        break;
      }
      if (!must_[i]->SeekGeq(candidate)) return false;
      if (must_[i]->doc() != candidate) {
        candidate = must_[i]->doc();
        agreed = false;
        break;
      }
    }
    if (!agreed) continue;
    if (!Accept(candidate)) {
      candidate = Successor(candidate);
      continue;
    }
    doc_ = candidate;
    return true;
  }
}

bool AndCursor::Accept(const DocKey& doc) {
  for (size_t i = 0; i < must_not_.size(); ++i) {
    Cursor& c = *must_not_[i];
    if (probe_must_not_[i] ? c.Probe(doc) : (c.SeekGeq(doc) && c.doc() == doc)) return false;
  }
  return true;
}

double AndCursor::Score() {
  double s = 0;
  for (auto& c : must_) s += c->Score();
  return s;
}

namespace {
std::vector<std::unique_ptr<Cursor>> Upcast(std::vector<std::unique_ptr<TermCursor>> terms,
                                            std::vector<TermCursor*>* raw) {
  std::vector<std::unique_ptr<Cursor>> out;
  for (auto& t : terms) {
    raw->push_back(t.get());
    out.push_back(std::move(t));
  }
  return out;
}
}  // namespace

PhraseCursor::PhraseCursor(std::vector<std::unique_ptr<TermCursor>> terms,
                           std::vector<uint32_t> offsets)
    : AndCursor({}, {}), offsets_(std::move(offsets)) {
  must_ = Upcast(std::move(terms), &terms_);
  positions_.resize(terms_.size());
  SortByCost();
}

bool PhraseCursor::Accept(const DocKey&) {
  for (size_t i = 0; i < terms_.size(); ++i) terms_[i]->Positions(&positions_[i]);
  for (uint32_t p : positions_[0]) {
    if (p < offsets_[0]) continue;
    const uint32_t start = p - offsets_[0];
    bool all = true;
    for (size_t i = 1; i < terms_.size() && all; ++i) {
      all = std::binary_search(positions_[i].begin(), positions_[i].end(), start + offsets_[i]);
    }
    if (all) return true;
  }
  return false;
}

OrCursor::OrCursor(std::vector<std::unique_ptr<Cursor>> children)
    : children_(std::move(children)), live_(children_.size(), true) {}

bool OrCursor::SeekGeq(const DocKey& target) {
  bool any = false;
  DocKey best;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!live_[i]) continue;
    if (!children_[i]->SeekGeq(target)) {
      live_[i] = false;
      continue;
    }
    if (!any || children_[i]->doc() < best) best = children_[i]->doc();
    any = true;
  }
  if (any) doc_ = best;
  return any;
}

double OrCursor::Cost() const {
  double c = 0;
  for (const auto& child : children_) c += child->Cost();
  return c;
}

double OrCursor::Score() {
  double s = 0;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (live_[i] && children_[i]->doc() == doc_) s += children_[i]->Score();
  }
  return s;
}

std::unique_ptr<ListCursor> ListCursor::Drain(std::vector<std::unique_ptr<Cursor>> children) {
  auto list = std::unique_ptr<ListCursor>(new ListCursor());
  for (auto& c : children) {
    DocKey t;
    while (c->SeekGeq(t)) {
      list->entries_.push_back(Entry{c->doc(), c->Score()});
      t = Successor(c->doc());
    }
  }
  auto& e = list->entries_;
  std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) { return a.doc < b.doc; });
  size_t out = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (out > 0 && e[out - 1].doc == e[i].doc) {
      e[out - 1].score += e[i].score;
    } else {
      e[out++] = e[i];
    }
  }
  e.resize(out);
  return list;
}

bool ListCursor::SeekGeq(const DocKey& target) {
  if (i_ < entries_.size() && entries_[i_].doc >= target) {
    doc_ = entries_[i_].doc;
    return true;
  }
  auto it = std::lower_bound(entries_.begin() + static_cast<ptrdiff_t>(i_), entries_.end(), target,
                             [](const Entry& e, const DocKey& k) { return e.doc < k; });
  i_ = static_cast<size_t>(it - entries_.begin());
  if (i_ >= entries_.size()) return false;
  doc_ = entries_[i_].doc;
  return true;
}

double ProximityBonus(const std::vector<TermCursor*>& words) {
  double bonus = 0;
  std::vector<uint32_t> a, b;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    words[i]->Positions(&a);
    words[i + 1]->Positions(&b);
    for (uint32_t p : a) {
      if (std::binary_search(b.begin(), b.end(), p + 1)) {
        bonus += 0.5 * (words[i]->idf() + words[i + 1]->idf());
        break;
      }
    }
  }
  return bonus;
}

}  // namespace meridian::search
