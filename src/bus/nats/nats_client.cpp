#include "bus/nats/nats_client.hpp"

#include <nats/nats.h>

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <thread>

#include "common/log.hpp"

namespace irisx::bus::nats {
namespace {

constexpr const char* kMsgIdHeader = "Nats-Msg-Id";

constexpr jsErrCode kNoJsError = static_cast<jsErrCode>(0);

std::string describe(natsStatus status, jsErrCode code = kNoJsError) {
  std::string text = natsStatus_GetText(status);
  if (code != 0) text += " (JetStream error " + std::to_string(code) + ")";
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0') text += ": " + std::string(last);
  return text;
}

void check(natsStatus status, jsErrCode code, const std::string& what) {
  if (status != NATS_OK) throw std::runtime_error(what + ": " + describe(status, code));
}

std::int64_t nanos(std::chrono::nanoseconds d) {
  return static_cast<std::int64_t>(d.count());
}

// libnats keeps process-wide threads (timers, dispatchers); the last client to go closes the
// library so none outlive the bus.
std::mutex library_mutex;
int library_users = 0;

void acquire_library() {
  std::lock_guard lock(library_mutex);
  if (library_users == 0) check(nats_Open(-1), kNoJsError, "cannot initialise libnats");
  ++library_users;
}

void release_library() {
  std::lock_guard lock(library_mutex);
  if (--library_users == 0) nats_CloseAndWait(5000);
}

void on_publish_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  const char* id = nullptr;
  if (ack != nullptr && natsMsgHeader_Get(msg, kMsgIdHeader, &id) == NATS_OK && id != nullptr) {
    static_cast<NatsClient*>(closure)->record_ack(id);
  } else if (error != nullptr) {
    log::get("bus")->warn(
        "JetStream refused a relayed message: {}",
        error->ErrText != nullptr ? error->ErrText : natsStatus_GetText(error->Err));
  }
  natsMsg_Destroy(msg);
}

}  // namespace

void MsgDeleter::operator()(natsMsg* msg) const {
  natsMsg_Destroy(msg);
}

PullSubscription::~PullSubscription() {
  natsSubscription_Destroy(sub_);
}

void PullSubscription::close() {
  // Unsubscribing a subscription bound to an existing consumer leaves the consumer in place.
  natsSubscription_Unsubscribe(sub_);
}

std::vector<MsgPtr> PullSubscription::fetch(int max, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::lock_guard lock(fetch_mutex_);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  std::vector<MsgPtr> out;
  if (left.count() <= 0 || !natsSubscription_IsValid(sub_)) return out;
  natsMsgList list{};
  jsErrCode code = kNoJsError;
  natsStatus status = natsSubscription_Fetch(&list, sub_, max, left.count(), &code);
  if (status == NATS_OK) {
    out.reserve(static_cast<std::size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i) {
      out.emplace_back(list.Msgs[i]);
      list.Msgs[i] = nullptr;  // owned by `out` now
    }
    natsMsgList_Destroy(&list);
    return out;
  }
  if (status != NATS_TIMEOUT && natsSubscription_IsValid(sub_)) {
    log::get("bus")->warn("fetch failed: {}", describe(status, code));
    std::this_thread::sleep_until(deadline);
  }
  return out;
}

MsgView view(natsMsg* msg) {
  MsgView v;
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, kMsgIdHeader, &id) == NATS_OK && id != nullptr) v.id = id;
  v.subject = natsMsg_GetSubject(msg);
  const char* data = natsMsg_GetData(msg);
  if (data != nullptr) v.payload.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    v.attempt = static_cast<int>(meta->NumDelivered);
    jsMsgMetaData_Destroy(meta);
  }
  return v;
}

void settle(natsMsg* msg, Settlement how, std::chrono::milliseconds delay) {
  natsStatus status = NATS_OK;
  switch (how) {
    case Settlement::ack:
      status = natsMsg_Ack(msg, nullptr);
      break;
    case Settlement::nak:
      status = natsMsg_NakWithDelay(msg, delay.count(), nullptr);
      break;
    case Settlement::term:
      status = natsMsg_Term(msg, nullptr);
      break;
  }
  if (status != NATS_OK) {
    log::get("bus")->warn("settling a delivery failed: {}", describe(status, kNoJsError));
  }
}

NatsClient::NatsClient(const std::string& url) {
  acquire_library();
  natsOptions* opts = nullptr;
  natsStatus status = natsOptions_Create(&opts);
  if (status == NATS_OK) status = natsOptions_SetURL(opts, url.c_str());
  if (status == NATS_OK) status = natsOptions_SetTimeout(opts, 2000);
  // Never give up on a server that went away: the outbox keeps the messages meanwhile.
  if (status == NATS_OK) status = natsOptions_SetMaxReconnect(opts, -1);
  if (status == NATS_OK) status = natsOptions_SetReconnectWait(opts, 250);
  if (status == NATS_OK) status = natsConnection_Connect(&conn_, opts);
  natsOptions_Destroy(opts);
  if (status != NATS_OK) {
    std::string why = describe(status, kNoJsError);
    release_library();
    throw std::runtime_error("cannot connect to NATS at " + url + ": " + why);
  }
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.PublishAsync.AckHandler = on_publish_ack;
  js_opts.PublishAsync.AckHandlerClosure = this;
  status = natsConnection_JetStream(&js_, conn_, &js_opts);
  if (status != NATS_OK) {
    natsConnection_Destroy(conn_);
    release_library();
    check(status, kNoJsError, "cannot open a JetStream context");
  }
}

