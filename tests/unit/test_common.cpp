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

// The typed helpers behind the cohort's volume datasets and the store's index (chunked append,
// hyperslab reads, name listings, external links), checked through the raw C API.
BOOST_AUTO_TEST_CASE(h5_chunked_append_slabs_listings_and_external_links) {
  const auto dir = std::filesystem::temp_directory_path() / "gbmsweep_h5_typed";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "main.h5").string(), other = (dir / "other.h5").string();
  {
    auto f = h5::create_file(other);
    h5::set_attr(f, "tag", std::string("other"));
  }
  {
    auto f = h5::create_file(path);
    auto ds = h5::create_chunked<float>(f, "vol", {0, 2, 3}, {1, 2, 3}, 4);
    const std::vector<float> rows = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
    BOOST_TEST(h5::append(ds.get(), rows.data(), 2) == 0u);
    const std::vector<float> third = {20, 21, 22, 23, 24, 25};
    BOOST_TEST(h5::append(ds.get(), third.data(), 1) == 2u);
    BOOST_TEST(h5::extent(ds) == (std::vector<hsize_t>{3, 2, 3}));
    // What a reader of the file sees: chunked, deflated, little-endian float, dim 0 unlimited.
    h5::Handle dcpl(H5Dget_create_plist(ds));
    hsize_t chunk[3] = {};
    BOOST_TEST(H5Pget_layout(dcpl) == H5D_CHUNKED);
    BOOST_TEST(H5Pget_chunk(dcpl, 3, chunk) == 3);
    BOOST_TEST((chunk[0] == 1 && chunk[1] == 2 && chunk[2] == 3));
    BOOST_TEST(H5Pget_nfilters(dcpl) == 1);
    h5::Handle type(H5Dget_type(ds));
    BOOST_TEST(H5Tequal(type, H5T_IEEE_F32LE) > 0);
    h5::Handle space(H5Dget_space(ds));
    hsize_t maxdims[3] = {};
    H5Sget_simple_extent_dims(space, nullptr, maxdims);
    BOOST_TEST(maxdims[0] == H5S_UNLIMITED);
    BOOST_TEST(maxdims[2] == 3u);

    auto ids = h5::create_chunked<std::uint64_t>(f, "ids", {0}, {4});
    const std::vector<std::uint64_t> big = {1, 0xFFFFFFFFFFFFFFFFull, 42};
    h5::append(ids.get(), big.data(), 3);
    h5::write(f, "seed", big);
    auto g = h5::ensure_group(f, "links");
    h5::set_attr(g, "b", 2.0);
    h5::set_attr(g, "a", std::string("x"));
    h5::ensure_group(g, "z");
    h5::write(g, "y", std::vector<double>{1});
    h5::link_external(g, "ext", "other.h5");
  }
  auto f = h5::open_file(path, false);
  auto ds = h5::open_dataset(f, "vol");
  std::vector<float> row(6);
  h5::read_slab(ds.get(), {1, 0, 0}, {1, 2, 3}, row.data());
  BOOST_TEST(row == (std::vector<float>{10, 11, 12, 13, 14, 15}));
  std::vector<float> col(3);  // element [r, 1, 2] of every row: a slab across chunks
  h5::read_slab(ds.get(), {0, 1, 2}, {3, 1, 1}, col.data());
  BOOST_TEST(col == (std::vector<float>{5, 15, 25}));
  std::vector<std::uint64_t> got(2);
  h5::read_slab(h5::open_dataset(f, "ids").get(), {1}, {2}, got.data());
  BOOST_TEST(got[0] == 0xFFFFFFFFFFFFFFFFull);
  BOOST_TEST(got[1] == 42u);
  BOOST_TEST(H5Tequal(h5::Handle(H5Dget_type(h5::open_dataset(f, "seed"))), H5T_STD_U64LE) > 0);
  auto g = h5::open_group(f, "links");
  BOOST_TEST(h5::attr_names(g) == (std::vector<std::string>{"a", "b"}));
  BOOST_TEST(h5::attr_is_string(g, "a"));
  BOOST_TEST(!h5::attr_is_string(g, "b"));
  BOOST_TEST(h5::link_names(g) == (std::vector<std::string>{"ext", "y", "z"}));
  BOOST_TEST(h5::get_attr_string(h5::open_group(g, "ext"), "tag") == "other");
  try {  // a 2-D selection of a 3-D dataset names the dataset
    h5::read_slab(ds.get(), {0, 0}, {1, 1}, row.data());
    BOOST_FAIL("expected an error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("main.h5:/vol") != std::string::npos, e.what());
  }
  std::filesystem::remove_all(dir);
}

