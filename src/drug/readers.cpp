#include "drug/readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"

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
using text::trim;
using gbmsweep::text::DelimitedReader;
using gbmsweep::text::Record;

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "U3065.1" -> "U3065", "905954.1" -> "905954": the replicate suffix R and pandas add.
std::string strip_replicate(const std::string& s) {
  auto dot = s.rfind('.');
  if (dot != std::string::npos && dot > 0 && all_digits(s.substr(dot + 1))) return s.substr(0, dot);
  return s;
}

enum class Merge { Mean, Sum };

// Accumulates gene rows by name (repeated names merged) and checks sample uniqueness.
struct MatrixBuilder {
  std::string path;
  Sink* sink;
  std::vector<std::string> samples;
  std::vector<std::string> genes;
  std::map<std::string, std::size_t> row_of;
  std::vector<std::vector<double>> rows;
  std::vector<int> counts;

  void set_samples(std::vector<std::string> s, std::size_t line) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i].empty())
        sink->report(path, line, "empty sample name in column " + std::to_string(i + 1));
      else if (!seen.emplace(s[i], i).second)
        sink->report(path, line, "duplicated sample '" + s[i] + "'");
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
    if (samples.empty()) fail(path, 1, "no sample columns");
    if (genes.empty()) fail(path, last_line, "no gene rows");
    ExprMatrix m;
    m.genes = genes;
    m.samples = samples;
    m.values.reserve(genes.size() * samples.size());
    for (std::size_t g = 0; g < rows.size(); ++g)
      for (double v : rows[g]) m.values.push_back(merge == Merge::Mean ? v / counts[g] : v);
    return m;
  }
};

// HTSeq-count and featureCounts append summary rows (__no_feature, __ambiguous,
// __too_low_aQual, __not_aligned, __alignment_not_unique): counts of reads, not genes.
bool summary_row(const std::string& gene) { return gene.rfind("__", 0) == 0; }

// Genes × samples with gene names in the first column. The header either names the gene
// column or omits it (R's write.table with row names).
ExprMatrix read_gene_matrix(const std::string& path, Merge merge, bool counts, Sink& sink) {
  DelimitedReader in(path);
  Record header, rec;
  if (!in.next(header)) throw InputError(path, "empty file");
  MatrixBuilder b{path, &sink, {}, {}, {}, {}, {}};
  bool have = in.next(rec);
  // Decide from the first data row whether the header lacks the gene column.
  const bool header_has_gene_column = !have || rec.fields.size() != header.fields.size() + 1;
  std::vector<std::string> samples;
  for (std::size_t j = header_has_gene_column ? 1 : 0; j < header.fields.size(); ++j)
    samples.push_back(trim(header.fields[j]));
  b.set_samples(samples, header.line);
  const std::size_t width = samples.size() + 1;
  std::size_t last = header.line, dropped = 0;
  for (; have; have = in.next(rec)) {
    last = rec.line;
    if (rec.fields.size() != width) {
      sink.report(path, rec.line, "has " + std::to_string(rec.fields.size()) +
                                      " fields, expected " + std::to_string(width));
      continue;
    }
    std::string gene = trim(rec.fields[0]);
    if (gene.empty()) continue;
    if (summary_row(gene)) {
      ++dropped;
      continue;
    }
    std::vector<double> v(samples.size());
    bool ok = true;
    for (std::size_t j = 0; j < samples.size() && ok; ++j) {
      ok = sink.number(rec.fields[j + 1], path, rec.line, samples[j], v[j]);
      if (ok && counts && v[j] < 0) {
        sink.report(path, rec.line, "negative count in column '" + samples[j] + "'");
        ok = false;
      }
    }
    if (ok) b.add(gene, std::move(v));
  }
  if (dropped)
    GBM_LOG(Info, path << ": dropped " << dropped
                       << " HTSeq/featureCounts summary rows (__no_feature, __ambiguous, ...)");
  return b.finish(merge, last);
}

