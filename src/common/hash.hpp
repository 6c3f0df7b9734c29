#pragma once
// SHA-256, used for content keys, data fingerprints and result digests.
#include <cstdint>
#include <string>
#include <string_view>

namespace gbmsweep {

class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, std::size_t n);
  Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
  std::string hex();  // finalises; the object must not be updated afterwards

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view s);

// A 64-bit seed from a hex digest (its first 16 hex digits).
std::uint64_t seed_from_hex(const std::string& hex);

}  // namespace gbmsweep
