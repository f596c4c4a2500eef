// /v1/auth/* and /v1/me: sign-up, login, token refresh, logout, password change.
#include "api/json_body.hpp"
#include "api/routes.hpp"
#include "api/views.hpp"
#include "common/error.hpp"

namespace irisx::api {
namespace {

nlohmann::json session_json(const identity::AccountSession& s) {
  nlohmann::json out = to_json(s.tokens);
  out["tenant"] = to_json(s.tenant);
  out["user"] = to_json(s.user);
  return out;
}

void require_user(const identity::Principal& p) {
  if (p.type != identity::ActorType::user) {
    throw forbidden("forbidden", "this operation needs a user login, not an API key");
  }
}

}  // namespace

void register_auth_routes(Routes& routes) {
  ApiServices& s = routes.services();

  routes.open("POST", "/v1/auth/signup",
              [&s](http::Request& req) -> boost::asio::awaitable<http::Response> {
                auto body = parse_json_object(req);
                Fields f(body, {"company_name", "name", "email", "password"});
                identity::SignupInput input{f.required_string("company_name"),
                                            f.required_string("name"), f.required_string("email"),
                                            f.required_string("password")};
                f.finish();
                auto session = co_await s.accounts.signup(std::move(input), anonymous_audit(req));
                co_return json_response(201, session_json(session));
              });

  routes.open("POST", "/v1/auth/login",
              [&s](http::Request& req) -> boost::asio::awaitable<http::Response> {
                auto body = parse_json_object(req);
                Fields f(body, {"email", "password"});
                std::string email = f.required_string("email");
                std::string password = f.required_string("password");
                f.finish();
                auto session = co_await s.accounts.login(email, password, anonymous_audit(req));
                co_return json_response(200, session_json(session));
              });

  routes.open("POST", "/v1/auth/refresh",
              [&s](http::Request& req) -> boost::asio::awaitable<http::Response> {
                auto body = parse_json_object(req);
                Fields f(body, {"refresh_token"});
                std::string token = f.required_string("refresh_token");
                f.finish();
                auto tokens = co_await s.accounts.refresh(token, anonymous_audit(req));
                co_return json_response(200, to_json(tokens));
              });

  routes.tenant_any("POST", "/v1/auth/logout",
                    [&s](http::Request& req,
                         const identity::Principal& p) -> boost::asio::awaitable<http::Response> {
                      require_user(p);
                      co_await s.accounts.logout(p, audit_context(req, p));
                      co_return http::Response::empty(204);
                    });

  routes.tenant_any("POST", "/v1/auth/change-password",
                    [&s](http::Request& req,
                         const identity::Principal& p) -> boost::asio::awaitable<http::Response> {
                      require_user(p);
                      auto body = parse_json_object(req);
                      Fields f(body, {"current_password", "new_password"});
                      std::string current = f.required_string("current_password");
                      std::string next = f.required_string("new_password");
                      f.finish();
                      co_await s.accounts.change_password(p, current, next, audit_context(req, p));
                      co_return http::Response::empty(204);
                    });

  routes.tenant_any(
      "GET", "/v1/me",
      [&s](http::Request&, const identity::Principal& p) -> boost::asio::awaitable<http::Response> {
        auto tenant = co_await s.authenticator.tenant(p.tenant_id);
        if (!tenant) throw unauthorized();
        nlohmann::json out(nlohmann::json::value_t::object);
        out["object"] = "me";
        out["principal_type"] = identity::actor_type_name(p.type);
        out["tenant"] = to_json(*tenant);
        out["scopes"] = p.scopes;
        if (p.type == identity::ActorType::user) {
          auto user = co_await s.users.get(p.tenant_id, p.user_id);
          if (!user) throw unauthorized();
          out["user"] = to_json(*user);
        } else {
          out["api_key"]["id"] = p.api_key_id;
        }
        co_return json_response(200, out);
      });
}

}  // namespace irisx::api
