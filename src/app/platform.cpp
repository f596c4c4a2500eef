#include "app/platform.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/routes.hpp"
#include "app/bus_factory.hpp"
#include "app/database_factory.hpp"
#include "app/ended_calls.hpp"
#include "app/voice_factory.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "http/server.hpp"
#include "kv/memory/memory_limiter.hpp"
#include "net/http_client.hpp"
#include "store/migrations.hpp"
#include "voice/registrar/registrar_service.hpp"
#include "webhooks/worker.hpp"

namespace irisx::app {

namespace asio = boost::asio;

std::string load_or_create_secret(const Config& config) {
  if (!config.secret_key.empty()) {
    if (config.secret_key.size() < 32)
      throw ConfigError("auth.secret_key must be at least 32 characters");
    return config.secret_key;
  }
  std::filesystem::create_directories(config.data_dir);
  const std::filesystem::path path = std::filesystem::path(config.data_dir) / "secret.key";
  if (std::ifstream in{path}) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    throw ConfigError(path.string() + " holds no usable secret");
  }
  std::string secret = crypto::random_hex(32);
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << secret << "\n";
  }
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(tmp, path);
  return secret;
}

namespace {

// Runs a coroutine to completion on an io_context that is not otherwise running.
template <class T>
T run_sync(asio::io_context& io, asio::awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

void check_roles(const Config& config) {
  if (config.roles.empty()) throw ConfigError("roles must name at least one of api, worker, voice");
  for (const auto& role : config.roles) {
    if (role != "api" && role != "worker" && role != "voice") {
      throw ConfigError("roles: unknown role '" + role + "' (known: api, worker, voice)");
    }
  }
}

webhooks::DeliverySettings delivery_settings(const Config& config) {
  webhooks::DeliverySettings settings;
  for (const auto& text : config.webhook_retry_schedule) {
    auto ms = parse_duration_ms(text);
    if (!ms) throw ConfigError("webhooks.retry_schedule: '" + text + "' is not a duration");
    settings.retry_schedule.emplace_back(*ms);
  }
  settings.timeout = std::chrono::milliseconds(config.webhook_timeout_ms);
  settings.disable_after = std::chrono::seconds(config.webhook_disable_after_s);
  settings.max_in_flight = std::max(1, config.webhook_max_in_flight);
  settings.max_in_flight_per_endpoint = std::max(1, config.webhook_max_in_flight_per_endpoint);
  // A job must stay leased longer than its attempt's lease, or a second worker could start the
  // same delivery while the first still waits for the receiver.
  if (config.bus_ack_wait_ms < config.webhook_timeout_ms + 2000) {
    throw ConfigError("bus.ack_wait_ms must exceed webhooks.timeout_ms by at least 2000");
  }
  return settings;
}

net::AddressPolicy address_policy(const Config& config) {
  try {
    return net::AddressPolicy::from_strings(config.webhook_allow_networks);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("webhooks.allow_networks: ") + e.what());
  }
}

// Waits, without blocking the thread, until `done` is set.
asio::awaitable<void> wait_until(const bool& done) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!done) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace

struct Platform::Impl {
  Config config;
  asio::io_context io;
  std::string secret;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<events::Publisher> publisher;
  std::unique_ptr<webhooks::DeliveryQueue> deliveries;
  std::unique_ptr<webhooks::EndpointService> endpoints;
  std::unique_ptr<webhooks::CallbackService> callbacks;
  std::unique_ptr<EndedCalls> ended_calls;
  std::unique_ptr<voice::numbers::NumberStore> numbers;
  std::unique_ptr<voice::registrar::CredentialStore> sip_credentials;
  webhooks::DeliverySettings delivery;
  std::unique_ptr<kv::Limiter> limiter = kv::make_memory_limiter();
  identity::AuthCache cache{std::chrono::seconds(5)};
  metrics::Registry metrics;
  std::unique_ptr<identity::PasswordHasher> hasher;
  std::unique_ptr<identity::Authenticator> authenticator;
  std::unique_ptr<identity::AccountService> accounts;
  std::unique_ptr<identity::UserService> users;
  std::unique_ptr<identity::ApiKeyService> api_keys;
  std::unique_ptr<identity::TenantService> tenants;
  std::unique_ptr<identity::OperatorService> operators;
  std::unique_ptr<api::ApiServices> services;
  http::Router router;
  std::atomic<int> pending_records{0};  // call records handed over by the voice engine, unsaved

