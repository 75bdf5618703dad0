#include "plugins/runner/host_table.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace meridian::plugin_runtime {

using plugin_wire::Frame;
using plugin_wire::FrameType;
using plugin_wire::HostOp;

namespace {

// What a meridian_buf's host_private points to: the bytes and anything the caller's structs
// point into.
struct BufStorage {
  std::vector<std::string> strings;
  std::vector<meridian_str> strs;
  std::vector<meridian_working_interval> intervals;
};

std::string Str(meridian_str s) {
  return s.data == nullptr ? std::string() : std::string(s.data, s.len);
}

meridian_str View(const std::string& s) { return meridian_str{s.data(), s.size()}; }

void ZeroBuf(meridian_buf* buf) {
  if (buf != nullptr) *buf = meridian_buf{nullptr, 0, nullptr};
}

// Hands `value` to the plugin as a meridian_buf it must free with free_buf.
void FillBuf(meridian_buf* buf, std::string value) {
  if (buf == nullptr) return;
  auto* storage = new BufStorage;
  storage->strings.push_back(std::move(value));
  buf->data = storage->strings[0].data();
  buf->len = storage->strings[0].size();
  buf->host_private = storage;
}

}  // namespace

struct HostTableFns {
  static HostTable* Self(const meridian_host* host) {
    return static_cast<HostTable*>(host->host_ctx);
  }

  // Sends op with s/i; returns the status and leaves the reply in *reply.
  static int32_t Call(const meridian_host* host, HostOp op, std::vector<std::string> s,
                      std::vector<int64_t> i, Frame* reply) {
    Frame request;
    request.type = FrameType::kHostCall;
    request.op = static_cast<uint32_t>(op);
    request.s = std::move(s);
    request.i = std::move(i);
    if (!Self(host)->transport_->Call(request, reply) || reply->type != FrameType::kHostReply) {
      return MERIDIAN_ERR_UNAVAILABLE;
    }
    return static_cast<int32_t>(reply->I(0));
  }

  static int32_t Simple(const meridian_host* host, HostOp op, std::vector<std::string> s,
                        std::vector<int64_t> i = {}) {
    Frame reply;
    return Call(host, op, std::move(s), std::move(i), &reply);
  }

  // Calls op and, on success, hands reply.s[0] to the plugin in *out.
  static int32_t WithBuf(const meridian_host* host, HostOp op, std::vector<std::string> s,
                         std::vector<int64_t> i, meridian_buf* out) {
    ZeroBuf(out);
    Frame reply;
    int32_t st = Call(host, op, std::move(s), std::move(i), &reply);
    if (st == MERIDIAN_OK) FillBuf(out, std::string(reply.S(0)));
    return st;
  }

  static void Log(const meridian_host* host, int32_t level, meridian_str message) {
    Simple(host, HostOp::kLog, {Str(message)}, {level});
  }

  static void FreeBuf(const meridian_host*, meridian_buf* buf) {
    if (buf == nullptr) return;
    delete static_cast<BufStorage*>(buf->host_private);
    ZeroBuf(buf);
  }

  static int32_t ReplySet(const meridian_host*, meridian_reply* reply, meridian_str data) {
    if (reply == nullptr) return MERIDIAN_ERR_INVALID_ARGUMENT;
    reply->data = Str(data);
    reply->set = true;
    return MERIDIAN_OK;
  }

  static int32_t KvGet(const meridian_host* host, meridian_str key, meridian_buf* out) {
    return WithBuf(host, HostOp::kKvGet, {Str(key)}, {}, out);
  }

  static int32_t KvSet(const meridian_host* host, meridian_str key, meridian_str value,
                       int64_t ttl_ms) {
    return Simple(host, HostOp::kKvSet, {Str(key), Str(value)}, {ttl_ms});
  }

  static int32_t KvCas(const meridian_host* host, meridian_str key, int32_t expect_absent,
                       meridian_str expected, meridian_str value, int64_t ttl_ms) {
    return Simple(host, HostOp::kKvCompareAndSet, {Str(key), Str(expected), Str(value)},
                  {expect_absent, ttl_ms});
  }

