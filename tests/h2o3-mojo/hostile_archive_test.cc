// Hostile and broken artifacts must be refused with a clear error (never a crash): missing files,
// non-zips, entries escaping the root, zip bombs, truncated or garbled tree blobs, unknown versions
// and algorithms. Run under ASan+UBSan to prove "never crash".
#define BOOST_TEST_MODULE h2o3_mojo_hostile
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "errors.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"
#include "tree_decoder.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;
using h2o3::ErrorKind;

namespace {

std::string Mojo(const std::string& algo, const std::string& dataset, const std::string& version) {
  return h2o3test::DataDir() + "/mojos/" + algo + "/" + dataset + "/v" + version + "/" + algo + "_v" + version + "_" +
         dataset + ".mojo";
}

// Loads `path` and returns the error it fails with (the test fails if it loads).
h2o3::MojoError LoadError(const std::string& path, const h2o3::ArchiveLimits& limits = {}) {
  try {
    h2o3::LoadMojo(path, limits);
  } catch (const h2o3::MojoError& e) {
    BOOST_TEST_MESSAGE("refused as expected: " << e.what());
    return e;
  }
  BOOST_FAIL("loading " << path << " should have failed");
  throw std::logic_error("unreachable");
}

bool Mentions(const h2o3::MojoError& e, const std::string& text) {
  return std::string(e.what()).find(text) != std::string::npos;
}

// A copy of a real MOJO with some entries replaced (or added), written to a temp zip.
std::string Rewrite(const std::string& src, const std::string& tag,
                    const std::function<void(h2o3test::ZipEntries&)>& edit) {
  auto entries = h2o3test::ReadZip(src);
  edit(entries);
  const std::string out = h2o3test::MakeTempDir(tag) + "/model.zip";
  h2o3test::WriteZip(out, entries);
  return out;
}

std::string& Entry(h2o3test::ZipEntries& entries, const std::string& name) {
  for (auto& [n, d] : entries)
    if (n == name) return d;
  throw std::runtime_error("no entry " + name);
}

void Put32(std::string& s, uint32_t v) { for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i))); }
void Put16(std::string& s, uint16_t v) { for (int i = 0; i < 2; ++i) s.push_back(static_cast<char>(v >> (8 * i))); }

}  // namespace

BOOST_AUTO_TEST_CASE(missing_file_is_not_found) {
  auto e = LoadError("/nonexistent/dir/model.mojo");
  BOOST_TEST((e.kind() == ErrorKind::kNotFound));
  BOOST_TEST(Mentions(e, "/nonexistent/dir/model.mojo"));
}

BOOST_AUTO_TEST_CASE(not_a_zip_is_data_loss) {
  const std::string path = h2o3test::MakeTempDir("notzip") + "/garbage.mojo";
  std::ofstream(path) << "this is not a zip archive at all";
  auto e = LoadError(path);
  BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
  BOOST_TEST(Mentions(e, path));
}

BOOST_AUTO_TEST_CASE(entries_escaping_the_root_are_refused) {
  for (const std::string evil : {"../evil.txt", "/etc/evil", "trees/../../evil.bin", "..\\evil.txt"}) {
    const std::string path = Rewrite(Mojo("gbm", "iris", "1.40"), "escape",
                                     [&](auto& entries) { entries.emplace_back(evil, "boo"); });
    auto e = LoadError(path);
    BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
    BOOST_TEST(Mentions(e, "escapes"));
  }
}

BOOST_AUTO_TEST_CASE(domain_file_names_cannot_escape) {
  const std::string path = Rewrite(Mojo("gbm", "titanic", "1.40"), "domesc", [](auto& entries) {
    std::string& ini = Entry(entries, "model.ini");
    const std::string from = "0: 3 d000.txt";
    ini.replace(ini.find(from), from.size(), "0: 3 ../../../../etc/passwd");
  });
  auto e = LoadError(path);
  BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
}

