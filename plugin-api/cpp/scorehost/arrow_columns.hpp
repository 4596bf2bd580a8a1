// Owning column builders and read-only views over Arrow C Data Interface struct arrays, limited to
// the column types the scorehost ABI uses (see sh_data_type in plugin_api.h).
//
// Header-only so that C++ plugins (in tree or out of tree) and the host share one implementation of
// the ABI's data format. Not thread-safe: a Table or TableView belongs to one thread at a time.
#pragma once

#include <scorehost/plugin_api.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scorehost::arrow {

// The Arrow format string for a scorehost data type.
inline const char* FormatOf(sh_data_type type) {
  switch (type) {
    case SH_TYPE_BOOL: return "b";
    case SH_TYPE_INT32: return "i";
    case SH_TYPE_INT64: return "l";
    case SH_TYPE_FLOAT32: return "f";
    case SH_TYPE_FLOAT64: return "g";
    case SH_TYPE_STR: return "u";
    case SH_TYPE_TIME64: return "u";
    default: return "n";
  }
}

// The data type that a format string carries, or 0 when it is not one the ABI uses.
// ("u" maps to SH_TYPE_STR; Time64 columns are utf8 on the wire, so the caller's schema decides.)
inline sh_data_type TypeOfFormat(const char* format) {
  if (format == nullptr || format[0] == '\0' || format[1] != '\0') return static_cast<sh_data_type>(0);
  switch (format[0]) {
    case 'b': return SH_TYPE_BOOL;
    case 'i': return SH_TYPE_INT32;
    case 'l': return SH_TYPE_INT64;
    case 'f': return SH_TYPE_FLOAT32;
    case 'g': return SH_TYPE_FLOAT64;
    case 'u': return SH_TYPE_STR;
    default: return static_cast<sh_data_type>(0);
  }
}

inline bool IsStringType(sh_data_type type) { return type == SH_TYPE_STR || type == SH_TYPE_TIME64; }

inline size_t FixedWidthOf(sh_data_type type) {
  switch (type) {
    case SH_TYPE_INT32: return 4;
    case SH_TYPE_INT64: return 8;
    case SH_TYPE_FLOAT32: return 4;
    case SH_TYPE_FLOAT64: return 8;
    default: return 0;  // bool is bit-packed, strings are variable
  }
}

// One owned column under construction. Values are appended row by row, or written in bulk through
// MutableDoubles() for the common Float64 case (scorers fill predictions that way).
class Column {
 public:
  Column(std::string name, sh_data_type type) : name_(std::move(name)), type_(type) {
    if (IsStringType(type_)) offsets_.push_back(0);
  }