  explicit Impl(Config c) : config(std::move(c)), io(1) {
    secret = load_or_create_secret(config);
    const std::string jwt_key = crypto::hmac_sha256(secret, "irisx access tokens v1");
    const std::string data_key = crypto::hmac_sha256(secret, "irisx data at rest v1");
    db = open_database(config.effective_database_url(), io.get_executor(),
                       static_cast<std::size_t>(config.database_pool_size));
    check_roles(config);
    delivery = delivery_settings(config);
    bus = open_bus(config, *db, io.get_executor());
    publisher = std::make_unique<events::Publisher>(*bus);
    deliveries = std::make_unique<webhooks::DeliveryQueue>(*db, *bus);
    publisher->set_fan_out(
        [q = deliveries.get()](store::Session& tx, const events::Event& e) { q->fan_out(tx, e); });
    endpoints = std::make_unique<webhooks::EndpointService>(*db, *publisher, *deliveries, data_key,
                                                            address_policy(config));
    callbacks = std::make_unique<webhooks::CallbackService>(*db, *deliveries, data_key);
    ended_calls = std::make_unique<EndedCalls>(*db, *publisher, *callbacks);
    numbers = std::make_unique<voice::numbers::NumberStore>(*db);
    sip_credentials = std::make_unique<voice::registrar::CredentialStore>(*db);
    hasher = std::make_unique<identity::PasswordHasher>(
        identity::Argon2Params{config.argon2_memory_kib, config.argon2_iterations,
                               config.argon2_parallelism},
        2);
    authenticator = std::make_unique<identity::Authenticator>(*db, cache, jwt_key);
    accounts = std::make_unique<identity::AccountService>(
        *db, *hasher, *limiter, cache, *publisher,
        identity::SessionSettings{jwt_key, config.access_token_ttl_s, config.refresh_token_ttl_s,
                                  config.login_max_failures, config.login_window_s});
    users = std::make_unique<identity::UserService>(*db, *hasher, cache, *publisher);
    api_keys = std::make_unique<identity::ApiKeyService>(*db, cache, *publisher);
    tenants = std::make_unique<identity::TenantService>(*db, cache, *publisher);
    operators = std::make_unique<identity::OperatorService>(
        *db, *hasher, *limiter, config.operator_session_ttl_s, config.login_max_failures,
        config.login_window_s);
    api::RateLimits limits{config.rate_limit_enabled,
                           {config.api_key_rate_per_s, config.api_key_burst},
                           {config.tenant_rate_per_s, config.tenant_burst}};
    services = std::make_unique<api::ApiServices>(api::ApiServices{
        *db, *authenticator, *accounts, *users, *api_keys, *tenants, *operators, *endpoints,
        *deliveries, *callbacks, *numbers, *sip_credentials, *publisher, *limiter, metrics, limits,
        data_key, IRISX_VERSION, config.event_retention_days * 24 * 3600 * 1000});
    api::Routes routes(router, *services);
    // A worker-only process still answers health probes and serves its metrics.
    if (config.has_role("api")) {
      api::register_all(routes);
    } else {
      api::register_system_routes(routes);
    }
    metrics::add_process_collector(metrics);
  }

  // Worker role: webhook deliveries, and the purge of events (and their delivery log) and of
  // the bus's dead letters past the events' retention.
  asio::awaitable<void> run_worker(webhooks::DeliveryWorker& worker, bool& done) {
    asio::co_spawn(io, purge_events_forever(), asio::detached);
    co_await worker.run();
    done = true;
  }

