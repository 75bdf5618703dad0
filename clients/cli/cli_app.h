#ifndef MERIDIAN_CLIENTS_CLI_CLI_APP_H_
#define MERIDIAN_CLIENTS_CLI_CLI_APP_H_

#include <istream>
#include <ostream>

#include "clients/cli/environment.h"

namespace meridian::cli {

// Runs `meridian` with the given arguments and returns its exit code (see ExitCode in
// cli_status.h). Reads passwords/message text from `in`, writes results to `out` and errors and
// progress to `err`. Never throws.
int RunCli(int argc, const char* const* argv, const Environment& env, std::istream& in,
           std::ostream& out, std::ostream& err);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_CLI_APP_H_
