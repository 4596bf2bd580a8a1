// SHA-256 (FIPS 180-4), written from the specification for the env-cache key. Not constant-time;
// it hashes public file contents only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace scorehost::pyworker {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::string HexDigest();  // finalises; call once

 private:
  void Block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace scorehost::pyworker
