// The plugin <-> worker frame protocol (see plugins/python/README.md, "Frame protocol").
//
// Shared by the supervisor plugin (python.so) and the worker executables. Both ends are built from
// this one file in one tree, so the protocol only needs a version number for diagnostics, not for
// negotiation: a worker that answers HELLO with another version is refused.
//
// Transport: a connected AF_UNIX stream socket (socketpair) per concurrent call slot. A frame is a
// 16-byte little-endian header {u32 magic "SHPW", u16 version, u16 type, u64 payload length}
// followed by the payload. Control messages carry UTF-8 JSON; SCORE and RESULT carry a column
// block (EncodeColumns below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scorehost::pyworker {

constexpr uint32_t kMagic = 0x57504853u;  // bytes "SHPW"
constexpr uint16_t kProtocolVersion = 1;
constexpr uint64_t kMaxPayload = uint64_t{16} << 30;  // 16 GiB: a sanity bound, not a tuning knob

enum class MsgType : uint16_t {
  kHello = 1,     // worker -> plugin, JSON: interpreter facts; sent once the interpreter is up
  kLoad = 2,      // plugin -> worker, JSON: {"model_dir": ..., "runtime": ...}
  kLoaded = 3,    // worker -> plugin, JSON: schema, model id, description, input example
  kScore = 4,     // plugin -> worker, column block
  kResult = 5,    // worker -> plugin, column block
  kError = 6,     // worker -> plugin, JSON: {"kind": "user"|"model"|"internal", "message", "traceback"}
  // Like kScore, for models that offer more than predictions (DAI MOJO pipelines); answered with
  // kResult or kError. A model without the operation answers kError "user".
  kScoreIntervals = 7,       // predictions plus prediction-interval columns
  kContribOriginal = 8,      // Shapley contributions per original feature
  kContribTransformed = 9,   // Shapley contributions per transformed feature
};

// The glue's name for what a scoring frame asks (its predict(rows, cols, op)); nullptr for frame
// types that are not scoring requests.
inline const char* ScoringOperation(MsgType type) {
  switch (type) {
    case MsgType::kScore: return "score";
    case MsgType::kScoreIntervals: return "intervals";
    case MsgType::kContribOriginal: return "contrib_original";
    case MsgType::kContribTransformed: return "contrib_transformed";
    default: return nullptr;
  }
}

struct FrameHeader {
  uint32_t magic = kMagic;
  uint16_t version = kProtocolVersion;
  uint16_t type = 0;
  uint64_t length = 0;
};
static_assert(sizeof(FrameHeader) == 16);

// Outcome of a socket operation with a deadline.
enum class IoResult { kOk, kTimeout, kClosed, kError };

// Monotonic clock in milliseconds.
int64_t NowMs();

// Writes a whole frame; `deadline_ms` < 0 waits forever. Never raises SIGPIPE (MSG_NOSIGNAL).
IoResult WriteFrame(int fd, MsgType type, std::string_view payload, int64_t deadline_ms, std::string* error);
// Reads one whole frame into *type / *payload. kClosed on EOF before the first byte *or* mid-frame.
IoResult ReadFrame(int fd, MsgType* type, std::string* payload, int64_t deadline_ms, std::string* error);

// ---- column blocks ----------------------------------------------------------------------------
//
//   u64 rows, u32 columns, then per column:
//     u32 name length, name bytes (UTF-8)
//     u8 type (sh_data_type: 1 bool, 2 int32, 3 int64, 4 float32, 5 float64, 6 str, 7 time-as-text)
//     u8 flags (bit 0: a validity bitmap follows), u16 zero
//     [validity bitmap, ceil(rows/8) bytes, LSB first, 1 = valid]      if flags & 1
//     values:  bool         ceil(rows/8) bytes bitmap
//              int/float    rows * width bytes, little-endian
//              str/time     (rows+1) u32 offsets, then offsets[rows] bytes of UTF-8
// No padding: readers copy values out (the receiving side copies once into numpy / Arrow anyway).

// A column as it lies in a received block (pointers into the block, which must outlive it).
struct WireColumn {
  std::string_view name;
  uint8_t type = 0;
  const uint8_t* validity = nullptr;  // null: every row valid
  const uint8_t* values = nullptr;    // see above; may be unaligned
  const uint8_t* chars = nullptr;     // strings only
  uint64_t chars_len = 0;

  bool IsValid(uint64_t row) const { return validity == nullptr || (validity[row / 8] >> (row % 8)) & 1u; }
};

struct WireBlock {
  uint64_t rows = 0;
  std::vector<WireColumn> columns;
};

// Parses a block that lies in `payload` (which must outlive the result); false + *error if malformed.
bool DecodeColumns(std::string_view payload, WireBlock* out, std::string* error);

// Appends the pieces of a block. Writers call BeginBlock, then AppendColumn... per column.
class BlockWriter {
 public:
  explicit BlockWriter(std::string* out) : out_(out) {}
  void Begin(uint64_t rows, uint32_t columns);
  // `validity` null = all valid. `values` as described above (the writer copies it).
  void Column(std::string_view name, uint8_t type, const uint8_t* validity, const void* values, size_t values_bytes,
              const char* chars, size_t chars_len);
  uint64_t rows() const { return rows_; }

 private:
  std::string* out_;
  uint64_t rows_ = 0;
};

inline size_t BitmapBytes(uint64_t rows) { return static_cast<size_t>((rows + 7) / 8); }
size_t FixedWidth(uint8_t type);  // 4/8 for numeric types, 0 otherwise

}  // namespace scorehost::pyworker
