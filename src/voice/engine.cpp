#include "voice/engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "voice/media/port_pool.hpp"
#include "voice/tts/speech_synthesizer.hpp"

namespace irisx::voice {

namespace asio = boost::asio;

// Members are ordered for destruction: calls and their sockets go before the io_context,
// which goes before the port pool their sockets return ports to.
struct VoiceEngine::Impl {
  EngineOptions options;
  Router router;
  RecordSink records;
  std::shared_ptr<spdlog::logger> log = log::get("voice");
  media::PortPool ports;
  std::unique_ptr<CallResources> resources;
  asio::io_context io{1};
  tts::SpeechSynthesizer speech;
  std::unique_ptr<sip::SipStack> sip;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::unordered_map<sip::CallId, std::shared_ptr<Call>> calls;  // engine thread only
  std::atomic<std::size_t> live{0};
  std::thread thread;

  Impl(EngineOptions o, Router r, RecordSink s)
      : options(std::move(o)),
        router(std::move(r)),
        records(std::move(s)),
        ports(options.rtp_port_min, options.rtp_port_max),
        speech(options.speech_cache_dir) {
    if (options.media_address.empty()) options.media_address = options.sip.host;
    sip::SipEvents events;
    events.on_invite = [this](sip::InviteRequest request) {
      asio::post(io, [this, request = std::move(request)]() mutable { start(std::move(request)); });
    };
    events.on_confirmed = [this](sip::CallId id) {
      asio::post(io, [this, id] {
        if (auto it = calls.find(id); it != calls.end()) it->second->on_confirmed();
      });
    };
    events.on_reoffer = [this](sip::CallId id, std::string offer) {
      asio::post(io, [this, id, offer = std::move(offer)] {
        if (auto it = calls.find(id); it != calls.end()) it->second->on_reoffer(offer);
      });
    };
    events.on_ended = [this](sip::CallEnded ended) {
      asio::post(io, [this, ended] { finish(ended); });
    };
    sip = std::make_unique<sip::SipStack>(options.sip, std::move(events));
    resources = std::make_unique<CallResources>(CallResources{
        io.get_executor(), *sip, ports, speech, options.media_address, options.recordings_dir});
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    // Applications stop first, so none touches SIP while it shuts down; nua_shutdown then
    // sends BYE to every call still up.
    guard.reset();
    io.stop();
    thread.join();
    sip.reset();
    calls.clear();
  }

  void start(sip::InviteRequest request) {
    const sip::CallId id = request.id;
    Application application = router ? router(request) : Application{};
    log->debug("INVITE {} to '{}' from {} over {}", id, request.request_user, request.from_uri,
               request.transport);
    auto call = std::make_shared<Call>(*resources, std::move(request));
    calls.emplace(id, call);
    ++live;
    if (!application) {
      sip->reject(id, 404, "Not Found");
      return;
    }
    asio::co_spawn(io, run(call, std::move(application)), asio::detached);
  }

  asio::awaitable<void> run(std::shared_ptr<Call> call, Application application) {
    try {
      co_await application(call);
    } catch (const std::exception& e) {
      log->error("call {} application failed: {}", call->record().id, e.what());
    }
    if (call->active()) co_await call->hangup();
  }

  void finish(const sip::CallEnded& ended) {
    auto it = calls.find(ended.id);
    if (it == calls.end()) return;
    auto call = it->second;
    calls.erase(it);
    --live;
    call->on_ended(ended);
    const CallRecord& record = call->record();
    log->info("call {} ended: {} ({}), {} ms, from {} to {}", record.id, record.hangup_cause,
              record.sip_status, record.duration_ms(), record.from, record.to);
    if (records) records(record);
  }
};

VoiceEngine::VoiceEngine(EngineOptions options, Router router, RecordSink records)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router), std::move(records))) {}

VoiceEngine::~VoiceEngine() = default;

void VoiceEngine::begin_drain() {
  impl_->sip->refuse_new_calls();
  asio::post(impl_->io, [impl = impl_.get()] {
    for (auto& [id, call] : impl->calls) {
      asio::co_spawn(impl->io, call->hangup(), asio::detached);
    }
  });
}

std::string VoiceEngine::sip_address() const {
  return impl_->sip->address();
}

std::size_t VoiceEngine::live_calls() const {
  return impl_->live.load();
}

}  // namespace irisx::voice
