#include "voice/trunks/trunk.hpp"

#include <toml.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "net/address_policy.hpp"
#include "voice/trunks/syntax.hpp"

namespace irisx::voice::trunks {
namespace {

// Who an error is about: the file, the trunk and (given to fail) the field.
struct Where {
  const std::string& source;
  std::size_t number;  // 1-based position in the file
  std::string name;    // once read and valid

  [[noreturn]] void fail(std::string_view field, const std::string& problem) const {
    const std::string trunk =
        name.empty() ? "trunk #" + std::to_string(number) : "trunk '" + name + "'";
    throw std::runtime_error(source + ": " + trunk + ": " + std::string(field) + " " + problem);
  }
};

std::string got(const toml::value& v) {
  return ", got " + toml::stringize(v.type());
}

// Control characters would end up inside SIP headers (header injection).
std::string text(const Where& w, std::string_view field, const toml::value& v) {
  if (!v.is_string()) w.fail(field, "must be a string" + got(v));
  const std::string& s = v.as_string().str;
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; })) {
    w.fail(field, "must not contain control characters");
  }
  return s;
}

std::int64_t integer(const Where& w, std::string_view field, const toml::value& v, std::int64_t min,
                     std::int64_t max) {
  if (!v.is_integer()) w.fail(field, "must be an integer" + got(v));
  const std::int64_t n = v.as_integer();
  if (n < min || n > max) {
    w.fail(field, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                      std::to_string(n));
  }
  return n;
}

bool boolean(const Where& w, std::string_view field, const toml::value& v) {
  if (!v.is_boolean()) w.fail(field, "must be true or false" + got(v));
  return v.as_boolean();
}

std::string host_name(const Where& w, std::string_view field, const toml::value& v) {
  std::string host = text(w, field, v);
  if (host_kind(host) == HostKind::invalid) {
    w.fail(field,
           "must be an IP address (IPv6 without brackets) or a host name, got \"" + host + "\"");
  }
  return host;
}

std::string number(const Where& w, std::string_view field, const toml::value& v) {
  std::string n = text(w, field, v);
  if (!n.empty() && !is_dialable(n)) {
    w.fail(field, "must be an optional '+' and 3 to 20 digits, got \"" + n + "\"");
  }
  return n;
}

// RFC 3261 §25.1 user: unreserved and user-unreserved characters; ';', '?', '/' and escapes are
// refused so the value reads the same in every URI it is put in.
std::string from_user(const Where& w, std::string_view field, const toml::value& v) {
  std::string user = text(w, field, v);
  const auto ok = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("-_.!~*'()&=+$,").find(c) != std::string_view::npos;
  };
  if (!std::all_of(user.begin(), user.end(), ok)) {
    w.fail(field, "may hold letters, digits and -_.!~*'()&=+$, only, got \"" + user + "\"");
  }
  return user;
}

// A CIDR with host bits set ("203.0.113.10/8") is refused rather than widened to its network:
// it decides which sources are believed to be the carrier.
std::string network(const Where& w, std::string_view field, const std::string& cidr) {
  const auto parsed = net::parse_cidr(cidr);
  const auto address = net::parse_cidr(cidr.substr(0, cidr.find('/')));
  if (!parsed || !address) w.fail(field, "has \"" + cidr + "\", which is not a CIDR");
  if (parsed->bytes != address->bytes) {
    w.fail(field, "has \"" + cidr + "\" with host bits set; did you mean \"" + parsed->to_string() +
                      "\"?");
  }
  return cidr;
}

std::vector<std::string> networks(const Where& w, std::string_view field, const toml::value& v) {
  if (!v.is_array()) w.fail(field, "must be an array of strings" + got(v));
  std::vector<std::string> out;
  for (const auto& item : v.as_array()) out.push_back(network(w, field, text(w, field, item)));
  return out;
}

