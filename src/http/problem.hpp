#pragma once
// RFC 9457 problem details: the only error body IRISX ever sends.
#include <string>

#include "common/error.hpp"
#include "http/message.hpp"

namespace irisx::http {

Response problem_response(const ApiError& error, const std::string& request_id);

}  // namespace irisx::http
