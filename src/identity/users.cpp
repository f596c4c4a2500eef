#include "identity/users.hpp"

#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"
#include "identity/views.hpp"

namespace irisx::identity {

const char* const kUserColumns =
    "id, tenant_id, email, name, role, created_at, updated_at, last_login_at";

User user_from_row(const store::Row& r, std::size_t f) {
  return {r.text(f),     r.text(f + 1),  r.text(f + 2),  r.text(f + 3),
          r.text(f + 4), r.int64(f + 5), r.int64(f + 6), r.opt_int64(f + 7)};
}

std::string normalize_email(std::string email) {
  if (email.size() < 3 || email.size() > 254) return "";
  std::size_t at = email.find('@');
  if (at == 0 || at == std::string::npos || email.find('@', at + 1) != std::string::npos) return "";
  std::string domain = email.substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.')
    return "";
  std::string out;
  for (unsigned char c : email) {
    if (c <= ' ' || c == 0x7f || c == ',' || c == '<' || c == '>' || c == '"') return "";
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

int actor_rank(const Principal& actor) {
  if (actor.type == ActorType::user) return role_rank(actor.role);
  return role_rank(Role::admin);
}

namespace {

void check_may_assign(const Principal& actor, Role role) {
  if (role_rank(role) > actor_rank(actor)) {
    throw forbidden("forbidden", std::string("you may not assign the role ") + role_name(role));
  }
}

void check_may_manage(const Principal& actor, const User& target) {
  auto target_role = parse_role(target.role);
  if (target_role && role_rank(*target_role) > actor_rank(actor)) {
    throw forbidden("forbidden", "you may not manage a user with a higher role than yours");
  }
}

Role parse_role_or_422(std::string name) {
  auto role = parse_role(name);
  if (!role)
    throw validation_failed("role", "must be one of owner, admin, developer, agent, viewer");
  return *role;
}

}  // namespace

boost::asio::awaitable<User> UserService::create(const Principal& actor, NewUser input,
                                                 AuditContext audit) {
  std::vector<FieldError> errors;
  std::string email = normalize_email(input.email);
  if (email.empty()) errors.push_back({"email", "must be a valid email address"});
  if (input.name.empty() || input.name.size() > 200)
    errors.push_back({"name", "must be 1 to 200 characters"});
  if (auto p = password_problem(input.password); !p.empty()) errors.push_back({"password", p});
  if (!parse_role(input.role))
    errors.push_back({"role", "must be one of owner, admin, developer, agent, viewer"});
  if (!errors.empty()) throw validation_failed(std::move(errors));
  check_may_assign(actor, *parse_role(input.role));

  std::string hash = co_await hasher_.hash(input.password);
  User user{new_id("US"), actor.tenant_id, email,    input.name,
            input.role,   now_ms(),        now_ms(), std::nullopt};
  try {
    co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
      co_await s.exec(
          "INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at, "
          "updated_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          store::args(user.id, user.tenant_id, user.email, user.name, user.role, hash,
                      user.created_at, user.updated_at));
      co_await write_audit(s, audit, "user.created", "user", user.id);
      co_await events_.record(s, user.tenant_id, "user.created", to_json(user));
    });
  } catch (const store::StoreError& e) {
    if (e.kind() == store::ErrorKind::unique_violation) {
      throw conflict("email_taken", "a user with this email address already exists");
    }
    throw;
  }
  co_return user;
}

boost::asio::awaitable<std::optional<User>> UserService::get(std::string tenant_id,
                                                             std::string id) {
  store::Result r = co_await db_.exec(
      std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1 AND tenant_id = $2",
      store::args(id, tenant_id));
  if (r.empty()) co_return std::nullopt;
  co_return user_from_row(r.front());
}

boost::asio::awaitable<User> UserService::require(std::string tenant_id, std::string id) {
  auto user = co_await get(tenant_id, id);
  if (!user) throw not_found("no such user");
  co_return *user;
}

boost::asio::awaitable<Page<User>> UserService::list(std::string tenant_id,
                                                     store::PageRequest page) {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE tenant_id = $1";
  store::Params params{tenant_id};
  store::append_page_clause(sql, params, page);
  store::Result r = co_await db_.exec(sql, params);
  std::vector<User> rows;
  for (const auto& row : r.rows) rows.push_back(user_from_row(row));
  co_return to_page(std::move(rows), page.limit);
}

boost::asio::awaitable<User> UserService::update(const Principal& actor, std::string id,
                                                 UserChanges changes, AuditContext audit) {
  std::vector<FieldError> errors;
  if (changes.name && (changes.name->empty() || changes.name->size() > 200)) {
    errors.push_back({"name", "must be 1 to 200 characters"});
  }
  if (changes.role && !parse_role(*changes.role)) {
    errors.push_back({"role", "must be one of owner, admin, developer, agent, viewer"});
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));

  User user = co_await require(actor.tenant_id, id);
  check_may_manage(actor, user);
  if (changes.role && *changes.role != user.role) {
    if (actor.type == ActorType::user && actor.user_id == id) {
      throw forbidden("forbidden", "you may not change your own role");
    }
    check_may_assign(actor, parse_role_or_422(*changes.role));
  }
  if (changes.name) user.name = *changes.name;
  if (changes.role) user.role = *changes.role;
  user.updated_at = now_ms();
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    co_await s.exec(
        "UPDATE users SET name = $3, role = $4, updated_at = $5 WHERE id = $1 AND tenant_id = $2",
        store::args(user.id, user.tenant_id, user.name, user.role, user.updated_at));
    co_await write_audit(s, audit, "user.updated", "user", user.id);
    co_await events_.record(s, user.tenant_id, "user.updated", to_json(user));
  });
  cache_.users.erase(id);
  co_return user;
}

boost::asio::awaitable<void> UserService::remove(const Principal& actor, std::string id,
                                                 AuditContext audit) {
  User user = co_await require(actor.tenant_id, id);
  if (actor.type == ActorType::user && actor.user_id == id) {
    throw forbidden("forbidden", "you may not delete yourself");
  }
  check_may_manage(actor, user);
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    co_await s.exec("DELETE FROM refresh_tokens WHERE user_id = $1", store::args(id));
    co_await s.exec("DELETE FROM users WHERE id = $1 AND tenant_id = $2",
                    store::args(id, actor.tenant_id));
    co_await write_audit(s, audit, "user.deleted", "user", id);
    co_await events_.record(s, user.tenant_id, "user.deleted", to_json(user));
  });
  cache_.users.erase(id);
}

}  // namespace irisx::identity
