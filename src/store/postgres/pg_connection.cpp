#include "store/postgres/pg_connection.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace irisx::store::pg {
namespace asio = boost::asio;

namespace {

// PostgreSQL type OIDs (pg_type.dat).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

ErrorKind kind_of(const char* sqlstate) {
  if (sqlstate == nullptr) return ErrorKind::unavailable;
  std::string s(sqlstate);
  if (s == "23505") return ErrorKind::unique_violation;
  if (s == "23503") return ErrorKind::foreign_key_violation;
  if (s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03")
    return ErrorKind::unavailable;
  return ErrorKind::other;
}

Value read_value(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const char* text = PQgetvalue(r, row, col);
  switch (PQftype(r, col)) {
    case kInt2:
    case kInt4:
    case kInt8:
      return static_cast<std::int64_t>(std::strtoll(text, nullptr, 10));
    case kFloat4:
    case kFloat8:
    case kNumeric:
      return std::strtod(text, nullptr);
    case kBool:
      return static_cast<std::int64_t>(text[0] == 't' ? 1 : 0);
    default:
      return std::string(text, static_cast<std::size_t>(PQgetlength(r, row, col)));
  }
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

Connection::Connection(asio::any_io_executor executor, const std::string& conninfo)
    : socket_(executor) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError(ErrorKind::unavailable, "cannot connect to PostgreSQL: " + msg);
  }
  PQsetnonblocking(conn_, 1);
  socket_.assign(PQsocket(conn_));
}

Connection::~Connection() {
  if (socket_.is_open()) socket_.release();  // libpq owns the descriptor
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::fail_connection(const std::string& what) {
  broken_ = true;
  throw StoreError(ErrorKind::unavailable, what + ": " + PQerrorMessage(conn_));
}

asio::awaitable<void> Connection::flush() {
  for (;;) {
    int rc = PQflush(conn_);
    if (rc == 0) co_return;
    if (rc < 0) fail_connection("PostgreSQL write failed");
    co_await socket_.async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
  }
}

void Connection::throw_outcome(const Outcome& outcome) {
  if (outcome.kind == ErrorKind::unavailable) broken_ = true;
  throw StoreError(outcome.kind, outcome.error);
}

asio::awaitable<void> Connection::wait_readable() {
  while (PQisBusy(conn_)) {
    boost::system::error_code ec;
    co_await socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec) fail_connection("PostgreSQL wait failed");
    if (!PQconsumeInput(conn_)) fail_connection("PostgreSQL read failed");
  }
}

asio::awaitable<Connection::Outcome> Connection::read_statement() {
  Outcome out;
  for (;;) {
    co_await wait_readable();
    ResultPtr r(PQgetResult(conn_));
    if (!r) break;
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_ABORTED) {
      if (out.error.empty()) out.error = "skipped: an earlier statement of the transaction failed";
      continue;
    }
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
        status == PGRES_NONFATAL_ERROR) {
      if (out.error.empty()) {
        out.error = PQresultErrorMessage(r.get());
        out.kind = kind_of(PQresultErrorField(r.get(), PG_DIAG_SQLSTATE));
      }
      continue;
    }
    if (status == PGRES_TUPLES_OK) {
      const int rows = PQntuples(r.get());
      const int cols = PQnfields(r.get());
      out.result.rows.clear();
      out.result.rows.reserve(static_cast<std::size_t>(rows));
      for (int i = 0; i < rows; ++i) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(cols));
        for (int c = 0; c < cols; ++c) values.push_back(read_value(r.get(), i, c));
        out.result.rows.emplace_back(std::move(values));
      }
    }
    const char* affected = PQcmdTuples(r.get());
    out.result.affected_rows = affected && *affected ? std::strtoll(affected, nullptr, 10) : 0;
  }
  if (PQstatus(conn_) != CONNECTION_OK) fail_connection("PostgreSQL connection lost");
  co_return out;
}

asio::awaitable<Result> Connection::collect() {
  Outcome outcome = co_await read_statement();
  if (!outcome.error.empty()) throw_outcome(outcome);
  co_return std::move(outcome.result);
}

