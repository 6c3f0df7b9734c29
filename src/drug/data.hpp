#pragma once
// Plain data types of the drug pipeline (no LibTorch): expression matrices and responses.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace gbmsweep::drug {

// Genes × samples, row-major (one row per gene), as the files store them.
struct ExprMatrix {
  std::vector<std::string> genes;
  std::vector<std::string> samples;
  std::vector<double> values;  // genes.size() * samples.size()

  double at(std::size_t gene, std::size_t sample) const {
    return values[gene * samples.size() + sample];
  }
  // Index of each gene / sample by name.
  std::map<std::string, std::size_t> gene_index() const;
  std::map<std::string, std::size_t> sample_index() const;
};

// Observed drug response per sample (AUC in the file's own units).
struct Response {
  std::vector<std::string> ids;
  std::vector<double> auc;
};

// GSE232173 response table: AUC and MGMT status per culture.
struct GseClinical {
  Response response;
  // MGMT promoter status of the culture: 1 methylated, 0.5 "Methylated (weak)",
  // 0 unmethylated, NaN missing. Same order as response.ids.
  std::vector<double> mgmt_culture;
  std::vector<double> mgmt_tumor;
};

// A GEO series matrix: the data table plus per-sample titles (same order as table.samples).
struct SeriesMatrix {
  ExprMatrix table;  // genes (ID_REF) × GSM accessions
  std::vector<std::string> titles;
};

}  // namespace gbmsweep::drug
