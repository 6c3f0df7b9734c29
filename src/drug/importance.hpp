#pragma once
// Gene importance of a trained drug MLP (sum of |first-layer weights| per gene), its top genes
// and the enrichment of a gene set among them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gbmsweep::drug {

struct GeneScore {
  std::string gene;
  double score;
};

// The `k` highest-scoring genes, best first (ties by symbol, so the order is reproducible).
std::vector<GeneScore> top_genes(const std::vector<std::string>& genes,
                                 const std::vector<double>& importance, std::size_t k);

// One symbol per line; blank lines and lines starting with '#' skipped.
std::vector<std::string> read_gene_set(const std::string& path);

// Over-representation of a gene set among the top `k` genes: hypergeometric upper tail
// P(X >= overlap) over the genes the model saw.
struct Enrichment {
  std::size_t universe = 0, set_in_universe = 0, top = 0, overlap = 0;
  double expected = 0, fold = 0, p_value = 1;
};
Enrichment gene_set_enrichment(const std::vector<std::string>& genes,
                               const std::vector<double>& importance,
                               const std::vector<std::string>& gene_set, std::size_t k);

nlohmann::json to_json(const std::vector<GeneScore>& top);
nlohmann::json to_json(const Enrichment& e);

}  // namespace gbmsweep::drug
