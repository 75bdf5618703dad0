#ifndef MERIDIAN_CLIENTS_CLI_CLI_MACROS_H_
#define MERIDIAN_CLIENTS_CLI_CLI_MACROS_H_

// Status propagation for the CLI (which may not include server/common/status_macros.h).

#define CLI_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status cli_status_ = (expr);       \
    if (!cli_status_.ok()) return cli_status_; \
  } while (0)

#define CLI_CONCAT_INNER_(a, b) a##b
#define CLI_CONCAT_(a, b) CLI_CONCAT_INNER_(a, b)

// `lhs` may declare a variable: CLI_ASSIGN_OR_RETURN(auto user, ctx.Me());
#define CLI_ASSIGN_OR_RETURN(lhs, expr) \
  CLI_ASSIGN_OR_RETURN_IMPL_(CLI_CONCAT_(cli_statusor_, __LINE__), lhs, expr)
#define CLI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(*tmp)

#endif  // MERIDIAN_CLIENTS_CLI_CLI_MACROS_H_