void read_field(Trunk& t, const Where& w, const std::string& key, const toml::value& v) {
  if (key == "host") {
    t.host = host_name(w, key, v);
  } else if (key == "port") {
    t.port = static_cast<std::uint16_t>(integer(w, key, v, 1, 65535));
  } else if (key == "transport") {
    t.transport = text(w, key, v);
    if (t.transport != "udp" && t.transport != "tcp") {
      w.fail(key, "must be \"udp\" or \"tcp\", got \"" + t.transport + "\"");
    }
  } else if (key == "username") {
    t.username = text(w, key, v);
  } else if (key == "password") {
    t.password = text(w, key, v);
  } else if (key == "from_user") {
    t.from_user = from_user(w, key, v);
  } else if (key == "from_domain") {
    t.from_domain = text(w, key, v);
    if (!t.from_domain.empty()) t.from_domain = host_name(w, key, v);
  } else if (key == "caller_id") {
    t.caller_id = number(w, key, v);
  } else if (key == "default_caller_id") {
    t.default_caller_id = number(w, key, v);
  } else if (key == "strip_plus") {
    t.strip_plus = boolean(w, key, v);
  } else if (key == "prefix") {
    t.prefix = text(w, key, v);
    if (!is_digits(t.prefix)) {
      w.fail(key, "must be digits only, got \"" + t.prefix + "\"");
    }
  } else if (key == "inbound_networks") {
    t.inbound_networks = networks(w, key, v);
  } else if (key == "inbound_username") {
    t.inbound_username = from_user(w, key, v);
  } else if (key == "inbound_password") {
    t.inbound_password = text(w, key, v);
  } else if (key == "setup_timeout_ms") {
    // Bounds catch seconds written as milliseconds and the reverse.
    t.setup_timeout = std::chrono::milliseconds(integer(w, key, v, 100, 120'000));
  } else {
    w.fail("key '" + key + "'", "is unknown");
  }
}

void both_or_neither(const Where& w, std::string_view user_key, const std::string& user,
                     std::string_view password_key, const std::string& password) {
  if (user.empty() && !password.empty()) {
    w.fail(password_key, "is set without " + std::string(user_key));
  }
  if (!user.empty() && password.empty()) {
    w.fail(user_key, "is set without " + std::string(password_key));
  }
}

// A digest username answers for one trunk only (match.hpp finds the trunk by it).
void check_unique(const std::vector<Trunk>& trunks, const Trunk& t, const std::string& source) {
  const auto same_name = std::find_if(trunks.begin(), trunks.end(),
                                      [&](const Trunk& other) { return other.name == t.name; });
  const Where w{source, trunks.size() + 1, t.name};
  if (same_name != trunks.end()) {
    w.fail("name", "is already used by trunk #" + std::to_string(same_name - trunks.begin() + 1));
  }
  if (t.inbound_username.empty()) return;
  const auto same_user = std::find_if(trunks.begin(), trunks.end(), [&](const Trunk& other) {
    return other.inbound_username == t.inbound_username;
  });
  if (same_user != trunks.end()) {
    w.fail("inbound_username", "is already used by trunk '" + same_user->name + "'");
  }
}

Trunk read_trunk(const std::string& source, std::size_t number, const toml::value& table) {
  Where w{source, number, ""};
  if (!table.is_table()) w.fail("entry", "must be a table: write [[trunk]]" + got(table));
  const auto& entries = table.as_table();
  Trunk t;

  const auto name = entries.find("name");
  if (name == entries.end()) w.fail("name", "is required");
  t.name = text(w, "name", name->second);
  if (t.name.empty() || !std::all_of(t.name.begin(), t.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      })) {
    w.fail("name", "must be lower-case letters, digits, '_' and '-', got \"" + t.name + "\"");
  }
  w.name = t.name;

  for (const auto& [key, value] : entries) {
    if (key != "name") read_field(t, w, key, value);
  }

  if (t.host.empty()) w.fail("host", "is required");
  both_or_neither(w, "username", t.username, "password", t.password);
  both_or_neither(w, "inbound_username", t.inbound_username, "inbound_password",
                  t.inbound_password);
  // It is all that stands between the internet and calls billed to the carrier's DIDs.
  if (!t.inbound_password.empty() && t.inbound_password.size() < 12) {
    w.fail("inbound_password", "must be at least 12 characters");
  }
  if (!entries.contains("inbound_networks")) {
    const HostKind kind = host_kind(t.host);
    if (kind == HostKind::ipv4) t.inbound_networks = {t.host + "/32"};
    if (kind == HostKind::ipv6) t.inbound_networks = {t.host + "/128"};
  }
  return t;
}

}  // namespace

std::vector<Trunk> parse_trunks(const std::string& toml_text, const std::string& source_name) {
  toml::value root;
  try {
    std::istringstream in(toml_text);
    root = toml::parse(in, source_name);
  } catch (const std::exception& e) {
    throw std::runtime_error(source_name + ": not valid TOML: " + e.what());
  }
  for (const auto& [key, value] : root.as_table()) {
    if (key != "trunk") {
      throw std::runtime_error(source_name + ": unknown key '" + key +
                               "' (each trunk is a [[trunk]] table)");
    }
  }
  if (!root.contains("trunk")) return {};
  const toml::value& list = root.at("trunk");
  if (!list.is_array()) {
    throw std::runtime_error(source_name + ": trunk must be an array of tables: write [[trunk]]");
  }

  std::vector<Trunk> trunks;
  for (const auto& table : list.as_array()) {
    Trunk t = read_trunk(source_name, trunks.size() + 1, table);
    check_unique(trunks, t, source_name);
    trunks.push_back(std::move(t));
  }
  return trunks;
}

std::vector<Trunk> load_trunks(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read trunks file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw std::runtime_error("cannot read trunks file " + path);
  return parse_trunks(text.str(), path);
}

}  // namespace irisx::voice::trunks
