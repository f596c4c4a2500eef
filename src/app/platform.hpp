#pragma once
// The one place where IRISX is wired together: configuration in, services out. `serve`,
// `migrate` and `admin` all build a Platform; tests build one too.
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

#include "common/config.hpp"
#include "http/router.hpp"
#include "identity/models.hpp"

namespace irisx::app {

class Platform {
 public:
  explicit Platform(Config config);
  ~Platform();

  // Applies pending migrations; returns how many ran.
  int migrate();
  // Serves HTTP until SIGTERM/SIGINT, then drains. Writes "HOST:PORT\n" to ready_file once
  // listening, when given.
  int serve(const std::string& ready_file);
  identity::Operator create_operator(const std::string& email, const std::string& password,
                                     const std::string& name);

  const http::Router& router() const;
  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads the master secret from config or <data_dir>/secret.key, creating it (0600) if absent.
std::string load_or_create_secret(const Config& config);

}  // namespace irisx::app
