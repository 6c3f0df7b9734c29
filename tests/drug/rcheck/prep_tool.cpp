// Runs gbmsweep's GSE232173 preprocessing steps on a count matrix for the R cross-check
// (r_crosscheck.py): ComBat-seq over the batches (and its dispersions); on the counts as read,
// edgeR's filterByExpr with the reference's arguments and its defaults, TMM factors and log-CPM
// (prior count 2). Each is written as a TSV into OUTDIR.
// usage: prep_tool COUNTS.tsv BATCHES.tsv OUTDIR
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <stdexcept>

#include "common/error.hpp"
#include "drug/combat_seq.hpp"
#include "drug/prep.hpp"
#include "drug/readers.hpp"

using namespace gbmsweep::drug;

namespace {

void write_matrix(const ExprMatrix& m, const std::string& path) {
  std::ofstream o(path);
  o << std::setprecision(17) << "gene";
  for (const auto& s : m.samples) o << '\t' << s;
  o << '\n';
  for (std::size_t g = 0; g < m.genes.size(); ++g) {
    o << m.genes[g];
    for (std::size_t j = 0; j < m.samples.size(); ++j) o << '\t' << m.at(g, j);
    o << '\n';
  }
  if (!o) throw std::runtime_error(path + ": cannot write");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: prep_tool COUNTS.tsv BATCHES.tsv OUTDIR\n");
    return 2;
  }
  try {
    const std::string out = argv[3];
    const ExprMatrix counts = read_count_matrix(argv[1]);
    CombatSeqFit fit;
    const ExprMatrix adjusted =
        combat_seq(counts, batches_for(read_batch_table(argv[2]), counts.samples, argv[2]), {},
                   &fit);
    write_matrix(adjusted, out + "/combat.tsv");
    {
      std::ofstream o(out + "/dispersion.tsv");
      o << std::setprecision(17) << "gene";
      for (const auto& b : fit.batches) o << '\t' << b;
      o << '\n';
      for (std::size_t g = 0; g < counts.genes.size(); ++g) {
        o << counts.genes[g];
        for (std::size_t b = 0; b < fit.batches.size(); ++b)
          o << '\t' << fit.dispersion[g * fit.batches.size() + b];
        o << '\n';
      }
    }
    // The reference's filterByExpr(min.count = 0, min.prop = 0.1) and edgeR's defaults.
    FilterByExprOptions ref;
    ref.min_count = 0;
    ref.min_prop = 0.1;
    // The edgeR steps on the counts as read (the default path, [data] gse_batches unset), so
    // each step is compared on the same input as R's.
    const auto keep_ref = filter_by_expr(counts, ref);
    const auto keep_default = filter_by_expr(counts);
    {
      std::ofstream o(out + "/keep.tsv");
      o << "gene\treference\tdefault\n";
      for (std::size_t g = 0; g < counts.genes.size(); ++g)
        o << counts.genes[g] << '\t' << keep_ref[g] << '\t' << keep_default[g] << '\n';
    }
    const ExprMatrix kept = keep_genes(counts, keep_ref);
    {
      std::ofstream o(out + "/tmm.tsv");
      o << std::setprecision(17) << "sample\tfactor\n";
      const auto f = tmm_factors(kept);
      for (std::size_t j = 0; j < kept.samples.size(); ++j)
        o << kept.samples[j] << '\t' << f[j] << '\n';
    }
    write_matrix(log_cpm_tmm(kept), out + "/logcpm.tsv");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prep_tool: %s\n", e.what());
    return 1;
  }
  return 0;
}
