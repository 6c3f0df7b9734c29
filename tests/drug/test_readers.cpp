// Every reader on small fixtures with the real headers, and each bad-input case: the error
// names the file, the line and the problem.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <functional>

#include "common/error.hpp"
#include "drug/prep.hpp"
#include "drug/readers.hpp"
#include "fixtures.hpp"

using namespace gbmsweep;
using namespace gbmsweep::drug;

namespace {

const std::string kGdscHeader =
    "DATASET,NLME_RESULT_ID,NLME_CURVE_ID,COSMIC_ID,CELL_LINE_NAME,SANGER_MODEL_ID,TCGA_DESC,"
    "DRUG_ID,DRUG_NAME,PUTATIVE_TARGET,PATHWAY_NAME,COMPANY_ID,WEBRELEASE,MIN_CONC,MAX_CONC,"
    "LN_IC50,AUC,RMSE,Z_SCORE\n";

std::string gdsc_row(const std::string& cosmic, const std::string& drug, const std::string& auc) {
  return "GDSC2,343,1," + cosmic + ",LINE,SIDM1,GBM,1089," + drug +
         ",DNA,\"DNA replication, repair\",1046,Y,0.02,100,1.5," + auc + ",0.07,0.1\n";
}

const std::string kGseHeader =
    "GS.number\tGT.code\tPFS_months\tOS_months\tTMZ_IC50(uM)\tAUC\t% cell viability_100uM TMZ\t"
    "MGMT_status_tumor\tMGMT_status_culture\n";

// Runs `f`, expects an InputError for `path` whose message contains every fragment.
void expect_input_error(const std::function<void()>& f, const std::string& path,
                        const std::vector<std::string>& fragments) {
  try {
    f();
    BOOST_FAIL("expected an InputError for " << path);
  } catch (const InputError& e) {
    BOOST_TEST(e.path() == path);
    for (const auto& frag : fragments)
      BOOST_TEST(std::string(e.what()).find(frag) != std::string::npos,
                 "'" << e.what() << "' lacks '" << frag << "'");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(readers)

BOOST_AUTO_TEST_CASE(gdsc_response_selects_drug_case_insensitively) {
  drugtest::TempDir d("gdsc_resp");
  auto p = d.write("GDSC2_fitted_dose_response_x.csv",
                   kGdscHeader + gdsc_row("906800", "Oxaliplatin", "0.8") +
                       gdsc_row("906801", "Temozolomide", "0.9") +
                       gdsc_row("906802", "Oxaliplatin", "0.5"));
  auto r = read_gdsc_response(p, "oxaliplatin");
  BOOST_TEST(r.ids == (std::vector<std::string>{"906800", "906802"}), boost::test_tools::per_element());
  BOOST_TEST(r.auc[1] == 0.5);
}

BOOST_AUTO_TEST_CASE(gdsc_response_bad_inputs) {
  drugtest::TempDir d("gdsc_resp_bad");
  std::string no_auc = kGdscHeader;
  no_auc.replace(no_auc.find(",AUC,"), 5, ",AUX,");
  auto p1 = d.write("a.csv", no_auc + gdsc_row("1", "Oxaliplatin", "0.8"));
  expect_input_error([&] { read_gdsc_response(p1, "Oxaliplatin"); }, p1,
                     {"line 1", "missing column 'AUC'"});
  auto p2 = d.write("b.csv", kGdscHeader + gdsc_row("1", "Oxaliplatin", "0.8") +
                                 gdsc_row("2", "Oxaliplatin", "high"));
  expect_input_error([&] { read_gdsc_response(p2, "Oxaliplatin"); }, p2,
                     {"line 3", "non-numeric value 'high'", "AUC"});
  auto p3 = d.write("c.csv", kGdscHeader + gdsc_row("1", "Oxaliplatin", "0.8") +
                                 gdsc_row("1", "Oxaliplatin", "0.7"));
  expect_input_error([&] { read_gdsc_response(p3, "Oxaliplatin"); }, p3,
                     {"line 3", "duplicated sample", "line 2"});
  auto p4 = d.write("d.csv", kGdscHeader + gdsc_row("1", "Bortezomib", "0.8"));
  expect_input_error([&] { read_gdsc_response(p4, "Oxaliplatin"); }, p4, {"no rows for drug"});
}

BOOST_AUTO_TEST_CASE(gdsc_expression_skips_unnamed_and_merges_repeated_symbols) {
  drugtest::TempDir d("gdsc_expr");
  auto p = d.write("Cell_line_RMA_proc_basalExp.txt",
                   "GENE_SYMBOLS\tGENE_title\tDATA.906800\tDATA.906801\n"
                   "TP53\ttumor protein p53\t1.0\t2.0\n"
                   "\t\t9.0\t9.0\n"
                   "MGMT\tmethyltransferase\t3.0\t4.0\n"
                   "TP53\ttumor protein p53\t3.0\t4.0\n");
  auto m = read_gdsc_expression(p);
  BOOST_TEST(m.samples == (std::vector<std::string>{"906800", "906801"}), boost::test_tools::per_element());
  BOOST_TEST(m.genes == (std::vector<std::string>{"TP53", "MGMT"}), boost::test_tools::per_element());
  BOOST_TEST(m.at(0, 1) == 3.0);  // mean of 2 and 4
  BOOST_TEST(m.at(1, 0) == 3.0);
}

BOOST_AUTO_TEST_CASE(gdsc_expression_bad_inputs) {
  drugtest::TempDir d("gdsc_expr_bad");
  auto p1 = d.write("a.txt", "SYMBOL\tGENE_title\tDATA.1\nTP53\tx\t1\n");
  expect_input_error([&] { read_gdsc_expression(p1); }, p1, {"line 1", "missing column 'GENE_SYMBOLS'"});
  auto p2 = d.write("b.txt", "GENE_SYMBOLS\tGENE_title\tDATA.\tDATA.1\nTP53\tx\t1\t2\n");
  expect_input_error([&] { read_gdsc_expression(p2); }, p2, {"line 1", "empty COSMIC_ID"});
  auto p3 = d.write("c.txt", "GENE_SYMBOLS\tGENE_title\tDATA.1\nTP53\tx\t1\nMGMT\tx\tNA\n");
  expect_input_error([&] { read_gdsc_expression(p3); }, p3, {"line 3", "missing value", "DATA.1"});
  auto p4 = d.write("d.txt", "GENE_SYMBOLS\tGENE_title\tDATA.1\nTP53\tx\t1\t5\n");
  expect_input_error([&] { read_gdsc_expression(p4); }, p4, {"line 2", "fields"});
}

BOOST_AUTO_TEST_CASE(hgcc_expression_averages_replicate_columns) {
  drugtest::TempDir d("hgcc_expr");
  // R-style header without the gene column.
  auto p = d.write("HGCC_RNA_expression.txt",
                   "U3065\tU3065.1\tU3017\nTP53\t1\t3\t5\nMGMT\t2\t2\t0.5\n");
  auto m = read_hgcc_expression(p);
  BOOST_TEST(m.samples == (std::vector<std::string>{"U3065", "U3017"}), boost::test_tools::per_element());
  BOOST_TEST(m.at(0, 0) == 2.0);
  BOOST_TEST(m.at(1, 1) == 0.5);
  auto bad = d.write("bad.txt", "gene\tU3065\tU3065\nTP53\t1\t2\n");
  expect_input_error([&] { read_hgcc_expression(bad); }, bad, {"line 1", "duplicated sample 'U3065'"});
  auto bad2 = d.write("bad2.txt", "gene\tU3065\nTP53\tx1\n");
  expect_input_error([&] { read_hgcc_expression(bad2); }, bad2, {"line 2", "non-numeric value 'x1'"});
}

BOOST_AUTO_TEST_CASE(hgcc_response_averages_replicates_by_culture) {
  drugtest::TempDir d("hgcc_resp");
  auto p = d.write("HGCC_drugTMZ_response_AUC.txt",
                   "\"cell.line\"\t\"AUC_Temozolomide\"\n\"U3065MG_a\"\t10\n\"U3065MG_b\"\t20\n"
                   "\"U3017MG\"\t5\n");
  auto r = read_hgcc_response(p);
  BOOST_TEST(r.ids == (std::vector<std::string>{"U3065", "U3017"}), boost::test_tools::per_element());
  BOOST_TEST(r.auc[0] == 15.0);
  auto bad = d.write("bad.txt", "cell.line\tAUC_TMZ\nU3065MG\t1\n");
  expect_input_error([&] { read_hgcc_response(bad); }, bad, {"line 1", "missing column 'AUC_Temozolomide'"});
  auto bad2 = d.write("bad2.txt", "cell.line\tAUC_Temozolomide\nU30\t1\n");
  expect_input_error([&] { read_hgcc_response(bad2); }, bad2, {"line 2", "shorter than 5"});
  auto bad3 = d.write("bad3.txt", "cell.line\tAUC_Temozolomide\nU3065MG\t1,5\n");
  expect_input_error([&] { read_hgcc_response(bad3); }, bad3, {"line 2", "non-numeric value '1,5'"});
}

BOOST_AUTO_TEST_CASE(count_matrix_sums_repeated_genes_and_rejects_negatives) {
  drugtest::TempDir d("counts");
  auto p = d.write("GSE232173_raw_counts.txt",
                   "gene\tGS.802\tGS.809\nTP53\t10\t20\nTP53\t1\t2\nMGMT\t0\t7\n");
  auto m = read_count_matrix(p);
  BOOST_TEST(m.genes.size() == 2u);
  BOOST_TEST(m.at(0, 1) == 22.0);
  auto bad = d.write("bad.txt", "gene\tGS.802\nTP53\t-1\n");
  expect_input_error([&] { read_count_matrix(bad); }, bad, {"line 2", "negative count"});
}

BOOST_AUTO_TEST_CASE(gse_response_reads_auc_and_mgmt) {
  drugtest::TempDir d("gse_resp");
  auto p = d.write("GSE232173_TMZ_response.txt",
                   kGseHeader +
                       "802\tGT1\t5\t10\t100\t150.5\t60\tMethylated\tMethylated (weak)\n"
                       "GS809\tGT2\t5\t10\t100\t120\t60\tNA\tUnmethylated\n");
  auto g = read_gse_response(p);
  BOOST_TEST(g.response.ids == (std::vector<std::string>{"GS.802", "GS.809"}), boost::test_tools::per_element());
  BOOST_TEST(g.response.auc[0] == 150.5);
  BOOST_TEST(g.mgmt_culture[0] == 0.5);
  BOOST_TEST(g.mgmt_culture[1] == 0.0);
  BOOST_TEST(std::isnan(g.mgmt_tumor[1]));
  auto bad = d.write("bad.txt", kGseHeader + "802\tGT1\t5\t10\t100\t150\t60\tyes\tMethylated\n");
  expect_input_error([&] { read_gse_response(bad); }, bad, {"line 2", "unknown MGMT status 'yes'"});
  auto dup = d.write("dup.txt", kGseHeader + "802\tGT1\t5\t10\t100\t150\t60\tMethylated\tMethylated\n"
                                             "GS.802\tGT1\t5\t10\t100\t150\t60\tMethylated\tMethylated\n");
  expect_input_error([&] { read_gse_response(dup); }, dup, {"line 3", "duplicated sample 'GS.802'"});
  std::string no_auc = kGseHeader;
  no_auc.replace(no_auc.find("\tAUC\t"), 5, "\tAUX\t");
  auto miss = d.write("miss.txt", no_auc);
  expect_input_error([&] { read_gse_response(miss); }, miss, {"line 1", "missing column 'AUC'"});
}

BOOST_AUTO_TEST_CASE(series_matrix_table_and_titles) {
  drugtest::TempDir d("series");
  const std::string head =
      "!Series_title\t\"GBM cultures\"\n!Sample_title\t\"GS.802\"\t\"GS.809\"\n"
      "!Sample_geo_accession\t\"GSM1\"\t\"GSM2\"\n!series_matrix_table_begin\n"
      "\"ID_REF\"\t\"GSM1\"\t\"GSM2\"\n";
  auto p = d.write("GSE232173_series_matrix.txt",
                   head + "\"TP53\"\t1.5\t2.5\n\"MGMT\"\t\t3\n!series_matrix_table_end\n");
  auto s = read_series_matrix(p);
  BOOST_TEST(s.titles == (std::vector<std::string>{"GS.802", "GS.809"}), boost::test_tools::per_element());
  BOOST_TEST(s.table.samples[1] == "GSM2");
  BOOST_TEST(s.table.at(0, 1) == 2.5);
  BOOST_TEST(std::isnan(s.table.at(1, 0)));
  auto no_end = d.write("no_end.txt", head + "\"TP53\"\t1.5\t2.5\n");
  expect_input_error([&] { read_series_matrix(no_end); }, no_end, {"!series_matrix_table_end"});
  auto bad = d.write("bad.txt", head + "\"TP53\"\t1.5\tx\n!series_matrix_table_end\n");
  expect_input_error([&] { read_series_matrix(bad); }, bad, {"line 6", "non-numeric value 'x'"});
}

BOOST_AUTO_TEST_CASE(no_overlap_of_genes_or_samples_is_an_input_error) {
  ExprMatrix a{{"TP53", "MGMT"}, {"s1", "s2"}, {1, 2, 3, 4}};
  ExprMatrix b{{"EGFR"}, {"s1"}, {1}};
  expect_input_error([&] { intersect_genes({&a, &b}, {"a.txt", "b.txt"}); }, "a.txt",
                     {"no gene symbol shared by a.txt, b.txt"});
  BOOST_TEST(intersect_genes({&a, &a}, {"a", "a"}).size() == 2u);
  Response r{{"x1", "x2"}, {0.1, 0.2}};
  expect_input_error([&] { make_cohort(a, r, {"TP53"}, "expr.txt", "resp.txt"); }, "resp.txt",
                     {"no sample in common with expr.txt"});
  Response ok{{"s2", "s1", "zz"}, {0.2, 0.1, 0.3}};
  auto c = make_cohort(a, ok, {"MGMT", "TP53"}, "expr.txt", "resp.txt");
  BOOST_TEST(c.ids == (std::vector<std::string>{"s1", "s2"}), boost::test_tools::per_element());
  // Rows are samples, columns the requested genes in order: s1 -> MGMT 3, TP53 1.
  BOOST_TEST(c.x[0] == 3.0f);
  BOOST_TEST(c.x[1] == 1.0f);
}

BOOST_AUTO_TEST_CASE(missing_file_is_named) {
  expect_input_error([] { read_count_matrix("/nonexistent/GSE232173_counts.txt"); },
                     "/nonexistent/GSE232173_counts.txt", {"cannot open"});
}

BOOST_AUTO_TEST_SUITE_END()
