#include "sip/wav_file.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace irisx::testing {

std::optional<WavInfo> read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0) return std::nullopt;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  auto s16 = [&](std::size_t at) {
    std::int16_t v = 0;
    std::memcpy(&v, bytes.data() + at, 2);
    return v;
  };
  WavInfo info;
  for (std::size_t at = 12; at + 8 <= bytes.size();) {
    const std::uint32_t size = u32(at + 4);
    if (std::memcmp(bytes.data() + at, "fmt ", 4) == 0) {
      info.channels = static_cast<std::uint16_t>(s16(at + 10));
      info.rate = static_cast<int>(u32(at + 12));
    } else if (std::memcmp(bytes.data() + at, "data", 4) == 0 && info.channels > 0) {
      const std::size_t end = std::min<std::size_t>(bytes.size(), at + 8 + size);
      const auto channels = static_cast<std::size_t>(info.channels);
      info.samples = static_cast<std::int64_t>((end - at - 8) / 2 / channels);
      info.channel.resize(channels);
      std::size_t index = 0;
      for (std::size_t i = at + 8; i + 1 < end; i += 2, ++index) {
        const std::int16_t sample = s16(i);
        info.nonzero += sample != 0 ? 1 : 0;
        info.channel[index % channels].push_back(sample);
      }
      return info;
    }
    at += 8 + size + (size % 2);
  }
  return std::nullopt;
}

}  // namespace irisx::testing
