#pragma once
// Call-progress tones (ringback, busy, beeps) as 20 ms frames of the engine's PCM.
// Levels are in dBm0 (ITU-T G.711: a full-scale sine is +3.14 dBm0 for µ-law), the unit
// national tone plans are specified in (ITU-T E.180 supplement 2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "voice/audio/pcm.hpp"
#include "voice/codec.hpp"

namespace irisx::voice::audio {

// `frequencies_hz` (usually one or two) sound together at `level_dbm0` each for `on_ms`,
// then silence for `off_ms`. An empty frequency list is a silent segment.
struct ToneSegment {
  std::vector<double> frequencies_hz;
  double level_dbm0 = -13;
  int on_ms = 0;
  int off_ms = 0;
};

struct TonePlan {
  std::vector<ToneSegment> segments;
  bool repeat = false;  // cycle the segments until the generator is dropped
};

// Presets.
TonePlan ringback_us();  // 440+480 Hz -19 dBm0, 2 s on 4 s off, repeating
TonePlan ringback_uk();  // 400+450 Hz -19 dBm0, 0.4 on 0.2 off 0.4 on 2.0 off, repeating
TonePlan busy_us();      // 480+620 Hz -24 dBm0, 0.5 s on 0.5 s off, repeating
TonePlan dial_us();      // 350+440 Hz -13 dBm0, continuous
TonePlan beep();         // 1 kHz -13 dBm0, 250 ms, once (before Record)

// ITU-T Q.23: the (low, high) frequency pair of a DTMF key '0'-'9', '*', '#', 'A'-'D';
// nullopt for anything else. For digits sent in-band to peers without RFC 4733.
std::optional<std::pair<double, double>> dtmf_frequencies(char digit);
// Q.24 sends each frequency between -3 and -12 dBm0 (a little twist allowed); -7 sits in the
// middle, where every receiver hears it and two of them do not clip.
inline constexpr double kDtmfLevelDbm0 = -7;

// Phase-accumulator oscillators over a shared sine table: no libm call per sample. Cheap to
// create (one per playing call); not thread-safe.
class ToneGenerator {
 public:
  explicit ToneGenerator(TonePlan plan);

  // Fills the next 20 ms. Returns false, with the frame silent, once a non-repeating plan has
  // played out; the frame holding the plan's last samples still returns true (its remainder
  // silent). A plan with no audible length finishes at once.
  bool next_frame(std::span<std::int16_t, kFrameSamples> frame);
  bool finished() const { return finished_; }

 private:
  struct Oscillator {
    std::uint32_t phase = 0;
    std::uint32_t step = 0;  // 2^32 * f / fs
  };
  void enter_segment(std::size_t index);
  bool settle();  // moves past finished segments; false once the plan is over
  std::int16_t next_sample();

  TonePlan plan_;
  std::size_t segment_ = 0;
  std::int64_t position_ = 0;  // samples into the current segment
  std::int64_t on_samples_ = 0;
  std::int64_t total_samples_ = 0;
  double amplitude_ = 0;
  std::vector<Oscillator> oscillators_;
  bool finished_ = false;
};

}  // namespace irisx::voice::audio
