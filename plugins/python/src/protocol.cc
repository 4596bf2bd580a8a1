#include "protocol.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace scorehost::pyworker {

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
IoResult WaitFd(int fd, short events, int64_t deadline_ms, std::string* error) {
  for (;;) {
    int timeout = -1;
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - NowMs();
      if (left <= 0) return IoResult::kTimeout;
      timeout = static_cast<int>(left > 1000000 ? 1000000 : left);
    }
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (error) *error = std::string("poll: ") + std::strerror(errno);
      return IoResult::kError;
    }
    if (n == 0) continue;  // loop re-checks the deadline
    // POLLHUP with POLLIN still lets us read the remaining bytes; the read reports EOF after them.
    if ((p.revents & events) || (p.revents & (POLLHUP | POLLERR))) return IoResult::kOk;
  }
}

IoResult SendAll(int fd, const char* data, size_t len, int64_t deadline_ms, std::string* error) {
  while (len > 0) {
    IoResult w = WaitFd(fd, POLLOUT, deadline_ms, error);
    if (w != IoResult::kOk) return w;
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (errno == EPIPE || errno == ECONNRESET) return IoResult::kClosed;
      if (error) *error = std::string("send: ") + std::strerror(errno);
      return IoResult::kError;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return IoResult::kOk;
}

IoResult RecvAll(int fd, char* data, size_t len, int64_t deadline_ms, std::string* error) {
  while (len > 0) {
    IoResult w = WaitFd(fd, POLLIN, deadline_ms, error);
    if (w != IoResult::kOk) return w;
    ssize_t n = recv(fd, data, len, MSG_DONTWAIT);
    if (n == 0) return IoResult::kClosed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      if (errno == ECONNRESET) return IoResult::kClosed;
      if (error) *error = std::string("recv: ") + std::strerror(errno);
      return IoResult::kError;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return IoResult::kOk;
}

}  // namespace

IoResult WriteFrame(int fd, MsgType type, std::string_view payload, int64_t deadline_ms, std::string* error) {
  FrameHeader h;
  h.type = static_cast<uint16_t>(type);
  h.length = payload.size();
  IoResult r = SendAll(fd, reinterpret_cast<const char*>(&h), sizeof h, deadline_ms, error);
  if (r != IoResult::kOk) return r;
  return SendAll(fd, payload.data(), payload.size(), deadline_ms, error);
}

IoResult ReadFrame(int fd, MsgType* type, std::string* payload, int64_t deadline_ms, std::string* error) {
  FrameHeader h;
  IoResult r = RecvAll(fd, reinterpret_cast<char*>(&h), sizeof h, deadline_ms, error);
  if (r != IoResult::kOk) return r;
  if (h.magic != kMagic || h.version != kProtocolVersion || h.length > kMaxPayload) {
    if (error)
      *error = "bad frame header (magic " + std::to_string(h.magic) + ", version " + std::to_string(h.version) +
               ", length " + std::to_string(h.length) + ")";
    return IoResult::kError;
  }
  *type = static_cast<MsgType>(h.type);
  payload->resize(static_cast<size_t>(h.length));
  return RecvAll(fd, payload->data(), payload->size(), deadline_ms, error);
}

size_t FixedWidth(uint8_t type) {
  switch (type) {
    case 2: return 4;
    case 3: return 8;
    case 4: return 4;
    case 5: return 8;
    default: return 0;
  }
}

void BlockWriter::Begin(uint64_t rows, uint32_t columns) {
  rows_ = rows;
  out_->append(reinterpret_cast<const char*>(&rows), 8);
  out_->append(reinterpret_cast<const char*>(&columns), 4);
}

void BlockWriter::Column(std::string_view name, uint8_t type, const uint8_t* validity, const void* values,
                         size_t values_bytes, const char* chars, size_t chars_len) {
  uint32_t name_len = static_cast<uint32_t>(name.size());
  out_->append(reinterpret_cast<const char*>(&name_len), 4);
  out_->append(name.data(), name.size());
  uint8_t head[4] = {type, static_cast<uint8_t>(validity ? 1 : 0), 0, 0};
  out_->append(reinterpret_cast<const char*>(head), 4);
  if (validity) out_->append(reinterpret_cast<const char*>(validity), BitmapBytes(rows_));
  if (values_bytes) out_->append(static_cast<const char*>(values), values_bytes);
  if (chars_len) out_->append(chars, chars_len);
}

bool DecodeColumns(std::string_view payload, WireBlock* out, std::string* error) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(payload.data());
  size_t left = payload.size();
  auto fail = [&](const std::string& why) {
    if (error) *error = "malformed column block: " + why;
    return false;
  };
  auto take = [&](size_t n, const uint8_t** at) {
    if (n > left) return false;
    *at = p;
    p += n;
    left -= n;
    return true;
  };
  const uint8_t* at = nullptr;
  if (!take(12, &at)) return fail("short header");
  uint64_t rows;
  uint32_t ncols;
  std::memcpy(&rows, at, 8);
  std::memcpy(&ncols, at + 8, 4);
  if (rows > (uint64_t{1} << 40)) return fail("row count " + std::to_string(rows));
  out->rows = rows;
  out->columns.clear();
  out->columns.reserve(ncols);
  for (uint32_t c = 0; c < ncols; ++c) {
    WireColumn col;
    uint32_t name_len;
    if (!take(4, &at)) return fail("short column name length");
    std::memcpy(&name_len, at, 4);
    if (!take(name_len, &at)) return fail("short column name");
    col.name = std::string_view(reinterpret_cast<const char*>(at), name_len);
    if (!take(4, &at)) return fail("short column header");
    col.type = at[0];
    bool has_validity = at[1] & 1u;
    if (has_validity) {
      if (!take(BitmapBytes(rows), &at)) return fail("short validity bitmap");
      col.validity = at;
    }
    if (col.type == 1) {
      if (!take(BitmapBytes(rows), &at)) return fail("short bool values");
      col.values = at;
    } else if (col.type == 6 || col.type == 7) {
      if (!take(static_cast<size_t>((rows + 1) * 4), &at)) return fail("short string offsets");
      col.values = at;
      uint32_t last;
      std::memcpy(&last, at + rows * 4, 4);
      uint32_t first;
      std::memcpy(&first, at, 4);
      if (first != 0) return fail("string offsets must start at 0");
      col.chars_len = last;
      if (!take(last, &at)) return fail("short string data");
      col.chars = at;
      // Offsets must be monotonic; checked once here so readers can slice without bounds checks.
      uint32_t prev = 0;
      for (uint64_t r = 1; r <= rows; ++r) {
        uint32_t o;
        std::memcpy(&o, col.values + r * 4, 4);
        if (o < prev || o > last) return fail("string offsets out of order in column " + std::string(col.name));
        prev = o;
      }
    } else if (size_t w = FixedWidth(col.type)) {
      if (!take(static_cast<size_t>(rows * w), &at)) return fail("short values");
      col.values = at;
    } else {
      return fail("unknown column type " + std::to_string(col.type));
    }
    out->columns.push_back(col);
  }
  if (left != 0) return fail("trailing bytes");
  return true;
}

}  // namespace scorehost::pyworker