BOOST_AUTO_TEST_CASE(forged_huge_uncompressed_size_is_refused_before_reading) {
  // A hand-made zip whose only entry claims 4 GiB uncompressed but holds a few bytes: the classic
  // zip-bomb header. It must be refused by the default cap without inflating anything.
  const std::string name = "model.ini";
  std::string data;
  data.push_back(1);  // deflate: final stored block
  Put16(data, 1);
  Put16(data, 0xFFFE);
  data.push_back('x');
  const uint32_t declared = 0xFFFFFFF0u;
  std::string zip;
  Put32(zip, 0x04034b50); Put16(zip, 20); Put16(zip, 0); Put16(zip, 8); Put16(zip, 0); Put16(zip, 0);
  Put32(zip, 0); Put32(zip, static_cast<uint32_t>(data.size())); Put32(zip, declared);
  Put16(zip, static_cast<uint16_t>(name.size())); Put16(zip, 0);
  zip += name + data;
  const uint32_t cd_offset = static_cast<uint32_t>(zip.size());
  Put32(zip, 0x02014b50); Put16(zip, 20); Put16(zip, 20); Put16(zip, 0); Put16(zip, 8); Put16(zip, 0); Put16(zip, 0);
  Put32(zip, 0); Put32(zip, static_cast<uint32_t>(data.size())); Put32(zip, declared);
  Put16(zip, static_cast<uint16_t>(name.size())); Put16(zip, 0); Put16(zip, 0); Put16(zip, 0); Put16(zip, 0);
  Put32(zip, 0); Put32(zip, 0);
  zip += name;
  const uint32_t cd_size = static_cast<uint32_t>(zip.size()) - cd_offset;
  Put32(zip, 0x06054b50); Put16(zip, 0); Put16(zip, 0); Put16(zip, 1); Put16(zip, 1);
  Put32(zip, cd_size); Put32(zip, cd_offset); Put16(zip, 0);
  const std::string path = h2o3test::MakeTempDir("bomb") + "/bomb.mojo";
  std::ofstream(path, std::ios::binary) << zip;
  auto e = LoadError(path);
  BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
  BOOST_TEST(Mentions(e, "limit"));
}

BOOST_AUTO_TEST_CASE(highly_compressed_entry_over_the_cap_is_refused) {
  const std::string path = Rewrite(Mojo("gbm", "iris", "1.40"), "bomb2", [](auto& entries) {
    Entry(entries, "trees/t00_000.bin") = std::string(4u << 20, '\0');  // 4 MiB of zeros, ~4 KiB deflated
  });
  h2o3::ArchiveLimits limits;
  limits.max_entry_bytes = 1u << 20;
  auto e = LoadError(path, limits);
  BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
  BOOST_TEST(Mentions(e, "trees/t00_000.bin"));
  limits.max_entry_bytes = 64u << 20;
  limits.max_total_bytes = 2u << 20;  // the total budget also holds
  auto e2 = LoadError(path, limits);
  BOOST_TEST(Mentions(e2, "limit"));
}

BOOST_AUTO_TEST_CASE(truncated_tree_blob_is_refused) {
  for (const std::string version : {"1.00", "1.10", "1.40"}) {
    const std::string path = Rewrite(Mojo("gbm", "titanic", version), "trunc", [](auto& entries) {
      std::string& blob = Entry(entries, "trees/t00_000.bin");
      blob.resize(blob.size() / 2);
    });
    auto e = LoadError(path);
    BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
    BOOST_TEST(Mentions(e, "trees/t00_000.bin"));
    BOOST_TEST(Mentions(e, "corrupt tree"));
  }
}

