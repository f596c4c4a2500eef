#include "common/time.hpp"

#include <charconv>
#include <chrono>
#include <limits>

namespace irisx {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Floor division: -1 ms belongs to the second before the epoch, not the one after it.
std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  std::int64_t quotient = value / divisor;
  if (value % divisor < 0) --quotient;
  return quotient;
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `width` decimal digits at `pos`; no sign, no spaces.
std::optional<int> fixed_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(std::int64_t epoch_ms) {
  const std::int64_t secs = floor_div(epoch_ms, 1000);
  const int millis = static_cast<int>(epoch_ms - secs * 1000);
  const std::int64_t day_number = floor_div(secs, 86400);
  const auto second_of_day = static_cast<int>(secs - day_number * 86400);
  const year_month_day date{sys_days{days{day_number}}};
  // Written by hand: snprintf showed up in request profiles of every JSON view.
  std::string out = "0000-00-00T00:00:00";
  auto put = [&out](std::size_t pos, unsigned value, std::size_t width) {
    for (std::size_t i = width; i-- > 0; value /= 10)
      out[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(int(date.year())), 4);
  put(5, unsigned(date.month()), 2);
  put(8, unsigned(date.day()), 2);
  put(11, static_cast<unsigned>(second_of_day / 3600), 2);
  put(14, static_cast<unsigned>(second_of_day / 60 % 60), 2);
  put(17, static_cast<unsigned>(second_of_day % 60), 2);
  if (millis != 0) {
    out += ".000";
    put(20, static_cast<unsigned>(millis), 3);
  }
  out += 'Z';
  return out;
}

// Accepts exactly YYYY-MM-DDTHH:MM:SS[.fraction]Z, the form rfc3339() writes.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const auto year = fixed_digits(text, 0, 4);
  const auto mon = fixed_digits(text, 5, 2);
  const auto day = fixed_digits(text, 8, 2);
  const auto hour = fixed_digits(text, 11, 2);
  const auto min = fixed_digits(text, 14, 2);
  const auto sec = fixed_digits(text, 17, 2);
  if (!year || !mon || !day || !hour || !min || !sec) return std::nullopt;
  if (*hour > 23 || *min > 59 || *sec > 60) return std::nullopt;
  const year_month_day date{std::chrono::year{*year}, std::chrono::month{unsigned(*mon)},
                            std::chrono::day{unsigned(*day)}};
  if (!date.ok()) return std::nullopt;

  std::string_view rest = text.substr(19);
  int millis = 0;
  if (rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && digit(rest.front())) {
      if (digits < 3) millis = millis * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (rest != "Z") return std::nullopt;
  const std::int64_t day_number = sys_days{date}.time_since_epoch().count();
  const std::int64_t secs = day_number * 86400 + *hour * 3600 + *min * 60 + *sec;
  return secs * 1000 + millis;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr == text.data() || n < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (scale == 0 || n > std::numeric_limits<std::int64_t>::max() / scale) return std::nullopt;
  return n * scale;
}

}  // namespace irisx