// Averages columns whose names differ only by a ".N" replicate suffix.
ExprMatrix merge_replicate_columns(const ExprMatrix& m) {
  std::vector<std::string> base;
  std::map<std::string, std::size_t> index;
  std::vector<std::size_t> target(m.samples.size());
  for (std::size_t j = 0; j < m.samples.size(); ++j) {
    auto [it, fresh] = index.emplace(strip_replicate(m.samples[j]), base.size());
    if (fresh) base.push_back(it->first);
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

RepeatedColumns parse_repeated_columns(const std::string& name) {
  if (name == "mean") return RepeatedColumns::Mean;
  if (name == "first") return RepeatedColumns::First;
  throw InputError("", "unknown repeated_columns '" + name + "' (mean or first)");
}

GdscRelease parse_gdsc_release(const std::string& name) {
  if (name == "GDSC1") return GdscRelease::Gdsc1;
  if (name == "GDSC2") return GdscRelease::Gdsc2;
  throw InputError("", "unknown gdsc_release '" + name + "' (GDSC1 or GDSC2)");
}

const char* gdsc_release_name(GdscRelease r) { return r == GdscRelease::Gdsc1 ? "GDSC1" : "GDSC2"; }

GdscChoice ReadOptions::gdsc_choice(const std::string& drug) const {
  GdscChoice c;
  c.release = gdsc_release;
  auto it = gdsc_drug_ids.find(lower(drug));
  if (it != gdsc_drug_ids.end()) c.drug_ids = it->second;
  return c;
}

double parse_mgmt(const std::string& value, const std::string& path, std::size_t line) {
  std::string v = lower(trim(value));
  if (v.empty() || v == "na" || v == "nan" || v == "not available")
    return std::numeric_limits<double>::quiet_NaN();
  if (v == "methylated") return 1.0;
  if (v == "methylated (weak)") return 0.5;
  if (v == "unmethylated") return 0.0;
  fail(path, line, "unknown MGMT status '" + value + "'");
}

namespace {

// The rows of one drug in one release, grouped by DRUG_ID (0 when the file has no DRUG_ID).
struct DrugRows {
  std::map<long long, std::vector<const text::Row*>> by_id;
  std::size_t other_release = 0;  // rows of the drug under another DATASET
};

DrugRows drug_rows(const text::Table& t, const std::string& path, const std::string& drug,
                   GdscRelease release, Sink& sink) {
  const auto c_drug = text::require_column(t.header, "DRUG_NAME", path);
  const auto c_set = text::find_column(t.header, "DATASET");
  const auto c_id = text::find_column(t.header, "DRUG_ID");
  const std::string want = lower(trim(drug));
  DrugRows out;
  for (const auto& row : t.rows) {
    if (lower(trim(row.at(c_drug))) != want) continue;
    if (c_set != kNone && trim(row.at(c_set)) != gdsc_release_name(release)) {
      ++out.other_release;
      continue;
    }
    long long id = 0;
    if (c_id != kNone) {
      double v = 0;
      if (!sink.number(row.at(c_id), path, row.line, "DRUG_ID", v)) continue;
      id = static_cast<long long>(v);
    }
    out.by_id[id].push_back(&row);
  }
  return out;
}

std::string id_counts(const DrugRows& d) {
  std::string s;
  for (const auto& [id, rows] : d.by_id)
    s += (s.empty() ? "" : ", ") + std::to_string(id) + " (" + std::to_string(rows.size()) +
         " rows)";
  return s;
}

}  // namespace

std::map<long long, std::size_t> gdsc_drug_ids(const std::string& path,
                                               const std::string& drug_name,
                                               GdscRelease release) {
  Sink sink;
  const auto t = text::read_table(path, 0, false, &sink);
  std::map<long long, std::size_t> out;
  for (const auto& [id, rows] : drug_rows(t, path, drug_name, release, sink).by_id)
    out[id] = rows.size();
  return out;
}

Response read_gdsc_response(const std::string& path, const std::string& drug_name,
                            const GdscChoice& choice, Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  const auto t = text::read_table(path, 0, false, &sink);
  const auto c_id = text::require_column(t.header, "COSMIC_ID", path);
  const auto c_auc = text::require_column(t.header, "AUC", path);
  const char* rel = gdsc_release_name(choice.release);
  DrugRows d = drug_rows(t, path, drug_name, choice.release, sink);
  if (d.by_id.empty()) {
    std::string why = "no rows for drug '" + drug_name + "' in " + rel;
    if (d.other_release)
      why += " (" + std::to_string(d.other_release) +
             " rows in another release: set [drug] gdsc_release)";
    fail(path, t.last_line, why);
  }
  std::vector<long long> ids = choice.drug_ids;
  if (ids.empty()) {
    // Default: the largest screen; the reference's oxaliplatin (GDSC2 1089) is the larger one.
    long long best = d.by_id.begin()->first;
    for (const auto& [id, rows] : d.by_id)
      if (rows.size() > d.by_id[best].size()) best = id;
    if (d.by_id.size() > 1)
      GBM_LOG(Warn, path << ": " << drug_name << " has several DRUG_IDs in " << rel << ": "
                         << id_counts(d) << "; taking " << best
                         << " (most rows); choose with [drug] gdsc_drug_ids = { "
                         << lower(drug_name) << " = [" << best << "] }");
    ids = {best};
  }
  for (long long id : ids)
    if (!d.by_id.count(id))
      fail(path, t.last_line, "no rows for " + drug_name + " under DRUG_ID " + std::to_string(id) +
                                  " in " + rel + "; its DRUG_IDs: " + id_counts(d) +
                                  " (fix [drug] gdsc_drug_ids)");
  // Several screens: a cell line's AUCs are averaged; twice in one screen is an error.
  std::map<std::string, std::pair<double, int>> acc;
  std::vector<std::string> order;
  for (long long id : ids) {
    std::map<std::string, std::size_t> line_of;
    for (const text::Row* row : d.by_id[id]) {
      std::string cosmic = trim(row->at(c_id));
      if (cosmic.empty()) {
        sink.report(path, row->line, "empty COSMIC_ID");
        continue;
      }
      double auc = 0;
      if (!sink.number(row->at(c_auc), path, row->line, "AUC", auc)) continue;
      auto [it, fresh] = line_of.emplace(cosmic, row->line);
      if (!fresh) {
        sink.report(path, row->line, "duplicated sample: COSMIC_ID " + cosmic + " for " +
                                         drug_name + " already on line " +
                                         std::to_string(it->second));
        continue;
      }
      auto [a, first] = acc.emplace(cosmic, std::make_pair(0.0, 0));
      if (first) order.push_back(cosmic);
      a->second.first += auc;
      a->second.second += 1;
    }
  }
  Response r;
  for (const auto& id : order) {
    r.ids.push_back(id);
    r.auc.push_back(acc[id].first / acc[id].second);
  }
  if (r.ids.empty()) fail(path, t.last_line, "no usable rows for drug '" + drug_name + "'");
  return r;
}

ExprMatrix read_gdsc_expression(const std::string& path, RepeatedColumns repeated,
                                Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  const auto t = text::read_table(path, '\t', false, &sink);
  const auto& header = t.header;
  const auto c_sym = text::require_column(header, "GENE_SYMBOLS", path);
  // Columns by COSMIC_ID: the real file repeats four (pandas reads them as DATA.<id>.1).
  std::vector<std::string> samples;
  std::vector<std::vector<std::size_t>> cols;
  std::map<std::string, std::size_t> sample_of;
  for (std::size_t j = 0; j < header.size(); ++j) {
    const std::string h = trim(header[j]);
    if (h.rfind("DATA.", 0) != 0) continue;
    const std::string id = strip_replicate(h.substr(5));
    if (id.empty()) {
      sink.report(path, 1, "empty COSMIC_ID in column " + std::to_string(j + 1));
      continue;
    }
    auto [it, fresh] = sample_of.emplace(id, samples.size());
    if (fresh) {
      samples.push_back(id);
      cols.emplace_back();
    }
    if (fresh || repeated == RepeatedColumns::Mean) cols[it->second].push_back(j);
  }
  if (samples.empty()) fail(path, 1, "no DATA.<COSMIC_ID> columns");
  std::string twice;
  std::size_t n_twice = 0;
  for (const auto& [id, k] : sample_of) {
    std::size_t n = 0;
    for (const auto& h : header) n += strip_replicate(trim(h)) == "DATA." + id;
    if (n > 1) {
      twice += (twice.empty() ? "" : ", ") + id;
      ++n_twice;
    }
  }
  if (n_twice)
    GBM_LOG(Warn, path << ": " << n_twice << " COSMIC_IDs have more than one DATA column ("
                       << twice << "); "
                       << (repeated == RepeatedColumns::Mean ? "averaged" : "first kept")
                       << " ([drug] repeated_columns)");
  MatrixBuilder b{path, &sink, {}, {}, {}, {}, {}};
  b.set_samples(samples, 1);
  for (const auto& row : t.rows) {
    std::string gene = trim(row.at(c_sym));
    if (gene.empty()) continue;  // probes without a symbol (318 in the real file)
    std::vector<double> v(samples.size(), 0.0);
    bool ok = true;
    for (std::size_t k = 0; k < samples.size() && ok; ++k) {
      for (std::size_t j : cols[k]) {
        double x = 0;
        ok = ok && sink.number(row.at(j), path, row.line, trim(header[j]), x);
        v[k] += x / static_cast<double>(cols[k].size());
      }
    }
    if (ok) b.add(gene, std::move(v));
  }
  return b.finish(Merge::Mean, t.last_line);
}

ExprMatrix read_hgcc_expression(const std::string& path, Sink* sink) {
  Sink thrower;
  return merge_replicate_columns(
      read_gene_matrix(path, Merge::Mean, false, sink ? *sink : thrower));
}

Response read_hgcc_response(const std::string& path, Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  // R's write.table omits the row-name column from the header; tolerate that.
  const auto t = text::read_table(path, 0, /*row_names=*/true, &sink);
  const auto c_line = text::require_column(t.header, "cell.line", path);
  const auto c_auc = text::require_column(t.header, "AUC_Temozolomide", path);
  std::map<std::string, std::pair<double, int>> acc;
  std::vector<std::string> order;
  for (const auto& row : t.rows) {
    std::string name = trim(row.at(c_line));
    if (name.size() < 5) {
      sink.report(path, row.line, "cell.line '" + name + "' is shorter than 5 characters");
      continue;
    }
    double auc = 0;
    if (!sink.number(row.at(c_auc), path, row.line, "AUC_Temozolomide", auc)) continue;
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

ExprMatrix read_count_matrix(const std::string& path, Sink* sink) {
  Sink thrower;
  return read_gene_matrix(path, Merge::Sum, true, sink ? *sink : thrower);
}

GseClinical read_gse_response(const std::string& path, Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  const auto t = text::read_table(path, 0, false, &sink);
  const auto c_id = text::require_column(t.header, "GS.number", path);
  const auto c_auc = text::require_column(t.header, "AUC", path);
  const auto c_mc = text::require_column(t.header, "MGMT_status_culture", path);
  const auto c_mt = text::require_column(t.header, "MGMT_status_tumor", path);
  GseClinical g;
  std::map<std::string, std::size_t> line_of;
  for (const auto& row : t.rows) {
    std::string id = trim(row.at(c_id));
    if (id.empty()) {
      sink.report(path, row.line, "empty GS.number");
      continue;
    }
    // The published table writes GS802 or 802; the count matrix columns are GS.802.
    if (all_digits(id)) id = "GS." + id;
    else if (id.rfind("GS", 0) == 0 && all_digits(id.substr(2))) id = "GS." + id.substr(2);
    auto [it, fresh] = line_of.emplace(id, row.line);
    if (!fresh) {
      sink.report(path, row.line, "duplicated sample '" + id + "' (first on line " +
                                      std::to_string(it->second) + ")");
      continue;
    }
    double auc = 0, mc = 0, mt = 0;
    if (!sink.number(row.at(c_auc), path, row.line, "AUC", auc)) continue;
    try {
      mc = parse_mgmt(row.at(c_mc), path, row.line);
      mt = parse_mgmt(row.at(c_mt), path, row.line);
    } catch (const InputError& e) {
      if (!sink.collecting()) throw;
      sink.report(path, row.line, "unknown MGMT status (Methylated, Methylated (weak), "
                                  "Unmethylated or empty)");
      continue;
    }
    g.response.ids.push_back(id);
    g.response.auc.push_back(auc);
    g.mgmt_culture.push_back(mc);
    g.mgmt_tumor.push_back(mt);
  }
  if (g.response.ids.empty()) fail(path, t.last_line, "no response rows");
  return g;
}

SeriesMatrix read_series_matrix(const std::string& path, Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  DelimitedReader in(path, '\t');
  Record rec;
  SeriesMatrix s;
  MatrixBuilder b{path, &sink, {}, {}, {}, {}, {}};
  bool inside = false, ended = false, have_header = false;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  while (in.next(rec)) {
    const std::string& first = rec.fields[0];
    if (!inside) {
      if (first == "!Sample_title") s.titles.assign(rec.fields.begin() + 1, rec.fields.end());
      else if (first.rfind("!series_matrix_table_begin", 0) == 0) inside = true;
      continue;
    }
    if (first.rfind("!series_matrix_table_end", 0) == 0) {
      ended = true;
      break;
    }
    if (!have_header) {
      header = rec.fields;
      header_line = rec.line;
      have_header = true;
      if (trim(header[0]) != "ID_REF") fail(path, rec.line, "missing column 'ID_REF'");
      b.set_samples(std::vector<std::string>(header.begin() + 1, header.end()), rec.line);
      continue;
    }
    if (rec.fields.size() != header.size()) {
      sink.report(path, rec.line, "has " + std::to_string(rec.fields.size()) +
                                      " fields, header has " + std::to_string(header.size()));
      continue;
    }
    std::vector<double> v(header.size() - 1);
    bool ok = true;
    for (std::size_t j = 1; j < header.size() && ok; ++j)
      ok = sink.number(rec.fields[j], path, rec.line, header[j], v[j - 1], /*allow_missing=*/true);
    if (ok) b.add(trim(rec.fields[0]), std::move(v));
  }
  const std::size_t last = in.lines_read();
  if (!inside) fail(path, last, "no !series_matrix_table_begin line");
  if (!ended) fail(path, last, "no !series_matrix_table_end line");
  if (!have_header) fail(path, last, "no table header after !series_matrix_table_begin");
  s.table = b.finish(Merge::Mean, last);
  if (!s.titles.empty() && s.titles.size() != s.table.samples.size())
    fail(path, header_line, "!Sample_title has " + std::to_string(s.titles.size()) +
                                " entries, table has " + std::to_string(s.table.samples.size()) +
                                " samples");
  return s;
}

}  // namespace gbmsweep::drug
