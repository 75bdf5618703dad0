#include "server/search/snippet.h"

#include <algorithm>

namespace meridian::search {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr size_t kSnapBytes = 16;                       // how far to move a cut to land on a space

bool IsContinuation(char c) { return (static_cast<uint8_t>(c) & 0xC0) == 0x80; }

}  // namespace

void MakeSnippet(std::string_view text, const std::vector<Token>& tokens,
                 const std::unordered_set<std::string>& terms, size_t max_bytes, SearchHit* hit) {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (const Token& t : tokens) {
    if (terms.count(t.term) > 0) ranges.emplace_back(t.begin, t.end);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }

  size_t start = 0, end = text.size();
  if (text.size() > max_bytes) {
    size_t anchor = merged.empty() ? 0 : merged.front().first;
    start = anchor > max_bytes / 4 ? anchor - max_bytes / 4 : 0;
    for (size_t i = 0; start > 0 && i < kSnapBytes && start + i < anchor; ++i) {
      if (text[start + i - 1] == ' ') {
        start += i;
        break;
      }
    }
    while (start > 0 && start < text.size() && IsContinuation(text[start])) ++start;
    end = std::min(text.size(), start + max_bytes);
    for (size_t i = 0; end < text.size() && i < kSnapBytes && end - i > start; ++i) {
      if (text[end - i] == ' ') {
        end -= i;
        break;
      }
    }
    while (end < text.size() && end > start && IsContinuation(text[end])) --end;
  }

  hit->snippet.clear();
  hit->highlights.clear();
  size_t shift = 0;
  if (start > 0) {
    hit->snippet.append(kEllipsis);
    shift = kEllipsis.size();
  }
  hit->snippet.append(text.substr(start, end - start));
  if (end < text.size()) hit->snippet.append(kEllipsis);
  for (const auto& [b, e] : merged) {
    if (e <= start || b >= end) continue;
    size_t cb = std::max<size_t>(b, start), ce = std::min<size_t>(e, end);
    hit->highlights.push_back(HighlightRange{static_cast<uint32_t>(cb - start + shift),
                                             static_cast<uint32_t>(ce - start + shift)});
  }
}

}  // namespace meridian::search
