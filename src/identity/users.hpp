#pragma once
// Tenant users and their roles. Rules (docs/api/roles.md): only users:write may manage users;
// nobody assigns a role above their own, touches a user ranked above them, or changes their
// own role or deletes themselves, so a tenant always keeps an owner.
#include <optional>
#include <string>

#include "events/events.hpp"
#include "identity/audit.hpp"
#include "identity/auth_cache.hpp"
#include "identity/models.hpp"
#include "identity/password.hpp"
#include "identity/principal.hpp"
#include "store/pagination.hpp"

namespace irisx::identity {

struct NewUser {
  std::string email;
  std::string name;
  std::string role;
  std::string password;
};

struct UserChanges {
  std::optional<std::string> name;
  std::optional<std::string> role;
};

class UserService {
 public:
  UserService(store::Database& db, PasswordHasher& hasher, AuthCache& cache,
              events::Publisher& events)
      : db_(db), hasher_(hasher), cache_(cache), events_(events) {}

  boost::asio::awaitable<User> create(const Principal& actor, NewUser input, AuditContext audit);
  boost::asio::awaitable<std::optional<User>> get(std::string tenant_id, std::string id);
  boost::asio::awaitable<Page<User>> list(std::string tenant_id, store::PageRequest page);
  boost::asio::awaitable<User> update(const Principal& actor, std::string id, UserChanges changes,
                                      AuditContext audit);
  boost::asio::awaitable<void> remove(const Principal& actor, std::string id, AuditContext audit);

 private:
  boost::asio::awaitable<User> require(std::string tenant_id, std::string id);
  store::Database& db_;
  PasswordHasher& hasher_;
  AuthCache& cache_;
  events::Publisher& events_;
};

User user_from_row(const store::Row& row, std::size_t first = 0);
extern const char* const kUserColumns;
// Lower-cases a valid email address, or returns "" when it is not one.
std::string normalize_email(std::string email);
// The rank an actor acts with: a user's role, or admin for API keys holding users:write.
int actor_rank(const Principal& actor);

}  // namespace irisx::identity
