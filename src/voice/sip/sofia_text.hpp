#pragma once
// Small translations between sofia-sip's parsed messages and our strings, for the SIP stack's
// files only (nothing outside src/voice/sip includes sofia).
#include <cstdarg>
#include <string>
#include <utility>

#include "voice/sip/sofia.hpp"

namespace irisx::voice::sip {

// sofia-sip's own diagnostics ("received garbage from …") go to our "sip" logger at debug
// level instead of stderr: garbage from the network must not flood the log.
void sofia_logger(void* stream, char const* format, va_list ap);

std::string url_text(const url_t* url);

std::string transport_of(const sip_t* sip);

std::string payload_of(const sip_t* sip);

bool is_out_of_dialog_request(nua_event_t event);

// nua keeps the reason phrase by pointer until the stack sends the response, after our command
// (and its strings) are gone; tags are copied, the phrase is not. So responses carry sofia's
// static phrase for the status.
const char* static_phrase(int status);

std::string host_for_url(const std::string& host);

// Where a request came from: RFC 3261 §18.2.1 puts the source address in Via's received
// parameter when it differs from the sent-by host (and RFC 3581 the port in rport).
std::pair<std::string, std::string> source_of(const sip_t* sip);

// "Display Name" <uri>, with the display quoted (RFC 3261 §25.1 quoted-string).
std::string name_addr(const std::string& display, const std::string& uri);

// A header's value as it was on the wire (sofia re-encodes it); empty when absent or too long.
std::string header_value(const void* header);

// The realm of a 401/407 challenge, quotes included, as nua_authenticate wants it.
std::string challenge_realm(const sip_t* sip);

}  // namespace irisx::voice::sip
