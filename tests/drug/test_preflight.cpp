// check_drug_inputs: every problem of the drug inputs at once, each with file:line, before a
// job starts; nothing for a good synthetic folder.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "common/fs.hpp"
#include "drug/experiment.hpp"
#include "drug/preflight.hpp"
#include "drug/readers.hpp"
#include "drug/synth.hpp"
#include "fixtures.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;
using nlohmann::json;

namespace {

// A small synthetic folder with the quirks, and the config of a sweep over it.
struct Folder {
  drugtest::TempDir dir;
  SynthDrugFiles files;
  json config;
  explicit Folder(const std::string& name) : dir(name) {
    SynthDrugOptions o;
    o.out_dir = dir.path.string();
    o.genes = 120;
    o.gdsc_lines = 60;
    o.lines_per_drug = 50;
    o.hgcc_cultures = 12;
    o.gse_cultures = 8;
    files = write_synthetic_drug_data(o);
    config = {{"data", {{"drug", o.out_dir}, {"gene_map", files.gene_map}}},
              {"drug",
               {{"sources", {"temozolomide", "oxaliplatin"}},
                {"experiments", {"gdsc", "gdsc_hgcc_gse"}},
                {"benchmarks", {"mgmt"}},
                {"gdsc_release", "GDSC2"},
                {"repeated_columns", "mean"},
                {"gdsc_drug_ids", {{"oxaliplatin", {1089}}}}}}};
  }
  // Replaces the first occurrence of `from` in `path` by `to`.
  void edit(const std::string& path, const std::string& from, const std::string& to) const {
    std::string s = fs::read_all(path);
    auto pos = s.find(from);
    BOOST_REQUIRE_MESSAGE(pos != std::string::npos, "'" << from << "' not in " << path);
    s.replace(pos, from.size(), to);
    std::ofstream(path, std::ios::binary) << s;
  }
  Problems check() const {
    Problems p;
    check_drug_inputs(config, p);
    return p;
  }
};

// The problem whose text contains every fragment; fails listing them all when there is none.
const Problem* find(const Problems& ps, const std::vector<std::string>& fragments) {
  for (const auto& p : ps.list()) {
    bool all = true;
    for (const auto& f : fragments) all = all && p.str().find(f) != std::string::npos;
    if (all) return &p;
  }
  BOOST_ERROR("no problem with all of the fragments among:\n" << ps.str());
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(preflight)

BOOST_AUTO_TEST_CASE(good_folder_has_no_problems) {
  Folder f("pf_good");
  auto p = f.check();
  BOOST_TEST(p.empty(), p.str());
  Problems none;
  check_drug_inputs(json{{"data", {{"mri", "x"}}}}, none);  // no [drug]: nothing to check
  BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(every_problem_at_once_with_file_and_line) {
  Folder f("pf_many");
  // A non-numeric AUC in GDSC, another in the GSE table, a repeated GSE culture, and a
  // non-numeric HGCC expression value: four files, all reported in one pass.
  std::string g = fs::read_all(f.files.gdsc_response);
  auto line2 = g.find("\r\n") + 2;                   // first data row
  auto auc = g.find(",0.0712,", line2);              // ... its AUC ends before RMSE
  auto start = g.rfind(',', auc - 1) + 1;
  g.replace(start, auc - start, "high");
  std::ofstream(f.files.gdsc_response, std::ios::binary) << g;
  std::string r = fs::read_all(f.files.gse_response);
  auto l2 = r.find("\r\n") + 2, l3 = r.find("\r\n", l2) + 2;
  r.insert(l3, r.substr(l2, l3 - l2));               // culture of line 2 again on line 3
  std::ofstream(f.files.gse_response, std::ios::binary) << r;
  std::string h = fs::read_all(f.files.hgcc_expression);
  h.insert(h.find('\t', h.find('\n')) + 1, "x");  // line 2's first value: "x1.234"
  std::ofstream(f.files.hgcc_expression, std::ios::binary) << h;
  auto p = f.check();
  if (auto* q = find(p, {f.files.gdsc_response + ":2:", "non-numeric value 'high'", "AUC"}))
    BOOST_TEST(q->line == 2u);
  find(p, {f.files.gse_response + ":3:", "duplicated sample"});
  find(p, {f.files.hgcc_expression + ":2:"});
  BOOST_TEST(p.size() >= 3u);
}

BOOST_AUTO_TEST_CASE(gdsc_file_without_the_drug_or_its_id) {
  Folder f("pf_drug");
  f.config["drug"]["sources"] = {"temozolomide", "oxaliplatin", "bortezomib"};
  std::string g = fs::read_all(f.files.gdsc_response);
  std::string out;
  std::size_t pos = 0;
  while (pos < g.size()) {  // drop every bortezomib row
    auto end = g.find("\r\n", pos) + 2;
    std::string line = g.substr(pos, end - pos);
    if (line.find(",Bortezomib,") == std::string::npos) out += line;
    pos = end;
  }
  std::ofstream(f.files.gdsc_response, std::ios::binary) << out;
  f.config["drug"]["gdsc_drug_ids"]["oxaliplatin"] = {999};
  auto p = f.check();
  find(p, {f.files.gdsc_response, "no rows for drug 'bortezomib' in GDSC2"});
  find(p, {f.files.gdsc_response, "DRUG_ID 999", "1089", "1806", "gdsc_drug_ids"});
  f.config["drug"]["gdsc_release"] = "GDSC1";
  f.config["drug"]["gdsc_drug_ids"] = json::object();
  find(f.check(), {"no rows for drug 'temozolomide' in GDSC1", "set [drug] gdsc_release"});
}

BOOST_AUTO_TEST_CASE(gene_map_missing_wrong_or_useless) {
  Folder f("pf_map");
  f.config["data"].erase("gene_map");
  find(f.check(), {f.files.gse_counts, "Ensembl gene IDs", "[data] gene_map"});
  const std::string wrong = f.dir.write("wrong_map.csv", "entrez,symbol\n7157,TP53\n");
  f.config["data"]["gene_map"] = wrong;
  find(f.check(), {wrong, "maps none of the", f.files.gse_counts});
  f.config["data"]["gene_map"] = f.dir.path.string() + "/absent.tsv";
  find(f.check(), {"absent.tsv", "cannot open"});
}

BOOST_AUTO_TEST_CASE(expression_without_shared_genes_or_samples) {
  Folder f("pf_shared");
  // HGCC rows renamed: no symbol in common with GDSC or GSE232173.
  std::string h = fs::read_all(f.files.hgcc_expression), out;
  std::size_t pos = h.find('\n') + 1;
  out = h.substr(0, pos);
  for (int k = 0; pos < h.size(); ++k) {
    auto end = h.find('\n', pos) + 1;
    auto tab = h.find('\t', pos);
    out += "ZZ" + std::to_string(k) + h.substr(tab, end - tab);
    pos = end;
  }
  std::ofstream(f.files.hgcc_expression) << out;
  auto p = f.check();
  find(p, {f.files.hgcc_expression, "no gene symbol in common with"});
  // A GSE response whose cultures are not in the counts.
  Folder g("pf_samples");
  std::string r = fs::read_all(g.files.gse_response);
  for (auto at = r.find("GS."); at != std::string::npos; at = r.find("GS.", at + 4))
    if (at > 0 && r[at - 1] == '\n') r.replace(at, 3, "GS.9");
  std::ofstream(g.files.gse_response, std::ios::binary) << r;
  find(g.check(), {g.files.gse_response, "no sample in common with", g.files.gse_counts});
}

BOOST_AUTO_TEST_CASE(missing_folder_and_files) {
  Folder f("pf_files");
  std::filesystem::remove(f.files.hgcc_response);
  auto p = f.check();
  find(p, {"no hgcc_response file"});
  json c = f.config;
  c["data"]["drug"] = "/nonexistent/drug";
  Problems q;
  check_drug_inputs(c, q);
  BOOST_TEST(q.size() == 1u);
  find(q, {"/nonexistent/drug", "not a directory"});
  c["data"].erase("drug");
  Problems r;
  check_drug_inputs(c, r);
  find(r, {"[data] drug"});
}

BOOST_AUTO_TEST_CASE(gse_batches_must_cover_the_count_matrix) {
  // [data] gse_batches (ComBat-seq): every sample of the count matrix needs a batch; the first
  // sample is left out of the table, so the preflight names the table and that sample.
  Folder f("pf_batches");
  const auto samples = read_count_matrix(f.files.gse_counts).samples;
  BOOST_REQUIRE(samples.size() >= 5u);
  const std::string table = (f.dir.path / "batches.tsv").string();
  {
    std::ofstream out(table, std::ios::binary);
    out << "sample\tbatch\r\n";
    for (std::size_t i = 1; i < samples.size(); ++i)
      out << samples[i] << "\t" << (i % 2 ? "run1" : "run2") << "\r\n";
  }
  f.config["data"]["gse_batches"] = table;
  auto p = f.check();
  const Problem* hit = find(p, {"batches.tsv", "no batch for sample " + samples[0]});
  BOOST_TEST(hit != nullptr);
  BOOST_TEST(p.list().size() == 1u, p.str());

  // With the sample added the preflight is clean, and the task-side reader runs ComBat-seq:
  // the GSE232173 expression is still log-CPM of every count column with a response.
  std::ofstream(table, std::ios::app | std::ios::binary) << samples[0] << "\trun2\r\n";
  auto q = f.check();
  BOOST_TEST(q.empty(), q.str());
  ReadOptions with = read_options(f.config["drug"], f.files.gene_map, table);
  ReadOptions without = read_options(f.config["drug"], f.files.gene_map);
  const ExprMatrix& a = open_drug_data(f.dir.path.string(), with)->expression(Dataset::Gse);
  const ExprMatrix& b = open_drug_data(f.dir.path.string(), without)->expression(Dataset::Gse);
  BOOST_TEST(a.samples == b.samples);
  BOOST_TEST(a.values != b.values);  // adjusted counts differ from the raw ones
}

BOOST_AUTO_TEST_SUITE_END()
