#pragma once
// Synthetic drug-study cohorts in the real file layouts (docs/drug-study.md describes the
// generative model). Small defaults suit a CPU demo; `signal = 0` gives the null setting.
#include <cstdint>
#include <string>
#include <vector>

namespace gbmsweep::drug {

struct SynthDrugOptions {
  std::string out_dir;             // created if absent
  std::uint64_t seed = 1;
  double signal = 1.0;             // SD of the programme's effect on logit(AUC); noise SD is 1
  int genes = 500;                 // gene universe (each dataset misses a few); see docs
  int gdsc_lines = 700;            // cell lines in the expression file
  int lines_per_drug = 600;        // screened lines per drug (±10 %)
  int hgcc_cultures = 80;
  int gse_cultures = 22;
  int programme_genes = 40;        // genes carrying the response programme (cell-cycle symbols)
  // The real downloads' quirks (docs/DATA.md): four repeated DATA.<COSMIC_ID> columns, a second
  // oxaliplatin screen (DRUG_ID 1806 beside 1089), GSE counts keyed by versioned Ensembl IDs
  // with HTSeq summary rows and a BioMart map (gene_map.tsv), BOM/CRLF/quoted spreadsheet
  // exports. false: the plain layouts (symbols, one column per line, LF).
  bool quirks = true;
};

// The file names the generator writes (the readers find them by these patterns too).
struct SynthDrugFiles {
  std::string gdsc_response, gdsc_expression, hgcc_expression, hgcc_response, gse_counts,
      gse_response, gene_set;
  std::string gene_map;  // "" without quirks
};

// Similarity (correlation of programme weights) of each GDSC drug's programme to the GBM
// temozolomide programme of HGCC and GSE232173; oxaliplatin is the closest.
struct DrugSimilarity {
  const char* drug;
  double rho;
};
const std::vector<DrugSimilarity>& synth_drug_similarities();

// "" when the options are usable, else what is wrong (the CLI reports it as a usage error).
std::string check_synth_options(const SynthDrugOptions& options);

SynthDrugFiles write_synthetic_drug_data(const SynthDrugOptions& options);

}  // namespace gbmsweep::drug
