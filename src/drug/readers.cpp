#include "drug/readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "common/error.hpp"
#include "drug/text.hpp"

namespace gbmsweep::drug {

std::map<std::string, std::size_t> ExprMatrix::gene_index() const {
  std::map<std::string, std::size_t> m;
  for (std::size_t i = 0; i < genes.size(); ++i) m.emplace(genes[i], i);
  return m;
}

std::map<std::string, std::size_t> ExprMatrix::sample_index() const {
  std::map<std::string, std::size_t> m;
  for (std::size_t i = 0; i < samples.size(); ++i) m.emplace(samples[i], i);
  return m;
}

namespace {

using text::fail;
using gbmsweep::text::trim;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

enum class Merge { Mean, Sum };

// Accumulates gene rows by symbol (repeated symbols merged) and checks sample uniqueness.
struct MatrixBuilder {
  std::string path;
  std::vector<std::string> samples;
  std::vector<std::string> genes;
  std::map<std::string, std::size_t> row_of;
  std::vector<std::vector<double>> rows;
  std::vector<int> counts;

  void set_samples(std::vector<std::string> s, std::size_t line) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i].empty()) fail(path, line, "empty sample name in column " + std::to_string(i + 1));
      if (!seen.emplace(s[i], i).second) fail(path, line, "duplicated sample '" + s[i] + "'");
    }
    samples = std::move(s);
  }
  void add(const std::string& gene, std::vector<double> values) {
    auto [it, fresh] = row_of.emplace(gene, rows.size());
    if (fresh) {
      genes.push_back(gene);
      rows.push_back(std::move(values));
      counts.push_back(1);
    } else {
      auto& r = rows[it->second];
      for (std::size_t j = 0; j < r.size(); ++j) r[j] += values[j];
      ++counts[it->second];
    }
  }
  ExprMatrix finish(Merge merge, std::size_t last_line) {
    if (genes.empty()) fail(path, last_line, "no gene rows");
    if (samples.empty()) fail(path, 1, "no sample columns");
    ExprMatrix m;
    m.genes = genes;
    m.samples = samples;
    m.values.reserve(genes.size() * samples.size());
    for (std::size_t g = 0; g < rows.size(); ++g)
      for (double v : rows[g]) m.values.push_back(merge == Merge::Mean ? v / counts[g] : v);
    return m;
  }
};

// Genes × samples with gene names in the first column. The header either names the gene
// column or omits it (R's write.table with row names).
ExprMatrix read_gene_matrix(const std::string& path, Merge merge, bool counts) {
  auto f = text::read_lines(path);
  if (f.lines.empty()) throw InputError(path, "empty file");
  const char delim = '\t';
  auto header = text::split(f.lines[0], delim);
  MatrixBuilder b;
  b.path = path;
  std::size_t width = 0;
  bool header_has_gene_column = true;
  // Decide from the first data row whether the header lacks the gene column.
  for (std::size_t i = 1; i < f.lines.size(); ++i) {
    if (f.lines[i].empty()) continue;
    auto row = text::split(f.lines[i], delim);
    header_has_gene_column = row.size() == header.size();
    if (!header_has_gene_column && row.size() != header.size() + 1)
      fail(path, i + 1, "has " + std::to_string(row.size()) + " fields, header has " +
                            std::to_string(header.size()));
    break;
  }
  std::vector<std::string> samples(header.begin() + (header_has_gene_column ? 1 : 0),
                                   header.end());
  b.set_samples(samples, 1);
  width = samples.size() + 1;
  std::size_t last = 1;
  for (std::size_t i = 1; i < f.lines.size(); ++i) {
    if (f.lines[i].empty()) continue;
    last = i + 1;
    auto row = text::split(f.lines[i], delim);
    if (row.size() != width)
      fail(path, i + 1, "has " + std::to_string(row.size()) + " fields, expected " +
                            std::to_string(width));
    std::string gene = trim(row[0]);
    if (gene.empty()) continue;
    std::vector<double> v(samples.size());
    for (std::size_t j = 0; j < samples.size(); ++j) {
      v[j] = text::parse_number(row[j + 1], path, i + 1, samples[j]);
      if (counts && v[j] < 0) fail(path, i + 1, "negative count in column '" + samples[j] + "'");
    }
    b.add(gene, std::move(v));
  }
  return b.finish(merge, last);
}