asio::awaitable<Connection::Outcome> Connection::read_pending() {
  Outcome first_failure;
  Outcome last;
  while (!pending_.empty()) {
    const Pending pending = std::move(pending_.front());
    pending_.pop_front();
    Outcome outcome = co_await read_statement();
    if (!outcome.error.empty()) {
      if (!pending.prepared.empty()) prepared_.erase(pending.prepared);  // Parse failed or skipped
      if (first_failure.error.empty()) first_failure = outcome;
    }
    last = std::move(outcome);
  }
  co_return first_failure.error.empty() ? std::move(last) : std::move(first_failure);
}

// libpq wants parameters as C strings with their types; the strings must live until sent.
struct Connection::BoundParams {
  std::vector<Oid> types;
  std::vector<std::string> texts;
  std::vector<const char*> values;

  explicit BoundParams(const Params& params) {
    types.reserve(params.size());
    texts.reserve(params.size());
    for (const Value& v : params) {
      if (std::holds_alternative<std::nullptr_t>(v)) {
        types.push_back(0);
        texts.emplace_back();
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        types.push_back(kInt8);
        texts.push_back(std::to_string(*n));
      } else if (const auto* d = std::get_if<double>(&v)) {
        types.push_back(kFloat8);
        texts.push_back(std::to_string(*d));
      } else {
        types.push_back(kText);
        texts.push_back(std::get<std::string>(v));
      }
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr
                                                                         : texts[i].c_str());
    }
  }
  int count() const { return static_cast<int>(types.size()); }
};

std::string Connection::send_prepare(const std::string& sql, const BoundParams& bound) {
  std::string name = "s" + std::to_string(++statements_named_);
  if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), bound.count(), bound.types.data()))
    fail_connection("PostgreSQL prepare");
  return name;
}

void Connection::send_prepared(const std::string& name, const BoundParams& bound) {
  if (!PQsendQueryPrepared(conn_, name.c_str(), bound.count(), bound.values.data(), nullptr,
                           nullptr, 0)) {
    fail_connection("PostgreSQL send");
  }
}

asio::awaitable<Result> Connection::exec(std::string sql, Params params) {
  if (pipeline_) {
    send_statement(sql, params);
    if (!PQsendFlushRequest(conn_)) fail_connection("PostgreSQL flush request");
    co_await flush();
    Outcome outcome = co_await read_pending();
    if (!outcome.error.empty()) throw_outcome(outcome);
    co_return std::move(outcome.result);
  }
  const BoundParams bound(params);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = send_prepare(sql, bound);
    co_await flush();
    co_await collect();  // throws on a bad statement, which then stays unprepared
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  send_prepared(it->second, bound);
  co_await flush();
  co_return co_await collect();
}

void Connection::send_statement(const std::string& sql, const Params& params) {
  const BoundParams bound(params);
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    // Remembered at once, so the Execute queued next uses it; forgotten if the Parse fails.
    it = prepared_.emplace(sql, send_prepare(sql, bound)).first;
    pending_.push_back(Pending{sql});
  }
  send_prepared(it->second, bound);
  pending_.push_back(Pending{});
}

void Connection::begin_pipeline() {
  if (!PQenterPipelineMode(conn_)) fail_connection("PostgreSQL pipeline mode");
  pipeline_ = true;
}

void Connection::send(std::string sql, Params params) {
  if (!pipeline_) throw StoreError(ErrorKind::other, "send() outside a pipelined transaction");
  send_statement(sql, params);
}

asio::awaitable<void> Connection::end_pipeline() {
  if (!PQpipelineSync(conn_)) fail_connection("PostgreSQL sync");
  co_await flush();
  Outcome outcome = co_await read_pending();
  co_await wait_readable();
  ResultPtr sync(PQgetResult(conn_));
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC)
    fail_connection("PostgreSQL pipeline out of step");
  if (!PQexitPipelineMode(conn_)) fail_connection("PostgreSQL pipeline exit");
  pipeline_ = false;
  if (!outcome.error.empty()) throw_outcome(outcome);
}

asio::awaitable<void> Connection::script(std::string sql) {
  if (!PQsendQuery(conn_, sql.c_str())) fail_connection("PostgreSQL send");
  co_await flush();
  co_await collect();
}

}  // namespace irisx::store::pg
