#include "net/curl_transfer.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace irisx::net::detail {
namespace {

constexpr const char* kUserAgent = "irisx-webhooks/0.1";

// RFC 9110 §5.6.2: a method and a field name are tokens.
bool is_token(std::string_view text) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != extra.npos;
  });
}

// A CR or LF in a value would let the caller inject headers or a second request.
bool is_field_value(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos && text.find('\0') == text.npos;
}

}  // namespace

CurlTransfer::CurlTransfer(HttpRequest request, const AddressPolicy& policy,
                           std::unique_ptr<Completion> completion)
    : request_(std::move(request)),
      policy_(policy),
      completion_(std::move(completion)),
      started_(std::chrono::steady_clock::now()) {}

CurlTransfer::~CurlTransfer() {
  // A caller awaiting a transfer that is dropped on any path must still be resumed.
  if (completion_) fail("cancelled");
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
}

std::string CurlTransfer::prepare() {
  if (!is_token(request_.method)) return "invalid method";
  for (const auto& [name, value] : request_.headers) {
    if (!is_token(name) || !is_field_value(value)) return "invalid header " + name;
  }
  easy_ = curl_easy_init();
  if (easy_ == nullptr) return "out of memory";

  // 100-continue would stall every body over curl's threshold by a round trip or a second.
  headers_ = curl_slist_append(headers_, "Expect:");
  for (const auto& [name, value] : request_.headers) {
    // "Name;" is curl's spelling of a header with an empty value; "Name:" would delete it.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    auto* appended = curl_slist_append(headers_, line.c_str());
    if (appended == nullptr) return "out of memory";
    headers_ = appended;
  }

  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, curl_error_);
  curl_easy_setopt(easy_, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
  // An environment http_proxy would make curl connect to the proxy, out of the policy's view.
  curl_easy_setopt(easy_, CURLOPT_PROXY, "");
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeout.count()));
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETFUNCTION, &CurlTransfer::on_open_socket);
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);

  if (request_.method == "GET" && request_.body.empty()) {
    curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
  } else if (request_.method == "HEAD") {
    curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, request_.body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request_.body.size()));
    if (request_.method != "POST") {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, request_.method.c_str());
    }
  }
  return {};
}

std::size_t CurlTransfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto& t = *static_cast<CurlTransfer*>(self);
  const std::size_t n = size * count;
  const std::size_t room = t.request_.max_response_bytes - t.response_.body.size();
  t.response_.body.append(data, std::min(n, room));
  if (n <= room) return n;
  // Stop reading rather than drain an endless body until the timeout; the exchange still
  // counts as completed (finish() knows why curl aborted).
  t.truncated_ = true;
  return 0;
}

curl_socket_t CurlTransfer::on_open_socket(void* self, curlsocktype /*purpose*/,
                                           curl_sockaddr* address) {
  auto& t = *static_cast<CurlTransfer*>(self);
  if (!t.policy_.allows(&address->addr)) {
    t.blocked_ = ip_string(&address->addr);
    if (t.blocked_.empty()) t.blocked_ = "of family " + std::to_string(address->family);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::string CurlTransfer::describe(CURLcode code) const {
  if (!blocked_.empty()) return "blocked address " + blocked_;
  long os_errno = 0;
  curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_COULDNT_CONNECT:
      if (os_errno == ECONNREFUSED) return "connection refused";
      if (os_errno != 0) return std::string("could not connect: ") + std::strerror(os_errno);
      return "could not connect";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "host does not resolve";
    case CURLE_GOT_NOTHING:
      return "empty reply";
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return "connection lost";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "unsupported scheme";
    case CURLE_URL_MALFORMAT:
      return "invalid URL";
    case CURLE_PEER_FAILED_VERIFICATION:
      return std::string("TLS verification failed: ") + curl_error_;
    case CURLE_SSL_CONNECT_ERROR:
      return std::string("TLS handshake failed: ") + curl_error_;
    default:
      return curl_error_[0] != '\0' ? std::string(curl_error_) : curl_easy_strerror(code);
  }
}

void CurlTransfer::finish(CURLcode code) {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  const bool completed = code == CURLE_OK || (code == CURLE_WRITE_ERROR && truncated_);
  if (!completed) response_.error = describe(code);
  deliver();
}

void CurlTransfer::fail(std::string error) {
  response_.error = std::move(error);
  deliver();
}

void CurlTransfer::deliver() {
  if (!completion_) return;
  response_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  auto completion = std::move(completion_);
  completion->complete(std::move(response_));
}

}  // namespace irisx::net::detail
