// The drug inputs as distributed (issue 17): GDSC's repeated expression columns, a drug under
// several DRUG_IDs, the release choice, Ensembl/Entrez-keyed counts with a BioMart map, HTSeq
// summary rows, and Excel/Windows exports (BOM, CRLF, quoted fields) in every reader.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>

#include "common/error.hpp"
#include "drug/experiment.hpp"
#include "drug/readers.hpp"
#include "drug/synth.hpp"
#include "fixtures.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;

namespace {

const std::string kBom = "\xEF\xBB\xBF";

const std::string kHeader =
    "DATASET,NLME_RESULT_ID,NLME_CURVE_ID,COSMIC_ID,CELL_LINE_NAME,SANGER_MODEL_ID,TCGA_DESC,"
    "DRUG_ID,DRUG_NAME,PUTATIVE_TARGET,PATHWAY_NAME,COMPANY_ID,WEBRELEASE,MIN_CONC,MAX_CONC,"
    "LN_IC50,AUC,RMSE,Z_SCORE";

std::string row(const std::string& set, const std::string& cosmic, int id,
                const std::string& drug, const std::string& auc) {
  return set + ",1,1," + cosmic + ",LINE,SIDM1,GBM," + std::to_string(id) + "," + drug +
         ",\"DNA damage, crosslinker\",DNA replication,1046,Y,0.02,100,1.5," + auc + ",0.07,0.1";
}

// GDSC2 oxaliplatin under 1089 (3 lines) and 1806 (2 lines, one shared), GDSC1 under 1089.
std::string oxaliplatin_file() {
  return kBom + kHeader + "\r\n" + row("GDSC2", "1", 1089, "Oxaliplatin", "0.8") + "\r\n" +
         row("GDSC2", "2", 1089, "Oxaliplatin", "0.6") + "\r\n" +
         row("GDSC2", "3", 1089, "Oxaliplatin", "0.4") + "\r\n" +
         row("GDSC2", "1", 1806, "Oxaliplatin", "0.2") + "\r\n" +
         row("GDSC2", "9", 1806, "Oxaliplatin", "0.3") + "\r\n" +
         row("GDSC1", "7", 1089, "Oxaliplatin", "0.5") + "\r\n";
}

void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    BOOST_FAIL("expected an InputError");
  } catch (const InputError& e) {
    for (const auto& frag : fragments)
      BOOST_TEST(std::string(e.what()).find(frag) != std::string::npos,
                 "'" << e.what() << "' lacks '" << frag << "'");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(real_files)

BOOST_AUTO_TEST_CASE(repeated_gdsc_columns_are_averaged_or_first_kept) {
  drugtest::TempDir d("repeated");
  // The real file repeats the header name; pandas' ".1" spelling reads the same.
  auto p = d.write("Cell_line_RMA_proc_basalExp.txt",
                   "GENE_SYMBOLS\tGENE_title\tDATA.905954\tDATA.1\tDATA.905954\tDATA.1.1\n"
                   "TP53\tp53\t1.0\t5.0\t3.0\t7.0\nMGMT\tm\t2\t2\t4\t4\n");
  auto mean = read_gdsc_expression(p);
  BOOST_TEST(mean.samples == (std::vector<std::string>{"905954", "1"}),
             boost::test_tools::per_element());
  BOOST_TEST(mean.at(0, 0) == 2.0);
  BOOST_TEST(mean.at(0, 1) == 6.0);
  BOOST_TEST(mean.at(1, 0) == 3.0);
  auto first = read_gdsc_expression(p, RepeatedColumns::First);
  BOOST_TEST(first.at(0, 0) == 1.0);
  BOOST_TEST(first.at(0, 1) == 5.0);
  BOOST_TEST((parse_repeated_columns("first") == RepeatedColumns::First));
  BOOST_CHECK_THROW(parse_repeated_columns("last"), InputError);
}

BOOST_AUTO_TEST_CASE(drug_ids_release_and_excel_export) {
  drugtest::TempDir d("drug_ids");
  auto p = d.write("GDSC2_fitted_dose_response_x.csv", oxaliplatin_file());
  // No IDs given: the larger screen (1089, three lines), GDSC2 rows only.
  auto r = read_gdsc_response(p, "oxaliplatin");
  BOOST_TEST(r.ids == (std::vector<std::string>{"1", "2", "3"}), boost::test_tools::per_element());
  BOOST_TEST(r.auc[0] == 0.8);
  // Chosen: 1806 alone, or both (a line's AUCs averaged).
  GdscChoice c;
  c.drug_ids = {1806};
  BOOST_TEST(read_gdsc_response(p, "Oxaliplatin", c).ids ==
                 (std::vector<std::string>{"1", "9"}), boost::test_tools::per_element());
  c.drug_ids = {1089, 1806};
  auto both = read_gdsc_response(p, "Oxaliplatin", c);
  BOOST_TEST(both.ids.size() == 4u);
  BOOST_TEST(std::abs(both.auc[0] - 0.5) < 1e-12);
  // GDSC1: its own row.
  c = {};
  c.release = GdscRelease::Gdsc1;
  BOOST_TEST(read_gdsc_response(p, "Oxaliplatin", c).ids == (std::vector<std::string>{"7"}),
             boost::test_tools::per_element());
  // An ID that is not there: the IDs, their row counts and the key to set.
  c = {};
  c.drug_ids = {1234};
  expect_error([&] { read_gdsc_response(p, "Oxaliplatin", c); },
               {"DRUG_ID 1234", "1089 (3 rows), 1806 (2 rows)", "gdsc_drug_ids"});
  auto ids = gdsc_drug_ids(p, "oxaliplatin", GdscRelease::Gdsc2);
  BOOST_TEST(ids.size() == 2u);
  BOOST_TEST(ids.at(1806) == 2u);
  // A drug only in the other release says so.
  auto p1 = d.write("g1.csv", kHeader + "\n" + row("GDSC1", "1", 5, "Bortezomib", "0.1") + "\n");
  expect_error([&] { read_gdsc_response(p1, "Bortezomib"); },
               {"line 2", "no rows for drug 'Bortezomib' in GDSC2", "gdsc_release"});
}

BOOST_AUTO_TEST_CASE(gdsc1_and_gdsc2_files_side_by_side) {
  drugtest::TempDir d("releases");
  d.write("GDSC1_fitted_dose_response_x.csv", oxaliplatin_file());
  auto p2 = d.write("GDSC2_fitted_dose_response_x.csv", oxaliplatin_file());
  ReadOptions o;
  BOOST_TEST(DrugData(d.path.string(), o).path("gdsc_response") == p2);
  o.gdsc_release = GdscRelease::Gdsc1;
  BOOST_TEST(DrugData(d.path.string(), o).path("gdsc_response").find("GDSC1_") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(gene_id_detection) {
  BOOST_TEST(static_cast<int>(detect_gene_ids({"ENSG00000141510.17", "ENSG00000170430", "x"})) ==
             static_cast<int>(GeneIdKind::Ensembl));
  BOOST_TEST(static_cast<int>(detect_gene_ids({"7157", "4255", "TP53"})) ==
             static_cast<int>(GeneIdKind::Entrez));
  BOOST_TEST(static_cast<int>(detect_gene_ids({"TP53", "MGMT", "7157"})) ==
             static_cast<int>(GeneIdKind::Symbol));
  BOOST_TEST(strip_version("ENSG00000141510.17") == "ENSG00000141510");
  BOOST_TEST(strip_version("HLA-A.1") == "HLA-A.1");  // only Ensembl IDs carry versions
}

BOOST_AUTO_TEST_CASE(ensembl_counts_with_biomart_map_and_htseq_rows) {
  drugtest::TempDir d("ensembl");
  auto counts = d.write("GSE232173_raw_counts.txt",
                        "gene\tGS.802\tGS.809\n"
                        "ENSG00000141510.17\t10\t20\n"   // TP53
                        "ENSG00000170430.10\t1\t2\n"     // MGMT
                        "ENSG00000999999.1\t5\t5\n"      // MGMT too (a second ID)
                        "ENSG00000000001.1\t3\t3\n"      // not in the map
                        "__no_feature\t100\t100\n__ambiguous\t9\t9\n__too_low_aQual\t1\t1\n"
                        "__not_aligned\t1\t1\n__alignment_not_unique\t7\t7\n");
  auto m = read_count_matrix(counts);
  BOOST_TEST(m.genes.size() == 4u);  // summary rows dropped
  // BioMart export: CRLF, BOM, versions that differ from the matrix's, a name left empty.
  auto map_path = d.write("gene_map.tsv", kBom +
                                              "Gene stable ID version\tGene name\r\n"
                                              "ENSG00000141510.18\tTP53\r\n"
                                              "ENSG00000170430.9\tMGMT\r\n"
                                              "ENSG00000999999.1\tMGMT\r\n"
                                              "ENSG00000555555.1\t\r\n");
  auto map = read_gene_map(map_path);
  BOOST_TEST(map.symbol_of.size() == 3u);
  auto s = to_symbols(m, &map, counts, /*sum=*/true);
  BOOST_TEST(s.genes == (std::vector<std::string>{"TP53", "MGMT"}),
             boost::test_tools::per_element());
  BOOST_TEST(s.at(1, 1) == 7.0);  // 2 + 5 summed
  BOOST_TEST(to_symbols(m, &map, counts, false).at(1, 1) == 3.5);
  // Without a map: which IDs were found, and what to give.
  expect_error([&] { to_symbols(m, nullptr, counts, true); },
               {"Ensembl gene IDs", "ENSG00000141510.17", "[data] gene_map"});
  // A map for other IDs maps nothing.
  auto wrong = d.write("wrong.csv", "entrez,symbol\n7157,TP53\n");
  auto wm = read_gene_map(wrong);
  expect_error([&] { to_symbols(m, &wm, counts, true); }, {"maps none of the 4"});
  // Entrez-keyed (an NCBI-generated matrix) through a CSV map.
  ExprMatrix e{{"7157", "4255"}, {"GSM1"}, {1, 2}};
  auto em = read_gene_map(d.write("entrez.csv", "GeneID,Symbol\n\"7157\",\"TP53\"\n4255,MGMT\n"));
  BOOST_TEST(to_symbols(e, &em, "e.txt", false).genes[1] == "MGMT");
  // One ID, two symbols.
  auto bad = d.write("bad.tsv", "id\tname\nENSG00000141510\tTP53\nENSG00000141510.2\tP53\n");
  expect_error([&] { read_gene_map(bad); }, {"line 3", "ENSG00000141510", "'TP53' on line 2"});
}

BOOST_AUTO_TEST_CASE(excel_exports_read_everywhere) {
  drugtest::TempDir d("excel");
  auto hgcc = d.write("HGCC_drugTMZ_response_AUC.txt",
                      kBom + "\"cell.line\",\"AUC_Temozolomide\"\r\n\"U3065MG\",\"1.5\"\r\n"
                             "\"U3017MG, rep 2\",2\r\n");
  auto r = read_hgcc_response(hgcc);
  BOOST_TEST(r.ids == (std::vector<std::string>{"U3065", "U3017"}),
             boost::test_tools::per_element());
  auto gse = d.write("GSE232173_TMZ_response.csv",
                     kBom + "GS.number,AUC,MGMT_status_tumor,MGMT_status_culture,Note\r\n"
                            "802,150.5,Methylated,\"Methylated (weak)\",\"two\r\nlines\"\r\n"
                            "809,120,,Unmethylated,\r\n");
  auto g = read_gse_response(gse);
  BOOST_TEST(g.response.ids.size() == 2u);
  BOOST_TEST(g.mgmt_culture[0] == 0.5);
  // Line numbers count the embedded line break.
  auto bad = d.write("bad.csv", "GS.number,AUC,MGMT_status_tumor,MGMT_status_culture,Note\r\n"
                                "802,1,,,\"a\r\nb\"\r\n809,x,,,\r\n");
  expect_error([&] { read_gse_response(bad); }, {"line 4", "non-numeric value 'x'"});
  auto expr = d.write("HGCC_RNA_expression.txt", kBom + "gene\tU3065\r\nTP53\t1\r\n");
  BOOST_TEST(read_hgcc_expression(expr).genes[0] == "TP53");
}

BOOST_AUTO_TEST_CASE(synthetic_data_has_the_quirks_and_reads) {
  drugtest::TempDir d("synth_quirks");
  SynthDrugOptions o;
  o.out_dir = d.path.string();
  o.genes = 120;
  o.gdsc_lines = 60;
  o.lines_per_drug = 50;
  o.hgcc_cultures = 12;
  o.gse_cultures = 8;
  auto f = write_synthetic_drug_data(o);
  BOOST_TEST(!f.gene_map.empty());
  auto ids = gdsc_drug_ids(f.gdsc_response, "Oxaliplatin", GdscRelease::Gdsc2);
  BOOST_TEST(ids.size() == 2u);
  BOOST_TEST(ids.at(1089) > ids.at(1806));
  ReadOptions ro;
  ro.gene_map = f.gene_map;
  DrugData data(o.out_dir, ro);
  BOOST_TEST(data.expression(Dataset::Gdsc).samples.size() == 60u);  // 4 repeated merged
  BOOST_TEST(data.cohort({Dataset::Gse, ""}, GeneChoice::Shared).n() == 8u);
  BOOST_TEST(data.cohort({Dataset::Gdsc, "oxaliplatin"}, GeneChoice::Shared).n() ==
             ids.at(1089));
  // Without the map the GSE counts cannot be matched.
  DrugData bare(o.out_dir);
  expect_error([&] { bare.expression(Dataset::Gse); }, {"Ensembl gene IDs", "gene_map"});
}

BOOST_AUTO_TEST_SUITE_END()