  const std::string& name() const { return name_; }
  sh_data_type type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }

  void Reserve(size_t rows) {
    if (IsStringType(type_)) offsets_.reserve(rows + 1);
    else if (type_ != SH_TYPE_BOOL) values_.reserve(rows * FixedWidthOf(type_));
  }

  void AppendNull() {
    EnsureValidity();
    AppendRaw();
    SetBit(validity_, length_ - 1, false);
    ++null_count_;
  }

  // Numeric columns only: the value is converted to the column's type.
  void AppendDouble(double v) {
    switch (type_) {
      case SH_TYPE_FLOAT64: Push<double>(v); break;
      case SH_TYPE_FLOAT32: Push<float>(static_cast<float>(v)); break;
      case SH_TYPE_INT32: Push<int32_t>(static_cast<int32_t>(v)); break;
      case SH_TYPE_INT64: Push<int64_t>(static_cast<int64_t>(v)); break;
      case SH_TYPE_BOOL: AppendBool(v != 0.0); return;
      default: throw std::logic_error("AppendDouble on a string column " + name_);
    }
    MarkValid();
  }

  void AppendInt(int64_t v) {
    switch (type_) {
      case SH_TYPE_INT32: Push<int32_t>(static_cast<int32_t>(v)); break;
      case SH_TYPE_INT64: Push<int64_t>(v); break;
      case SH_TYPE_FLOAT64: Push<double>(static_cast<double>(v)); break;
      case SH_TYPE_FLOAT32: Push<float>(static_cast<float>(v)); break;
      case SH_TYPE_BOOL: AppendBool(v != 0); return;
      default: throw std::logic_error("AppendInt on a string column " + name_);
    }
    MarkValid();
  }

  void AppendBool(bool v) {
    if (type_ != SH_TYPE_BOOL) { AppendInt(v ? 1 : 0); return; }
    AppendRaw();
    SetBit(values_, length_ - 1, v);
    MarkValid();
  }

  void AppendString(std::string_view v) {
    if (!IsStringType(type_)) throw std::logic_error("AppendString on a non-string column " + name_);
    if (chars_.size() + v.size() > static_cast<size_t>(INT32_MAX))
      throw std::length_error("string column " + name_ + " exceeds 2 GiB");
    chars_.append(v.data(), v.size());
    offsets_.push_back(static_cast<int32_t>(chars_.size()));
    ++length_;
    MarkValid();
  }

  // Float64 only: grows the column by `rows` valid values and returns where to write them.
  double* MutableDoubles(size_t rows) {
    if (type_ != SH_TYPE_FLOAT64) throw std::logic_error("MutableDoubles on a non-Float64 column " + name_);
    size_t old = values_.size();
    values_.resize(old + rows * sizeof(double));
    if (!validity_.empty()) {
      for (size_t i = 0; i < rows; ++i) {
        GrowBitmap(validity_, length_ + static_cast<int64_t>(i) + 1);
        SetBit(validity_, length_ + static_cast<int64_t>(i), true);
      }
    }
    length_ += static_cast<int64_t>(rows);
    return reinterpret_cast<double*>(values_.data() + old);
  }

  // Buffers as Arrow wants them (validity may be null when there are no nulls).
  const void* validity_buffer() const { return null_count_ ? validity_.data() : nullptr; }
  const void* values_buffer() const {
    return IsStringType(type_) ? static_cast<const void*>(offsets_.data()) : values_.data();
  }
  const void* chars_buffer() const { return chars_.data(); }

 private:
  template <class T>
  void Push(T v) {
    size_t old = values_.size();
    values_.resize(old + sizeof(T));
    std::memcpy(values_.data() + old, &v, sizeof(T));
    ++length_;
  }

  // Appends a placeholder slot (zero value / empty string) without touching validity.
  void AppendRaw() {
    if (IsStringType(type_)) {
      offsets_.push_back(offsets_.back());
      ++length_;
    } else if (type_ == SH_TYPE_BOOL) {
      ++length_;
      GrowBitmap(values_, length_);
    } else {
      values_.resize(values_.size() + FixedWidthOf(type_));
      ++length_;
    }
  }

  void MarkValid() {
    if (!validity_.empty()) {
      GrowBitmap(validity_, length_);
      SetBit(validity_, length_ - 1, true);
    }
  }

  // Validity bitmaps are created lazily, at the first null, with every earlier row valid.
  void EnsureValidity() {
    if (!validity_.empty()) return;
    validity_.assign(static_cast<size_t>((length_ + 1 + 7) / 8), 0xFF);
  }

  static void GrowBitmap(std::vector<uint8_t>& bits, int64_t length) {
    size_t need = static_cast<size_t>((length + 7) / 8);
    if (bits.size() < need) bits.resize(need, 0);
  }
  static void SetBit(std::vector<uint8_t>& bits, int64_t i, bool on) {
    GrowBitmap(bits, i + 1);
    uint8_t mask = static_cast<uint8_t>(1u << (i % 8));
    if (on) bits[static_cast<size_t>(i / 8)] |= mask;
    else bits[static_cast<size_t>(i / 8)] &= static_cast<uint8_t>(~mask);
  }

  std::string name_;
  sh_data_type type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint8_t> validity_;
  std::vector<uint8_t> values_;   // fixed-width values, or the bit-packed booleans
  std::vector<int32_t> offsets_;  // strings: length + 1 offsets into chars_
  std::string chars_;
};

