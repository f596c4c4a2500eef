#pragma once
// Structured logging: one logger per subsystem ("http", "store", "identity", …), JSON lines
// or plain text, to stderr. Access logs are separate JSON objects (logger "access").
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace irisx::log {

enum class Format { json, text };

void init(std::string_view level, Format format);
std::shared_ptr<spdlog::logger> get(const std::string& subsystem);
// Escapes text for inclusion inside a JSON string literal.
std::string json_escape(std::string_view text);
void access(std::string_view request_id, std::string_view method, std::string_view path,
            std::string_view route, int status, double seconds, std::string_view remote_ip,
            std::size_t bytes);

}  // namespace irisx::log
