#include "net/http_client.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <curl/curl.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "net/curl_transfer.hpp"

namespace irisx::net {
namespace {

namespace asio = boost::asio;
using detail::Completion;
using detail::CurlTransfer;

// Hands the response to the awaiting coroutine on its own executor; the work guard keeps that
// executor's io_context running while curl's thread still owns the handler.
template <class Handler>
class PostingCompletion final : public Completion {
 public:
  explicit PostingCompletion(Handler handler)
      : handler_(std::move(handler)), work_(asio::make_work_guard(handler_)) {}

  void complete(HttpResponse response) override {
    asio::post(work_.get_executor(),
               [handler = std::move(handler_), response = std::move(response)]() mutable {
                 std::move(handler)(std::move(response));
               });
    work_.reset();
  }

 private:
  Handler handler_;
  asio::executor_work_guard<asio::associated_executor_t<Handler>> work_;
};

void init_curl_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

}  // namespace

// Owns the multi handle; every curl_multi_* call except curl_multi_wakeup happens on thread_.
class HttpClient::Engine {
 public:
  Engine(AddressPolicy policy, std::size_t max_connections);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void submit(HttpRequest request, std::unique_ptr<Completion> completion);

 private:
  void run();
  void start(std::unique_ptr<CurlTransfer> transfer);
  void collect_finished();
  void cancel_all();

  const AddressPolicy policy_;
  CURLM* multi_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlTransfer>> queue_;                 // guarded by mutex_
  bool stopping_ = false;                                            // guarded by mutex_
  std::unordered_map<CURL*, std::unique_ptr<CurlTransfer>> active_;  // thread_ only
  std::thread thread_;
};

HttpClient::Engine::Engine(AddressPolicy policy, std::size_t max_connections)
    : policy_(std::move(policy)), multi_((init_curl_once(), curl_multi_init())) {
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  const auto limit = static_cast<long>(max_connections);
  // Beyond the limit curl queues transfers itself; the cache keeps idle keep-alive connections.
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, limit);
  thread_ = std::thread([this] { run(); });
}

HttpClient::Engine::~Engine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  curl_multi_cleanup(multi_);
}

void HttpClient::Engine::submit(HttpRequest request, std::unique_ptr<Completion> completion) {
  auto transfer =
      std::make_unique<CurlTransfer>(std::move(request), policy_, std::move(completion));
  if (auto problem = transfer->prepare(); !problem.empty()) return transfer->fail(problem);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return transfer->fail("cancelled");
    queue_.push_back(std::move(transfer));
  }
  curl_multi_wakeup(multi_);
}

void HttpClient::Engine::run() {
  for (;;) {
    std::vector<std::unique_ptr<CurlTransfer>> incoming;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      incoming.swap(queue_);
    }
    for (auto& transfer : incoming) start(std::move(transfer));
    int running = 0;
    curl_multi_perform(multi_, &running);
    collect_finished();
    // Returns early for socket activity, curl's own timers, or curl_multi_wakeup.
    curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }
  cancel_all();
}

void HttpClient::Engine::start(std::unique_ptr<CurlTransfer> transfer) {
  CURL* easy = transfer->easy();
  if (CURLMcode rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
    return transfer->fail(curl_multi_strerror(rc));
  }
  active_.emplace(easy, std::move(transfer));
}

void HttpClient::Engine::collect_finished() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    auto found = active_.find(msg->easy_handle);
    if (found == active_.end()) continue;
    auto transfer = std::move(found->second);
    active_.erase(found);
    curl_multi_remove_handle(multi_, transfer->easy());
    transfer->finish(msg->data.result);
  }
}

void HttpClient::Engine::cancel_all() {
  for (auto& [easy, transfer] : active_) {
    curl_multi_remove_handle(multi_, easy);
    transfer->fail("cancelled");
  }
  active_.clear();
  std::vector<std::unique_ptr<CurlTransfer>> queued;
  {
    std::lock_guard lock(mutex_);
    queued.swap(queue_);
  }
  for (auto& transfer : queued) transfer->fail("cancelled");
}

HttpClient::HttpClient(AddressPolicy policy, std::size_t max_connections)
    : engine_(std::make_unique<Engine>(std::move(policy), max_connections)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<HttpResponse> HttpClient::send(HttpRequest request) {
  auto initiation = [engine = engine_.get()](auto handler, HttpRequest req) {
    using Handler = std::decay_t<decltype(handler)>;
    engine->submit(std::move(req),
                   std::make_unique<PostingCompletion<Handler>>(std::move(handler)));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(HttpResponse)>(
      initiation, asio::use_awaitable, std::move(request));
}

}  // namespace irisx::net