namespace detail {

// Everything an exported struct array points into. Shared by the exported schema and array so that
// each can be released independently, in any order.
struct ExportedTable {
  std::vector<Column> columns;
  std::vector<std::string> names;
  std::vector<ArrowSchema> child_schemas;
  std::vector<ArrowSchema*> child_schema_ptrs;
  std::vector<ArrowArray> child_arrays;
  std::vector<ArrowArray*> child_array_ptrs;
  std::vector<std::vector<const void*>> child_buffers;
  const void* struct_buffers[1] = {nullptr};
};

using Holder = std::shared_ptr<ExportedTable>;

inline void ReleaseChildSchema(ArrowSchema* s) { s->release = nullptr; }
inline void ReleaseChildArray(ArrowArray* a) { a->release = nullptr; }

inline void ReleaseSchema(ArrowSchema* s) {
  if (s == nullptr || s->release == nullptr) return;
  for (int64_t i = 0; i < s->n_children; ++i)
    if (s->children[i]->release) s->children[i]->release(s->children[i]);
  delete static_cast<Holder*>(s->private_data);
  s->release = nullptr;
}

inline void ReleaseArray(ArrowArray* a) {
  if (a == nullptr || a->release == nullptr) return;
  for (int64_t i = 0; i < a->n_children; ++i)
    if (a->children[i]->release) a->children[i]->release(a->children[i]);
  delete static_cast<Holder*>(a->private_data);
  a->release = nullptr;
}

}  // namespace detail

// A set of equally long owned columns that is exported as one Arrow struct array ("+s").
class Table {
 public:
  Table() = default;
  explicit Table(int64_t num_rows) : num_rows_(num_rows) {}

  // Appends a column and returns it for filling. References stay valid until the next AddColumn.
  Column& AddColumn(std::string name, sh_data_type type) {
    columns_.emplace_back(std::move(name), type);
    return columns_.back();
  }
  std::vector<Column>& columns() { return columns_; }
  const std::vector<Column>& columns() const { return columns_; }

  // The number of rows, which must be set explicitly for a table without columns.
  void set_num_rows(int64_t n) { num_rows_ = n; }

  // Moves the columns into `schema` and `array` (both uninitialised on entry); the receiver owns
  // them and calls their release callbacks. Throws std::logic_error if columns differ in length.
  void Export(ArrowSchema* schema, ArrowArray* array) && {
    int64_t rows = columns_.empty() ? num_rows_ : columns_.front().length();
    for (const Column& c : columns_)
      if (c.length() != rows)
        throw std::logic_error("column " + c.name() + " has " + std::to_string(c.length()) +
                               " rows, expected " + std::to_string(rows));
    auto holder = std::make_shared<detail::ExportedTable>();
    holder->columns = std::move(columns_);
    const size_t n = holder->columns.size();
    holder->names.reserve(n);
    holder->child_schemas.resize(n);
    holder->child_arrays.resize(n);
    holder->child_buffers.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const Column& c = holder->columns[i];
      holder->names.push_back(c.name());
      ArrowSchema& cs = holder->child_schemas[i];
      cs = ArrowSchema{FormatOf(c.type()), nullptr, nullptr, ARROW_FLAG_NULLABLE, 0, nullptr, nullptr,
                       &detail::ReleaseChildSchema, nullptr};
      auto& bufs = holder->child_buffers[i];
      bufs.push_back(c.validity_buffer());
      bufs.push_back(c.values_buffer());
      if (IsStringType(c.type())) bufs.push_back(c.chars_buffer());
      ArrowArray& ca = holder->child_arrays[i];
      ca = ArrowArray{c.length(), c.null_count(), 0, static_cast<int64_t>(bufs.size()), 0,
                      bufs.data(), nullptr, nullptr, &detail::ReleaseChildArray, nullptr};
    }
    for (size_t i = 0; i < n; ++i) {
      holder->child_schemas[i].name = holder->names[i].c_str();
      holder->child_schema_ptrs.push_back(&holder->child_schemas[i]);
      holder->child_array_ptrs.push_back(&holder->child_arrays[i]);
    }
    *schema = ArrowSchema{"+s", "", nullptr, 0, static_cast<int64_t>(n),
                          holder->child_schema_ptrs.data(), nullptr, &detail::ReleaseSchema,
                          new detail::Holder(holder)};
    *array = ArrowArray{rows, 0, 0, 1, static_cast<int64_t>(n), holder->struct_buffers,
                        holder->child_array_ptrs.data(), nullptr, &detail::ReleaseArray,
                        new detail::Holder(holder)};
  }

 private:
  std::vector<Column> columns_;
  int64_t num_rows_ = 0;
};

