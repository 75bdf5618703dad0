// What MessageService asks of extensions around a post (the plugin host, through its bridge),
// without knowing who implements it: a veto or rewrite before the write, slash commands instead
// of the write, and a notice after it.
#ifndef MERIDIAN_SERVER_CORE_POST_HOOKS_H_
#define MERIDIAN_SERVER_CORE_POST_HOOKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "meridian/v1/messages.pb.h"

namespace meridian {

// A post that passed validation and access checks and is about to be written.
struct PostDraft {
  std::string channel_id;  // canonical, "c3"
  std::string author_id;   // "u12"
  std::string text;
  std::string thread_root_id;
  absl::Time time;
  bool urgent = false;
};

struct PostVerdict {
  enum class Kind { kAllow, kReject, kModify };
  Kind kind = Kind::kAllow;
  std::string text;    // kReject: the reason for the sender; kModify: the replacement text
  std::string source;  // who decided, for messages and logs
};

// Safe for concurrent use. Called on request threads (never the writer thread); may take as long
// as its own deadline allows and may re-enter MessageService (a plugin posting as its bot).
class PostHooks {
 public:
  virtual ~PostHooks() = default;

  // Before the write. Must fail open: an extension that is broken or too slow allows.
  virtual PostVerdict WillPost(const PostDraft& draft) = 0;
  // After the write is durable; must return at once (deliver asynchronously).
  virtual void Posted(const v1::Message& message) = 0;
  // True when `trigger` (without the slash) is a command that SlashCommand answers.
  virtual bool HasCommand(const std::string& trigger) = 0;
  // Triggers of every command, sorted, for the error about an unknown one.
  virtual std::vector<std::string> CommandTriggers() = 0;
  // Runs the command line "/trigger args" for `user_id` in `channel_id`; the answer is shown to
  // that user only.
  virtual absl::StatusOr<std::string> SlashCommand(const std::string& user_id,
                                                   const std::string& channel_id,
                                                   const std::string& line) = 0;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_POST_HOOKS_H_