  static int32_t KvDelete(const meridian_host* host, meridian_str key) {
    return Simple(host, HostOp::kKvDelete, {Str(key)});
  }

  static int32_t KvList(const meridian_host* host, meridian_str prefix, meridian_str cursor,
                        uint32_t limit, void (*on_key)(void*, meridian_str), void* user_data,
                        meridian_buf* out_next_cursor) {
    ZeroBuf(out_next_cursor);
    Frame reply;
    int32_t st = Call(host, HostOp::kKvList, {Str(prefix), Str(cursor)}, {limit}, &reply);
    if (st != MERIDIAN_OK) return st;
    for (size_t k = 1; k < reply.s.size(); ++k) {
      if (on_key != nullptr) on_key(user_data, View(reply.s[k]));
    }
    FillBuf(out_next_cursor, std::string(reply.S(0)));
    return MERIDIAN_OK;
  }

  static int32_t Post(const meridian_host* host, meridian_str channel, meridian_str text,
                      meridian_str root, meridian_buf* out_id) {
    return WithBuf(host, HostOp::kPostMessage, {Str(channel), Str(text), Str(root)}, {}, out_id);
  }

  static int32_t Edit(const meridian_host* host, meridian_str id, meridian_str text) {
    return Simple(host, HostOp::kEditMessage, {Str(id), Str(text)});
  }

  static int32_t Ephemeral(const meridian_host* host, meridian_str user, meridian_str channel,
                           meridian_str text) {
    return Simple(host, HostOp::kSendEphemeral, {Str(user), Str(channel), Str(text)});
  }

  static int32_t GetUser(const meridian_host* host, meridian_str id, meridian_user* out,
                         meridian_buf* storage_buf) {
    ZeroBuf(storage_buf);
    if (out == nullptr || storage_buf == nullptr) return MERIDIAN_ERR_INVALID_ARGUMENT;
    Frame reply;
    int32_t st = Call(host, HostOp::kGetUser, {Str(id)}, {}, &reply);
    if (st != MERIDIAN_OK) return st;
    auto* storage = new BufStorage;
    storage->strings = reply.s;
    storage->strings.resize(4);
    int64_t n = reply.I(2);
    for (int64_t k = 0; k < n; ++k) {
      storage->intervals.push_back(meridian_working_interval{
          static_cast<int32_t>(reply.I(3 + 3 * k)), static_cast<int32_t>(reply.I(4 + 3 * k)),
          static_cast<int32_t>(reply.I(5 + 3 * k))});
    }
    meridian_user user;
    std::memset(&user, 0, sizeof(user));
    user.struct_size = sizeof(meridian_user);
    user.id = View(storage->strings[0]);
    user.name = View(storage->strings[1]);
    user.display_name = View(storage->strings[2]);
    user.time_zone = View(storage->strings[3]);
    user.working_hours = storage->intervals.data();
    user.working_hours_count = storage->intervals.size();
    user.is_bot = static_cast<int32_t>(reply.I(1));
    // Fill only as much as the plugin's struct holds, and tell it how much that was.
    uint32_t size = std::min<uint32_t>(out->struct_size, sizeof(meridian_user));
    user.struct_size = size;
    std::memcpy(out, &user, size);
    storage_buf->host_private = storage;
    return MERIDIAN_OK;
  }

