#include "common/error.hpp"

#include <string>

namespace irisx {

ApiError bad_request(std::string detail) {
  return ApiError(400, "bad_request", std::move(detail));
}

ApiError validation_failed(std::vector<FieldError> errors) {
  return ApiError(422, "validation_failed", "the request body failed validation",
                  std::move(errors));
}

ApiError validation_failed(std::string field, std::string message) {
  return validation_failed(std::vector<FieldError>{{std::move(field), std::move(message)}});
}

ApiError unauthorized(std::string detail) {
  return ApiError(401, "unauthorized", std::move(detail));
}

ApiError forbidden(std::string code, std::string detail) {
  return ApiError(403, std::move(code), std::move(detail));
}

ApiError not_found(std::string detail) {
  return ApiError(404, "not_found", std::move(detail));
}

ApiError conflict(std::string code, std::string detail) {
  return ApiError(409, std::move(code), std::move(detail));
}

ApiError too_many_requests(std::string detail, long retry_after_seconds) {
  ApiError e(429, "rate_limited", std::move(detail));
  e.headers.emplace_back("Retry-After",
                         std::to_string(retry_after_seconds < 1 ? 1 : retry_after_seconds));
  return e;
}

const char* status_title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Server Error" : "Client Error";
  }
}

}  // namespace irisx
