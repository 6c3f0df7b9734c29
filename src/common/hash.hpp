#pragma once
// SHA-256, used for content keys, data fingerprints and result digests (OpenSSL's EVP).
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX; kept out of this header

namespace gbmsweep {

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  ~Sha256();
  Sha256& update(const void* data, std::size_t n);
  Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
  std::string hex();  // finalises; the object must not be updated afterwards

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_hex(std::string_view s);

// A 64-bit seed from a hex digest (its first 16 hex digits).
std::uint64_t seed_from_hex(const std::string& hex);

}  // namespace gbmsweep
