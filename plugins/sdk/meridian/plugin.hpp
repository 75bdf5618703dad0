// Optional header-only C++ helper over meridian/plugin.h: string_view conversions, RAII for host
// buffers, a thin wrapper over the host table, and Guard() to keep exceptions from crossing the
// C boundary. Uses nothing but the C ABI, so plugins built with it keep the ABI promise.
#ifndef MERIDIAN_PLUGIN_HPP_
#define MERIDIAN_PLUGIN_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "meridian/plugin.h"

namespace meridian::sdk {

inline meridian_str Str(std::string_view s) { return meridian_str{s.data(), s.size()}; }
inline std::string_view View(meridian_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}

// Owns one meridian_buf and frees it through the host. Not copyable.
class HostBuf {
 public:
  explicit HostBuf(const meridian_host* host) : host_(host) {}
  ~HostBuf() { host_->free_buf(host_, &buf_); }
  HostBuf(const HostBuf&) = delete;
  HostBuf& operator=(const HostBuf&) = delete;
  meridian_buf* get() { return &buf_; }
  std::string_view view() const { return std::string_view(buf_.data, buf_.len); }

 private:
  const meridian_host* host_;
  meridian_buf buf_ = {nullptr, 0, nullptr};
};

// Borrows the host table for the duration of a hook. Same threading rules as the C ABI.
class Host {
 public:
  explicit Host(const meridian_host* host) : host_(host) {}
  const meridian_host* raw() const { return host_; }

  void Log(int32_t level, std::string_view message) const {
    host_->log(host_, level, Str(message));
  }
  void Info(std::string_view message) const { Log(MERIDIAN_LOG_INFO, message); }

  // std::nullopt when absent, expired, or on error.
  std::optional<std::string> KvGet(std::string_view key) const {
    HostBuf buf(host_);
    if (host_->kv_get(host_, Str(key), buf.get()) != MERIDIAN_OK) return std::nullopt;
    return std::string(buf.view());
  }
  int32_t KvSet(std::string_view key, std::string_view value, int64_t ttl_ms = 0) const {
    return host_->kv_set(host_, Str(key), Str(value), ttl_ms);
  }
  int32_t KvDelete(std::string_view key) const { return host_->kv_delete(host_, Str(key)); }

  std::optional<std::string> Setting(std::string_view name) const {
    HostBuf buf(host_);
    if (host_->get_setting(host_, Str(name), buf.get()) != MERIDIAN_OK) return std::nullopt;
    return std::string(buf.view());
  }

  // The new message's id, or std::nullopt on error.
  std::optional<std::string> Post(std::string_view channel, std::string_view text,
                                  std::string_view thread_root = {}) const {
    HostBuf id(host_);
    if (host_->post_message(host_, Str(channel), Str(text), Str(thread_root), id.get()) !=
        MERIDIAN_OK) {
      return std::nullopt;
    }
    return std::string(id.view());
  }

  int32_t Reply(meridian_reply* reply, std::string_view data) const {
    return host_->reply_set(host_, reply, Str(data));
  }

 private:
  const meridian_host* host_;
};

// Runs `f` (returning int32_t); an exception becomes MERIDIAN_ERR_INTERNAL instead of unwinding
// into the host.
template <typename F>
int32_t Guard(F&& f) noexcept {
  try {
    return std::forward<F>(f)();
  } catch (...) {
    return MERIDIAN_ERR_INTERNAL;
  }
}

}  // namespace meridian::sdk

#endif  // MERIDIAN_PLUGIN_HPP_
