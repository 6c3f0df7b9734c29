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

}  // namespace gbmsweep::drug::text
