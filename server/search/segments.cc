#include "server/search/segments.h"

#include <algorithm>

namespace meridian::search {

std::string EncodeSegmentFile(const SegmentFile& f) {
  std::string v;
  AppendVarint(&v, f.serial_lo);
  AppendVarint(&v, f.serial_hi);
  AppendVarint(&v, f.docs);
  AppendVarint(&v, f.level);
  return v;
}

bool DecodeSegmentFile(uint64_t id, std::string_view value, SegmentFile* f) {
  uint64_t level = 0;
  f->id = id;
  return ReadVarint(&value, &f->serial_lo) && ReadVarint(&value, &f->serial_hi) &&
         ReadVarint(&value, &f->docs) && ReadVarint(&value, &level) &&
         f->serial_lo <= f->serial_hi && (f->level = static_cast<uint32_t>(level), true);
}

bool Segment::IsDead(const DocKey& d) const {
  return !dead->empty() && std::binary_search(dead->begin(), dead->end(), d);
}

void MemSegment::Add(uint64_t serial, const DocKey& doc, uint32_t length,
                     const std::vector<TermOccurrences>& terms) {
  absl::MutexLock lock(&mu_);
  for (const TermOccurrences& t : terms) {
    Term& term = terms_[t.term];
    const size_t begin = term.positions.size();
    EncodePositions(t.positions, &term.positions);
    term.entries.push_back(Entry{doc, serial, length, static_cast<uint32_t>(t.positions.size()),
                                 static_cast<uint32_t>(begin),
                                 static_cast<uint32_t>(term.positions.size() - begin)});
    ++term.live;
  }
  docs_[doc] = serial;
  ++live_docs_;
}

bool MemSegment::Remove(const DocKey& doc, const std::vector<TermOccurrences>& terms,
                        uint64_t* serial) {
  auto it = docs_.find(doc);
  if (it == docs_.end()) return false;
  *serial = it->second;
  absl::MutexLock lock(&mu_);
  for (const TermOccurrences& t : terms) {
    auto term = terms_.find(t.term);
    if (term != terms_.end() && term->second.live > 0) --term->second.live;
  }
  removed_.insert(*serial);
  docs_.erase(it);
  --live_docs_;
  return true;
}

void MemSegment::Publish(uint64_t serial_hi) {
  absl::MutexLock lock(&mu_);
  published_hi_ = serial_hi;
  if (published_removed_.size() != removed_.size()) published_removed_ = removed_;
}

PostingList MemSegment::Collect(const Term& t, uint64_t serial_hi,
                                const std::unordered_set<uint64_t>& removed) const {
  PostingList out;
  out.postings.reserve(t.entries.size());
  for (const Entry& e : t.entries) {
    if (e.serial >= serial_hi || (!removed.empty() && removed.count(e.serial) > 0)) continue;
    out.postings.push_back(Posting{e.doc, e.doc_length, e.tf, e.pos_begin, e.pos_bytes});
  }
  std::sort(out.postings.begin(), out.postings.end(),
            [](const Posting& a, const Posting& b) { return a.doc < b.doc; });
  out.positions = t.positions;
  return out;
}

PostingList MemSegment::Postings(std::string_view term) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = terms_.find(absl::string_view(term.data(), term.size()));
  if (it == terms_.end()) return {};
  return Collect(it->second, published_hi_, published_removed_);
}

void MemSegment::VisitPostings(
    std::string_view term, absl::FunctionRef<void(const DocKey&, uint32_t, uint32_t)> visit) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = terms_.find(absl::string_view(term.data(), term.size()));
  if (it == terms_.end()) return;
  const std::vector<Entry>& entries = it->second.entries;
  // Newest first: a newest-first page then fills early and turns the rest away at a glance.
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    if (e->serial >= published_hi_ ||
        (!published_removed_.empty() && published_removed_.count(e->serial) > 0)) {
      continue;
    }
    visit(e->doc, e->doc_length, e->tf);
  }
}

uint64_t MemSegment::Count(std::string_view term) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = terms_.find(absl::string_view(term.data(), term.size()));
  return it == terms_.end() ? 0 : it->second.live;
}

std::vector<std::pair<std::string, PostingList>> MemSegment::Drain() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::pair<std::string, PostingList>> out;
  out.reserve(terms_.size());
  for (const auto& [term, t] : terms_) {
    PostingList list = Collect(t, UINT64_MAX, removed_);
    if (!list.postings.empty()) out.emplace_back(term, std::move(list));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace meridian::search
