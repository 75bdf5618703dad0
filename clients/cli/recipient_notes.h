#ifndef MERIDIAN_CLIENTS_CLI_RECIPIENT_NOTES_H_
#define MERIDIAN_CLIENTS_CLI_RECIPIENT_NOTES_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/cli/cli_context.h"
#include "meridian/v1/messages.pb.h"
#include "meridian/v1/users.pb.h"

namespace meridian::cli {

// After a post, tells the sender on stderr when a recipient will not be notified right away:
//   note: it is 03:12 Tue for @bob (Europe/Berlin), outside working hours — notification held
//   until 09:00
// It mirrors the server's notification policy (VIP senders and urgent messages go through working
// hours; urgent waits for do-not-disturb to end) from what GetUser returns.

// The first instant at or after `t` in which `hours` (in `zone`) says one is working; `t` itself
// when working then or when `hours` is empty (always working). InfiniteFuture if no interval
// occurs within two weeks (only for malformed hours).
absl::Time NextWorkingStart(const meridian::v1::WorkingHours& hours, absl::TimeZone zone,
                            absl::Time t);

// The note for one recipient at `now`, or "" when they are notified now within their working
// hours. `sender_id` is the poster's user id (for the VIP list).
std::string RecipientNote(const meridian::v1::User& recipient, const std::string& sender_id,
                          bool urgent, absl::Time now);

// Prints the notes for the people `message` reaches directly: `direct_members` (the members of a
// direct conversation, empty otherwise) and the users it @names (not @here/@channel), at most
// ten, looking each up with GetUser. @named people outside the channel get a note that they were
// not notified. Lookup failures skip the notes silently: they are advice, not the result.
void PrintRecipientNotes(CliContext& ctx, const meridian::v1::Message& message,
                         const std::vector<std::string>& direct_members,
                         const std::string& channel_label);

}  // namespace meridian::cli

#endif  // MERIDIAN_CLIENTS_CLI_RECIPIENT_NOTES_H_
