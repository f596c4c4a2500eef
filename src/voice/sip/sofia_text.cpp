#include "voice/sip/sofia_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/log.hpp"

namespace irisx::voice::sip {

void sofia_logger(void* stream, char const* format, va_list ap) {
  (void)stream;
  char line[512];
  const int n = std::vsnprintf(line, sizeof line, format, ap);
  if (n <= 0) return;
  std::string text(line, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof line - 1));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty()) log::get("sip")->debug("{}", text);
}

std::string url_text(const url_t* url) {
  if (url == nullptr) return {};
  char buffer[512];
  const isize_t n = url_e(buffer, sizeof buffer, url);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buffer) return {};
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string transport_of(const sip_t* sip) {
  if (sip->sip_via == nullptr || sip->sip_via->v_protocol == nullptr) return "udp";
  std::string protocol = sip->sip_via->v_protocol;  // "SIP/2.0/UDP"
  const auto slash = protocol.rfind('/');
  std::string name = slash == std::string::npos ? protocol : protocol.substr(slash + 1);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::string payload_of(const sip_t* sip) {
  if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr)
    return {};
  return std::string(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

bool is_out_of_dialog_request(nua_event_t event) {
  switch (event) {
    case nua_i_options:
    case nua_i_publish:
    case nua_i_info:
    case nua_i_update:
    case nua_i_message:
    case nua_i_subscribe:
    case nua_i_method:
      return true;
    default:
      return false;
  }
}

const char* static_phrase(int status) {
  const char* phrase = sip_status_phrase(status);
  return phrase != nullptr ? phrase : "";
}

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::pair<std::string, std::string> source_of(const sip_t* sip) {
  if (sip->sip_via == nullptr) return {};
  const sip_via_t* via = sip->sip_via;
  const char* host = via->v_received != nullptr ? via->v_received : via->v_host;
  const char* port = via->v_rport != nullptr && *via->v_rport ? via->v_rport : via->v_port;
  return {host != nullptr ? host : "", port != nullptr ? port : "5060"};
}

std::string name_addr(const std::string& display, const std::string& uri) {
  if (display.empty()) return "<" + uri + ">";
  std::string quoted = "\"";
  for (const char c : display) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    if (c != '\r' && c != '\n') quoted.push_back(c);
  }
  return quoted + "\" <" + uri + ">";
}

std::string header_value(const void* header) {
  if (header == nullptr) return {};
  char value[4096];
  const issize_t n =
      msg_header_field_e(value, sizeof value, static_cast<const msg_header_t*>(header), 0);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof value) return {};
  return std::string(value, static_cast<std::size_t>(n));
}

std::string challenge_realm(const sip_t* sip) {
  const msg_auth_t* auth = sip->sip_proxy_authenticate != nullptr ? sip->sip_proxy_authenticate
                                                                  : sip->sip_www_authenticate;
  if (auth == nullptr || auth->au_scheme == nullptr) return {};
  const char* realm = msg_params_find(auth->au_params, "realm=");
  return realm != nullptr ? realm : "";
}

}  // namespace irisx::voice::sip
