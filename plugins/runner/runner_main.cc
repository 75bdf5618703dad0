// meridian-plugin-runner: loads one plugin in its own process so that a crash or hang in the
// plugin never takes the server down. The host starts it with one end of a socketpair and talks
// the plugins/runner/wire.h protocol over it:
//
//   meridian-plugin-runner --fd=N --plugin-id=ID --library=PATH
//
// It sends kHello once the plugin is loaded (or refused), then serves kHookCall frames one at a
// time, relaying the plugin's host calls back as kHostCall frames, until the socket closes.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "plugins/runner/host_table.h"
#include "plugins/runner/invoker.h"
#include "plugins/runner/loader.h"
#include "plugins/runner/wire.h"

namespace {

using meridian::plugin_runtime::HostTable;
using meridian::plugin_runtime::HostTransport;
using meridian::plugin_runtime::LoadedPlugin;
using meridian::plugin_wire::Frame;
using meridian::plugin_wire::FrameType;
using meridian::plugin_wire::NoDeadline;
using meridian::plugin_wire::ReadFrame;
using meridian::plugin_wire::ReadStatus;
using meridian::plugin_wire::WriteFrame;

// Host calls block until the host answers: the host, not the runner, enforces deadlines.
class SocketTransport final : public HostTransport {
 public:
  explicit SocketTransport(int fd) : fd_(fd) {}
  bool Call(const Frame& request, Frame* reply) override {
    if (!WriteFrame(fd_, request)) return false;
    if (ReadFrame(fd_, reply, NoDeadline()) != ReadStatus::kOk) {
      // The host went away mid-call; nothing useful is left to do.
      _exit(3);
    }
    return reply->type == FrameType::kHostReply;
  }

 private:
  int fd_;
};

bool ParseFlag(const char* arg, const char* name, std::string* out) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string fd_text, plugin_id, library;
  for (int k = 1; k < argc; ++k) {
    if (!ParseFlag(argv[k], "--fd", &fd_text) && !ParseFlag(argv[k], "--plugin-id", &plugin_id) &&
        !ParseFlag(argv[k], "--library", &library)) {
      std::fprintf(stderr, "meridian-plugin-runner: unknown argument %s\n", argv[k]);
      return 2;
    }
  }
  if (fd_text.empty() || plugin_id.empty() || library.empty()) {
    std::fprintf(stderr,
                 "usage: meridian-plugin-runner --fd=N --plugin-id=ID --library=PATH\n"
                 "(started by meridiand; not meant to be run by hand)\n");
    return 2;
  }
  int fd = std::atoi(fd_text.c_str());
  if (fd < 3) {
    std::fprintf(stderr, "meridian-plugin-runner: --fd must be 3 or more\n");
    return 2;
  }
  // Keep nothing of the server's but the socket: a plugin must not reach its files or sockets.
  if (fd > 3) close_range(3, static_cast<unsigned>(fd) - 1, 0);
  close_range(static_cast<unsigned>(fd) + 1, ~0u, 0);
  // Die with the host, and never on a write to a closed socket. Not PR_SET_PDEATHSIG: it fires
  // when the *thread* that spawned the runner exits, and meridiand starts runners from pooled
  // RPC threads (enable, reload) that come and go. An idle runner already exits on the socket's
  // EOF; this catches one stuck in a hook when the host dies.
  const pid_t host_pid = getppid();
  std::thread([host_pid] {
    while (getppid() == host_pid) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    _exit(1);
  }).detach();
  signal(SIGPIPE, SIG_IGN);

  SocketTransport transport(fd);
  HostTable table(plugin_id, &transport);
  std::string error;
  int32_t code = MERIDIAN_OK;
  std::unique_ptr<LoadedPlugin> plugin = LoadedPlugin::Load(library, table.host(), &error, &code);

  Frame hello;
  hello.type = FrameType::kHello;
  if (plugin == nullptr) {
    hello.i = {code, 0, 0, 0, 0};
    hello.s = {error};
    WriteFrame(fd, hello);
    return 1;
  }
  const meridian_plugin& p = plugin->plugin();
  hello.i = {MERIDIAN_OK, p.abi_major, p.abi_minor, p.min_host_minor, plugin->hook_mask()};
  hello.s = {""};
  if (!WriteFrame(fd, hello)) return 3;

  for (;;) {
    Frame call;
    ReadStatus st = ReadFrame(fd, &call, NoDeadline());
    if (st == ReadStatus::kEof) break;
    if (st != ReadStatus::kOk || call.type != FrameType::kHookCall) {
      std::fprintf(stderr, "meridian-plugin-runner[%s]: protocol error from host\n",
                   plugin_id.c_str());
      return 3;
    }
    Frame result = meridian::plugin_runtime::InvokeHook(p, table.host(), call);
    if (!WriteFrame(fd, result)) break;
  }
  // The host closed the socket after deactivate: unload cleanly.
  plugin.reset();
  return 0;
}
