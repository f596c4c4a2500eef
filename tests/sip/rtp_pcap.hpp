#pragma once
// Writes RTP streams as pcap files for SIPp's play_pcap_audio: test audio the suite makes
// itself (in-band DTMF tones) instead of binary fixtures.
#include <cstdint>
#include <string>
#include <vector>

namespace irisx::testing {

// PCMU (payload type 0), 20 ms packets, one Ethernet/IPv4/UDP frame each; SIPp rewrites the
// addresses and ports when it plays the file.
std::string pcmu_pcap(const std::vector<std::int16_t>& samples);

// Q.23 DTMF: each digit 100 ms of its two tones then 100 ms of silence, after 200 ms of silence.
std::vector<std::int16_t> dtmf_tones(const std::string& digits);

}  // namespace irisx::testing
