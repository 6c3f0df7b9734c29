// The one delimited-text parser every reader uses: the quirks of spreadsheet exports and of
// the real downloads (BOM, CRLF, quoted fields with delimiters, quotes and line breaks).
#include <boost/test/unit_test.hpp>

#include "common/error.hpp"
#include "common/problems.hpp"
#include "common/text.hpp"

using namespace gbmsweep;

namespace {
std::vector<text::Record> all(const std::string& s, char delim = 0) {
  auto r = text::DelimitedReader::from_string(s, "t.csv", delim);
  std::vector<text::Record> out;
  text::Record rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(bom_crlf_and_quotes_as_excel_writes_them) {
  auto rs = all("\xEF\xBB\xBFID,MGMT,Note\r\n"
                "UPENN-GBM-00001_11,Methylated,\"a, b\"\r\n"
                "\r\n"
                "UPENN-GBM-00002_11,\"Unmethylated\",\"say \"\"hi\"\"\"\r\n");
  BOOST_REQUIRE_EQUAL(rs.size(), 3u);
  BOOST_CHECK_EQUAL(rs[0].fields[0], "ID");  // the BOM is not part of the first name
  BOOST_CHECK_EQUAL(rs[1].fields[2], "a, b");
  BOOST_CHECK_EQUAL(rs[1].line, 2u);
  BOOST_CHECK_EQUAL(rs[2].line, 4u);  // the blank line is skipped but counted
  BOOST_CHECK_EQUAL(rs[2].fields[1], "Unmethylated");
  BOOST_CHECK_EQUAL(rs[2].fields[2], "say \"hi\"");
}

BOOST_AUTO_TEST_CASE(quoted_line_breaks_stay_in_the_field_and_lines_are_counted) {
  auto rs = all("a,b\n\"two\nlines\",x\nlast,y");  // and no newline at the end
  BOOST_REQUIRE_EQUAL(rs.size(), 3u);
  BOOST_CHECK_EQUAL(rs[1].fields[0], "two\nlines");
  BOOST_CHECK_EQUAL(rs[1].line, 2u);
  BOOST_CHECK_EQUAL(rs[2].line, 4u);
  BOOST_CHECK_EQUAL(rs[2].fields[1], "y");
}

BOOST_AUTO_TEST_CASE(delimiter_sniffed_from_the_first_line_and_empty_fields_kept) {
  auto r = text::DelimitedReader::from_string("GENE\tDATA.1\tDATA.2\r\nTP53\t\t1.5\r", "x.txt");
  BOOST_CHECK_EQUAL(r.delimiter(), '\t');
  text::Record rec;
  BOOST_REQUIRE(r.next(rec));
  BOOST_REQUIRE(r.next(rec));
  BOOST_REQUIRE_EQUAL(rec.fields.size(), 3u);
  BOOST_CHECK_EQUAL(rec.fields[1], "");
  BOOST_CHECK(!r.next(rec));
  // A lone CR (old Mac export) also ends a line.
  BOOST_CHECK_EQUAL(all("a,b\rc,d\r").size(), 2u);
}

BOOST_AUTO_TEST_CASE(unterminated_quote_names_file_and_starting_line) {
  try {
    all("a,b\nok,1\n\"never closed,2\n3,4\n");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_CHECK_EQUAL(e.path(), "t.csv");
    BOOST_CHECK_NE(std::string(e.what()).find("line 3"), std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(problems_list_every_finding_as_file_line_what) {
  Problems ps;
  ps.add("a.csv", 7, "non-numeric AUC 'x'");
  ps.add(InputError("b.nii.gz", "gzip stream truncated"));
  ps.add("", 0, "no cohort");
  BOOST_CHECK_EQUAL(ps.size(), 3u);
  BOOST_CHECK_EQUAL(ps.list()[0].str(), "a.csv:7: non-numeric AUC 'x'");
  BOOST_CHECK_EQUAL(ps.list()[1].str(), "b.nii.gz: gzip stream truncated");
  BOOST_CHECK_EQUAL(ps.str(), "a.csv:7: non-numeric AUC 'x'\nb.nii.gz: gzip stream truncated\nno cohort\n");
}
