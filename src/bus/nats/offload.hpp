#pragma once
// Runs a blocking libnats call on a thread pool and resumes the awaiting coroutine on its own
// executor: Fetch and PublishAsyncComplete wait on the network, and Asio threads never wait.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>

namespace irisx::bus::nats {

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(boost::asio::thread_pool* pool, F work) {
  using R = std::invoke_result_t<F&>;
  static_assert(!std::is_void_v<R>, "offloaded work returns a value");
  auto initiate = [pool, work = std::move(work)](auto handler) mutable {
    // The guard keeps the caller's io_context running while only the pool has work.
    auto guard = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
    boost::asio::post(*pool, [work = std::move(work), handler = std::move(handler),
                              guard = std::move(guard)]() mutable {
      std::exception_ptr error;
      R result{};
      try {
        result = work();
      } catch (...) {
        error = std::current_exception();
      }
      auto executor = guard.get_executor();
      boost::asio::post(
          executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
            std::move(handler)(error, std::move(result));
          });
      guard.reset();
    });
  };
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                     void(std::exception_ptr, R)>(std::move(initiate),
                                                                  boost::asio::use_awaitable);
}

}  // namespace irisx::bus::nats
