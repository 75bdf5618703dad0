// Status-propagation macros; Debian's abseil 20220623 ships none of its own.
#ifndef MERIDIAN_SERVER_COMMON_STATUS_MACROS_H_
#define MERIDIAN_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MERIDIAN_CONCAT_INNER_(a, b) a##b
#define MERIDIAN_CONCAT_(a, b) MERIDIAN_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                           \
  do {                                                  \
    ::absl::Status meridian_status_ = (expr);           \
    if (!meridian_status_.ok()) return meridian_status_; \
  } while (0)

// `lhs = *expr` when `expr` (an absl::StatusOr<T>) holds a value; otherwise returns its status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(MERIDIAN_CONCAT_(meridian_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()

#endif  // MERIDIAN_SERVER_COMMON_STATUS_MACROS_H_
