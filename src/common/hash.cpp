#include "common/hash.hpp"

#include <openssl/evp.h>

#include "common/error.hpp"

namespace gbmsweep {

namespace {

std::string to_hex(const unsigned char* digest, unsigned int n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(digits[digest[i] >> 4]);
    out.push_back(digits[digest[i] & 0xf]);
  }
  return out;
}

// Only allocation can fail here: EVP_sha256 is always available in libcrypto.
void check(int ok, const char* call) { GBM_CHECK(ok == 1, "OpenSSL " << call << " failed"); }

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  GBM_CHECK(ctx_ != nullptr, "OpenSSL EVP_MD_CTX_new failed");
  check(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  GBM_CHECK(ctx_ != nullptr, "OpenSSL EVP_MD_CTX_new failed");
  check(EVP_MD_CTX_copy_ex(ctx_, other.ctx_), "EVP_MD_CTX_copy_ex");
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) check(EVP_MD_CTX_copy_ex(ctx_, other.ctx_), "EVP_MD_CTX_copy_ex");
  return *this;
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256& Sha256::update(const void* data, std::size_t n) {
  check(EVP_DigestUpdate(ctx_, data, n), "EVP_DigestUpdate");
  return *this;
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(EVP_DigestFinal_ex(ctx_, digest, &n), "EVP_DigestFinal_ex");
  return to_hex(digest, n);
}

std::string sha256_hex(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(EVP_Digest(s.data(), s.size(), digest, &n, EVP_sha256(), nullptr), "EVP_Digest");
  return to_hex(digest, n);
}

std::uint64_t seed_from_hex(const std::string& hex) {
  return std::stoull(hex.substr(0, 16), nullptr, 16);
}

}  // namespace gbmsweep
