#include "drug/importance.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include <Rmath.h>

#include "common/error.hpp"
#include "drug/text.hpp"

namespace gbmsweep::drug {

std::vector<GeneScore> top_genes(const std::vector<std::string>& genes,
                                 const std::vector<double>& importance, std::size_t k) {
  GBM_CHECK(genes.size() == importance.size(),
            genes.size() << " genes but " << importance.size() << " importances");
  std::vector<std::size_t> idx(genes.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](auto a, auto b) {
    return importance[a] != importance[b] ? importance[a] > importance[b] : genes[a] < genes[b];
  });
  std::vector<GeneScore> out;
  for (std::size_t i = 0; i < k; ++i) out.push_back({genes[idx[i]], importance[idx[i]]});
  return out;
}

std::vector<std::string> read_gene_set(const std::string& path) {
  // One symbol a line ('#' comments); the first field of a delimited line counts.
  gbmsweep::text::DelimitedReader in(path, '\t');
  gbmsweep::text::Record rec;
  std::vector<std::string> out;
  std::set<std::string> seen;
  while (in.next(rec)) {
    std::string g = text::trim(rec.fields[0]);
    if (g.empty() || g[0] == '#') continue;
    if (seen.insert(g).second) out.push_back(g);
  }
  if (out.empty()) throw InputError(path, "gene set is empty");
  return out;
}

Enrichment gene_set_enrichment(const std::vector<std::string>& genes,
                               const std::vector<double>& importance,
                               const std::vector<std::string>& gene_set, std::size_t k) {
  std::set<std::string> set(gene_set.begin(), gene_set.end());
  Enrichment e;
  e.universe = genes.size();
  for (const auto& g : genes) e.set_in_universe += set.count(g);
  auto top = top_genes(genes, importance, k);
  e.top = top.size();
  for (const auto& t : top) e.overlap += set.count(t.gene);
  if (e.universe == 0) return e;
  e.expected = static_cast<double>(e.top) * e.set_in_universe / e.universe;
  e.fold = e.expected > 0 ? e.overlap / e.expected : 0.0;
  // P(X >= overlap) with X ~ Hypergeometric(set, universe - set, top).
  e.p_value = e.overlap == 0 ? 1.0
                             : phyper(static_cast<double>(e.overlap) - 1, e.set_in_universe,
                                      e.universe - e.set_in_universe, e.top, 0, 0);
  return e;
}

nlohmann::json to_json(const std::vector<GeneScore>& top) {
  nlohmann::json genes = nlohmann::json::array(), scores = nlohmann::json::array();
  for (const auto& t : top) {
    genes.push_back(t.gene);
    scores.push_back(t.score);
  }
  return {{"genes", genes}, {"scores", scores}};
}

nlohmann::json to_json(const Enrichment& e) {
  return {{"universe", e.universe}, {"set_in_universe", e.set_in_universe}, {"top", e.top},
          {"overlap", e.overlap},   {"expected", e.expected},               {"fold", e.fold},
          {"p_value", e.p_value}};
}

}  // namespace gbmsweep::drug
