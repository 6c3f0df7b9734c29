// torch.save files as published: the legacy format (MedicalNet's resnet_*.pth) and the zip
// format with a one-entry {'state_dict': OrderedDict}, read without LibTorch's unpickler; and
// every truncated or foreign file an InputError naming it.
#include <boost/test/unit_test.hpp>
#include <torch/torch.h>

#include <random>
#include <set>
#include <string>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "models/medicalnet.hpp"
#include "models/resnet3d.hpp"
#include "models/torch_file.hpp"

using namespace gbmsweep::models;
namespace tf = gbmsweep::torchfile;

namespace {

const std::string kFixtures = GBMSWEEP_FIXTURES;
const std::string kGenerated = GBMSWEEP_GENERATED_FIXTURES;  // make_legacy.py, run by CTest

ResNet3D tiny10() {
  ResNet3DOptions o;
  o.depth = 10;
  o.width = 4;
  return ResNet3D(o);
}

torch::Tensor expected(const std::string& key) {
  auto bytes = gbmsweep::fs::read_all(kFixtures + "/expected_10.pth");
  auto dict = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  return dict.at(key).toTensor();
}

bool throws_input_error(const std::string& bytes, const std::string& name) {
  try {
    tf::parse_torch_file(bytes, name);
  } catch (const gbmsweep::InputError& e) {
    return e.path() == name;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(torch_file)

BOOST_AUTO_TEST_CASE(reads_the_legacy_checkpoint_with_epoch_and_optimizer) {
  const auto file = tf::read_torch_file(kGenerated + "/legacy_10.pth");
  BOOST_TEST(file.format == "legacy");
  const auto sd = tf::state_dict_of(file, "legacy_10.pth");
  BOOST_TEST(sd.tensors.size() == 86u);
  BOOST_TEST(sd.ignored == (std::vector<std::string>{"epoch", "optimizer"}),
             boost::test_tools::per_element());
  BOOST_TEST(sd.tensors.front().first == "module.conv1.weight");
  BOOST_TEST((sd.tensors.front().second.size == std::vector<std::int64_t>{4, 1, 7, 7, 7}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(both_formats_import_and_match_pytorch) {
  for (const std::string name : {"legacy_10.pth", "zip_nested_10.pth"}) {
    BOOST_TEST_CONTEXT(name) {
      auto net = tiny10();
      const auto report = import_medicalnet(kGenerated + "/" + name, net);
      BOOST_TEST(report.format == (name[0] == 'l' ? "legacy" : "zip"));
      BOOST_TEST(report.missing == (std::vector<std::string>{"fc.bias", "fc.weight"}),
                 boost::test_tools::per_element());
      BOOST_TEST(report.unexpected.empty());
      BOOST_TEST(report.dropped.size() == 14u);
      net->eval();
      torch::NoGradGuard no_grad;
      auto f = net->features(expected("input"));
      BOOST_TEST(torch::allclose(f, expected("features"), 1e-4, 1e-5));
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_at_any_byte_is_an_input_error) {
  for (const std::string name : {"legacy_10.pth", "zip_nested_10.pth"}) {
    const std::string bytes = gbmsweep::fs::read_all(kGenerated + "/" + name);
    std::vector<std::size_t> cuts;
    for (std::size_t k = 0; k < 3000; ++k) cuts.push_back(k);
    for (std::size_t k = 3000; k < bytes.size(); k += 4099) cuts.push_back(k);
    for (std::size_t k = bytes.size() - 64; k < bytes.size(); ++k) cuts.push_back(k);
    int wrong = 0;
    for (auto k : cuts) wrong += !throws_input_error(bytes.substr(0, k), name);
    BOOST_TEST(wrong == 0, name);
  }
}

BOOST_AUTO_TEST_CASE(foreign_and_mutated_files_are_input_errors_or_parse) {
  BOOST_TEST(throws_input_error("", "empty.pth"));
  BOOST_TEST(throws_input_error("<html>404</html>", "page.pth"));
  BOOST_TEST(throws_input_error(std::string("\x1f\x8b\x08\x00", 4), "nifti.pth"));
  BOOST_TEST(throws_input_error(std::string("PK\x03\x04", 4) + std::string(100, '\0'), "z.pth"));
  // A legacy-looking pickle that is just a deeply nested list: no stack overflow on teardown.
  std::string deep = "\x80\x02";
  deep += std::string(300000, ']') + std::string(299999, 'a') + ".";
  BOOST_TEST(throws_input_error(deep, "deep.pth"));
  // Single-byte mutations: an InputError or a successful parse, never a crash.
  const std::string bytes = gbmsweep::fs::read_all(kGenerated + "/legacy_10.pth");
  std::mt19937 rng(7);
  int parsed = 0;
  for (int i = 0; i < 300; ++i) {
    std::string m = bytes;
    const std::size_t at = rng() % std::min<std::size_t>(m.size(), 20000);
    m[at] = char(rng());
    try {
      tf::parse_torch_file(m, "mutated.pth");
      ++parsed;
    } catch (const gbmsweep::InputError&) {
    }
  }
  BOOST_TEST(parsed < 300);
}

BOOST_AUTO_TEST_CASE(non_tensor_values_are_named) {
  auto value = [](tf::Value::Kind k) {
    auto v = std::make_shared<tf::Value>();
    v->kind = k;
    return v;
  };
  auto key = value(tf::Value::Kind::String), one = value(tf::Value::Kind::Int);
  key->s = "bn1.num_batches_tracked";
  auto root = value(tf::Value::Kind::Dict);
  root->entries.emplace_back(key, one);
  tf::TorchFile f{"zip", root, {}};
  try {
    tf::state_dict_of(f, "x.pth");
    BOOST_ERROR("no InputError");
  } catch (const gbmsweep::InputError& e) {
    BOOST_TEST(e.path() == "x.pth");
    BOOST_TEST(std::string(e.what()).find("'bn1.num_batches_tracked' is an int") !=
               std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()
