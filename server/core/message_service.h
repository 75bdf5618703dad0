// Messages, threads, reactions, pins and read state.
#ifndef MERIDIAN_SERVER_CORE_MESSAGE_SERVICE_H_
#define MERIDIAN_SERVER_CORE_MESSAGE_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "meridian/v1/messages.pb.h"
#include "server/core/channel_service.h"
#include "server/core/idempotency_gate.h"
#include "server/core/message_observer.h"
#include "server/core/post_hooks.h"
#include "server/core/service_env.h"

namespace meridian {

// Safe for concurrent use. Borrows `channels` and every observer, which must outlive it.
class MessageService {
 public:
  MessageService(ServiceEnv env, ChannelService& channels) : env_(env), channels_(channels) {}

  // Observers run inside every message change. Add them before serving.
  void AddObserver(MessageObserver* observer) { observers_.push_back(observer); }
  // Hooks around every post (plugins); borrowed, must outlive this. Set before serving. Without
  // hooks no slash command exists.
  void SetPostHooks(PostHooks* hooks) { hooks_ = hooks; }

  // A text "/trigger ..." of a person (not a bot) runs that slash command instead of posting
  // (INVALID_ARGUMENT for an unknown one); "//..." posts "/..." literally. The hooks may reject
  // (FAILED_PRECONDITION with their reason) or rewrite the text first. A retry with the
  // idempotency key of an earlier post or command returns that first result (deduplicated) and
  // runs neither hooks nor command again; one arriving while the first still runs waits for it.
  absl::StatusOr<v1::PostMessageResponse> Post(const Caller& caller,
                                               const v1::PostMessageRequest& req);
  absl::StatusOr<v1::Message> Edit(const Caller& caller, const v1::EditMessageRequest& req);
  absl::StatusOr<v1::ListRevisionsResponse> ListRevisions(
      const Caller& caller, const v1::ListRevisionsRequest& req) const;
  absl::Status Delete(const Caller& caller, const v1::DeleteMessageRequest& req);
  absl::StatusOr<v1::GetHistoryResponse> History(const Caller& caller,
                                                 const v1::GetHistoryRequest& req) const;
  absl::StatusOr<v1::GetThreadResponse> Thread(const Caller& caller,
                                               const v1::GetThreadRequest& req) const;
  absl::StatusOr<v1::Message> Get(const Caller& caller, const v1::GetMessageRequest& req) const;
  absl::StatusOr<v1::Message> React(const Caller& caller, absl::string_view message_id,
                                    absl::string_view emoji, bool add);
  absl::StatusOr<v1::Message> Pin(const Caller& caller, absl::string_view message_id, bool pin);
  absl::StatusOr<v1::ListPinsResponse> ListPins(const Caller& caller,
                                                const v1::ListPinsRequest& req) const;
  absl::StatusOr<uint64_t> MarkRead(const Caller& caller, const v1::MarkReadRequest& req);
  absl::StatusOr<v1::GetUnreadCountsResponse> UnreadCounts(const Caller& caller) const;

 private:
  absl::StatusOr<internal::MessageRecord> Load(uint64_t channel, uint64_t seq) const;
  // Writes `after` (and search postings etc. through the observers) into txn.
  void PutMessage(Txn& txn, const ChannelView& channel, const internal::MessageRecord* before,
                  const internal::MessageRecord& after);
  // Emits a message event visible to the channel's members.
  void EmitMessageEvent(Txn& txn, v1::EventType type, const internal::MessageRecord& rec,
                        uint64_t actor, absl::string_view emoji = "");
  // Users a message's mentions reach, besides its author.
  std::vector<uint64_t> MentionedMembers(const ChannelView& channel, absl::string_view text,
                                         uint64_t author, v1::Message* msg) const;
  absl::StatusOr<int> PageSize(int requested) const;
  // The response to a slash command line, or its error.
  // Remembers the response under `idem_key` (a storage key; none when empty).
  absl::StatusOr<v1::PostMessageResponse> RunCommand(const Caller& caller,
                                                     absl::string_view channel_ref,
                                                     const std::string& trigger,
                                                     const std::string& line,
                                                     const std::string& idem_key);
  // The first result stored under `idem_key`, nullopt when there is none.
  absl::StatusOr<std::optional<v1::PostMessageResponse>> Replay(const std::string& idem_key) const;
  // Runs the hooks' WillPost; updates *text on a valid rewrite.
  absl::Status ApplyWillPost(const Caller& caller, absl::string_view channel_ref,
                             const v1::PostMessageRequest& req, std::string* text);

  ServiceEnv env_;
  ChannelService& channels_;
  std::vector<MessageObserver*> observers_;
  PostHooks* hooks_ = nullptr;
  IdempotencyGate idempotency_gate_;
};

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_MESSAGE_SERVICE_H_