  asio::awaitable<void> purge_events_forever() {
    asio::steady_timer timer(io);
    auto log = log::get("events");
    while (true) {
      try {
        const std::int64_t cutoff = now_ms() - config.event_retention_days * 24 * 3600 * 1000;
        while (co_await events::purge_events(*db, cutoff, 1000) > 0) {
        }
        while (co_await webhooks::purge_deliveries(*db, cutoff, 500) > 0) {
        }
        while (co_await bus::purge_dead_letters(*db, cutoff, 1000) > 0) {
        }
      } catch (const std::exception& e) {
        log->warn("purging old events, deliveries or dead letters failed: {}", e.what());
      }
      timer.expires_after(std::chrono::minutes(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  // Call records from the voice engine (its own thread).
  voice::RecordSink record_sink() {
    return [this](const voice::CallRecord& record) {
      ++pending_records;
      asio::co_spawn(io, save_record(record), asio::detached);
    };
  }

  // REGISTER runs on the main io_context, where the store lives; the reply goes back to SIP.
  voice::RegisterHandler register_handler(voice::registrar::RegistrarService& registrar) {
    return [this, &registrar](voice::sip::RegisterRequest request,
                              std::function<void(voice::sip::RegisterResponse)> reply) {
      asio::co_spawn(io, answer_register(registrar, std::move(request), std::move(reply)),
                     asio::detached);
    };
  }

  static asio::awaitable<void> answer_register(
      voice::registrar::RegistrarService& registrar, voice::sip::RegisterRequest request,
      std::function<void(voice::sip::RegisterResponse)> reply) {
    voice::sip::RegisterResponse response;
    try {
      response = co_await registrar.handle(std::move(request));
    } catch (const std::exception& e) {
      log::get("voice")->error("REGISTER failed: {}", e.what());
    }
    reply(std::move(response));
  }

  asio::awaitable<void> save_record(voice::CallRecord record) {
    const std::string id = record.id;
    try {
      co_await ended_calls->save(std::move(record));
    } catch (const std::exception& e) {
      log::get("voice")->error("saving call record {} failed: {}", id, e.what());
    }
    --pending_records;
  }

  // Voice role: bindings past their expiry are already ignored by lookups; this removes them.
  asio::awaitable<void> purge_bindings_forever() {
    asio::steady_timer timer(io);
    voice::registrar::Bindings bindings(*db);
    while (true) {
      try {
        co_await bindings.purge_expired(now_ms());
      } catch (const std::exception& e) {
        log::get("voice")->warn("purging expired SIP bindings failed: {}", e.what());
      }
      timer.expires_after(std::chrono::minutes(10));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  int threads() const {
    if (config.threads > 0) return config.threads;
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
};

Platform::Platform(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Platform::~Platform() = default;

const http::Router& Platform::router() const {
  return impl_->router;
}
const Config& Platform::config() const {
  return impl_->config;
}

int Platform::migrate() {
  auto applied = run_sync(impl_->io, store::migrate(*impl_->db));
  return static_cast<int>(applied.size());
}

identity::Operator Platform::create_operator(const std::string& email, const std::string& password,
                                             const std::string& name) {
  return run_sync(impl_->io, impl_->operators->create(email, password, name));
}

int Platform::serve(const std::string& ready_file) {
  Impl& s = *impl_;
  auto log = log::get("app");
  int applied = migrate();
  if (applied > 0) log->info("applied {} migration(s)", applied);

  auto [host, port] = split_host_port(s.config.listen, "server.listen");
  http::Pipeline pipeline(s.router, s.metrics,
                          http::PipelineOptions{s.config.cors_origins, s.config.access_log});
  http::ServerOptions options{host, port, static_cast<std::size_t>(s.config.body_limit),
                              std::chrono::milliseconds(s.config.read_timeout_ms),
                              std::chrono::milliseconds(s.config.drain_timeout_ms)};
  // One io_context per thread; the first also runs signals, the store pool and draining.
  std::vector<std::unique_ptr<asio::io_context>> extra;
  std::vector<asio::io_context*> workers{&s.io};
  for (int i = 1; i < s.threads(); ++i) {
    extra.push_back(std::make_unique<asio::io_context>(1));
    workers.push_back(extra.back().get());
  }
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (auto& ctx : extra) keep_running.push_back(asio::make_work_guard(*ctx));
  run_sync(s.io, s.bus->declare(webhooks::delivery_consumer(
                     std::chrono::milliseconds(s.config.bus_ack_wait_ms))));
  http::Server server(s.io, workers, options, pipeline);
  s.io.restart();
  bool bus_done = false;
  asio::co_spawn(
      s.io,
      [&]() -> asio::awaitable<void> {
        co_await s.bus->run();
        bus_done = true;
      },
      asio::detached);
  std::unique_ptr<net::HttpClient> http_client;
  std::unique_ptr<webhooks::DeliveryWorker> worker;
  bool worker_done = true;
  if (s.config.has_role("worker")) {
    http_client = std::make_unique<net::HttpClient>(
        address_policy(s.config), static_cast<std::size_t>(s.delivery.max_in_flight));
    worker = std::make_unique<webhooks::DeliveryWorker>(
        *s.db, *s.bus, *http_client, *s.publisher, s.services->data_key, s.delivery, s.metrics);
    worker_done = false;
    asio::co_spawn(s.io, s.run_worker(*worker, worker_done), asio::detached);
  }
  std::unique_ptr<voice::VoiceEngine> voice_engine;
  std::unique_ptr<voice::registrar::RegistrarService> registrar;
  if (s.config.has_role("voice")) {
    voice::registrar::RegistrarSettings settings;
    settings.nonce_secret = crypto::hmac_sha256(s.secret, "irisx sip nonces v1");
    registrar = std::make_unique<voice::registrar::RegistrarService>(*s.db, settings);
    voice_engine = start_voice(s.config, s.record_sink(), s.register_handler(*registrar), *s.db,
                               s.io.get_executor(), settings.nonce_secret);
    if (s.config.voice_registrar) asio::co_spawn(s.io, s.purge_bindings_forever(), asio::detached);
  }
  const std::uint16_t bound = server.start();
  const std::string address =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(bound);
  std::string roles;
  for (const auto& r : s.config.roles) roles += (roles.empty() ? "" : ",") + r;
  if (voice_engine) log->info("SIP on {} (UDP and TCP)", voice_engine->sip_address());
  log->info("listening on http://{} (roles: {}, store: {}, bus: {}, threads: {})", address, roles,
            s.db->dialect() == store::Dialect::sqlite ? "sqlite" : "postgres",
            s.config.nats_url.empty() ? "embedded" : "nats", s.threads());
  if (!ready_file.empty()) {
    std::ofstream ready(ready_file + ".tmp");
    ready << address << "\n";
    if (voice_engine) ready << "sip " << voice_engine->sip_address() << "\n";
    ready.close();
    std::filesystem::rename(ready_file + ".tmp", ready_file);
  }

  asio::signal_set signals(s.io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log->info("signal {}: draining in-flight requests", signal);
    asio::co_spawn(
        s.io,
        [&]() -> asio::awaitable<void> {
          co_await server.drain();
          // Attempts in flight finish (each is bounded by webhooks.timeout_ms); then the bus
          // stops, after its relay has handed over what was committed.
          if (worker) worker->stop();
          co_await wait_until(worker_done);
          // Live calls are hung up (BYE), and their records written, before the store goes.
          if (voice_engine) {
            voice_engine->begin_drain();
            asio::steady_timer pause(s.io);
            for (int i = 0; i < 250 && (voice_engine->live_calls() > 0 || s.pending_records > 0);
                 ++i) {
              pause.expires_after(std::chrono::milliseconds(20));
              co_await pause.async_wait(asio::use_awaitable);
            }
            voice_engine.reset();
          }
          s.bus->stop();
          co_await wait_until(bus_done);
          for (auto* ctx : workers) ctx->stop();
        },
        asio::detached);
  });

  std::vector<std::thread> threads;
  for (auto& ctx : extra) threads.emplace_back([&ctx] { ctx->run(); });
  s.io.run();
  for (auto& t : threads) t.join();
  log->info("stopped");
  return 0;
}

}  // namespace irisx::app
