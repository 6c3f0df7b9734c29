// `gbmsweep radiomics` on the IBSI digital phantom written as NIfTI: the published values
// come back through the command, and bad input exits 2 naming the file.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mri/io.hpp"
#include "phantom.hpp"
#include "support/process.hpp"

namespace {

using gbmsweep::mri::Volume;

std::string scratch_dir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("gbmsweep_radiomics_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string write(const std::string& name, const std::vector<float>& values,
                  std::array<int, 3> shape = phantom::kShape) {
  Volume v(shape, {2.0, 2.0, 2.0});
  v.data = values;
  std::string path = scratch_dir() + "/" + name;
  gbmsweep::mri::write_nifti(path, v);
  return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(command_reproduces_the_phantom_values) {
  std::string img = write("phantom.nii.gz", phantom::image());
  std::string msk = write("mask.nii.gz", phantom::mask());
  auto r = gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + msk +
                                        " --label 1 --bin-width 1 --json");
  BOOST_TEST_REQUIRE(r.rc == 0, r.out);
  auto j = nlohmann::json::parse(r.out);
  for (const auto& ref : phantom::references()) {
    BOOST_TEST_REQUIRE(j.contains(ref.name), ref.name);
    double v = j[ref.name].get<double>();
    BOOST_TEST(std::abs(v - ref.value) <= ref.tolerance + 1e-12, ref.name << " = " << v);
  }
  // The paper's six features, by name, in the plain listing too.
  auto plain = gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + msk);
  BOOST_TEST_REQUIRE(plain.rc == 0, plain.out);
  for (const char* name : {"stat_skew ", "stat_energy ", "cm_contrast_3d_avg ", "szm_grey_lvl_var ",
                           "szm_lgze ", "ngt_busyness "})
    BOOST_TEST(plain.out.find(std::string("\n") + name) != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(command_bad_input_exits_2_naming_the_file) {
  std::string img = write("phantom.nii.gz", phantom::image());
  std::string msk = write("mask.nii.gz", phantom::mask());
  // No voxel of label 4.
  auto r =
      gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + msk + " --label 4");
  BOOST_TEST(r.rc == 2, r.out);
  BOOST_TEST(r.out.find(msk) != std::string::npos, r.out);
  BOOST_TEST(r.out.find("label 4") != std::string::npos, r.out);
  // Empty mask.
  std::string empty = write("empty.nii.gz", std::vector<float>(80, 0.0f));
  r = gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + empty);
  BOOST_TEST(r.rc == 2, r.out);
  BOOST_TEST(r.out.find(empty) != std::string::npos, r.out);
  // Size mismatch.
  std::string small = write("small.nii.gz", std::vector<float>(40, 1.0f), {2, 4, 5});
  r = gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + small);
  BOOST_TEST(r.rc == 2, r.out);
  BOOST_TEST(r.out.find(small) != std::string::npos, r.out);
  BOOST_TEST(r.out.find(img) != std::string::npos, r.out);
  // NaN voxel.
  auto values = phantom::image();
  values[7] = std::numeric_limits<float>::quiet_NaN();
  std::string nan = write("nan.nii.gz", values);
  r = gbmsweep::test::run_gbmsweep("radiomics --image " + nan + " --mask " + msk);
  BOOST_TEST(r.rc == 2, r.out);
  BOOST_TEST(r.out.find(nan) != std::string::npos, r.out);
  // Bad options.
  r = gbmsweep::test::run_gbmsweep("radiomics --image " + img + " --mask " + msk +
                                   " --bins 6 --bin-width 1");
  BOOST_TEST(r.rc == 2, r.out);
}
