#include "common/id.hpp"

#include <cstdint>
#include <cstring>
#include <mutex>

#include "common/crypto.hpp"
#include "common/time.hpp"

namespace irisx {
namespace {

// The 128 bits behind the hex: 48 bits of milliseconds, then 80 random bits.
struct IdBits {
  std::uint64_t ms = 0;
  std::uint16_t random_high = 0;
  std::uint64_t random_low = 0;
};

IdBits successor(IdBits bits) {
  if (++bits.random_low == 0 && ++bits.random_high == 0) ++bits.ms;  // 2^80 in one ms: never
  return bits;
}

// Within one process, ids are strictly increasing, as in ULID's monotonic mode: an id made in
// the same millisecond as the last one takes the last one's random part plus one. Lists sort
// by (created_at, id), so without this two events of one request could list in either order.
IdBits next_bits() {
  static std::mutex mutex;
  static IdBits last;
  const auto ms = static_cast<std::uint64_t>(now_ms());
  {
    std::lock_guard lock(mutex);
    if (ms <= last.ms) return last = successor(last);
  }
  // A new millisecond: fresh random bits (the CSPRNG call is the costly part of an id).
  IdBits next;
  next.ms = ms;
  const std::string random = crypto::random_bytes(10);
  std::memcpy(&next.random_high, random.data(), sizeof next.random_high);
  std::memcpy(&next.random_low, random.data() + 2, sizeof next.random_low);
  std::lock_guard lock(mutex);
  if (next.ms <= last.ms) next = successor(last);  // another thread got there first
  return last = next;
}

}  // namespace

std::string new_id(std::string_view prefix) {
  // Time first, so new rows land at the right edge of every id index instead of dirtying a
  // random page per insert (this doubled SQLite write throughput).
  const IdBits bits = next_bits();
  std::string raw(16, '\0');  // big-endian, so the hex sorts like the numbers
  std::uint64_t ms = bits.ms;
  for (std::size_t i = 6; i-- > 0; ms >>= 8) raw[i] = static_cast<char>(ms & 0xFF);
  raw[6] = static_cast<char>(bits.random_high >> 8);
  raw[7] = static_cast<char>(bits.random_high & 0xFF);
  std::uint64_t low = bits.random_low;
  for (std::size_t i = 16; i-- > 8; low >>= 8) raw[i] = static_cast<char>(low & 0xFF);
  std::string id(prefix);
  id += crypto::hex(raw);
  return id;
}

bool is_id(std::string_view text, std::string_view prefix) {
  if (text.size() != prefix.size() + 32 || text.substr(0, prefix.size()) != prefix) return false;
  for (char c : text.substr(prefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace irisx
