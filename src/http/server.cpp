#include "http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "http/problem.hpp"

namespace irisx::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

Request to_request(bhttp::request<bhttp::string_body>&& in, const std::string& remote_ip) {
  Request out;
  out.method = std::string(in.method_string());
  std::string_view target = in.target();
  std::size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));  // raw; the router decodes per segment
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.headers.reserve(8);
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(in.body());
  out.remote_ip = remote_ip;
  return out;
}

bhttp::response<bhttp::string_body> to_beast(Response&& in, unsigned version, bool keep_alive,
                                             const std::string& request_id) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  out.set(bhttp::field::server, "irisx");
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [name, value] : in.headers) out.set(name, value);
  if (!request_id.empty()) out.set("X-Request-Id", request_id);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

}  // namespace

struct Server::Impl {
  Impl(asio::io_context& io_, std::vector<asio::io_context*> workers_, ServerOptions options_,
       Pipeline& pipeline_)
      : io(io_),
        workers(std::move(workers_)),
        options(std::move(options_)),
        pipeline(pipeline_),
        acceptor(io_) {}

  asio::io_context& io;
  std::vector<asio::io_context*> workers;
  std::size_t next_worker = 0;  // touched by the accept loop only
  ServerOptions options;
  Pipeline& pipeline;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};  // connections currently handling a request
  std::mutex idle_mutex;
  // Connections waiting for their next request, closed first when draining.
  std::map<beast::tcp_stream*, std::weak_ptr<beast::tcp_stream>> idle;
  std::shared_ptr<spdlog::logger> log = log::get("http");

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(std::shared_ptr<beast::tcp_stream> stream_ptr);
  asio::awaitable<void> reject(beast::tcp_stream& stream, const ApiError& error, unsigned version);

  void set_idle(const std::shared_ptr<beast::tcp_stream>& s, bool is_idle) {
    std::lock_guard lock(idle_mutex);
    if (is_idle) {
      idle.emplace(s.get(), s);
    } else {
      idle.erase(s.get());
    }
  }
  void close_idle() {
    std::lock_guard lock(idle_mutex);
    for (const auto& [raw, weak] : idle) {
      // A connection's socket belongs to its worker thread: cancel it there, if still idle.
      auto stream = weak.lock();
      if (!stream) continue;
      asio::post(stream->get_executor(), [this, weak = weak] {
        auto s = weak.lock();
        if (!s) return;
        std::lock_guard inner(idle_mutex);
        if (idle.count(s.get())) s->cancel();
      });
    }
  }
};

asio::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping) {
    boost::system::error_code ec;
    asio::io_context& worker = *workers[next_worker++ % workers.size()];
    tcp::socket socket =
        co_await acceptor.async_accept(worker, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      log->warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::make_shared<beast::tcp_stream>(std::move(socket))),
                   asio::detached);
  }
}

asio::awaitable<void> Server::Impl::reject(beast::tcp_stream& stream, const ApiError& error,
                                           unsigned version) {
  Request pseudo;
  pseudo.route = "rejected";
  pseudo.request_id = request_id_for(pseudo);
  Response response = problem_response(error, pseudo.request_id);
  pipeline.record(pseudo, response, 0.0);
  auto out = to_beast(std::move(response), version, false, pseudo.request_id);
  boost::system::error_code ec;
  co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Server::Impl::session(std::shared_ptr<beast::tcp_stream> stream_ptr) {
  beast::tcp_stream& stream = *stream_ptr;
  boost::system::error_code ec;
  std::string remote_ip = stream.socket().remote_endpoint(ec).address().to_string();
  beast::flat_buffer buffer;
  for (;;) {
    set_idle(stream_ptr, true);
    if (stopping) break;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(options.body_limit);
    stream.expires_after(options.read_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    set_idle(stream_ptr, false);
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      break;
    }
    if (ec == bhttp::error::body_limit) {  // Content-Length over the limit, seen in the header
      co_await reject(stream, ApiError(413, "payload_too_large", "request body exceeds the limit"),
                      11);
      break;
    }
    if (ec) {
      co_await reject(stream, ApiError(400, "bad_request", "malformed HTTP request"), 11);
      break;
    }
    auto& header = parser.get();
    // Refuse an oversized body before reading it.
    if (auto length = parser.content_length(); length && *length > options.body_limit) {
      co_await reject(stream, ApiError(413, "payload_too_large", "request body exceeds the limit"),
                      header.version());
      break;
    }
    if (header[bhttp::field::expect] == "100-continue") {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, header.version()};
      co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::body_limit) {
      co_await reject(stream, ApiError(413, "payload_too_large", "request body exceeds the limit"),
                      header.version());
      break;
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != asio::error::eof &&
          ec != bhttp::error::end_of_stream) {
        co_await reject(stream, ApiError(400, "bad_request", "malformed HTTP request"),
                        header.version());
      }
      break;
    }
    ++active;
    auto beast_request = parser.release();
    const unsigned version = beast_request.version();
    const bool keep_alive = beast_request.keep_alive();
    Request request = to_request(std::move(beast_request), remote_ip);
    Response response = co_await pipeline.handle(request);
    const bool keep = keep_alive && !stopping;
    auto out = to_beast(std::move(response), version, keep, request.request_id);
    stream.expires_after(options.read_timeout);
    co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
    --active;
    if (ec || !keep) break;
  }
  set_idle(stream_ptr, false);
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

Server::Server(asio::io_context& io, std::vector<asio::io_context*> workers, ServerOptions options,
               Pipeline& pipeline)
    : impl_(std::make_unique<Impl>(io, std::move(workers), std::move(options), pipeline)) {
  if (impl_->workers.empty()) throw std::invalid_argument("http::Server needs a worker context");
}

Server::~Server() = default;

std::uint16_t Server::start() {
  auto& acc = impl_->acceptor;
  tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
  acc.open(endpoint.protocol());
  acc.set_option(asio::socket_base::reuse_address(true));
  acc.bind(endpoint);
  acc.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return acc.local_endpoint().port();
}

asio::awaitable<void> Server::drain() {
  Impl& s = *impl_;
  s.stopping = true;
  boost::system::error_code ec;
  s.acceptor.close(ec);
  s.close_idle();
  asio::steady_timer timer(s.io);
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  while (s.active > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
    s.close_idle();
  }
}

}  // namespace irisx::http
