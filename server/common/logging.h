// Meridian logs through spdlog to stderr, one line per event with time, level and message.
#ifndef MERIDIAN_SERVER_COMMON_LOGGING_H_
#define MERIDIAN_SERVER_COMMON_LOGGING_H_

#include <spdlog/spdlog.h>

#include <string_view>

namespace meridian {

// Configures the default logger: stderr, "2026-11-23T10:00:00.123Z info message".
// `level` is one of trace, debug, info, warn, error; false when it is none of them.
bool InitLogging(std::string_view level);

}  // namespace meridian

#define MLOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define MLOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define MLOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define MLOG_ERROR(...) ::spdlog::error(__VA_ARGS__)

#endif  // MERIDIAN_SERVER_COMMON_LOGGING_H_