BOOST_AUTO_TEST_CASE(garbled_tree_blobs_never_crash) {
  // Every truncation and thousands of random byte flips of real trees (numeric splits, small and
  // large bitsets, all three dialects): decoding either fails cleanly or yields a tree that scores.
  std::mt19937 rng(12345);
  int decoded = 0, refused = 0;
  for (const auto& [algo, dataset, version] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"gbm", "titanic", "1.00"},
                                                                      {"gbm", "titanic", "1.10"},
                                                                      {"drf", "titanic", "1.40"},
                                                                      {"gbm", "stars", "1.40"},
                                                                      {"drf", "names", "1.20"}}) {
    auto model = h2o3::LoadMojo(Mojo(algo, dataset, version));
    const auto& meta = model->meta();
    auto entries = h2o3test::ReadZip(Mojo(algo, dataset, version));
    const std::string blob = Entry(entries, "trees/t00_001.bin").substr(0, 4096);
    h2o3::TreeDialect dialect = version == "1.00"   ? h2o3::TreeDialect::kV100
                                : version == "1.10" ? h2o3::TreeDialect::kV110
                                                    : h2o3::TreeDialect::kCurrent;
    h2o3::TreeDecodeContext ctx{dialect, static_cast<size_t>(meta.n_features), &meta.domain_sizes, "fuzz"};
    std::vector<double> row(static_cast<size_t>(meta.n_features));
    auto attempt = [&](const std::string& b) {
      h2o3::TreeStore store;
      try {
        int32_t root = h2o3::DecodeTree(b, ctx, store);
        for (int r = 0; r < 8; ++r) {
          for (double& v : row) v = r == 0 ? NAN : std::uniform_real_distribution<double>(-5, 300)(rng);
          try {
            switch (dialect) {  // a store is only ever scored with the dialect it was decoded for
              case h2o3::TreeDialect::kV100:
                (void)h2o3::ScoreTree<h2o3::TreeDialect::kV100, true>(store, root, row.data(), row.size());
                break;
              case h2o3::TreeDialect::kV110:
                (void)h2o3::ScoreTree<h2o3::TreeDialect::kV110, true>(store, root, row.data(), row.size());
                break;
              default:
                (void)h2o3::ScoreTree<h2o3::TreeDialect::kCurrent, true>(store, root, row.data(), row.size());
            }
          } catch (const h2o3::MojoError&) {
          }
        }
        ++decoded;
      } catch (const h2o3::MojoError& e) {
        BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
        ++refused;
      }
    };
    for (size_t len = 0; len < blob.size(); ++len) attempt(blob.substr(0, len));
    for (int i = 0; i < 1500; ++i) {
      std::string b = blob;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng());
      attempt(b);
    }
  }
  BOOST_TEST_MESSAGE("garbled trees: " << decoded << " decoded, " << refused << " refused");
  BOOST_TEST(refused > 0);
}

BOOST_AUTO_TEST_CASE(unknown_mojo_version_is_refused) {
  const std::string path = Rewrite(Mojo("gbm", "iris", "1.40"), "ver", [](auto& entries) {
    std::string& ini = Entry(entries, "model.ini");
    ini.replace(ini.find("mojo_version = 1.40"), 19, "mojo_version = 1.50");
  });
  auto e = LoadError(path);
  BOOST_TEST((e.kind() == ErrorKind::kUnimplemented));
  BOOST_TEST(Mentions(e, "1.50"));
  BOOST_TEST(Mentions(e, "Gradient Boosting Machine"));

  const std::string glm = Rewrite(Mojo("glm", "iris", "1.00"), "glmver", [](auto& entries) {
    std::string& ini = Entry(entries, "model.ini");
    ini.replace(ini.find("mojo_version = 1.00"), 19, "mojo_version = 1.10");
  });
  auto e2 = LoadError(glm);
  BOOST_TEST((e2.kind() == ErrorKind::kUnimplemented));
  BOOST_TEST(Mentions(e2, "1.10"));
}

BOOST_AUTO_TEST_CASE(unsupported_algorithm_is_named) {
  auto e = LoadError(h2o3test::DataDir() + "/../h2o-genmodel/svm");
  BOOST_TEST((e.kind() == ErrorKind::kUnimplemented));
  BOOST_TEST(Mentions(e, "Support Vector Machine"));
  BOOST_TEST(Mentions(e, "1.00"));
}

BOOST_AUTO_TEST_CASE(malformed_model_ini_is_data_loss) {
  const std::string no_ini = Rewrite(Mojo("gbm", "iris", "1.40"), "noini", [](auto& entries) {
    std::erase_if(entries, [](const auto& e) { return e.first == "model.ini"; });
  });
  BOOST_TEST((LoadError(no_ini).kind() == ErrorKind::kDataLoss));
  const std::string bad_count = Rewrite(Mojo("gbm", "iris", "1.40"), "ncol", [](auto& entries) {
    std::string& ini = Entry(entries, "model.ini");
    ini.replace(ini.find("n_columns = 5"), 13, "n_columns = 9");
  });
  BOOST_TEST((LoadError(bad_count).kind() == ErrorKind::kDataLoss));
  const std::string short_domain = Rewrite(Mojo("gbm", "titanic", "1.40"), "dom", [](auto& entries) {
    Entry(entries, "domains/d000.txt") = "1\n2\n";
  });
  BOOST_TEST((LoadError(short_domain).kind() == ErrorKind::kDataLoss));
  const std::string bad_number = Rewrite(Mojo("gbm", "iris", "1.40"), "num", [](auto& entries) {
    std::string& ini = Entry(entries, "model.ini");
    ini.replace(ini.find("n_trees = "), 10, "n_trees = x");
  });
  BOOST_TEST((LoadError(bad_number).kind() == ErrorKind::kDataLoss));
}

