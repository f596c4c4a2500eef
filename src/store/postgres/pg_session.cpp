#include "store/postgres/pg_session.hpp"

#include <algorithm>
#include <iterator>

namespace irisx::store::pg {

namespace {

// The session commit steps run in: the batch's own transaction, past its members.
class StepSession final : public Session {
 public:
  StepSession(Connection& conn, CommitWork& work) : conn_(conn), work_(work) {}
  boost::asio::awaitable<Result> exec(std::string sql, Params params) override {
    co_return co_await conn_.exec(std::move(sql), std::move(params));
  }
  void defer(std::string sql, Params params) override {
    conn_.send(std::move(sql), std::move(params));
  }
  void insert_rows(RowInsert rows) override { work_.add_rows(std::move(rows)); }
  void before_commit(std::unique_ptr<CommitStep> step) override {
    add_step(work_.steps, std::move(step));
  }

 private:
  Connection& conn_;
  CommitWork& work_;
};

}  // namespace

void CommitWork::add_rows(RowInsert more) {
  auto same = std::find_if(rows.begin(), rows.end(),
                           [&](const RowInsert& have) { return have.same_statement(more); });
  if (same == rows.end()) {
    rows.push_back(std::move(more));
  } else {
    std::move(more.values.begin(), more.values.end(), std::back_inserter(same->values));
  }
}

void CommitWork::add(CommitWork more) {
  for (RowInsert& r : more.rows) add_rows(std::move(r));
  for (auto& step : more.steps) add_step(steps, std::move(step));
}

boost::asio::awaitable<void> finish_work(Connection& conn, CommitWork work) {
  StepSession session(conn, work);
  co_await run_steps(work.steps, session);
  for (RowInsert& r : work.rows) {
    for (Statement& st : insert_statements(std::move(r))) {
      conn.send(std::move(st.sql), std::move(st.params));
    }
  }
}

}  // namespace irisx::store::pg
