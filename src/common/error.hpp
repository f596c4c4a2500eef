#pragma once
// The one error type that crosses from services to the HTTP boundary. Services throw
// ApiError for anything a client caused or should know about; src/http maps it to RFC 9457
// problem+json in exactly one place. Anything else that escapes becomes a bare 500.
#include <stdexcept>
#include <string>
#include <vector>

namespace irisx {

struct FieldError {
  std::string field;
  std::string message;
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string detail, std::vector<FieldError> errors = {})
      : std::runtime_error(detail),
        status_(status),
        code_(std::move(code)),
        detail_(std::move(detail)),
        errors_(std::move(errors)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& errors() const { return errors_; }
  // Extra response headers (e.g. Retry-After on 429).
  std::vector<std::pair<std::string, std::string>> headers;

 private:
  int status_;
  std::string code_;
  std::string detail_;
  std::vector<FieldError> errors_;
};

// Short constructors for the common cases.
ApiError bad_request(std::string detail);
ApiError validation_failed(std::vector<FieldError> errors);
ApiError validation_failed(std::string field, std::string message);
ApiError unauthorized(std::string detail = "missing or invalid credentials");
ApiError forbidden(std::string code, std::string detail);
ApiError not_found(std::string detail = "resource not found");
ApiError conflict(std::string code, std::string detail);
ApiError too_many_requests(std::string detail, long retry_after_seconds);

// A short human title for an HTTP status ("Not Found").
const char* status_title(int status);

}  // namespace irisx
