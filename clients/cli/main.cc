// `meridian`: the command-line client. Everything lives in meridian_cli_lib (see cli_app.h).
#include <iostream>

#include "clients/cli/cli_app.h"
#include "clients/cli/environment.h"

int main(int argc, char** argv) {
  meridian::cli::SystemEnvironment env;
  return meridian::cli::RunCli(argc, argv, env, std::cin, std::cout, std::cerr);
}
