#include "analysis/csv.hpp"

#include <cmath>
#include <cstdlib>
#include <set>

#include "common/error.hpp"
#include "common/text.hpp"

namespace gbmsweep::analysis {

namespace {

using text::trim;

std::string at_line(int line) { return "line " + std::to_string(line) + ": "; }

}  // namespace

std::size_t CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string have;
  for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
  throw InputError(path, "no column '" + name + "' in the header (columns: " + have + ")");
}

double CsvTable::number(std::size_t r, std::size_t c) const {
  const std::string& s = rows[r][c];
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size())
    throw InputError(path, at_line(lines[r]) + "column '" + header[c] + "': '" + s +
                               "' is not a number");
  if (!std::isfinite(v))
    throw InputError(path, at_line(lines[r]) + "column '" + header[c] + "' is not finite");
  return v;
}

CsvTable read_csv(const std::string& path) {
  // Comma always (no tab sniffing): these inputs are CSV by contract.
  text::DelimitedReader reader(path, ',');
  CsvTable t;
  t.path = path;
  text::Record rec;
  while (reader.next(rec)) {
    for (auto& f : rec.fields) f = trim(f);
    if (t.header.empty()) {
      t.header = std::move(rec.fields);
      continue;
    }
    if (rec.fields.size() != t.header.size())
      throw InputError(path, at_line(static_cast<int>(rec.line)) +
                                 std::to_string(rec.fields.size()) + " fields, the header has " +
                                 std::to_string(t.header.size()));
    t.rows.push_back(std::move(rec.fields));
    t.lines.push_back(static_cast<int>(rec.line));
  }
  if (t.header.empty()) throw InputError(path, "empty file (expected a header line)");
  return t;
}

std::vector<ScoreRow> read_score_rows(const std::string& path) {
  CsvTable t = read_csv(path);
  std::size_t cb = t.column("block"), cm = t.column("method"), cs = t.column("score");
  std::vector<ScoreRow> rows;
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    rows.push_back({t.rows[r][cb], t.rows[r][cm], t.number(r, cs)});
  if (rows.empty()) throw InputError(path, "no data rows");
  return rows;
}

LabelledScores read_labelled_scores(const std::string& path) {
  CsvTable t = read_csv(path);
  std::size_t ci = t.column("id"), cl = t.column("label"), cs = t.column("score");
  LabelledScores out;
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& id = t.rows[r][ci];
    if (!seen.insert(id).second)
      throw InputError(path, at_line(t.lines[r]) + "id '" + id + "' appears twice");
    double label = t.number(r, cl);
    if (label != 0.0 && label != 1.0)
      throw InputError(path, at_line(t.lines[r]) + "label '" + t.rows[r][cl] + "' is not 0 or 1");
    out.ids.push_back(id);
    out.labels.push_back(label);
    out.scores.push_back(t.number(r, cs));
  }
  if (out.ids.empty()) throw InputError(path, "no data rows");
  return out;
}

}  // namespace gbmsweep::analysis
