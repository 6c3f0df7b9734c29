// The drug-study readers (drug/readers: GDSC, HGCC, GSE232173 counts and clinical table, GEO
// series matrix, gene map): any bytes give a table, an InputError naming the file, or (with a
// collecting Sink, as the preflight reads) a list of problems, never a crash or a hang.
// The readers take paths, so each input goes through one scratch file.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/error.hpp"
#include "common/problems.hpp"
#include "drug/readers.hpp"

namespace d = gbmsweep::drug;

namespace {

template <class F>
void guarded(F&& f) {
  try {
    f();
  } catch (const gbmsweep::InputError&) {
  }
}

const std::string& scratch_path() {
  static const std::string path = [] {
    char name[] = "/tmp/fuzz_drug_tables.XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) __builtin_trap();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  // Strict (throws at the first problem), then collecting as the preflight does.
  for (int pass = 0; pass < 2; ++pass) {
    gbmsweep::Problems problems;
    d::Sink collect(&problems);
    d::Sink* sink = pass == 0 ? nullptr : &collect;
    guarded([&] { d::read_gdsc_response(path, "oxaliplatin", {}, sink); });
    guarded([&] { d::read_gdsc_expression(path, d::RepeatedColumns::Mean, sink); });
    guarded([&] { d::read_hgcc_expression(path, sink); });
    guarded([&] { d::read_hgcc_response(path, sink); });
    guarded([&] { d::read_count_matrix(path, sink); });
    guarded([&] { d::read_gse_response(path, sink); });
    guarded([&] { d::read_series_matrix(path, sink); });
    guarded([&] { d::read_gene_map(path, sink); });
  }
  guarded([&] { d::gdsc_drug_ids(path, "oxaliplatin", d::GdscRelease::Gdsc2); });
  return 0;
}