NatsClient::~NatsClient() {
  jsCtx_Destroy(js_);
  natsConnection_Destroy(conn_);
  release_library();
}

bool NatsClient::connected() const {
  return natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED;
}

void NatsClient::record_ack(std::string id) {
  std::lock_guard lock(acked_mutex_);
  acked_.push_back(std::move(id));
}

void NatsClient::ensure_stream(const std::string& name, const std::string& subjects,
                               std::chrono::nanoseconds max_age,
                               std::chrono::nanoseconds duplicates) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subject_list[] = {subjects.c_str()};
  cfg.Name = name.c_str();
  cfg.Subjects = subject_list;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.MaxAge = nanos(max_age);
  cfg.Duplicates = nanos(duplicates);
  jsStreamInfo* info = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus status = js_UpdateStream(&info, js_, &cfg, nullptr, &code);
  if (status != NATS_OK && code == JSStreamNotFoundErr) {
    status = js_AddStream(&info, js_, &cfg, nullptr, &code);
    // Another process created it in between.
    if (status != NATS_OK && code == JSStreamNameExistErr)
      status = js_UpdateStream(&info, js_, &cfg, nullptr, &code);
  }
  jsStreamInfo_Destroy(info);
  check(status, code, "cannot create or update stream " + name);
}

std::unique_ptr<PullSubscription> NatsClient::ensure_consumer(const ConsumerSpec& spec) {
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = spec.name.c_str();
  cfg.FilterSubject = spec.filter.c_str();
  cfg.AckPolicy = js_AckExplicit;
  cfg.AckWait = nanos(spec.ack_wait);
  // One delivery more than the consumer's limit: NatsBus::fetch moves that one to the dead
  // letters (in the store) instead of handing it out; at the limit itself the server would
  // only stop redelivering, and the message would be lost to the consumer without a trace.
  cfg.MaxDeliver = spec.max_deliveries > 0 ? spec.max_deliveries + 1 : -1;
  // Messages handed out and not yet acked, at most (JetStream's default is 1,000): a retry
  // waiting out its delay (up to 10 h for a webhook) is one of them, and at the limit nothing
  // new is handed out, for any endpoint. nats.c drops a -1 ("no limit") from the request, so a
  // million; the server keeps a small entry per pending message.
  cfg.MaxAckPending = 1'000'000;
  jsConsumerInfo* info = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus status = js_AddConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &code);
  if (status != NATS_OK && (code == JSConsumerNameExistErr || code == JSConsumerExistingActiveErr ||
                            code == 10148 /* consumer already exists, config differs */)) {
    status = js_UpdateConsumer(&info, js_, spec.stream.c_str(), &cfg, nullptr, &code);
  }
  jsConsumerInfo_Destroy(info);
  check(status, code, "cannot create or update consumer " + spec.name);

  jsSubOptions sub_opts;
  jsSubOptions_Init(&sub_opts);
  sub_opts.Stream = spec.stream.c_str();
  sub_opts.Consumer = spec.name.c_str();
  natsSubscription* sub = nullptr;
  status = js_PullSubscribe(&sub, js_, spec.filter.c_str(), spec.name.c_str(), nullptr, &sub_opts,
                            &code);
  check(status, code, "cannot subscribe to consumer " + spec.name);
  return std::make_unique<PullSubscription>(sub);
}

std::vector<std::string> NatsClient::publish_batch(const std::vector<Message>& batch,
                                                   std::chrono::milliseconds wait) {
  {
    std::lock_guard lock(acked_mutex_);
    acked_.clear();
  }
  // While disconnected libnats would buffer the batch in memory; the outbox is the buffer.
  if (!connected()) return {};
  for (const auto& m : batch) {
    natsMsg* msg = nullptr;
    natsStatus status = natsMsg_Create(&msg, m.subject.c_str(), nullptr, m.payload.data(),
                                       static_cast<int>(m.payload.size()));
    jsPubOptions opts;
    jsPubOptions_Init(&opts);
    opts.MsgId = m.id.c_str();
    if (status == NATS_OK) status = js_PublishMsgAsync(js_, &msg, &opts);
    natsMsg_Destroy(msg);  // no-op once the library took it
    if (status != NATS_OK) break;
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = wait.count();
  if (js_PublishAsyncComplete(js_, &complete) != NATS_OK) {
    // Late acks for these are dropped; their rows stay and the next pass publishes them again.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
  }
  std::vector<std::string> acked;
  std::lock_guard lock(acked_mutex_);
  acked.swap(acked_);
  return acked;
}

}  // namespace irisx::bus::nats
