#include "identity/operators.hpp"

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/id.hpp"
#include "common/time.hpp"
#include "identity/accounts.hpp"
#include "identity/authenticator.hpp"
#include "identity/users.hpp"

namespace irisx::identity {
namespace {

Operator operator_from_row(const store::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.int64(3), r.opt_int64(4)};
}

}  // namespace

boost::asio::awaitable<Operator> OperatorService::create(std::string email_in, std::string password,
                                                         std::string name) {
  std::string email = normalize_email(email_in);
  if (email.empty()) throw validation_failed("email", "must be a valid email address");
  if (auto p = password_problem(password); !p.empty()) throw validation_failed("password", p);
  Operator op{new_id("OP"), email, name.empty() ? email : name, now_ms(), std::nullopt};
  std::string hash = co_await hasher_.hash(password);
  // A named context: g++ 12 mishandles braced temporaries inside co_await expressions.
  const AuditContext cli{"", "system", "cli", "", ""};
  try {
    co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
      co_await s.exec(
          "INSERT INTO operators (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, "
          "$4, $5)",
          store::args(op.id, op.email, op.name, hash, op.created_at));
      co_await write_audit(s, cli, "operator.created", "operator", op.id);
    });
  } catch (const store::StoreError& e) {
    if (e.kind() == store::ErrorKind::unique_violation) {
      throw conflict("email_taken", "an operator with this email address already exists");
    }
    throw;
  }
  co_return op;
}

boost::asio::awaitable<OperatorLogin> OperatorService::login(std::string email_in,
                                                             std::string password,
                                                             AuditContext audit) {
  std::string email = normalize_email(email_in);
  if (email.empty() || password.empty()) throw unauthorized("invalid email or password");
  const std::string throttle_key = "login:operator:" + email;
  check_login_throttle(limiter_, throttle_key, max_failures_, window_s_);
  store::Result r = co_await db_.exec(
      "SELECT id, email, name, created_at, last_login_at, password_hash FROM operators WHERE email "
      "= $1",
      store::args(email));
  bool ok = false;
  if (r.empty()) {
    co_await hasher_.verify_dummy(password);
  } else {
    ok = co_await hasher_.verify(r.front().text(5), password);
  }
  if (!ok) {
    limiter_.add_failure(throttle_key, window_s_ * 1000, now_ms());
    throw unauthorized("invalid email or password");
  }
  limiter_.clear_failures(throttle_key);

  OperatorLogin out;
  out.op = operator_from_row(r.front());
  const std::int64_t now = now_ms();
  out.op.last_login_at = now;
  out.token = "irisx_op_" + crypto::random_hex(32);
  out.session = OperatorSession{new_id("OS"), out.op.id,
                                audit.ip.empty() ? std::nullopt : std::optional(audit.ip), now,
                                now + session_ttl_s_ * 1000};
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    co_await s.exec(
        "INSERT INTO operator_sessions (id, operator_id, token_hash, ip, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        store::args(out.session.id, out.op.id, hash_secret(out.token), audit.ip, now,
                    out.session.expires_at));
    co_await s.exec("UPDATE operators SET last_login_at = $2 WHERE id = $1",
                    store::args(out.op.id, now));
    audit.actor_type = "operator";
    audit.actor_id = out.op.id;
    co_await write_audit(s, audit, "operator.login", "operator_session", out.session.id);
  });
  co_return out;
}

boost::asio::awaitable<std::optional<Operator>> OperatorService::get(std::string id) {
  store::Result r = co_await db_.exec(
      "SELECT id, email, name, created_at, last_login_at FROM operators WHERE id = $1",
      store::args(id));
  if (r.empty()) co_return std::nullopt;
  co_return operator_from_row(r.front());
}

boost::asio::awaitable<std::vector<OperatorSession>> OperatorService::sessions(
    std::string operator_id) {
  store::Result r = co_await db_.exec(
      "SELECT id, operator_id, ip, created_at, expires_at FROM operator_sessions WHERE operator_id "
      "= $1 AND "
      "revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC",
      store::args(operator_id, now_ms()));
  std::vector<OperatorSession> out;
  for (const auto& row : r.rows) {
    out.push_back({row.text(0), row.text(1), row.opt_text(2), row.int64(3), row.int64(4)});
  }
  co_return out;
}

boost::asio::awaitable<bool> OperatorService::revoke_session(std::string operator_id,
                                                             std::string session_id,
                                                             AuditContext audit) {
  bool revoked = false;
  co_await db_.transaction([&](store::Session& s) -> boost::asio::awaitable<void> {
    store::Result r = co_await s.exec(
        "UPDATE operator_sessions SET revoked_at = $3 WHERE id = $1 AND operator_id = $2 AND "
        "revoked_at IS NULL",
        store::args(session_id, operator_id, now_ms()));
    revoked = r.affected_rows > 0;
    if (revoked)
      co_await write_audit(s, audit, "operator.session_revoked", "operator_session", session_id);
  });
  co_return revoked;
}

}  // namespace irisx::identity