// Read-only access to one column of a borrowed struct array. Valid as long as the array is.
class ColumnView {
 public:
  ColumnView() = default;
  ColumnView(std::string_view name, sh_data_type type, const ArrowArray* array)
      : name_(name), type_(type), array_(array) {
    validity_ = static_cast<const uint8_t*>(array->buffers[0]);
    values_ = array->buffers[1];
    if (IsStringType(type_)) chars_ = static_cast<const char*>(array->buffers[2]);
  }

  std::string_view name() const { return name_; }
  sh_data_type type() const { return type_; }
  int64_t length() const { return array_->length; }
  int64_t null_count() const { return array_->null_count; }

  bool IsNull(int64_t row) const {
    if (validity_ == nullptr || array_->null_count == 0) return false;
    int64_t i = row + array_->offset;
    return (validity_[i / 8] & (1u << (i % 8))) == 0;
  }

  // Numeric and bool columns: the value as a double (a null reads as NaN).
  double Double(int64_t row) const {
    if (IsNull(row)) return std::numeric_limits<double>::quiet_NaN();
    int64_t i = row + array_->offset;
    switch (type_) {
      case SH_TYPE_FLOAT64: return static_cast<const double*>(values_)[i];
      case SH_TYPE_FLOAT32: return static_cast<const float*>(values_)[i];
      case SH_TYPE_INT32: return static_cast<const int32_t*>(values_)[i];
      case SH_TYPE_INT64: return static_cast<double>(static_cast<const int64_t*>(values_)[i]);
      case SH_TYPE_BOOL: return Bool(row) ? 1.0 : 0.0;
      default: throw std::logic_error("Double() on string column " + std::string(name_));
    }
  }

  int64_t Int(int64_t row) const {
    int64_t i = row + array_->offset;
    switch (type_) {
      case SH_TYPE_INT32: return static_cast<const int32_t*>(values_)[i];
      case SH_TYPE_INT64: return static_cast<const int64_t*>(values_)[i];
      case SH_TYPE_BOOL: return Bool(row) ? 1 : 0;
      default: return static_cast<int64_t>(Double(row));
    }
  }

  bool Bool(int64_t row) const {
    int64_t i = row + array_->offset;
    if (type_ != SH_TYPE_BOOL) return Double(row) != 0.0;
    return (static_cast<const uint8_t*>(values_)[i / 8] & (1u << (i % 8))) != 0;
  }

  std::string_view String(int64_t row) const {
    if (!IsStringType(type_)) throw std::logic_error("String() on non-string column " + std::string(name_));
    int64_t i = row + array_->offset;
    const int32_t* off = static_cast<const int32_t*>(values_);
    return std::string_view(chars_ + off[i], static_cast<size_t>(off[i + 1] - off[i]));
  }

  // Float64 column without offset: the raw values (nulls hold unspecified values).
  const double* Doubles() const {
    return type_ == SH_TYPE_FLOAT64 ? static_cast<const double*>(values_) + array_->offset : nullptr;
  }

