// Where the Driverless AI runtimes look for their licence (plugins/python/src/dai_licence.*): the
// four places in the runtime's order, its rules for empty and unusable entries, and the message.
// Settings come from a map (a test double of config + environment); files from a temp dir.
#define BOOST_TEST_MODULE dai_licence
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "dai_licence.hpp"

namespace fs = std::filesystem;
using scorehost::pyworker::DaiLicence;
using scorehost::pyworker::DaiLicenceMissingMessage;
using scorehost::pyworker::FindDaiLicence;

namespace {

struct Place {
  fs::path dir = fs::temp_directory_path() / ("scorehost-dai-licence-" + std::to_string(::getpid()));
  std::map<std::string, std::string> settings;
  Place() {
    fs::remove_all(dir);
    fs::create_directories(dir / "home");
    settings["HOME"] = (dir / "home").string();
  }
  ~Place() { fs::remove_all(dir); }
  std::string File(const std::string& rel, const std::string& text) {
    fs::path p = dir / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  DaiLicence Find() {
    return FindDaiLicence(
        [&](const std::string& key, std::string* value) {
          auto it = settings.find(key);
          if (it == settings.end()) return false;
          *value = it->second;
          return true;
        },
        (dir / "docker" / "license.sig").string());
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(nothing_anywhere_names_all_four_places) {
  Place p;
  DaiLicence l = p.Find();
  BOOST_TEST(!l.found);
  std::string msg = DaiLicenceMissingMessage(l);
  for (const char* place : {"DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE", "/license/license.sig",
                            "~/.driverlessai/license.sig"})
    BOOST_TEST(msg.find(place) != std::string::npos, place);
}

BOOST_AUTO_TEST_CASE(key_wins_and_is_never_returned) {
  Place p;
  p.settings["DRIVERLESS_AI_LICENSE_KEY"] = "test-double-key-text";
  p.settings["DRIVERLESS_AI_LICENSE_FILE"] = p.File("lic.sig", "file licence");
  DaiLicence l = p.Find();
  BOOST_TEST(l.found);
  BOOST_TEST(l.source == "DRIVERLESS_AI_LICENSE_KEY");
  BOOST_TEST(l.source.find("test-double-key-text") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_key_ends_the_search_as_the_runtime_does) {
  Place p;
  p.settings["DRIVERLESS_AI_LICENSE_KEY"] = "";
  p.settings["DRIVERLESS_AI_LICENSE_FILE"] = p.File("lic.sig", "file licence");
  DaiLicence l = p.Find();
  BOOST_TEST(!l.found);
  BOOST_TEST(DaiLicenceMissingMessage(l).find("set but empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(file_then_docker_then_home) {
  Place p;
  p.settings["DRIVERLESS_AI_LICENSE_FILE"] = p.File("lic.sig", "file licence");
  BOOST_TEST(p.Find().source == "DRIVERLESS_AI_LICENSE_FILE (" + p.settings["DRIVERLESS_AI_LICENSE_FILE"] + ")");

  // missing, empty and directory paths fall through to the next place
  Place q;
  std::string docker = q.File("docker/license.sig", "docker licence");
  for (std::string bad : {(q.dir / "absent.sig").string(), q.File("empty.sig", ""), q.dir.string()}) {
    q.settings["DRIVERLESS_AI_LICENSE_FILE"] = bad;
    BOOST_TEST(q.Find().source == docker, bad);
  }
  fs::remove(docker);
  std::string home = q.File("home/.driverlessai/license.sig", "home licence");
  BOOST_TEST(q.Find().source == home);
  fs::remove(home);
  BOOST_TEST(!q.Find().found);
}
