// Arrays that genmodel reads from MOJO blobs with java.nio.ByteBuffer (big-endian doubles and
// ints, no header): CoxPH's x_mean_cat / x_mean_num, GAM's knots, z-transposes and bases, PCA's
// eigenvectors and GLRM's archetypes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "errors.hpp"

namespace scorehost::h2o3 {

// Reads consecutive big-endian values from a blob; every read is bounds-checked and a short blob is
// reported as kDataLoss naming `origin` (Java's BufferUnderflowException at load).
class JavaBlob {
 public:
  JavaBlob(std::string bytes, std::string origin) : bytes_(std::move(bytes)), origin_(std::move(origin)) {}
  double Double() {
    const uint64_t bits = Take(8);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  int32_t Int() { return static_cast<int32_t>(static_cast<uint32_t>(Take(4))); }
  std::vector<double> Doubles(uint64_t n) {
    if (n > (bytes_.size() - pos_) / 8) Short();
    std::vector<double> out(static_cast<size_t>(n));
    for (double& d : out) d = Double();
    return out;
  }

 private:
  uint64_t Take(size_t n) {
    if (bytes_.size() - pos_ < n) Short();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }
  [[noreturn]] void Short() const { Fail(ErrorKind::kDataLoss, origin_ + " is shorter than its declared size"); }
  std::string bytes_;
  std::string origin_;
  size_t pos_ = 0;
};

}  // namespace scorehost::h2o3