// The string choices that enter from the sweep or the command line become enums once
// (common/device.hpp, common/mri_network.hpp); errors name where the string came from.
#include <zlib.h>

// append_chunk_bytes with zlib's compress2 at the dataset's level stores what HDF5's own deflate
// filter stores (the cohort build compresses on its workers this way): same chunk bytes, same
// values read back; a dataset whose rows are not single chunks is refused.
BOOST_AUTO_TEST_CASE(h5_prefiltered_chunk_equals_hdf5s_own_deflate) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "gbmsweep_test_prefiltered.h5").string();
  std::vector<float> row(4 * 5 * 6);
  for (std::size_t i = 0; i < row.size(); ++i) row[i] = i % 7 == 0 ? 0.0f : float(i) * 0.25f;
  auto f = h5::create_file(path);
  auto own = h5::create_chunked<float>(f, "own", {0, 4, 5, 6}, {1, 4, 5, 6}, 1);
  auto pre = h5::create_chunked<float>(f, "pre", {0, 4, 5, 6}, {1, 4, 5, 6}, 1);
  BOOST_TEST(h5::append(own.get(), row.data(), 1) == 0u);
  uLongf size = compressBound(uLong(row.size() * sizeof(float)));
  std::vector<unsigned char> bytes(size);
  BOOST_REQUIRE(compress2(bytes.data(), &size, reinterpret_cast<const Bytef*>(row.data()),
                          uLong(row.size() * sizeof(float)), 1) == Z_OK);
  BOOST_TEST(h5::append_chunk_bytes(pre.get(), bytes.data(), size) == 0u);
  BOOST_TEST(h5::append_chunk_bytes(pre.get(), bytes.data(), size) == 1u);
  std::vector<float> back(row.size());
  h5::read_slab(pre.get(), {1, 0, 0, 0}, {1, 4, 5, 6}, back.data());
  BOOST_TEST(back == row, boost::test_tools::per_element());
  auto stored = [](hid_t ds) {
    const hsize_t offset[4] = {0, 0, 0, 0};
    hsize_t n = 0;
    BOOST_REQUIRE(H5Dget_chunk_storage_size(ds, offset, &n) >= 0);
    std::vector<unsigned char> out(n);
    uint32_t mask = 0;
    BOOST_REQUIRE(H5Dread_chunk(ds, H5P_DEFAULT, offset, &mask, out.data()) >= 0);
    BOOST_TEST(mask == 0u);
    return out;
  };
  BOOST_TEST(stored(pre.get()) == stored(own.get()), boost::test_tools::per_element());
  auto two_rows = h5::create_chunked<float>(f, "two", {0, 4, 5, 6}, {2, 4, 5, 6}, 1);
  BOOST_CHECK_THROW(h5::append_chunk_bytes(two_rows.get(), bytes.data(), size), gbmsweep::Error);
}

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

// mri.train.bn and mri.train.init become enums once (the task, a checkpoint's meta, bench).
BOOST_AUTO_TEST_CASE(batchnorm_and_init_modes_round_trip_and_unknown_ones_name_the_source) {
  for (const char* name : {"frozen", "train"})
    BOOST_TEST(std::string(to_string(parse_batchnorm_mode(name, "x"))) == name);
  for (const char* name : {"medicalnet", "uniform"})
    BOOST_TEST(std::string(to_string(parse_init_mode(name, "x"))) == name);
  BOOST_TEST((parse_batchnorm_mode("train", "x") == BatchNormMode::Train));
  BOOST_TEST((parse_init_mode("uniform", "x") == InitMode::Uniform));
  try {
    parse_batchnorm_mode("sync", "model.pt");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("model.pt") != std::string::npos, what);
    BOOST_TEST(what.find("frozen, train") != std::string::npos, what);
  }
  BOOST_CHECK_THROW(parse_init_mode("kaiming", "model.pt"), InputError);
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
