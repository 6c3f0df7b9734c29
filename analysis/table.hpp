#pragma once
// A small table model rendered three ways (Markdown, LaTeX booktabs, CSV), so each report table
// is built once. Numeric cells keep full precision for CSV and are rounded for reading.
#include <limits>
#include <string>
#include <vector>

namespace gbmsweep::analysis {

struct Cell {
  std::string text;  // used when not numeric (and for "n/a" reasons)
  double value = std::numeric_limits<double>::quiet_NaN();
  double sd = std::numeric_limits<double>::quiet_NaN();  // shown as "± sd" when finite
  bool numeric = false;
  bool pvalue = false;  // printed with 3 significant digits, "< 0.0001" below 1e-4
  bool interval = false;  // [value, hi]: printed "[lo, hi]"; CSV columns <name>_lo, <name>_hi
  double hi = std::numeric_limits<double>::quiet_NaN();
  std::string mark;  // appended to the readable form (e.g. "†"); not in CSV

  static Cell str(std::string s) {
    Cell c;
    c.text = std::move(s);
    return c;
  }
  static Cell num(double v, double sd = std::numeric_limits<double>::quiet_NaN()) {
    Cell c;
    c.value = v;
    c.sd = sd;
    c.numeric = true;
    return c;
  }
  static Cell range(double lo, double hi) {
    Cell c = num(lo);
    c.interval = true;
    c.hi = hi;
    return c;
  }
  static Cell p(double v) {
    Cell c = num(v);
    c.pvalue = true;
    return c;
  }
};

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  std::string note;  // printed under the table (Markdown, LaTeX)
};

std::string format_cell(const Cell& c);  // the human-readable form used by Markdown and LaTeX
std::string to_markdown(const Table& t);
std::string to_latex(const Table& t);
// CSV: numbers at full precision; a column with any sd gets a "<name>_sd" column next to it,
// an interval column becomes "<name>_lo", "<name>_hi".
std::string to_csv(const Table& t);
std::string latex_escape(const std::string& s);

}  // namespace gbmsweep::analysis
