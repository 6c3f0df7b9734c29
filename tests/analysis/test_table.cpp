// Table rendering: number formats, LaTeX escaping, CSV quoting and the _sd/_lo/_hi columns.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "analysis/table.hpp"

namespace ga = gbmsweep::analysis;
using ga::Cell;

BOOST_AUTO_TEST_SUITE(table)

BOOST_AUTO_TEST_CASE(cell_formats) {
  BOOST_TEST(ga::format_cell(Cell::num(0.61237)) == "0.6124");
  BOOST_TEST(ga::format_cell(Cell::num(0.5, 0.01)) == "0.5000 ± 0.0100");
  BOOST_TEST(ga::format_cell(Cell::p(0.012345)) == "0.0123");
  BOOST_TEST(ga::format_cell(Cell::p(1e-7)) == "< 0.0001");
  BOOST_TEST(ga::format_cell(Cell::range(0.4, 0.75)) == "[0.4000, 0.7500]");
  BOOST_TEST(ga::format_cell(Cell::num(std::nan(""))) == "n/a");
}

BOOST_AUTO_TEST_CASE(latex_escaping) {
  BOOST_TEST(ga::latex_escape("DSC_ap-rCBV & 5% {x}") == "DSC\\_ap-rCBV \\& 5\\% \\{x\\}");
  BOOST_TEST(ga::latex_escape("0.5 ± 0.1, n − 1, p < 0.05") == "0.5 $\\pm$ 0.1, n $-$ 1, p $<$ 0.05");
}

BOOST_AUTO_TEST_CASE(csv_columns_and_quoting) {
  ga::Table t;
  t.header = {"name", "AUC", "CI"};
  t.rows = {{Cell::str("a,b"), Cell::num(0.5, 0.1), Cell::range(0.2, 0.8)},
            {Cell::str("say \"x\""), Cell::num(0.25), Cell::str("")}};
  BOOST_TEST(ga::to_csv(t) ==
             "name,AUC,AUC_sd,CI_lo,CI_hi\n"
             "\"a,b\",0.5,0.1,0.2,0.8\n"
             "\"say \"\"x\"\"\",0.25,,,\n");
  std::string md = ga::to_markdown(t);
  BOOST_TEST(md.find("| a,b | 0.5000 ± 0.1000 | [0.2000, 0.8000] |") != std::string::npos, md);
}

BOOST_AUTO_TEST_SUITE_END()
