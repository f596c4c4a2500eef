#pragma once
// Call detail records in the store: one row per leg, written when the leg has ended.
#include <utility>  // must precede asio's awaitable.hpp under g++ 12

#include <boost/asio/awaitable.hpp>

#include "store/database.hpp"
#include "voice/calls/call_record.hpp"

namespace irisx::voice {

boost::asio::awaitable<void> save_call_record(store::Database& db, CallRecord record);

}  // namespace irisx::voice
