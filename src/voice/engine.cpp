#include "voice/engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "voice/media/port_pool.hpp"
#include "voice/tts/speech_synthesizer.hpp"

namespace irisx::voice {

namespace asio = boost::asio;

// One media thread: its io_context runs the applications and RTP of the calls it owns.
// A call stays on one shard for its whole life, so its state needs no locks.
struct Shard {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::unique_ptr<CallResources> resources;
  std::unordered_map<sip::CallId, std::shared_ptr<Call>> calls;  // this shard's thread only
  std::thread thread;
};

// Members are ordered for destruction: calls and their sockets go before their io_contexts,
// which go before the port pool their sockets return ports to.
struct VoiceEngine::Impl {
  EngineOptions options;
  Router router;
  RecordSink records;
  std::shared_ptr<spdlog::logger> log = log::get("voice");
  media::PortPool ports;
  std::vector<std::unique_ptr<Shard>> shards;
  tts::SpeechSynthesizer speech;
  std::unique_ptr<sip::SipStack> sip;
  std::atomic<std::size_t> live{0};
  // Registrar replies that arrive after the engine is gone find this expired.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  Impl(EngineOptions o, Router r, RecordSink s)
      : options(std::move(o)),
        router(std::move(r)),
        records(std::move(s)),
        ports(options.rtp_port_min, options.rtp_port_max),
        speech(options.speech_cache_dir) {
    if (options.media_address.empty()) options.media_address = options.sip.host;
    const std::size_t threads = std::max<std::size_t>(1, options.media_threads);
    for (std::size_t i = 0; i < threads; ++i) shards.push_back(std::make_unique<Shard>());
    sip::SipEvents events;
    events.on_invite = [this](sip::InviteRequest request) {
      Shard& shard = shard_of(request.id);
      asio::post(shard.io, [this, &shard, request = std::move(request)]() mutable {
        start(shard, std::move(request));
      });
    };
    events.on_confirmed = [this](sip::CallId id, std::string ack_sdp) {
      with_call(id, [ack_sdp = std::move(ack_sdp)](Call& call) { call.on_confirmed(ack_sdp); });
    };
    events.on_progress = [this](sip::CallId id, int status, std::string sdp) {
      with_call(id, [status, sdp = std::move(sdp)](Call& call) { call.on_progress(status, sdp); });
    };
    events.on_answered = [this](sip::CallId id, std::string sdp) {
      with_call(id, [sdp = std::move(sdp)](Call& call) { call.on_answered(sdp); });
    };
    events.on_reoffer = [this](sip::CallId id, std::string offer) {
      with_call(id, [offer = std::move(offer)](Call& call) { call.on_reoffer(offer); });
    };
    events.on_refer = [this](sip::CallId id, std::string target) {
      with_call(id, [target = std::move(target)](Call& call) { call.on_refer(target); });
    };
    events.on_transfer_progress = [this](sip::CallId id, int status, bool final) {
      with_call(id, [status, final](Call& call) { call.on_transfer_progress(status, final); });
    };
    events.on_ended = [this](sip::CallEnded ended) {
      Shard& shard = shard_of(ended.id);
      asio::post(shard.io, [this, &shard, ended] { finish(shard, ended); });
    };
    if (options.registrar) {
      events.on_register = [this](sip::RegisterRequest request) {
        const std::uint64_t id = request.id;
        std::weak_ptr<bool> engine_alive = alive;
        options.registrar(std::move(request),
                          [this, id, engine_alive](sip::RegisterResponse response) {
                            if (engine_alive.lock()) sip->respond_register(id, std::move(response));
                          });
      };
    }
    sip = std::make_unique<sip::SipStack>(options.sip, std::move(events));
    for (auto& shard : shards) {
      auto dial_out = [this, s = shard.get()](sip::OutboundInvite invite) {
        return originate(*s, std::move(invite));
      };
      shard->resources = std::make_unique<CallResources>(
          CallResources{shard->io.get_executor(), std::move(dial_out), *sip, ports, speech,
                        options.media_address, options.recordings_dir});
      shard->thread = std::thread([io = &shard->io] { io->run(); });
    }
  }

  ~Impl() {
    // Applications stop first, so none touches SIP while it shuts down; nua_shutdown then
    // sends BYE to every call still up.
    for (auto& shard : shards) {
      shard->guard.reset();
      shard->io.stop();
    }
    for (auto& shard : shards) shard->thread.join();
    sip.reset();
    for (auto& shard : shards) shard->calls.clear();
  }

  Shard& shard_of(sip::CallId id) { return *shards[id % shards.size()]; }

  // An outbound leg lives on the shard of the call that dials it, so bridging needs no locks.
  // Ids pick their shard (id % shards), so take the next id that lands on this one.
  std::shared_ptr<Call> originate(Shard& shard, sip::OutboundInvite invite) {
    sip::CallId id = sip->new_call_id();
    while (&shard_of(id) != &shard) id = sip->new_call_id();
    auto call = std::make_shared<Call>(*shard.resources, id, std::move(invite));
    shard.calls.emplace(id, call);
    ++live;
    return call;
  }

  // Runs `fn` on the call's shard if the call is still there.
  template <class Fn>
  void with_call(sip::CallId id, Fn fn) {
    Shard& shard = shard_of(id);
    asio::post(shard.io, [&shard, id, fn = std::move(fn)]() mutable {
      if (auto it = shard.calls.find(id); it != shard.calls.end()) fn(*it->second);
    });
  }

  void start(Shard& shard, sip::InviteRequest request) {
    const sip::CallId id = request.id;
    log->debug("INVITE {} to '{}' from {} over {}", id, request.request_user, request.from_uri,
               request.transport);
    Application application = router ? router(request) : Application{};
    auto call = std::make_shared<Call>(*shard.resources, std::move(request));
    shard.calls.emplace(id, call);
    ++live;
    if (!application) {
      sip->reject(id, 404);
      return;
    }
    asio::co_spawn(shard.io, run(call, std::move(application)), asio::detached);
  }

  asio::awaitable<void> run(std::shared_ptr<Call> call, Application application) {
    try {
      co_await application(call);
    } catch (const std::exception& e) {
      log->error("call {} application failed: {}", call->record().id, e.what());
    }
    if (call->active()) co_await call->hangup();
  }

  void finish(Shard& shard, const sip::CallEnded& ended) {
    auto it = shard.calls.find(ended.id);
    if (it == shard.calls.end()) return;
    auto call = it->second;
    shard.calls.erase(it);
    --live;
    call->on_ended(ended);
    const CallRecord& record = call->record();
    log->debug("call {} ended: {} ({}), {} ms, from {} to {}", record.id, record.hangup_cause,
               record.sip_status, record.duration_ms(), record.from, record.to);
    if (records && call->keeps_record()) records(record);
  }
};

VoiceEngine::VoiceEngine(EngineOptions options, Router router, RecordSink records)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router), std::move(records))) {}

VoiceEngine::~VoiceEngine() = default;

void VoiceEngine::begin_drain() {
  impl_->sip->refuse_new_calls();
  for (auto& shard : impl_->shards) {
    asio::post(shard->io, [io = &shard->io, calls = &shard->calls] {
      for (auto& [id, call] : *calls) asio::co_spawn(*io, call->hangup(), asio::detached);
    });
  }
}

std::string VoiceEngine::sip_address() const {
  return impl_->sip->address();
}

std::size_t VoiceEngine::live_calls() const {
  return impl_->live.load();
}

}  // namespace irisx::voice
