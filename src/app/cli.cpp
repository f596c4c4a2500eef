#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "app/platform.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "store/database.hpp"

namespace irisx::app {
namespace {

struct CommonOptions {
  std::string config_file;
  std::string data_dir;
  std::string listen;
  std::string roles;
  std::string sip_listen;
  std::string rtp_ports;
};

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--config", o.config_file, "TOML configuration file")->envname("IRISX_CONFIG");
  cmd->add_option("--data-dir", o.data_dir, "data directory (default ./var)");
}

Config load(const CommonOptions& o) {
  std::map<std::string, std::string> overrides;
  if (!o.data_dir.empty()) overrides["data_dir"] = o.data_dir;
  if (!o.listen.empty()) overrides["server.listen"] = o.listen;
  if (!o.roles.empty()) overrides["roles"] = o.roles;
  if (!o.sip_listen.empty()) overrides["voice.sip_listen"] = o.sip_listen;
  if (!o.rtp_ports.empty()) overrides["voice.rtp_ports"] = o.rtp_ports;
  auto env = current_environment();
  // Not settings: the config file path and the CLI password option.
  env.erase("IRISX_CONFIG");
  env.erase("IRISX_OPERATOR_PASSWORD");
  Config config = load_config(o.config_file, env, overrides);
  log::init(config.log_level, config.log_format == "json" ? log::Format::json : log::Format::text);
  return config;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"IRISX communications platform"};
  app.require_subcommand(1);
  CommonOptions common;
  std::string ready_file;

  auto* serve = app.add_subcommand("serve", "serve the API (migrates first)");
  add_common(serve, common);
  serve->add_option("--listen", common.listen, "HOST:PORT (default 127.0.0.1:8080)");
  serve->add_option("--roles", common.roles,
                    "comma-separated: api, worker, voice (default api,worker)");
  serve->add_option("--sip-listen", common.sip_listen, "voice role: SIP HOST:PORT (UDP and TCP)");
  serve->add_option("--rtp-ports", common.rtp_ports, "voice role: RTP port range LO-HI");
  serve->add_option("--ready-file", ready_file, "write the bound HOST:PORT here once listening");

  auto* migrate = app.add_subcommand("migrate", "apply database migrations");
  add_common(migrate, common);

  auto* admin = app.add_subcommand("admin", "administration");
  admin->require_subcommand(1);
  auto* create_op = admin->add_subcommand("create-operator", "create a platform operator");
  add_common(create_op, common);
  std::string email, password, name;
  create_op->add_option("--email", email, "operator email")->required();
  create_op->add_option("--password", password, "operator password (10+ characters)")
      ->envname("IRISX_OPERATOR_PASSWORD")
      ->required();
  create_op->add_option("--name", name, "display name");

  app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (app.got_subcommand("version")) {
      std::cout << "irisx " << IRISX_VERSION << "\n";
      return 0;
    }
    if (admin->got_subcommand(create_op)) {
      Platform platform(load(common));
      platform.migrate();
      auto op = platform.create_operator(email, password, name);
      std::cout << "created operator " << op.id << " <" << op.email << ">\n";
      return 0;
    }
    Platform platform(load(common));
    if (app.got_subcommand(migrate)) {
      int applied = platform.migrate();
      std::cout << "applied " << applied << " migration(s)\n";
      return 0;
    }
    return platform.serve(ready_file);
  } catch (const ConfigError& e) {
    std::cerr << "irisx: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const ApiError& e) {
    std::cerr << "irisx: " << e.detail();
    for (const auto& f : e.errors()) std::cerr << " (" << f.field << " " << f.message << ")";
    std::cerr << "\n";
    return 1;
  } catch (const store::StoreError& e) {
    std::cerr << "irisx: store error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "irisx: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace irisx::app