BOOST_AUTO_TEST_CASE(unpacked_directory_scores_like_the_zip_and_stays_inside) {
  const std::string zip = Mojo("gbm", "titanic", "1.30");
  const fs::path dir = h2o3test::MakeTempDir("dir");
  for (const auto& [name, data] : h2o3test::ReadZip(zip)) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << data;
  }
  auto from_zip = h2o3::LoadMojo(zip);
  auto from_dir = h2o3::LoadMojo(dir.string());
  const size_t np = from_zip->preds_size();
  std::vector<double> row(static_cast<size_t>(from_zip->meta().n_features), 1.0), a(np), b(np);
  for (int i = 0; i < 20; ++i) {
    row[static_cast<size_t>(i) % row.size()] = i * 0.5;
    from_zip->Score0(row, 0, a);
    from_dir->Score0(row, 0, b);
    BOOST_TEST(a == b, boost::test_tools::per_element());
  }
  // A symlink pointing outside the model directory is not followed.
  const fs::path outside = fs::path(h2o3test::MakeTempDir("outside")) / "levels.txt";
  std::ofstream(outside) << "1st\n2nd\n3rd\n";
  fs::remove(dir / "domains" / "d000.txt");
  fs::create_symlink(outside, dir / "domains" / "d000.txt");
  auto e = LoadError(dir.string());
  BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
}

BOOST_AUTO_TEST_CASE(garbled_extended_isolation_forest_trees_never_crash) {
  // EIF tree files are zero-padded upstream, so decoding is lenient; whatever survives must either
  // score or fail the row cleanly.
  const fs::path src = fs::path(h2o3test::DataDir()) / "h2o-genmodel" / "isoforextended";
  h2o3test::ZipEntries base;
  for (const auto& e : fs::recursive_directory_iterator(src))
    if (e.is_regular_file())
      base.emplace_back(fs::relative(e.path(), src).generic_string(), h2o3test::ReadFile(e.path().string()));
  std::mt19937 rng(99);
  const std::string dir = h2o3test::MakeTempDir("eif");
  int loaded = 0, scored = 0;
  for (int attempt = 0; attempt < 60; ++attempt) {
    auto entries = base;
    std::string& tree = Entry(entries, "trees/t00.bin");
    if (attempt < 30) tree.resize(static_cast<size_t>(attempt) * 7);
    else
      for (int f = 0; f < 3; ++f) tree[rng() % 200] = static_cast<char>(rng());
    const std::string path = dir + "/eif" + std::to_string(attempt) + ".zip";
    h2o3test::WriteZip(path, entries);
    std::unique_ptr<h2o3::MojoModel> model;
    try {
      model = h2o3::LoadMojo(path);
    } catch (const h2o3::MojoError& e) {
      BOOST_TEST((e.kind() == ErrorKind::kDataLoss));
      continue;
    }
    ++loaded;
    std::vector<double> preds(2);
    for (const std::vector<double>& row : {std::vector<double>{0.5, -1.0}, std::vector<double>{NAN, 3.0},
                                           std::vector<double>{1e300, -1e300}}) {
      try {
        model->Score0(row, 0, preds);
        ++scored;
      } catch (const h2o3::MojoError&) {
      }
    }
  }
  BOOST_TEST_MESSAGE("garbled EIF trees: " << loaded << " loaded, " << scored << " rows scored");
}

