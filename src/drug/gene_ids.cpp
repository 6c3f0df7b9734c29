// Gene identifiers of the expression inputs: detection (symbol, Ensembl, Entrez) and the
// mapping table that turns IDs into the symbols the three datasets share.
#include <algorithm>
#include <cctype>
#include <map>

#include "common/error.hpp"
#include "common/log.hpp"
#include "drug/readers.hpp"

namespace gbmsweep::drug {

namespace {

bool digits(const std::string& s, std::size_t from = 0) {
  return s.size() > from &&
         std::all_of(s.begin() + from, s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// ENSG00000141510, ENSMUSG00000059552, optionally ".17": "ENS", capitals, "G", 11 digits.
bool ensembl(const std::string& id) {
  const std::string s = strip_version(id);
  if (s.rfind("ENS", 0) != 0 || s.size() < 15) return false;
  const std::size_t tail = s.size() - 11;
  if (s[tail - 1] != 'G' || !digits(s, tail)) return false;
  return std::all_of(s.begin() + 3, s.begin() + tail - 1,
                     [](unsigned char c) { return std::isupper(c); });
}

}  // namespace

const char* gene_id_kind_name(GeneIdKind k) {
  switch (k) {
    case GeneIdKind::Symbol: return "gene symbols";
    case GeneIdKind::Ensembl: return "Ensembl gene IDs";
    case GeneIdKind::Entrez: return "Entrez gene IDs";
  }
  return "?";
}

std::string strip_version(const std::string& id) {
  if (id.rfind("ENS", 0) != 0) return id;
  const auto dot = id.rfind('.');
  return dot != std::string::npos && digits(id, dot + 1) ? id.substr(0, dot) : id;
}

GeneIdKind detect_gene_ids(const std::vector<std::string>& ids) {
  std::size_t ens = 0, entrez = 0;
  for (const auto& id : ids) {
    if (ensembl(id)) ++ens;
    else if (digits(id)) ++entrez;
  }
  // "Most": a symbol matrix may hold a few odd rows, an ID matrix a few spike-ins (ERCC-...).
  if (2 * ens > ids.size()) return GeneIdKind::Ensembl;
  if (2 * entrez > ids.size()) return GeneIdKind::Entrez;
  return GeneIdKind::Symbol;
}

GeneMap read_gene_map(const std::string& path, Sink* sink_in) {
  Sink thrower;
  Sink& sink = sink_in ? *sink_in : thrower;
  const auto t = text::read_table(path, 0, false, &sink);
  if (t.header.size() < 2)
    text::fail(path, 1, "a gene map needs two columns (ID as in the matrix, then the symbol); "
                        "the header has " + std::to_string(t.header.size()));
  GeneMap m;
  m.path = path;
  std::map<std::string, std::size_t> line_of;
  for (const auto& row : t.rows) {
    const std::string id = strip_version(text::trim(row.at(0)));
    const std::string symbol = text::trim(row.at(1));
    if (id.empty() || symbol.empty()) continue;  // BioMart lists IDs without a name
    auto [it, fresh] = m.symbol_of.emplace(id, symbol);
    if (fresh) {
      line_of[id] = row.line;
    } else if (it->second != symbol) {
      sink.report(path, row.line, "ID " + id + " maps to '" + symbol + "' here and to '" +
                                      it->second + "' on line " + std::to_string(line_of[id]));
    }
  }
  if (m.symbol_of.empty()) text::fail(path, t.last_line, "no ID-symbol rows");
  return m;
}

ExprMatrix to_symbols(ExprMatrix m, const GeneMap* map, const std::string& path,
                      bool sum) {
  const GeneIdKind kind = detect_gene_ids(m.genes);
  if (kind == GeneIdKind::Symbol) return m;
  if (!map)
    throw InputError(path, std::string("rows are keyed by ") + gene_id_kind_name(kind) +
                               " (e.g. " + m.genes.front() +
                               "), the other datasets by gene symbols: give a two-column map "
                               "(ID, then symbol; e.g. a BioMart export) as [data] gene_map");
  std::map<std::string, std::size_t> row_of;
  std::vector<std::string> genes;
  std::vector<int> n;
  std::vector<double> values;
  const std::size_t S = m.samples.size();
  std::size_t unmapped = 0;
  for (std::size_t g = 0; g < m.genes.size(); ++g) {
    auto it = map->symbol_of.find(strip_version(m.genes[g]));
    if (it == map->symbol_of.end()) {
      ++unmapped;
      continue;
    }
    auto [r, fresh] = row_of.emplace(it->second, genes.size());
    if (fresh) {
      genes.push_back(it->second);
      n.push_back(0);
      values.resize(values.size() + S, 0.0);
    }
    ++n[r->second];
    for (std::size_t j = 0; j < S; ++j) values[r->second * S + j] += m.at(g, j);
  }
  if (genes.empty())
    throw InputError(map->path, "maps none of the " + std::to_string(m.genes.size()) + " " +
                                    gene_id_kind_name(kind) + " of " + path + " (e.g. " +
                                    m.genes.front() + "); is it the map for this matrix?");
  if (!sum)
    for (std::size_t r = 0; r < genes.size(); ++r)
      for (std::size_t j = 0; j < S; ++j) values[r * S + j] /= n[r];
  if (unmapped)
    GBM_LOG(Info, path << ": " << unmapped << " of " << m.genes.size() << " "
                       << gene_id_kind_name(kind) << " have no symbol in " << map->path
                       << " and are left out");
  ExprMatrix out;
  out.genes = std::move(genes);
  out.samples = m.samples;
  out.values = std::move(values);
  return out;
}

}  // namespace gbmsweep::drug
