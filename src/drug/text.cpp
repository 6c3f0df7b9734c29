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

}  // namespace gbmsweep::drug::text
