#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/hash.hpp"

using namespace gbmsweep;

BOOST_AUTO_TEST_SUITE(common)

BOOST_AUTO_TEST_CASE(sha256_known_vectors) {
  // FIPS 180-2 test vectors.
  BOOST_TEST(sha256_hex("") ==
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  BOOST_TEST(sha256_hex(million) ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(incremental_hash_equals_one_shot) {
  Sha256 h;
  h.update("hello ").update("wor").update("ld");
  BOOST_TEST(h.hex() == sha256_hex("hello world"));
}

BOOST_AUTO_TEST_CASE(copied_hash_continues_on_its_own) {
  Sha256 a;
  a.update("hello ");
  Sha256 b = a;  // copies the digest state (EVP_MD_CTX_copy_ex), not a shared context
  a.update("world");
  b.update("there");
  BOOST_TEST(a.hex() == sha256_hex("hello world"));
  BOOST_TEST(b.hex() == sha256_hex("hello there"));
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_content) {
  auto dir = std::filesystem::temp_directory_path() / "gbmsweep_test_common";
  std::filesystem::remove_all(dir);
  std::string path = (dir / "sub" / "a.bin").string();
  fs::atomic_write(path, "first");
  BOOST_TEST(fs::read_all(path) == "first");
  fs::atomic_write(path, "second");
  BOOST_TEST(fs::read_all(path) == "second");
  // No temporary files left beside it.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "sub")) { (void)e; ++n; }
  BOOST_TEST(n == 1);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(read_missing_file_names_it) {
  try {
    fs::read_all("/nonexistent/file.csv");
    BOOST_FAIL("expected InputError");
  } catch (const InputError& e) {
    BOOST_TEST(e.path() == "/nonexistent/file.csv");
  }
}

BOOST_AUTO_TEST_SUITE_END()

#include "common/h5.hpp"

BOOST_AUTO_TEST_CASE(h5_roundtrip_and_errors_name_the_file) {
  auto path = (std::filesystem::temp_directory_path() / "gbmsweep_h5_test.h5").string();
  {
    auto f = h5::create_file(path);
    auto g = h5::ensure_group(f, "grp");
    h5::write(g, "d", std::vector<double>{1.5, -2.0});
    h5::write(g, "s", std::vector<std::string>{"a", "", "ünï"});
    h5::write(g, "v", std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
    h5::set_attr(g, "name", std::string("x"));
    h5::set_attr(g, "num", 3.25);
  }
  auto f = h5::open_file(path, false);
  auto g = h5::open_group(f, "grp");
  BOOST_TEST(h5::read_doubles(g, "d") == (std::vector<double>{1.5, -2.0}));
  BOOST_TEST(h5::read_strings(g, "s") == (std::vector<std::string>{"a", "", "ünï"}));
  std::vector<hsize_t> dims;
  auto v = h5::read_floats(g, "v", &dims);
  BOOST_TEST(dims == (std::vector<hsize_t>{2, 3}));
  BOOST_TEST(v[5] == 6.0f);
  BOOST_TEST(h5::get_attr_string(g, "name") == "x");
  BOOST_TEST(h5::get_attr_double(g, "num") == 3.25);
  try {
    h5::read_doubles(g, "missing");
    BOOST_FAIL("expected an error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("missing") != std::string::npos);
  }
  std::filesystem::remove(path);
}

// The string choices that enter from the sweep or the command line become enums once
// (common/device.hpp, common/mri_network.hpp); errors name where the string came from.
#include "common/device.hpp"
#include "common/mri_network.hpp"

BOOST_AUTO_TEST_CASE(reducer_strings_become_an_enum_and_auto_follows_the_device) {
  for (Reducer r : {Reducer::Auto, Reducer::Mpi, Reducer::Nccl})
    BOOST_TEST((parse_reducer(to_string(r), "x") == r));
  try {
    parse_reducer("gloo", "sweep.toml:3:1");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("sweep.toml:3:1") != std::string::npos, what);
    BOOST_TEST(what.find("auto, mpi, nccl") != std::string::npos, what);
  }
  const Device cpu{}, gpu{DeviceKind::Cuda, 0};
  BOOST_TEST((resolve_reducer(Reducer::Auto, gpu, true, 2) == Reducer::Nccl));
  BOOST_TEST((resolve_reducer(Reducer::Auto, gpu, true, 1) == Reducer::Mpi));  // nothing to reduce
  BOOST_TEST((resolve_reducer(Reducer::Auto, gpu, false, 2) == Reducer::Mpi));
  BOOST_TEST((resolve_reducer(Reducer::Auto, cpu, true, 2) == Reducer::Mpi));
  BOOST_TEST((resolve_reducer(Reducer::Mpi, gpu, true, 2) == Reducer::Mpi));
  BOOST_TEST((resolve_reducer(Reducer::Nccl, cpu, false, 1) == Reducer::Nccl));  // make_reducer refuses
}

BOOST_AUTO_TEST_CASE(network_names_round_trip_and_unknown_ones_name_the_source) {
  BOOST_TEST(mri_network_names().size() == 3u);
  for (const auto& name : mri_network_names())
    BOOST_TEST(to_string(parse_mri_network(name, "x")) == name);
  BOOST_TEST(is_pretrained(MriNetwork::SpotTune));
  BOOST_TEST(is_pretrained(MriNetwork::ResNetTransfer));
  BOOST_TEST(!is_pretrained(MriNetwork::ResNetRandom));
  BOOST_TEST(has_agent(MriNetwork::SpotTune));
  BOOST_TEST(!has_agent(MriNetwork::ResNetTransfer));
  try {
    parse_mri_network("resnet", "model.pt");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("model.pt") != std::string::npos, what);
    BOOST_TEST(what.find("spottune, resnet_random, resnet_transfer") != std::string::npos, what);
  }
}
