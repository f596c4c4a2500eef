#pragma once
// store::Session on one PostgreSQL connection in pipeline mode (inside a transaction).
#include "store/database.hpp"
#include "store/postgres/pg_connection.hpp"

namespace irisx::store::pg {

class PipelineSession final : public Session {
 public:
  explicit PipelineSession(Connection& conn) : conn_(conn) {}
  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    co_return co_await conn_.exec(std::move(sql), std::move(params));
  }
  void defer(std::string sql, Params params) override {
    conn_.send(std::move(sql), std::move(params));
  }

 private:
  Connection& conn_;
};

}  // namespace irisx::store::pg
