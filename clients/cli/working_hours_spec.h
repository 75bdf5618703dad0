#ifndef MERIDIAN_CLIENTS_CLI_WORKING_HOURS_SPEC_H_
#define MERIDIAN_CLIENTS_CLI_WORKING_HOURS_SPEC_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "meridian/v1/users.pb.h"

namespace meridian::cli {

// Parses a human working-hours spec into WorkingHours intervals (weekday 0 = Sunday .. 6 =
// Saturday, minutes after local midnight).
//
//   spec    := "none" | clause (";" clause)*
//   clause  := days times
//   days    := day ("," day)*      day := mon | monday | mon-fri | fri-mon | weekdays | weekend |
//   daily times   := range ("," range)*  range := time "-" time time    := H | HH | H:MM | HH:MM,
//   optionally followed by am/pm; "24:00" ends a day
//
// Examples: "mon-fri 09:00-17:00", "mon,wed 9-12,13-17; sat 10am-2pm", "sun-thu 08:00-16:30".
// A range that ends before it starts runs overnight and is split at midnight ("fri 22:00-02:00"
// is Friday 22:00-24:00 and Saturday 00:00-02:00). Touching ranges are merged; overlapping ones
// are rejected. Returns a usage error (INVALID_ARGUMENT) naming the offending piece.
absl::StatusOr<meridian::v1::WorkingHours> ParseWorkingHours(absl::string_view spec);

// One clock time, "9", "09:30", "5pm" or "12:15am", as minutes after midnight; "24:00" (the end
// of a day) only when allow_end_of_day. INVALID_ARGUMENT saying what was expected.
absl::StatusOr<int> ParseClockTime(absl::string_view text, bool allow_end_of_day);

// A weekday word ("mon", "tues", "thursday", ...; lower case) as 0 = Sunday .. 6 = Saturday, or
// nullopt.
std::optional<int> ParseWeekday(absl::string_view word);

// The inverse: a compact spec such as "mon-fri 09:00-17:00" ("none" when empty). Parsing the
// result yields the same intervals.
std::string FormatWorkingHours(const meridian::v1::WorkingHours& hours);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_WORKING_HOURS_SPEC_H_
