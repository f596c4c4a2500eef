#pragma once
// Idempotency-Key for creating POSTs (API.md): the same key with the same request within 24 h
// returns the first response; with a different request, 422. Stored responses are sealed
// with AES-256-GCM because they can hold one-time secrets (a new API key).
#include <functional>
#include <string>

#include "http/message.hpp"
#include "store/database.hpp"

namespace irisx::api {

boost::asio::awaitable<http::Response> with_idempotency(
    store::Database& db, const std::string& data_key, std::string scope,
    const http::Request& request, std::function<boost::asio::awaitable<http::Response>()> handler);

}  // namespace irisx::api
