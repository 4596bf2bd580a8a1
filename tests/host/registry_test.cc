#include <boost/test/unit_test.hpp>

#include <fstream>

#include "registry/registry.h"
#include "test_paths.h"

namespace fs = boost::filesystem;
using scorehost::Registry;
using test_paths::TempDir;

namespace {
void Copy(const std::string& from, const std::string& to) { fs::copy_file(from, to, fs::copy_options::overwrite_existing); }
std::string Variant(const std::string& name) { return test_paths::kVariantDir + "/" + name + ".so"; }
bool Contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(manifest_lists_all_seed_runtimes_and_artifact_types) {
  TempDir dir;
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(reg.ok(), reg.status().ToString());
  BOOST_TEST(reg->runtimes().size() == 19u);
  BOOST_TEST(reg->artifact_types().size() == 7u);
  const auto* mojo = reg->FindRuntime("h2o3-mojo-scorer");
  BOOST_TEST_REQUIRE(mojo);
  BOOST_TEST(!mojo->available);
  BOOST_TEST(Contains(mojo->unavailable_reason, "h2o3-mojo"));
  BOOST_TEST(Contains(mojo->unavailable_reason, "not installed"));
  const auto* mlflow = reg->FindArtifactType("python/mlflow.zip");
  BOOST_TEST_REQUIRE(mlflow);
  BOOST_TEST(mlflow->storage_name == "python/mlflow");
  BOOST_TEST(mlflow->display_name == "MLflow zipped");
  BOOST_TEST(reg->RuntimesFor("python/mlflow.zip").size() == 7u);
}

BOOST_AUTO_TEST_CASE(dropped_in_plugin_registers_without_manifest_entry) {
  TempDir dir;
  Copy(test_paths::kExamplePlugin, dir / "example-linear.so");
  Copy(Variant("variant-ok"), dir / "variant-ok.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(reg.ok(), reg.status().ToString());
  BOOST_TEST(reg->runtimes().size() == 21u);
  const auto* variant = reg->FindRuntime("test-variant");
  BOOST_TEST_REQUIRE(variant);
  BOOST_TEST(variant->available);
  BOOST_TEST(reg->FindRuntime("example-linear")->available);
  BOOST_TEST(reg->refused_plugins().empty());
}

BOOST_AUTO_TEST_CASE(other_abi_major_is_refused_naming_file_and_both_versions) {
  TempDir dir;
  Copy(test_paths::kExamplePlugin, dir / "example-linear.so");
  Copy(Variant("variant-major2"), dir / "variant-major2.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(reg.ok(), reg.status().ToString());
  BOOST_TEST_REQUIRE(reg->refused_plugins().size() == 1u);
  const std::string& why = reg->refused_plugins()[0].reason;
  BOOST_TEST(Contains(why, dir / "variant-major2.so"), why);
  BOOST_TEST(Contains(why, "ABI 2.0"), why);
  BOOST_TEST(Contains(why, "ABI " + std::to_string(SH_ABI_MAJOR) + "." + std::to_string(SH_ABI_MINOR)), why);
  // The other plugin keeps working.
  BOOST_TEST(reg->FindRuntime("example-linear")->available);
}

BOOST_AUTO_TEST_CASE(older_abi_minor_is_accepted) {
  // Every released minor older than the host's (1.0, 1.1): loaded_model_test checks their models.
  for (const char* variant : {"variant-minor0", "variant-minor1"}) {
    BOOST_TEST_CONTEXT(variant) {
      TempDir dir;
      Copy(Variant(variant), dir / (std::string(variant) + ".so"));
      auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
      BOOST_TEST_REQUIRE(reg.ok());
      BOOST_TEST(reg->refused_plugins().empty());
      BOOST_TEST_REQUIRE(reg->FindRuntime("test-variant"));
      BOOST_TEST(reg->FindRuntime("test-variant")->available);
    }
  }
}

BOOST_AUTO_TEST_CASE(newer_abi_minor_is_refused) {
  TempDir dir;
  Copy(Variant("variant-minor9"), dir / "variant-minor9.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(reg.ok());
  BOOST_TEST_REQUIRE(reg->refused_plugins().size() == 1u);
  BOOST_TEST(Contains(reg->refused_plugins()[0].reason, "ABI 1.9"));
  BOOST_TEST(!reg->FindRuntime("test-variant"));
}

BOOST_AUTO_TEST_CASE(duplicate_runtime_name_is_an_error_naming_both_files) {
  TempDir dir;
  Copy(test_paths::kExamplePlugin, dir / "example-linear.so");
  Copy(Variant("variant-duplicate"), dir / "variant-duplicate.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(!reg.ok());
  BOOST_TEST(Contains(reg.status().message(), dir / "example-linear.so"), reg.status().message());
  BOOST_TEST(Contains(reg.status().message(), dir / "variant-duplicate.so"), reg.status().message());
  BOOST_TEST(Contains(reg.status().message(), "'example-linear'"));
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_plugin_is_refused_not_fatal) {
  TempDir dir;
  std::ofstream(dir / "garbage.so") << "not an ELF file";
  Copy(test_paths::kExamplePlugin, dir / "example-linear.so");
  auto reg = Registry::Build(test_paths::kManifest, dir.path.string());
  BOOST_TEST_REQUIRE(reg.ok());
  BOOST_TEST_REQUIRE(reg->refused_plugins().size() == 1u);
  BOOST_TEST(Contains(reg->refused_plugins()[0].reason, "garbage.so"));
  BOOST_TEST(reg->FindRuntime("example-linear")->available);
}

BOOST_AUTO_TEST_CASE(bad_manifests_are_reported_with_file_and_entry) {
  TempDir dir;
  std::ofstream(dir / "bad.toml") << "[[runtime]]\nname = \"x\"\n";
  auto reg = Registry::Build(dir / "bad.toml", dir.path.string());
  BOOST_TEST_REQUIRE(!reg.ok());
  BOOST_TEST(Contains(reg.status().message(), "bad.toml"));
  BOOST_TEST(Contains(reg.status().message(), "display_name"));
  std::ofstream(dir / "syntax.toml") << "[[runtime]\n";
  reg = Registry::Build(dir / "syntax.toml", dir.path.string());
  BOOST_TEST_REQUIRE(!reg.ok());
  BOOST_TEST(Contains(reg.status().message(), "line 1"));
}

BOOST_AUTO_TEST_SUITE_END()
