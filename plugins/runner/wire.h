// The private protocol between the plugin host (server/plugins) and meridian-plugin-runner over
// one Unix stream socket. Each frame is a 4-byte big-endian payload length followed by the
// payload: type (u8), op (u32), a count and list of byte strings (u32 length + bytes), a count
// and list of int64s (8 bytes each), all big-endian. Each message kind gives positional meaning
// to `s` and `i` (documented beside the op enums). Not a public format; both ends are built from
// the same source, so it carries no version.
#ifndef MERIDIAN_PLUGINS_RUNNER_WIRE_H_
#define MERIDIAN_PLUGINS_RUNNER_WIRE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::plugin_wire {

enum class FrameType : uint8_t {
  kHello = 1,       // runner -> host once loaded: i=[status, abi_major, abi_minor,
                    // min_host_minor, hook_mask], s=[error]
  kHookCall = 2,    // host -> runner: op = HookOp, args below
  kHookResult = 3,  // runner -> host: i=[code, reply_set, outcome], s=[reply, error]
  kHostCall = 4,    // runner -> host, only while a hook or the entry runs: op = HostOp
  kHostReply = 5,   // host -> runner: i[0] = MERIDIAN_* status, results after it
};

// Hook calls. Args: kWillPost/kPosted s=[id, channel, user, text, root] i=[create_us, urgent];
// kSlash s=[user, channel, trigger, args]; kTimer s=[timer_id]; kEndpoint s=[method, payload];
// kNotification s=[user, channel, message_id, title, body] i=[urgent]; others none.
enum class HookOp : uint32_t {
  kActivate = 1,
  kDeactivate = 2,
  kConfigurationChanged = 3,
  kMessageWillBePosted = 4,
  kMessagePosted = 5,
  kSlashCommand = 6,
  kTimerFired = 7,
  kEndpointInvoked = 8,
  kNotificationWillBeSent = 9,
};

// kHookResult outcome (i[2]).
enum class HookOutcome : int64_t { kOk = 0, kException = 1, kNotImplemented = 2 };

// Host calls; requests mirror the C signatures, replies start with the status.
enum class HostOp : uint32_t {
  kLog = 1,                // s=[message] i=[level]
  kKvGet = 2,              // s=[key] -> s=[value]
  kKvSet = 3,              // s=[key, value] i=[ttl_ms]
  kKvCompareAndSet = 4,    // s=[key, expected, value] i=[expect_absent, ttl_ms]
  kKvDelete = 5,           // s=[key]
  kKvList = 6,             // s=[prefix, cursor] i=[limit] -> s=[next_cursor, keys...]
  kPostMessage = 7,        // s=[channel, text, root] -> s=[message_id]
  kEditMessage = 8,        // s=[message_id, text]
  kSendEphemeral = 9,      // s=[user, channel, text]
  kGetUser = 10,           // s=[id] -> s=[id, name, display_name, tz] i=[st, is_bot, n, wd,s,e..]
  kGetChannel = 11,        // s=[id] -> s=[id, name, topic, members...]
  kRegisterCommand = 12,   // s=[trigger, help]
  kRegisterEndpoint = 13,  // s=[method]
  kScheduleTimer = 14,     // s=[timer_id] i=[delay_ms, period_ms]
  kCancelTimer = 15,       // s=[timer_id]
  kGetSetting = 16,        // s=[name] -> s=[value]
  kNow = 17,               // -> i=[st, now_us]
};

inline constexpr uint32_t HookBit(HookOp op) { return 1u << static_cast<uint32_t>(op); }

struct Frame {
  FrameType type = FrameType::kHello;
  uint32_t op = 0;
  std::vector<std::string> s;
  std::vector<int64_t> i;

  // Positional accessors that tolerate short frames (missing = empty / 0).
  std::string_view S(size_t n) const { return n < s.size() ? std::string_view(s[n]) : ""; }
  int64_t I(size_t n) const { return n < i.size() ? i[n] : 0; }
};

inline constexpr uint32_t kMaxFrameBytes = 64u << 20;

// The whole frame, length prefix included.
std::string EncodeFrame(const Frame& frame);
// Parses a payload (without the length prefix); false when malformed.
bool DecodeFrame(std::string_view payload, Frame* out);

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline NoDeadline() { return Deadline::max(); }

// Writes a whole frame; false when the peer is gone. Blocking; retries EINTR; never SIGPIPEs.
bool WriteFrame(int fd, const Frame& frame);

enum class ReadStatus { kOk, kEof, kTimeout, kError };
// Reads one frame, waiting with poll() until `deadline` at most.
ReadStatus ReadFrame(int fd, Frame* out, Deadline deadline);

}  // namespace meridian::plugin_wire

#endif  // MERIDIAN_PLUGINS_RUNNER_WIRE_H_