 private:
  std::string_view name_;
  sh_data_type type_ = SH_TYPE_FLOAT64;
  const ArrowArray* array_ = nullptr;
  const uint8_t* validity_ = nullptr;
  const void* values_ = nullptr;
  const char* chars_ = nullptr;
};

// Read-only, validated view of a borrowed struct array ("+s") of ABI-typed columns.
class TableView {
 public:
  // Checks the shape (struct of supported primitive columns, matching lengths, buffer counts) and
  // returns false with a reason instead of trusting a malformed array.
  static bool Make(const ArrowSchema* schema, const ArrowArray* array, TableView* out,
                   std::string* error) {
    auto fail = [&](const std::string& why) {
      if (error) *error = why;
      return false;
    };
    if (schema == nullptr || array == nullptr) return fail("null schema or array");
    if (schema->release == nullptr || array->release == nullptr) return fail("released schema or array");
    if (schema->format == nullptr || std::string_view(schema->format) != "+s")
      return fail("expected a struct array (format \"+s\")");
    if (schema->n_children != array->n_children) return fail("schema and array disagree on column count");
    if (array->length < 0) return fail("negative length");
    TableView view;
    view.num_rows_ = array->length;
    for (int64_t i = 0; i < array->n_children; ++i) {
      const ArrowSchema* cs = schema->children[i];
      const ArrowArray* ca = array->children[i];
      if (cs == nullptr || ca == nullptr) return fail("missing child " + std::to_string(i));
      sh_data_type type = TypeOfFormat(cs->format);
      std::string name = cs->name ? cs->name : "";
      if (type == 0)
        return fail("column '" + name + "' has unsupported format '" + (cs->format ? cs->format : "") + "'");
      if (ca->length != array->length)
        return fail("column '" + name + "' has " + std::to_string(ca->length) + " rows, struct has " +
                    std::to_string(array->length));
      int64_t want_buffers = IsStringType(type) ? 3 : 2;
      if (ca->n_buffers != want_buffers || ca->buffers == nullptr)
        return fail("column '" + name + "' has a wrong number of buffers");
      if (ca->length > 0 && ca->buffers[1] == nullptr) return fail("column '" + name + "' has no values");
      if (IsStringType(type) && ca->length > 0 && ca->buffers[2] == nullptr &&
          static_cast<const int32_t*>(ca->buffers[1])[ca->offset + ca->length] != 0)
        return fail("column '" + name + "' has no character data");
      if (ca->null_count != 0 && ca->buffers[0] == nullptr && ca->null_count != -1)
        return fail("column '" + name + "' reports nulls but has no validity buffer");
      view.columns_.emplace_back(cs->name ? std::string_view(cs->name) : std::string_view(), type, ca);
    }
    *out = std::move(view);
    return true;
  }

  int64_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const ColumnView& column(size_t i) const { return columns_[i]; }
  const std::vector<ColumnView>& columns() const { return columns_; }

 private:
  int64_t num_rows_ = 0;
  std::vector<ColumnView> columns_;
};

// Owns an exported schema/array pair and releases it on destruction (the receiving side of Export).
struct OwnedArrow {
  ArrowSchema schema{};
  ArrowArray array{};
  OwnedArrow() = default;
  OwnedArrow(const OwnedArrow&) = delete;
  OwnedArrow& operator=(const OwnedArrow&) = delete;
  OwnedArrow(OwnedArrow&& o) noexcept : schema(o.schema), array(o.array) {
    o.schema.release = nullptr;
    o.array.release = nullptr;
  }
  OwnedArrow& operator=(OwnedArrow&& o) noexcept {
    if (this != &o) {
      Reset();
      schema = o.schema;
      array = o.array;
      o.schema.release = nullptr;
      o.array.release = nullptr;
    }
    return *this;
  }
  ~OwnedArrow() { Reset(); }
  void Reset() {
    if (schema.release) schema.release(&schema);
    if (array.release) array.release(&array);
  }
};

}  // namespace scorehost::arrow
