#include "test_support.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "java_semantics.hpp"

namespace h2o3test {

std::string DataDir() { return H2O3_MOJO_TEST_DATA; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  const std::string text = ReadFile(path);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
      any = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      record.clear();
      field.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<std::vector<std::string>> DatasetRecords(const std::string& dataset) {
  // Data set directories may carry a flavour suffix (xgboost's "carsdart"); strip to the CSV name.
  auto all = ReadCsv(DataDir() + "/datasets/" + dataset + ".csv");
  size_t keep_every = dataset == "eyestate" ? 7 : dataset == "names" ? 20 : 1;
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (i % keep_every == 0) out.push_back(std::move(all[i]));
  return out;
}

std::vector<double> PrepareRow(const scorehost::h2o3::MojoMeta& meta, const std::vector<std::string>& header,
                               const std::vector<std::string>& values) {
  const size_t n = static_cast<size_t>(meta.n_features);
  std::vector<double> row(n, NAN);
  for (size_t i = 0; i < n; ++i) {
    size_t j = 0;
    while (j < header.size() && header[j] != meta.columns[i]) ++j;
    if (j == header.size()) throw std::runtime_error("column " + meta.columns[i] + " not in the data set");
    const std::string& v = j < values.size() ? values[j] : std::string();
    if (const auto& dom = meta.domains[i]) {
      for (size_t l = 0; l < dom->size(); ++l)
        if ((*dom)[l] == v) {
          row[i] = static_cast<double>(l);
          break;
        }
    } else if (!v.empty()) {
      auto d = scorehost::h2o3::JavaParseDouble(v);
      if (!d) throw std::runtime_error("unparseable number '" + v + "' in column " + meta.columns[i]);
      row[i] = *d;
    }
  }
  return row;
}

std::vector<ExpectedLine> ReadExpected(const std::string& path) {
  std::vector<ExpectedLine> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    ExpectedLine e;
    if (!line.empty() && line.front() == '[') {
      std::string body = line.substr(1, line.size() - 2);
      std::stringstream ss(body);
      std::string part;
      while (std::getline(ss, part, ',')) {
        auto d = scorehost::h2o3::JavaParseDouble(part);
        if (!d) throw std::runtime_error("bad number '" + part + "' in " + path);
        e.values.push_back(*d);
      }
    } else {
      e.exception = line;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace h2o3test

#include <zip.h>

#include <filesystem>
#include <random>

namespace h2o3test {

void WriteZip(const std::string& path, const ZipEntries& entries) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("cannot create " + path);
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE) < 0) {
      if (src) zip_source_free(src);
      zip_discard(z);
      throw std::runtime_error("cannot add " + name + " to " + path);
    }
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    throw std::runtime_error("cannot write " + path);
  }
}

ZipEntries ReadZip(const std::string& path) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) throw std::runtime_error("cannot open " + path);
  ZipEntries out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    std::string name = st.name;
    if (!name.empty() && name.back() == '/') continue;
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    zip_fread(f, data.data(), st.size);
    zip_fclose(f);
    out.emplace_back(std::move(name), std::move(data));
  }
  zip_discard(z);
  return out;
}

namespace {
// Removes every temp dir a test made when the test program exits.
struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};
TempDirs& AllTempDirs() {
  static TempDirs dirs;
  return dirs;
}
}  // namespace

std::string MakeTempDir(const std::string& tag) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("h2o3-mojo-test-" + tag + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  AllTempDirs().dirs.push_back(dir);
  return dir.string();
}

}  // namespace h2o3test
