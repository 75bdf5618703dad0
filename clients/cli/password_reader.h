#ifndef MERIDIAN_CLIENTS_CLI_PASSWORD_READER_H_
#define MERIDIAN_CLIENTS_CLI_PASSWORD_READER_H_

#include <istream>
#include <string>

#include "absl/status/statusor.h"
#include "clients/cli/environment.h"

namespace meridian::cli {

struct PasswordOptions {
  bool from_stdin = false;  // --password-stdin: the first line of `in`
  bool confirm = false;     // interactive prompts ask twice (register)
};

// Finds the password, in order: --password-stdin, $MERIDIAN_PASSWORD, an interactive prompt on
// /dev/tty with echo off. A usage error when none is available or the input is empty; the
// trailing newline (and "\r") of a line is not part of the password.
absl::StatusOr<std::string> ReadPassword(const PasswordOptions& options, std::istream& in,
                                         const Environment& env);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_PASSWORD_READER_H_
