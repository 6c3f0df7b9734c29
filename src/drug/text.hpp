#pragma once
// Line-oriented parsing helpers shared by the drug readers. Every failure is an InputError
// naming the file and the 1-based line.
#include <string>
#include <vector>

#include "common/text.hpp"

namespace gbmsweep::drug::text {

// A file read as lines (CR stripped), with its path for error messages.
struct Lines {
  std::string path;
  std::vector<std::string> lines;
};
Lines read_lines(const std::string& path);

// Splits on `delim`; fields in double quotes may contain the delimiter ("" is a quote).
using gbmsweep::text::split;
// Tab if the line has one, else comma.
char sniff_delimiter(const std::string& header);

// Strict number: the whole field must parse; "NA"/"NaN"/"" are rejected unless allow_missing
// (then they give NaN). `line` is 1-based.
double parse_number(const std::string& field, const std::string& path, std::size_t line,
                    const std::string& column, bool allow_missing = false);

// Index of column `name` in `header`; InputError naming the file (line 1) when absent.
std::size_t require_column(const std::vector<std::string>& header, const std::string& name,
                           const std::string& path, std::size_t line = 1);

[[noreturn]] void fail(const std::string& path, std::size_t line, const std::string& message);

// A delimited table: header on line 1, then the non-empty data rows, each checked to have as
// many fields as the header, or one more when `row_names` (R's write.table omits the row-name
// column from the header; `offset` is then 1 so that header index j is field j + offset).
struct Row {
  std::size_t line = 0;  // 1-based
  std::vector<std::string> fields;
  std::size_t offset = 0;
  const std::string& at(std::size_t column) const { return fields[column + offset]; }
};
struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
  std::size_t last_line = 1;  // for "no rows" errors: the file's line count
};
// `delim` 0: tab if the header has one, else comma.
Table read_table(const std::string& path, char delim = 0, bool row_names = false);

}  // namespace gbmsweep::drug::text
