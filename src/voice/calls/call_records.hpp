#pragma once
// Call detail records in the store: one row per leg, written when the leg has ended.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include "store/database.hpp"
#include "voice/calls/call_record.hpp"

namespace irisx::voice {

// In the caller's transaction, so that what the record causes (call.completed, a status
// callback) commits with it.
boost::asio::awaitable<void> save_call_record(store::Session& tx, CallRecord record);

}  // namespace irisx::voice
