#pragma once
// A map whose entries expire after a fixed time, sharded for threads, with loads in flight
// shared: callers that miss the same key at the same time wait for one load instead of each
// sending the same query (every request of a busy API key misses together when its entry
// expires, and on PostgreSQL those were UPDATEs queued on one row lock).
#include <utility>  // must precede asio headers under g++ 12

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace irisx::identity {

template <class V>
class TtlMap {
 public:
  explicit TtlMap(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  // Empty optional: not cached. A cached "absent" is stored as a value holding nullopt.
  std::optional<std::optional<V>> get(std::string key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    return fresh(s, key);
  }

  // Also keeps a load already in flight from caching what it read before the change that
  // called erase() (its callers still get it: they asked before that change).
  void erase(std::string key) {
    Shard& s = shard(key);
    std::lock_guard lock(s.mutex);
    s.map.erase(key);
    s.flights.erase(key);
  }

  // The fresh entry, or else what `load()` (awaitable<std::optional<V>>) returns, cached. Of the
  // callers missing `key` together, one loads and the others wait for its result (or its
  // exception); a waiter whose loader has not answered within 30 s loads for itself.
  template <class Load>
  boost::asio::awaitable<std::optional<V>> get_or_load(std::string key, Load load) {
    auto executor = co_await boost::asio::this_coro::executor;
    Shard& s = shard(key);
    std::shared_ptr<Flight> flight;
    bool leads = false;
    {
      std::lock_guard lock(s.mutex);
      if (auto hit = fresh(s, key)) co_return *hit;
      auto& slot = s.flights[key];
      if (!slot) {
        slot = std::make_shared<Flight>(boost::asio::make_strand(executor));
        leads = true;
      }
      flight = slot;
    }
    if (!leads) {
      co_await boost::asio::co_spawn(flight->strand, wait(flight), boost::asio::use_awaitable);
      if (flight->done) {
        if (flight->error) std::rethrow_exception(flight->error);
        co_return flight->value;
      }
      co_return co_await load();
    }
    Landing landing{*this, s, key, flight};
    std::optional<V> value;
    std::exception_ptr error;
    try {
      value = co_await load();
    } catch (...) {
      error = std::current_exception();
    }
    landing.finish(value, error);
    if (error) std::rethrow_exception(error);
    co_return value;
  }

 private:
  struct Entry {
    std::optional<V> value;
    std::chrono::steady_clock::time_point expires;
  };
  // One load in flight. `done`, `value`, `error` and `waiters` are touched on `strand` only.
  struct Flight {
    explicit Flight(boost::asio::strand<boost::asio::any_io_executor> s) : strand(std::move(s)) {}
    boost::asio::strand<boost::asio::any_io_executor> strand;
    bool done = false;
    std::optional<V> value;
    std::exception_ptr error;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Entry> map;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights;
  };

  // Caches the load's value (unless erase() came in between) and hands it, or the load's
  // exception, to the waiters.
  class Landing {
   public:
    Landing(TtlMap& map, Shard& shard, const std::string& key, std::shared_ptr<Flight> flight)
        : map_(map), shard_(shard), key_(key), flight_(std::move(flight)) {}
    Landing(const Landing&) = delete;
    Landing& operator=(const Landing&) = delete;
    void finish(const std::optional<V>& value, std::exception_ptr error) {
      {
        std::lock_guard lock(shard_.mutex);
        auto it = shard_.flights.find(key_);
        if (it != shard_.flights.end() && it->second == flight_) {
          if (!error) map_.store(shard_, key_, value);  // not when erase() came in between
          shard_.flights.erase(it);
        }
      }
      settle(value, error);
      settled_ = true;
    }
    // A loading coroutine destroyed mid-load (the io_context going away) frees the key; it does
    // not post to a strand that may be going too, and its waiters, if any live on, load for
    // themselves after their 30 s.
    ~Landing() {
      if (settled_) return;
      std::lock_guard lock(shard_.mutex);
      auto it = shard_.flights.find(key_);
      if (it != shard_.flights.end() && it->second == flight_) shard_.flights.erase(it);
    }

   private:
    void settle(std::optional<V> value, std::exception_ptr error) {
      boost::asio::post(flight_->strand, [flight = flight_, value = std::move(value), error] {
        flight->done = true;
        flight->value = value;
        flight->error = error;
        for (auto& waiter : flight->waiters) waiter->cancel();
        flight->waiters.clear();
      });
    }
    TtlMap& map_;
    Shard& shard_;
    std::string key_;
    std::shared_ptr<Flight> flight_;
    bool settled_ = false;
  };

  // On the flight's strand: registering and starting the wait happen in one step there, as
  // does settling, so a settle cannot slip in between and be missed.
  static boost::asio::awaitable<void> wait(std::shared_ptr<Flight> flight) {
    if (flight->done) co_return;
    auto timer =
        std::make_shared<boost::asio::steady_timer>(flight->strand, std::chrono::seconds(30));
    flight->waiters.push_back(timer);
    boost::system::error_code ignored;  // cancelled by the settle, or the 30 s passed
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }

  std::optional<std::optional<V>> fresh(Shard& s, const std::string& key) {
    auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    if (std::chrono::steady_clock::now() >= it->second.expires) {
      s.map.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  void store(Shard& s, std::string key, std::optional<V> value) {
    if (s.map.size() > 100000) s.map.clear();  // bound memory under a flood of bogus keys
    s.map[std::move(key)] = Entry{std::move(value), std::chrono::steady_clock::now() + ttl_};
  }

  Shard& shard(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % shards_.size()];
  }

  std::chrono::milliseconds ttl_;
  std::array<Shard, 8> shards_;
};

}  // namespace irisx::identity
