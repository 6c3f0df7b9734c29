#pragma once
// Table helpers shared by the drug readers, on top of common/text's RFC 4180 DelimitedReader
// (BOM, CRLF/CR, quoted fields: Excel and Windows exports read like any other file). Every
// failure names the file and the 1-based line; a Sink lets a preflight collect row problems
// instead of stopping at the first.
#include <cstddef>
#include <string>
#include <vector>

#include "common/problems.hpp"
#include "common/text.hpp"

namespace gbmsweep::drug::text {

using gbmsweep::text::trim;

[[noreturn]] void fail(const std::string& path, std::size_t line, const std::string& message);

// Where a reader's row-level problems go. Without a Problems list the first one throws an
// InputError (a task's reader); with one (the preflight) each is added and the reader goes on,
// skipping the row; after `cap` problems in one file the rest are counted, not listed, so a
// bad column of a 17,000-row matrix does not print 17,000 lines.
class Sink {
 public:
  explicit Sink(Problems* problems = nullptr, std::size_t cap = 20)
      : problems_(problems), cap_(cap) {}
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  bool collecting() const { return problems_ != nullptr; }
  // Throws (no list), else records and returns.
  void report(const std::string& path, std::size_t line, const std::string& message);
  // A strict number (see parse_number); false, after reporting, when the field is not one.
  bool number(const std::string& field, const std::string& path, std::size_t line,
              const std::string& column, double& out, bool allow_missing = false);
  std::size_t reported() const { return count_; }

 private:
  Problems* problems_;
  std::size_t cap_;
  std::size_t count_ = 0;
  std::string path_;  // the file whose problems were counted past the cap
};

// Strict number: the whole field must parse; "NA"/"NaN"/"" are rejected unless allow_missing
// (then they give NaN). `line` is 1-based.
double parse_number(const std::string& field, const std::string& path, std::size_t line,
                    const std::string& column, bool allow_missing = false);

// Index of column `name` in `header` (surrounding spaces ignored); InputError naming the file
// (line 1) when absent. find_column: npos when absent.
std::size_t find_column(const std::vector<std::string>& header, const std::string& name);
std::size_t require_column(const std::vector<std::string>& header, const std::string& name,
                           const std::string& path, std::size_t line = 1);

// A delimited table: header on its first record, then the data records, each checked to have
// as many fields as the header, or one more when `row_names` (R's write.table omits the
// row-name column from the header; `offset` is then 1 so that header index j is field
// j + offset). Rows of the wrong width go to `sink` (and are left out when it collects).
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
Table read_table(const std::string& path, char delim = 0, bool row_names = false,
                 Sink* sink = nullptr);

}  // namespace gbmsweep::drug::text