// Averages columns whose names differ only by a ".N" replicate suffix.
ExprMatrix merge_replicate_columns(const ExprMatrix& m) {
  std::vector<std::string> base;
  std::map<std::string, std::size_t> index;
  std::vector<std::size_t> target(m.samples.size());
  for (std::size_t j = 0; j < m.samples.size(); ++j) {
    std::string s = m.samples[j];
    auto dot = s.rfind('.');
    if (dot != std::string::npos && dot + 1 < s.size() &&
        std::all_of(s.begin() + dot + 1, s.end(), [](unsigned char c) { return std::isdigit(c); }))
      s = s.substr(0, dot);
    auto [it, fresh] = index.emplace(s, base.size());
    if (fresh) base.push_back(s);
    target[j] = it->second;
  }
  ExprMatrix out;
  out.genes = m.genes;
  out.samples = base;
  out.values.assign(m.genes.size() * base.size(), 0.0);
  std::vector<int> n(base.size(), 0);
  for (std::size_t j = 0; j < m.samples.size(); ++j) ++n[target[j]];
  for (std::size_t g = 0; g < m.genes.size(); ++g)
    for (std::size_t j = 0; j < m.samples.size(); ++j)
      out.values[g * base.size() + target[j]] += m.at(g, j) / n[target[j]];
  return out;
}

}  // namespace

double parse_mgmt(const std::string& value, const std::string& path, std::size_t line) {
  std::string v = lower(trim(value));
  if (v.empty() || v == "na" || v == "nan" || v == "not available")
    return std::numeric_limits<double>::quiet_NaN();
  if (v == "methylated") return 1.0;
  if (v == "methylated (weak)") return 0.5;
  if (v == "unmethylated") return 0.0;
  fail(path, line, "unknown MGMT status '" + value + "'");
}

Response read_gdsc_response(const std::string& path, const std::string& drug_name) {
  const auto t = text::read_table(path);
  const auto c_id = text::require_column(t.header, "COSMIC_ID", path);
  const auto c_drug = text::require_column(t.header, "DRUG_NAME", path);
  const auto c_auc = text::require_column(t.header, "AUC", path);
  const std::string want = lower(drug_name);
  Response r;
  std::map<std::string, std::size_t> line_of;
  for (const auto& row : t.rows) {
    if (lower(trim(row.at(c_drug))) != want) continue;
    std::string id = trim(row.at(c_id));
    if (id.empty()) fail(path, row.line, "empty COSMIC_ID");
    double auc = text::parse_number(row.at(c_auc), path, row.line, "AUC");
    auto [it, fresh] = line_of.emplace(id, row.line);
    if (!fresh)
      fail(path, row.line, "duplicated sample: COSMIC_ID " + id + " for " + drug_name +
                               " already on line " + std::to_string(it->second));
    r.ids.push_back(id);
    r.auc.push_back(auc);
  }
  if (r.ids.empty()) fail(path, t.last_line, "no rows for drug '" + drug_name + "'");
  return r;
}

ExprMatrix read_gdsc_expression(const std::string& path) {
  const auto t = text::read_table(path, '\t');
  const auto& header = t.header;
  const auto c_sym = text::require_column(header, "GENE_SYMBOLS", path);
  std::vector<std::size_t> cols;
  std::vector<std::string> samples;
  for (std::size_t j = 0; j < header.size(); ++j) {
    if (header[j].rfind("DATA.", 0) == 0) {
      cols.push_back(j);
      samples.push_back(header[j].substr(5));
    }
  }
  if (cols.empty()) fail(path, 1, "no DATA.<COSMIC_ID> columns");
  MatrixBuilder b;
  b.path = path;
  b.set_samples(samples, 1);
  for (const auto& row : t.rows) {
    std::string gene = trim(row.at(c_sym));
    if (gene.empty()) continue;  // probes without a symbol (318 in the real file)
    std::vector<double> v(cols.size());
    for (std::size_t k = 0; k < cols.size(); ++k)
      v[k] = text::parse_number(row.at(cols[k]), path, row.line, header[cols[k]]);
    b.add(gene, std::move(v));
  }
  return b.finish(Merge::Mean, t.rows.empty() ? 1 : t.rows.back().line);
}

ExprMatrix read_hgcc_expression(const std::string& path) {
  return merge_replicate_columns(read_gene_matrix(path, Merge::Mean, false));
}

