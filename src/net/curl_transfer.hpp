#pragma once
// One HTTP exchange as a libcurl easy handle: options, body and socket callbacks, and the
// mapping of curl's outcome to HttpResponse. Internal to src/net.
#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

#include "net/address_policy.hpp"
#include "net/http_client.hpp"

namespace irisx::net::detail {

// Receives the response of one send(); implemented by the awaiting side.
class Completion {
 public:
  virtual ~Completion() = default;
  virtual void complete(HttpResponse response) = 0;
};

class CurlTransfer {
 public:
  // The policy must outlive the transfer; it is consulted from curl's socket callback.
  CurlTransfer(HttpRequest request, const AddressPolicy& policy,
               std::unique_ptr<Completion> completion);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  // Builds the easy handle; a non-empty result is why the request cannot be sent.
  std::string prepare();
  CURL* easy() const { return easy_; }

  // Complete the awaiting side: with curl's outcome of the transfer, or with `error` when the
  // transfer never ran to an outcome.
  void finish(CURLcode code);
  void fail(std::string error);

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address);
  std::string describe(CURLcode code) const;
  void deliver();

  HttpRequest request_;
  const AddressPolicy& policy_;
  std::unique_ptr<Completion> completion_;
  std::chrono::steady_clock::time_point started_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  HttpResponse response_;
  bool truncated_ = false;
  std::string blocked_;
  char curl_error_[CURL_ERROR_SIZE] = {};
};

}  // namespace irisx::net::detail
