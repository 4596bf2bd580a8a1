#include "serving/table_concat.h"

#include <fmt/format.h>

namespace scorehost {
namespace {

void AppendValue(arrow::Column& to, const arrow::ColumnView& from, int64_t row) {
  if (from.IsNull(row)) {
    to.AppendNull();
    return;
  }
  switch (from.type()) {
    case SH_TYPE_BOOL: to.AppendBool(from.Bool(row)); break;
    case SH_TYPE_INT32:
    case SH_TYPE_INT64: to.AppendInt(from.Int(row)); break;
    case SH_TYPE_FLOAT32:
    case SH_TYPE_FLOAT64: to.AppendDouble(from.Double(row)); break;
    default: to.AppendString(from.String(row)); break;
  }
}

}  // namespace

Result<arrow::OwnedArrow> ConcatenateTables(const std::vector<const arrow::OwnedArrow*>& parts) {
  if (parts.empty()) return Status::Internal("nothing to concatenate");
  std::vector<arrow::TableView> views(parts.size());
  std::string why;
  int64_t total = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    if (!arrow::TableView::Make(&parts[p]->schema, &parts[p]->array, &views[p], &why))
      return Status::Internal("cannot read a request table: " + why);
    total += views[p].num_rows();
  }
  const arrow::TableView& first = views.front();
  // The column types come from the schema: Time64 travels as utf8, and the view reports it as Str,
  // which is the same storage, so copying through the view's type is exact.
  arrow::Table table(total);
  for (size_t c = 0; c < first.num_columns(); ++c) {
    const arrow::ColumnView& head = first.column(c);
    arrow::Column& out = table.AddColumn(std::string(head.name()), head.type());
    out.Reserve(static_cast<size_t>(total));
  }
  for (size_t p = 0; p < views.size(); ++p) {
    if (views[p].num_columns() != first.num_columns())
      return Status::Internal(fmt::format("request table {} has {} columns, expected {}", p, views[p].num_columns(),
                                          first.num_columns()));
    for (size_t c = 0; c < first.num_columns(); ++c) {
      const arrow::ColumnView& col = views[p].column(c);
      if (col.type() != first.column(c).type())
        return Status::Internal(fmt::format("request table {} column {} has another type", p, c));
      arrow::Column& out = table.columns()[c];
      for (int64_t r = 0; r < col.length(); ++r) AppendValue(out, col, r);
    }
  }
  arrow::OwnedArrow merged;
  std::move(table).Export(&merged.schema, &merged.array);
  return merged;
}

}  // namespace scorehost
