// LoadedModel's copy of a model's description: the runtime properties of ABI 1.2, read only from a
// plugin that filled them, and tolerated when malformed.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "model/loaded_model.h"
#include "test_paths.h"

using scorehost::LoadedModel;
using scorehost::PluginLibrary;
using Properties = std::vector<std::pair<std::string, std::string>>;

namespace {

std::unique_ptr<LoadedModel> LoadOrFail(const std::string& plugin_path, const std::string& runtime,
                                        const std::string& model_path, const std::string& artifact_type) {
  auto plugin = PluginLibrary::Open(plugin_path);
  BOOST_TEST_REQUIRE(plugin.ok(), plugin.status().ToString());
  auto model = LoadedModel::Load(*plugin, runtime, model_path, artifact_type, {});
  BOOST_TEST_REQUIRE(model.ok(), model.status().ToString());
  return std::move(*model);
}

std::unique_ptr<LoadedModel> LoadTestDelay(const test_paths::TempDir& dir, const std::string& settings) {
  std::ofstream(dir / "m.testdelay") << settings;
  return LoadOrFail(test_paths::kTestDelayPlugin, "scorehost-test-delay", dir / "m.testdelay", "scorehost_test_delay");
}

// An older plugin's model, through the ABI variant that claims `variant`'s minor.
std::unique_ptr<LoadedModel> LoadVariant(const std::string& variant) {
  return LoadOrFail(test_paths::kVariantDir + "/" + variant + ".so", "test-variant", "/nowhere/m.testvariant",
                    "test_variant");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(loaded_model)

BOOST_AUTO_TEST_CASE(runtime_properties_are_copied_in_the_plugins_order) {
  test_paths::TempDir dir;
  auto model = LoadTestDelay(dir, "");
  const Properties expected = {{"device", "test-double"}, {"label", "say \"hi\" \\ naïve ✓"}};
  BOOST_TEST(model->info().properties == expected);
  BOOST_TEST(model->plugin().name() == "scorehost-test-delay");
  BOOST_TEST(model->plugin().version() == "0.0.0-test");
}

BOOST_AUTO_TEST_CASE(malformed_properties_are_skipped_not_fatal) {
  test_paths::TempDir dir;
  auto model = LoadTestDelay(dir, "odd_properties=true\n");
  // NULL key: skipped; NULL value: ""; a repeated key keeps its first value.
  const Properties expected = {{"device", "test-double"}, {"label", "say \"hi\" \\ naïve ✓"}, {"no_value", ""}};
  BOOST_TEST(model->info().properties == expected);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_reports_none_has_none) {
  auto model = LoadOrFail(test_paths::kExamplePlugin, "example-linear", test_paths::kExampleModel,
                          "scorehost_example_linear");
  BOOST_TEST(model->info().properties.empty());
  BOOST_TEST(!model->info().input_examples.empty());  // the 1.1 field is still read
}

BOOST_AUTO_TEST_CASE(older_minor_plugins_load_and_their_bytes_past_struct_size_are_not_read) {
  // The variants fill properties beyond the struct_size of their minor; the host must not see them.
  for (const char* variant : {"variant-minor0", "variant-minor1"}) {
    BOOST_TEST_CONTEXT(variant) {
      auto model = LoadVariant(variant);
      BOOST_TEST(model->info().model_id == "test-variant");
      BOOST_TEST(model->info().inputs.size() == 1u);
      BOOST_TEST(model->info().properties.empty());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
