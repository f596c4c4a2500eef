#pragma once
#include <memory>

#include "kv/limiter.hpp"

namespace irisx::kv {

std::unique_ptr<Limiter> make_memory_limiter();

}  // namespace irisx::kv
