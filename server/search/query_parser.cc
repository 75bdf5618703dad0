#include "server/search/query_parser.h"

#include <cctype>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace meridian::search {
namespace {

constexpr size_t kMaxQueryBytes = 4096;
constexpr size_t kMaxClauses = 64;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

absl::Status ErrorAt(size_t position, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed query at byte ", position, ": ",
                                                 absl::string_view(what.data(), what.size())));
}

std::string Str(std::string_view s) { return std::string(s); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool ParseDigits(std::string_view s, size_t n, int* out) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(absl::string_view(s.data(), s.size()), out);
}

// Fills the date fields of `clause` from `value`; false when it is no date of the allowed forms.
bool ParseDate(std::string_view value, bool allow_year, Clause* clause) {
  std::string_view parts[3];
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == '-') {
      if (n == 3) return false;
      parts[n++] = value.substr(start, i - start);
      start = i + 1;
    }
  }
  if (!ParseDigits(parts[0], 4, &clause->year) || clause->year < 1970) return false;
  clause->month = 0;
  clause->day = 0;
  if (n == 1) return allow_year;
  if (!ParseDigits(parts[1], 2, &clause->month) || clause->month < 1 || clause->month > 12) {
    return false;
  }
  if (n == 2) return true;
  return ParseDigits(parts[2], 2, &clause->day) && clause->day >= 1 &&
         clause->day <= DaysInMonth(clause->year, clause->month);
}

struct Operator {
  std::string_view name;
  Clause::Kind kind;
};
constexpr Operator kOperators[] = {
    {"from", Clause::Kind::kFrom},     {"in", Clause::Kind::kIn},
    {"with", Clause::Kind::kWith},     {"has", Clause::Kind::kHasLink},
    {"is", Clause::Kind::kIsThread},   {"before", Clause::Kind::kBefore},
    {"after", Clause::Kind::kAfter},   {"on", Clause::Kind::kOn},
    {"during", Clause::Kind::kDuring},
};
constexpr std::string_view kOperatorList =
    "from:, in:, with:, has:, is:, before:, after:, on: or during:";

// Parses `name:value` at `pos` (value at `vpos`) into `clause`.
absl::Status ParseOperator(std::string_view name, std::string_view value, size_t pos, size_t vpos,
                           Clause* clause) {
  std::optional<Clause::Kind> kind;
  for (const Operator& op : kOperators) {
    if (op.name == name) kind = op.kind;
  }
  if (!kind) {
    return ErrorAt(pos, absl::StrCat("unknown operator '", Str(name), ":'; expected ",
                                     Str(kOperatorList), " (quote the word to search for it)"));
  }
  clause->kind = *kind;
  clause->value_position = vpos;
  switch (*kind) {
    case Clause::Kind::kFrom:
    case Clause::Kind::kWith: {
      std::string_view v = value;
      if (!v.empty() && v[0] == '@') v.remove_prefix(1);
      if (v.empty() || v[0] == '@' || v[0] == '#') {
        return ErrorAt(vpos, absl::StrCat("expected @user after ", Str(name), ":"));
      }
      clause->value = absl::StrCat("@", Str(v));
      return absl::OkStatus();
    }
    case Clause::Kind::kIn: {
      std::string_view v = value;
      if (!v.empty() && v[0] == '@') {
        return ErrorAt(vpos, "expected #channel after in: (use with:@user for direct messages)");
      }
      if (!v.empty() && v[0] == '#') v.remove_prefix(1);
      if (v.empty() || v[0] == '#') return ErrorAt(vpos, "expected #channel after in:");
      clause->value = absl::StrCat("#", Str(v));
      return absl::OkStatus();
    }
    case Clause::Kind::kHasLink: {
      std::string v = absl::AsciiStrToLower(absl::string_view(value.data(), value.size()));
      if (v == "link" || v == "links") return absl::OkStatus();
      if (v == "reaction" || v == "reactions") {
        clause->kind = Clause::Kind::kHasReaction;
        return absl::OkStatus();
      }
      return ErrorAt(
          vpos, absl::StrCat("unknown has:", Str(value), "; expected has:link or has:reaction"));
    }
    case Clause::Kind::kIsThread: {
      std::string v = absl::AsciiStrToLower(absl::string_view(value.data(), value.size()));
      if (v == "thread") return absl::OkStatus();
      if (v == "pinned") {
        clause->kind = Clause::Kind::kIsPinned;
        return absl::OkStatus();
      }
      return ErrorAt(vpos,
                     absl::StrCat("unknown is:", Str(value), "; expected is:thread or is:pinned"));
    }
    default: {
      bool allow_year = *kind == Clause::Kind::kDuring;
      if (!ParseDate(value, allow_year, clause)) {
        return ErrorAt(
            vpos, absl::StrCat("bad date '", Str(value), "' after ", Str(name),
                               ":; expected YYYY-MM-DD or YYYY-MM", allow_year ? " or YYYY" : ""));
      }
      clause->value = Str(value);
      return absl::OkStatus();
    }
  }
}

class Parser {
 public:
  explicit Parser(std::string_view q) : q_(q) {}

