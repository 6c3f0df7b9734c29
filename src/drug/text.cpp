#include "drug/text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/error.hpp"

namespace gbmsweep::drug::text {

void fail(const std::string& path, std::size_t line, const std::string& message) {
  throw InputError(path, "line " + std::to_string(line) + ": " + message);
}

Sink::~Sink() {
  if (problems_ && count_ > cap_)
    problems_->add(path_, 0, std::to_string(count_ - cap_) + " more problems like these");
}

void Sink::report(const std::string& path, std::size_t line, const std::string& message) {
  if (!problems_) fail(path, line, message);
  if (++count_ <= cap_) problems_->add(path, line, message);
  path_ = path;
}

bool Sink::number(const std::string& field, const std::string& path, std::size_t line,
                  const std::string& column, double& out, bool allow_missing) {
  if (!problems_) {
    out = parse_number(field, path, line, column, allow_missing);
    return true;
  }
  try {
    out = parse_number(field, path, line, column, allow_missing);
    return true;
  } catch (const InputError&) {
    report(path, line, field.empty() ? "missing value in column '" + column + "'"
                                     : "non-numeric value '" + field + "' in column '" +
                                           column + "'");
    return false;
  }
}

double parse_number(const std::string& raw, const std::string& path, std::size_t line,
                    const std::string& column, bool allow_missing) {
  const std::string field = trim(raw);
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

std::size_t find_column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (trim(header[i]) == name) return i;
  return static_cast<std::size_t>(-1);
}

std::size_t require_column(const std::vector<std::string>& header, const std::string& name,
                           const std::string& path, std::size_t line) {
  const auto i = find_column(header, name);
  if (i == static_cast<std::size_t>(-1)) fail(path, line, "missing column '" + name + "'");
  return i;
}

Table read_table(const std::string& path, char delim, bool row_names, Sink* sink) {
  Sink thrower;
  Sink& s = sink ? *sink : thrower;
  gbmsweep::text::DelimitedReader in(path, delim);
  gbmsweep::text::Record rec;
  if (!in.next(rec)) throw InputError(path, "empty file");
  Table t;
  t.header = std::move(rec.fields);
  while (in.next(rec)) {
    Row r;
    r.line = rec.line;
    r.fields = std::move(rec.fields);
    if (row_names && r.fields.size() == t.header.size() + 1) {
      r.offset = 1;
    } else if (r.fields.size() != t.header.size()) {
      s.report(path, r.line, "has " + std::to_string(r.fields.size()) +
                                 " fields, header has " + std::to_string(t.header.size()));
      continue;
    }
    t.rows.push_back(std::move(r));
  }
  t.last_line = in.lines_read();
  return t;
}

}  // namespace gbmsweep::drug::text
