#pragma once
// ComBat-seq (Zhang, Parmigiani & Johnson 2020, NAR Genom. Bioinform. 2:lqaa078; R function
// sva::ComBat_seq, files R/ComBat_seq.R and R/helper_seq.R) with its defaults: no group or
// covariates, shrink = FALSE, shrink.disp = FALSE, so there is no empirical-Bayes step.
// Per gene, a negative-binomial GLM with one coefficient per batch and log library size as
// offset (library size = column sum of the genes expressed in every batch); per batch a
// gene-wise dispersion; each count is moved from its batch's NB(mu, phi)
// to the batch-free NB(mu*, phi*) by matching quantiles. Plain C++ (Rmath for the NB).
#include <string>
#include <vector>

#include "drug/data.hpp"

namespace gbmsweep::drug {

// The dispersion estimator. sva calls edgeR per batch: estimateGLMCommonDisp (Cox-Reid,
// genes with a row sum >= 5) then estimateGLMTagwiseDisp(prior.df = 0), which maximises each
// gene's Cox-Reid adjusted profile likelihood (APL) over 11 grid points common · 2^[-6, 6]
// by the maximum of an FMM cubic spline through them (maximizeInterpolant); done the same way
// here. Genes of a batch with a row sum below min_row_sum keep the batch's common dispersion,
// as edgeR does. The common dispersion maximises the summed APL over phi^(1/4) as edgeR's
// dispCoxReid (R's optimize, Brent, tol 1e-5) by golden section to a tighter tolerance.
struct CombatSeqOptions {
  double min_row_sum = 5;       // edgeR's min.row.sum
  double grid_range = 6;        // tagwise search: common · 2^[-range, range]
  double max_common = 4;        // edgeR's dispCoxReid interval (0, 4]
  int newton_iterations = 50;   // per-batch NB mean fit
};

// Per-gene results, for inspection and tests (genes × batches, row-major).
struct CombatSeqFit {
  std::vector<std::string> batches;  // sorted batch labels
  std::vector<double> common_dispersion;  // per batch
  std::vector<double> dispersion;    // genes × batches (phi_hat)
  std::vector<double> gamma;         // genes × batches (log batch effect, gamma_hat)
  std::vector<bool> adjusted;        // per gene; false: all zero in some batch (left as is)
};

// Adjusted counts (non-negative integers) with the genes and samples of `counts`. `batch`
// gives each sample's batch label, in sample order. A batch of one sample is an error, as in
// sva ("ComBat-seq doesn't support 1 sample per batch yet"); one batch gives the counts back
// unchanged (the quantile map is then the identity; sva has no such case: its one batch
// column is dropped as an intercept). Genes that are all zero in any batch are
// left unadjusted (sva does the same and puts them back after).
ExprMatrix combat_seq(const ExprMatrix& counts, const std::vector<std::string>& batch,
                      const CombatSeqOptions& options = {}, CombatSeqFit* fit = nullptr);

// The batch table: a header, then sample ID and batch label (first two columns; TSV or CSV;
// BOM/CRLF tolerant). InputError naming the file and line for a short row or a sample twice.
std::vector<std::pair<std::string, std::string>> read_batch_table(const std::string& path);

// The batch label of each sample of `samples`, in that order; InputError naming `path` and
// the first samples that the table lacks.
std::vector<std::string> batches_for(const std::vector<std::pair<std::string, std::string>>& t,
                                     const std::vector<std::string>& samples,
                                     const std::string& path);

}  // namespace gbmsweep::drug