  absl::StatusOr<ParsedQuery> Parse() {
    if (q_.size() > kMaxQueryBytes) {
      return ErrorAt(kMaxQueryBytes, absl::StrCat("query longer than ", kMaxQueryBytes, " bytes"));
    }
    ParsedQuery out;
    bool pending_or = false;
    size_t or_pos = 0;
    for (;;) {
      SkipSpace();
      if (i_ >= q_.size()) break;
      if (IsOr()) {
        if (out.groups.empty() || pending_or) {
          return ErrorAt(i_, pending_or ? "expected a word, phrase or filter after OR"
                                        : "expected a word, phrase or filter before OR");
        }
        pending_or = true;
        or_pos = i_;
        i_ += 2;
        continue;
      }
      Clause clause;
      auto st = ParseClause(&clause);
      if (!st.ok()) return st;
      if (pending_or) {
        out.groups.back().push_back(std::move(clause));
        pending_or = false;
      } else {
        out.groups.push_back({std::move(clause)});
      }
      if (++clauses_ > kMaxClauses) {
        return ErrorAt(i_, absl::StrCat("more than ", kMaxClauses, " clauses"));
      }
    }
    if (pending_or) return ErrorAt(or_pos + 2, "expected a word, phrase or filter after OR");
    if (out.groups.empty()) return ErrorAt(0, "empty query; expected a word, phrase or filter");
    for (const auto& group : out.groups) {
      if (group.size() < 2) continue;
      for (const Clause& c : group) {
        if (c.negated) {
          return ErrorAt(c.position,
                         "a negated clause cannot be part of OR; expected a clause without '-'");
        }
        if (IsDateClause(c.kind)) {
          return ErrorAt(c.position,
                         "a date filter cannot be part of OR; expected a word, phrase or filter "
                         "other than a date");
        }
        if ((c.kind == Clause::Kind::kIn) != (group[0].kind == Clause::Kind::kIn)) {
          return ErrorAt(c.position, "in: can only be OR-ed with another in:");
        }
      }
    }
    return out;
  }

 private:
  void SkipSpace() {
    while (i_ < q_.size() && IsSpace(q_[i_])) ++i_;
  }

  bool IsOr() const {
    return q_.compare(i_, 2, "OR") == 0 && (i_ + 2 == q_.size() || IsSpace(q_[i_ + 2]));
  }

  absl::Status ParseClause(Clause* clause) {
    clause->position = i_;
    if (q_[i_] == '-') {
      clause->negated = true;
      ++i_;
      if (i_ >= q_.size() || IsSpace(q_[i_]) || q_[i_] == '-') {
        return ErrorAt(i_, "expected a word, phrase or filter after '-'");
      }
    }
    if (q_[i_] == '"') return ParsePhrase(clause);
    size_t start = i_;
    while (i_ < q_.size() && !IsSpace(q_[i_]) && q_[i_] != '"') ++i_;
    std::string_view word = q_.substr(start, i_ - start);
    // name:value is an operator unless it looks like a URL scheme or a C++ scope (a:// a::b).
    size_t colon = word.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      std::string_view name = word.substr(0, colon);
      std::string_view value = word.substr(colon + 1);
      bool alpha = true;
      for (char c : name) alpha = alpha && std::isalpha(static_cast<unsigned char>(c));
      bool looks_operator = alpha && (value.empty() || (value[0] != '/' && value[0] != ':'));
      if (looks_operator) {
        std::string lower = absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
        bool known = false;
        for (const Operator& op : kOperators) known = known || op.name == lower;
        if (value.empty() && !known) {
          // "note:" alone is just a word.
        } else if (value.empty()) {
          return ErrorAt(start + colon + 1, absl::StrCat("expected a value after ", lower,
                                                         ": (no space after the colon)"));
        } else {
          absl::Status st = ParseOperator(lower, value, start, start + colon + 1, clause);
          if (!st.ok()) return st;
          if (clause->negated && IsDateClause(clause->kind)) {
            return ErrorAt(clause->position,
                           "a date filter cannot be negated; expected before:, after:, on: or "
                           "during: without '-'");
          }
          return absl::OkStatus();
        }
      }
    }
    clause->value_position = start;
    if (!word.empty() && word.back() == '*') {
      while (!word.empty() && word.back() == '*') word.remove_suffix(1);
      if (word.empty()) return ErrorAt(start, "expected at least one character before '*'");
      clause->kind = Clause::Kind::kPrefix;
    } else {
      clause->kind = Clause::Kind::kWord;
    }
    clause->value = Str(word);
    return absl::OkStatus();
  }

  absl::Status ParsePhrase(Clause* clause) {
    size_t open = i_;
    size_t close = q_.find('"', open + 1);
    if (close == std::string_view::npos) {
      return ErrorAt(open, "unbalanced quote; expected a closing '\"' for this phrase");
    }
    std::string_view text = q_.substr(open + 1, close - open - 1);
    bool blank = true;
    for (char c : text) blank = blank && IsSpace(c);
    if (blank) return ErrorAt(open, "empty phrase; expected words between the quotes");
    clause->kind = Clause::Kind::kPhrase;
    clause->value = Str(text);
    clause->value_position = open + 1;
    i_ = close + 1;
    return absl::OkStatus();
  }

  std::string_view q_;
  size_t i_ = 0;
  size_t clauses_ = 0;
};

}  // namespace

bool IsDateClause(Clause::Kind kind) {
  return kind == Clause::Kind::kBefore || kind == Clause::Kind::kAfter ||
         kind == Clause::Kind::kOn || kind == Clause::Kind::kDuring;
}

absl::StatusOr<ParsedQuery> ParseQuery(std::string_view query) { return Parser(query).Parse(); }

}  // namespace meridian::search
