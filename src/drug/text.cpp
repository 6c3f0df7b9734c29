#include "drug/text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "common/error.hpp"

namespace gbmsweep::drug::text {

void fail(const std::string& path, std::size_t line, const std::string& message) {
  throw InputError(path, "line " + std::to_string(line) + ": " + message);
}

Lines read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open file");
  Lines out{path, {}};
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.lines.push_back(std::move(line));
  }
  if (in.bad()) throw InputError(path, "read error");
  return out;
}

char sniff_delimiter(const std::string& header) {
  return header.find('\t') != std::string::npos ? '\t' : ',';
}

double parse_number(const std::string& field, const std::string& path, std::size_t line,
                    const std::string& column, bool allow_missing) {
  if (field.empty() || field == "NA" || field == "NaN" || field == "nan") {
    if (allow_missing) return std::numeric_limits<double>::quiet_NaN();
    fail(path, line, "missing value in column '" + column + "'");
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(field.c_str(), &end);
  if (end != field.c_str() + field.size() || errno == ERANGE || !std::isfinite(v))
    fail(path, line, "non-numeric value '" + field + "' in column '" + column + "'");
  return v;
}

std::size_t require_column(const std::vector<std::string>& header, const std::string& name,
                           const std::string& path, std::size_t line) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  fail(path, line, "missing column '" + name + "'");
}

Table read_table(const std::string& path, char delim, bool row_names) {
  auto f = read_lines(path);
  if (f.lines.empty()) throw InputError(path, "empty file");
  if (delim == 0) delim = sniff_delimiter(f.lines[0]);
  Table t;
  t.header = split(f.lines[0], delim);
  t.last_line = f.lines.size();
  for (std::size_t i = 1; i < f.lines.size(); ++i) {
    if (f.lines[i].empty()) continue;
    Row r;
    r.line = i + 1;
    r.fields = split(f.lines[i], delim);
    if (row_names && r.fields.size() == t.header.size() + 1)
      r.offset = 1;
    else if (r.fields.size() != t.header.size())
      fail(path, r.line, "has " + std::to_string(r.fields.size()) + " fields, header has " +
                             std::to_string(t.header.size()));
    t.rows.push_back(std::move(r));
  }
  return t;
}

}  // namespace gbmsweep::drug::text