Response read_hgcc_response(const std::string& path) {
  // R's write.table omits the row-name column from the header; tolerate that.
  const auto t = text::read_table(path, 0, /*row_names=*/true);
  const auto c_line = text::require_column(t.header, "cell.line", path);
  const auto c_auc = text::require_column(t.header, "AUC_Temozolomide", path);
  std::map<std::string, std::pair<double, int>> acc;
  std::vector<std::string> order;
  for (const auto& row : t.rows) {
    std::string name = trim(row.at(c_line));
    if (name.size() < 5) fail(path, row.line, "cell.line '" + name + "' is shorter than 5 characters");
    double auc = text::parse_number(row.at(c_auc), path, row.line, "AUC_Temozolomide");
    std::string id = name.substr(0, 5);
    auto [it, fresh] = acc.emplace(id, std::make_pair(0.0, 0));
    if (fresh) order.push_back(id);
    it->second.first += auc;
    it->second.second += 1;
  }
  if (order.empty()) fail(path, t.last_line, "no response rows");
  Response r;
  for (const auto& id : order) {
    r.ids.push_back(id);
    r.auc.push_back(acc[id].first / acc[id].second);
  }
  return r;
}

ExprMatrix read_count_matrix(const std::string& path) {
  return read_gene_matrix(path, Merge::Sum, true);
}

GseClinical read_gse_response(const std::string& path) {
  const auto t = text::read_table(path);
  const auto c_id = text::require_column(t.header, "GS.number", path);
  const auto c_auc = text::require_column(t.header, "AUC", path);
  const auto c_mc = text::require_column(t.header, "MGMT_status_culture", path);
  const auto c_mt = text::require_column(t.header, "MGMT_status_tumor", path);
  GseClinical g;
  std::map<std::string, std::size_t> line_of;
  for (const auto& row : t.rows) {
    std::string id = trim(row.at(c_id));
    if (id.empty()) fail(path, row.line, "empty GS.number");
    // The published table writes GS802 or 802; the count matrix columns are GS.802.
    auto digits = [](const std::string& s) {
      return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
    };
    if (digits(id)) id = "GS." + id;
    else if (id.rfind("GS", 0) == 0 && digits(id.substr(2))) id = "GS." + id.substr(2);
    auto [it, fresh] = line_of.emplace(id, row.line);
    if (!fresh)
      fail(path, row.line, "duplicated sample '" + id + "' (first on line " +
                               std::to_string(it->second) + ")");
    g.response.ids.push_back(id);
    g.response.auc.push_back(text::parse_number(row.at(c_auc), path, row.line, "AUC"));
    g.mgmt_culture.push_back(parse_mgmt(row.at(c_mc), path, row.line));
    g.mgmt_tumor.push_back(parse_mgmt(row.at(c_mt), path, row.line));
  }
  if (g.response.ids.empty()) fail(path, t.last_line, "no response rows");
  return g;
}

SeriesMatrix read_series_matrix(const std::string& path) {
  auto f = text::read_lines(path);
  SeriesMatrix s;
  std::size_t begin = 0, end = 0;
  for (std::size_t i = 0; i < f.lines.size(); ++i) {
    const auto& l = f.lines[i];
    if (l.rfind("!Sample_title", 0) == 0) {
      auto v = text::split(l, '\t');
      s.titles.assign(v.begin() + 1, v.end());
    } else if (l.rfind("!series_matrix_table_begin", 0) == 0) {
      begin = i + 1;
    } else if (l.rfind("!series_matrix_table_end", 0) == 0) {
      end = i;
    }
  }
  if (begin == 0) fail(path, f.lines.size(), "no !series_matrix_table_begin line");
  if (end < begin) fail(path, f.lines.size(), "no !series_matrix_table_end line");
  if (end == begin) fail(path, begin + 1, "no table header after !series_matrix_table_begin");
  auto header = text::split(f.lines[begin], '\t');
  if (header.empty() || header[0] != "ID_REF") fail(path, begin + 1, "missing column 'ID_REF'");
  MatrixBuilder b;
  b.path = path;
  b.set_samples(std::vector<std::string>(header.begin() + 1, header.end()), begin + 1);
  for (std::size_t i = begin + 1; i < end; ++i) {
    if (f.lines[i].empty()) continue;
    auto row = text::split(f.lines[i], '\t');
    if (row.size() != header.size())
      fail(path, i + 1, "has " + std::to_string(row.size()) + " fields, header has " +
                            std::to_string(header.size()));
    std::vector<double> v(header.size() - 1);
    for (std::size_t j = 1; j < header.size(); ++j)
      v[j - 1] = text::parse_number(row[j], path, i + 1, header[j], /*allow_missing=*/true);
    b.add(trim(row[0]), std::move(v));
  }
  s.table = b.finish(Merge::Mean, end);
  if (!s.titles.empty() && s.titles.size() != s.table.samples.size())
    fail(path, begin + 1, "!Sample_title has " + std::to_string(s.titles.size()) +
                              " entries, table has " + std::to_string(s.table.samples.size()) +
                              " samples");
  return s;
}

}  // namespace gbmsweep::drug