  static int32_t GetChannel(const meridian_host* host, meridian_str id, meridian_channel* out,
                            meridian_buf* storage_buf) {
    ZeroBuf(storage_buf);
    if (out == nullptr || storage_buf == nullptr) return MERIDIAN_ERR_INVALID_ARGUMENT;
    Frame reply;
    int32_t st = Call(host, HostOp::kGetChannel, {Str(id)}, {}, &reply);
    if (st != MERIDIAN_OK) return st;
    auto* storage = new BufStorage;
    storage->strings = reply.s;
    storage->strings.resize(std::max<size_t>(3, storage->strings.size()));
    for (size_t k = 3; k < storage->strings.size(); ++k) {
      storage->strs.push_back(View(storage->strings[k]));
    }
    meridian_channel channel;
    std::memset(&channel, 0, sizeof(channel));
    channel.id = View(storage->strings[0]);
    channel.name = View(storage->strings[1]);
    channel.topic = View(storage->strings[2]);
    channel.member_ids = storage->strs.data();
    channel.member_count = storage->strs.size();
    uint32_t size = std::min<uint32_t>(out->struct_size, sizeof(meridian_channel));
    channel.struct_size = size;
    std::memcpy(out, &channel, size);
    storage_buf->host_private = storage;
    return MERIDIAN_OK;
  }

  static int32_t RegisterCommand(const meridian_host* host, meridian_str trigger,
                                 meridian_str help) {
    return Simple(host, HostOp::kRegisterCommand, {Str(trigger), Str(help)});
  }

  static int32_t RegisterEndpoint(const meridian_host* host, meridian_str method) {
    return Simple(host, HostOp::kRegisterEndpoint, {Str(method)});
  }

  static int32_t ScheduleTimer(const meridian_host* host, meridian_str id, int64_t delay_ms,
                               int64_t period_ms) {
    return Simple(host, HostOp::kScheduleTimer, {Str(id)}, {delay_ms, period_ms});
  }

  static int32_t CancelTimer(const meridian_host* host, meridian_str id) {
    return Simple(host, HostOp::kCancelTimer, {Str(id)});
  }

  static int32_t GetSetting(const meridian_host* host, meridian_str name, meridian_buf* out) {
    return WithBuf(host, HostOp::kGetSetting, {Str(name)}, {}, out);
  }

  static int64_t NowUs(const meridian_host* host) {
    Frame reply;
    if (Call(host, HostOp::kNow, {}, {}, &reply) != MERIDIAN_OK) return 0;
    return reply.I(1);
  }

  static const void* GetExtension(const meridian_host*, meridian_str id) {
    static const meridian_ext_clock_v1 kClock = {sizeof(meridian_ext_clock_v1), &NowUs};
    if (Str(id) == MERIDIAN_EXT_CLOCK_V1) return &kClock;
    return nullptr;
  }
};

HostTable::HostTable(std::string plugin_id, HostTransport* transport)
    : plugin_id_(std::move(plugin_id)), transport_(transport) {
  std::memset(&table_, 0, sizeof(table_));
  table_.struct_size = sizeof(meridian_host);
  table_.abi_major = MERIDIAN_PLUGIN_ABI_MAJOR;
  table_.abi_minor = MERIDIAN_PLUGIN_ABI_MINOR;
  table_.host_ctx = this;
  table_.plugin_id = View(plugin_id_);
  table_.log = &HostTableFns::Log;
  table_.free_buf = &HostTableFns::FreeBuf;
  table_.reply_set = &HostTableFns::ReplySet;
  table_.kv_get = &HostTableFns::KvGet;
  table_.kv_set = &HostTableFns::KvSet;
  table_.kv_compare_and_set = &HostTableFns::KvCas;
  table_.kv_delete = &HostTableFns::KvDelete;
  table_.kv_list = &HostTableFns::KvList;
  table_.post_message = &HostTableFns::Post;
  table_.edit_message = &HostTableFns::Edit;
  table_.send_ephemeral = &HostTableFns::Ephemeral;
  table_.get_user = &HostTableFns::GetUser;
  table_.get_channel = &HostTableFns::GetChannel;
  table_.register_command = &HostTableFns::RegisterCommand;
  table_.register_endpoint = &HostTableFns::RegisterEndpoint;
  table_.schedule_timer = &HostTableFns::ScheduleTimer;
  table_.cancel_timer = &HostTableFns::CancelTimer;
  table_.get_setting = &HostTableFns::GetSetting;
  table_.get_extension = &HostTableFns::GetExtension;
}

}  // namespace meridian::plugin_runtime