namespace {

std::string MacZip() { return h2o3test::DataDir() + "/../h2o-genmodel/ensemble/binomial_without_useless_models.zip"; }

// The offset of the local header of `name` in a zip's bytes.
size_t LocalHeader(const std::string& zip, const std::string& name) {
  for (size_t p = zip.find("PK\x03\x04", 0, 4); p != std::string::npos; p = zip.find("PK\x03\x04", p + 1, 4))
    if (p + 30 + name.size() <= zip.size() && zip.compare(p + 30, name.size(), name) == 0 &&
        static_cast<size_t>(static_cast<uint8_t>(zip[p + 26]) | static_cast<uint8_t>(zip[p + 27]) << 8) == name.size())
      return p;
  BOOST_FAIL("no local header for " << name);
  return 0;
}

void Poke32(std::string& zip, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) zip[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}
uint32_t Peek32(const std::string& zip, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(zip[at + static_cast<size_t>(i)]);
  return v;
}

std::string WriteBytes(const std::string& bytes, const std::string& tag) {
  const std::string path = h2o3test::MakeTempDir(tag) + "/m.mojo";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

// A MOJO zipped by macOS (h2o-genmodel's binomial_without_useless_models.zip: data descriptors
// whose local headers carry a zero CRC and compressed size but the real uncompressed size, and
// __MACOSX/ entries). libzip's consistency check calls it inconsistent; the archive reader checks
// such zips itself and must load it, scoring exactly like the unpacked copy of the same files.
BOOST_AUTO_TEST_CASE(macos_zip_with_data_descriptors_loads) {
  auto zipped = h2o3::LoadMojo(MacZip());
  auto unpacked = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/ensemble/binomial_without_useless_models");
  const size_t nf = static_cast<size_t>(zipped->meta().n_features);
  BOOST_TEST(nf == static_cast<size_t>(unpacked->meta().n_features));
  int rows = 0;
  for (const auto& row : h2o3test::EdgeRows(nf)) {
    std::string e1, e2;
    const auto a = h2o3test::TryScore(*zipped, row, 0.0, zipped->preds_size(), &e1);
    const auto b = h2o3test::TryScore(*unpacked, row, 0.0, unpacked->preds_size(), &e2);
    BOOST_TEST(a.has_value() == b.has_value());
    if (a && b) BOOST_TEST(*a == *b, boost::test_tools::per_element());
    ++rows;
  }
  BOOST_TEST_MESSAGE("[hostile] macOS zip: loads, " << rows << " edge rows score as the unpacked copy");
}

// What the relaxed check still refuses: a local header that disagrees with the central directory
// in anything but the zeroed data-descriptor fields, a data descriptor that disagrees, and (when
// read) data whose CRC does not match.
BOOST_AUTO_TEST_CASE(macos_style_zip_inconsistencies_are_refused) {
  const std::string original = h2o3test::ReadFile(MacZip());
  const size_t ini = LocalHeader(original, "model.ini");
  const uint32_t usize = Peek32(original, ini + 22), csize_central_probe = Peek32(original, ini + 18);
  BOOST_REQUIRE(usize != 0);
  BOOST_REQUIRE(csize_central_probe == 0);  // the macOS layout this test is about
  const size_t name_len = std::string("model.ini").size();
  // The compressed size (from the data descriptor that follows the data) locates the data.
  const size_t data = ini + 30 + name_len + (static_cast<uint8_t>(original[ini + 28]) | static_cast<uint8_t>(original[ini + 29]) << 8);
  const size_t dd = original.find("PK\x07\x08", data, 4);
  BOOST_REQUIRE(dd != std::string::npos);

  struct Case {
    const char* what;
    std::function<void(std::string&)> patch;
  };
  const std::vector<Case> cases = {
      {"a wrong non-zero local CRC", [&](std::string& z) { Poke32(z, ini + 14, 0x12345678u); }},
      {"a wrong local uncompressed size", [&](std::string& z) { Poke32(z, ini + 22, usize + 1); }},
      {"a wrong local compressed size", [&](std::string& z) { Poke32(z, ini + 18, 7); }},
      {"a different local name", [&](std::string& z) { z[ini + 30 + name_len - 1] = 'j'; }},
      {"a wrong data descriptor CRC", [&](std::string& z) { Poke32(z, dd + 4, Peek32(z, dd + 4) ^ 1u); }},
      {"a wrong data descriptor size", [&](std::string& z) { Poke32(z, dd + 12, Peek32(z, dd + 12) + 1); }},
      {"a corrupted data byte (CRC)", [&](std::string& z) { z[data + 3] = static_cast<char>(z[data + 3] ^ 0x55); }},
  };
  for (const Case& c : cases) {
    std::string bytes = original;
    c.patch(bytes);
    BOOST_TEST_CONTEXT(c.what) {
      auto e = LoadError(WriteBytes(bytes, "macbad"));
      BOOST_TEST((e.kind() == h2o3::ErrorKind::kDataLoss));
      BOOST_TEST_MESSAGE("[hostile] macOS-style zip with " << c.what << ": " << e.what());
    }
  }
  // The same checks apply to a zip nested in memory.
  BOOST_TEST(h2o3::CheckLocalHeaders(original).empty());
  std::string bad = original;
  Poke32(bad, ini + 22, usize + 1);
  BOOST_TEST(!h2o3::CheckLocalHeaders(bad).empty());
  BOOST_CHECK_NO_THROW(h2o3::Archive::OpenZipBytes(original, "nested.zip", {}));
  BOOST_CHECK_THROW(h2o3::Archive::OpenZipBytes(bad, "nested.zip", {}), h2o3::MojoError);
}
