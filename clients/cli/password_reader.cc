#include "clients/cli/password_reader.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_status.h"

namespace meridian::cli {
namespace {

void StripLineEnd(std::string& line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
}

// Reads one line from the terminal with echo turned off, restoring the terminal afterwards.
absl::StatusOr<std::string> PromptOnTty(int tty, const char* prompt) {
  ::write(tty, prompt, std::char_traits<char>::length(prompt));
  termios saved{};
  bool restore = ::tcgetattr(tty, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c;
  ssize_t n;
  while ((n = ::read(tty, &c, 1)) == 1 && c != '\n') line.push_back(c);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &saved);
  if (n < 0) return absl::FailedPreconditionError("cannot read the password from the terminal");
  StripLineEnd(line);
  return line;
}

absl::StatusOr<std::string> Prompt(bool confirm) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return UsageError(
        "no password given and no terminal to ask on: use --password-stdin or set "
        "MERIDIAN_PASSWORD");
  }
  absl::StatusOr<std::string> first = PromptOnTty(tty, "Password: ");
  if (first.ok() && confirm) {
    absl::StatusOr<std::string> second = PromptOnTty(tty, "Repeat password: ");
    if (!second.ok()) {
      first = second.status();
    } else if (*second != *first) {
      first = UsageError("the two passwords differ");
    }
  }
  ::close(tty);
  return first;
}

}  // namespace

absl::StatusOr<std::string> ReadPassword(const PasswordOptions& options, std::istream& in,
                                         const Environment& env) {
  std::string password;
  if (options.from_stdin) {
    if (!std::getline(in, password)) return UsageError("--password-stdin: standard input is empty");
    StripLineEnd(password);
  } else if (auto from_env = env.Get("MERIDIAN_PASSWORD"); from_env.has_value()) {
    password = *from_env;
  } else {
    absl::StatusOr<std::string> typed = Prompt(options.confirm);
    if (!typed.ok()) return typed.status();
    password = *std::move(typed);
  }
  if (password.empty()) return UsageError("the password is empty");
  return password;
}

}  // namespace meridian::cli
