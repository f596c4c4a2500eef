#include "store/postgres/postgres_database.hpp"

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_group_commit.hpp"
#include "store/postgres/pg_pool.hpp"

namespace irisx::store {
namespace {

namespace asio = boost::asio;
using pg::Lease;

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(asio::any_io_executor executor, const std::string& conninfo,
                   std::size_t pool_size)
      : pool_(executor, conninfo, pool_size), group_commit_(pool_, executor, pool_size / 2) {
    // Fail at start-up, not on the first request, when the server is unreachable.
    pg::Connection probe(executor, conninfo);
  }

  Dialect dialect() const override { return Dialect::postgres; }

  asio::awaitable<Result> exec(std::string sql, Params params) override {
    Lease conn(pool_, co_await pool_.acquire());
    co_return co_await conn->exec(std::move(sql), std::move(params));
  }

  // Group committed (pg_group_commit.hpp) and pipelined: BEGIN goes out with the first member's
  // first statement, deferred statements with the next one. A body of N awaited statements
  // costs N + 1 round trips: alone, the last one carries its COMMIT; in a batch, it releases the
  // member's savepoint, and the batch pays one more for its COMMIT (and one per commit step
  // that reads, such as the webhook fan-out). Inserted rows ride with the COMMIT.
  asio::awaitable<void> transaction(TransactionBody body) override {
    co_await group_commit_.run(std::move(body));
  }

  asio::awaitable<void> ping() override { co_await exec("SELECT 1", Params()); }

  asio::awaitable<void> exec_script(std::string sql) override {
    Lease conn(pool_, co_await pool_.acquire());
    co_await conn->script(std::move(sql));
  }

 private:
  pg::Pool pool_;
  pg::GroupCommit group_commit_;
};

}  // namespace

std::unique_ptr<Database> open_postgres(asio::any_io_executor executor, const std::string& conninfo,
                                        std::size_t pool_size) {
  return std::make_unique<PostgresDatabase>(std::move(executor), conninfo,
                                            pool_size == 0 ? 1 : pool_size);
}

}  // namespace irisx::store
