// Numeric primitives that behave like their Java counterparts. H2O's scorer is Java; matching it
// to the last bit needs Java's (int) cast, Math.min/max NaN rules, java.util.Random and Java's
// number grammar rather than the C++ defaults (a C++ cast of 1e200 to int is undefined behaviour).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace scorehost::h2o3 {

// Java `(int) d`: truncation toward zero, NaN -> 0, saturation at the int range.
inline int32_t JavaD2I(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 2147483647.0) return INT32_MAX;
  if (d <= -2147483648.0) return INT32_MIN;
  return static_cast<int32_t>(d);
}

// Java int arithmetic wraps around; C++ signed overflow is undefined, so go through uint32.
inline int32_t JavaIAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t JavaISub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// Math.min / Math.max: NaN wins, and -0.0 < +0.0 (std::min/max return the first argument on NaN).
inline double JavaMin(double a, double b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == 0.0 && b == 0.0) return std::signbit(a) ? a : b;
  return a <= b ? a : b;
}
inline double JavaMax(double a, double b) {
  if (a != a) return a;
  if (b != b) return b;
  if (a == 0.0 && b == 0.0) return std::signbit(a) ? b : a;
  return a >= b ? a : b;
}

// Double.doubleToRawLongBits.
inline int64_t JavaRawBits(double d) {
  int64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

// java.util.Random (the 48-bit LCG), only what tie-breaking needs.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed)
      : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}

  double NextDouble() {
    const uint64_t hi = static_cast<uint64_t>(Next(26));
    const uint64_t lo = static_cast<uint64_t>(Next(27));
    return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;
  int32_t Next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xBULL) & kMask;
    return static_cast<int32_t>(seed_ >> (48 - bits));
  }
  uint64_t seed_;
};

// String.trim(): strips every char <= U+0020 at both ends.
std::string_view JavaTrim(std::string_view s);

// Double.parseDouble (decimal, hex floats, NaN, [+-]Infinity, optional f/F/d/D suffix, surrounding
// whitespace). Returns nullopt where Java throws NumberFormatException.
std::optional<double> JavaParseDouble(std::string_view s);

// Long.parseLong / Integer.parseInt: optional sign then ASCII digits, no whitespace, in range.
std::optional<int64_t> JavaParseLong(std::string_view s);
std::optional<int32_t> JavaParseInt(std::string_view s);

}  // namespace scorehost::h2o3
