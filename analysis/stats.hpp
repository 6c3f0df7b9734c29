#pragma once
// Friedman's test over blocks × methods with the tie correction computed as
// scipy.stats.friedmanchisquare does, the Nemenyi post-hoc test (exact p from the studentized
// range distribution with infinite degrees of freedom, libRmath's ptukey, plus the form clipped
// to [0.001, 0.9] that statsmodels' psturng reports) and the critical difference (Demšar 2006).
#include <string>
#include <vector>

namespace gbmsweep::analysis {

// scores[b][m] is the score of method m on block b (e.g. a test patient).
struct ScoreTable {
  std::vector<std::string> methods;
  std::vector<std::string> blocks;
  std::vector<std::vector<double>> scores;
};

// One row of a long-format table (CSV columns block,method,score).
struct ScoreRow {
  std::string block, method;
  double score = 0;
};

// A wide table from long rows. Methods and blocks keep their order of first appearance.
// A block that lacks a method is left out of `table` and listed in `incomplete_blocks`
// (Friedman needs complete blocks); a repeated (block, method) pair throws.
struct WideTable {
  ScoreTable table;
  std::vector<std::string> incomplete_blocks;
};
WideTable to_wide(const std::vector<ScoreRow>& rows);

struct FriedmanOptions {
  double alpha = 0.05;           // level of the critical difference (and of "significant")
  bool higher_is_better = true;  // rank 1 goes to the highest score in a block
};

struct NemenyiPair {
  std::string a, b;
  double q = 0;          // studentized range statistic |R̄a − R̄b| / sqrt(k(k+1)/(12 n))
  double p = 0;          // P(Q_{k,∞} >= q), exact (ptukey)
  double p_clipped = 0;  // p clipped to [0.001, 0.9], as psturng (statsmodels) reports it
};

struct FriedmanResult {
  std::vector<std::string> methods;
  int blocks = 0;
  std::vector<double> mean_ranks;  // per method, rank 1 = best
  double statistic = 0;            // tie-corrected chi-square
  int df = 0;                      // k − 1
  double p = 0;                    // chi-square survival function
  std::vector<NemenyiPair> nemenyi;  // every pair (a before b in method order)
  double critical_difference = 0;  // q_alpha(k, ∞)/√2 · sqrt(k(k+1)/(6 n))
  double alpha = 0.05;
};

// Needs >= 2 methods, >= 2 blocks, finite scores, and at least one block whose scores are
// not all tied (else the tie correction divides by zero): otherwise throws gbmsweep::Error
// saying which condition failed.
FriedmanResult friedman_nemenyi(const ScoreTable& table, const FriedmanOptions& options = {});

// Exact Nemenyi p-value for a studentized range statistic q over k methods.
double nemenyi_p(double q, int k);
// psturng's bounds: p below 0.001 is reported as 0.001 and above 0.9 as 0.9.
double clip_psturng(double p);
// Critical difference of mean ranks at level alpha for k methods and n blocks.
double critical_difference(int k, int n, double alpha);

// Wilcoxon signed-rank test of paired samples, two-sided, as R's
// wilcox.test(x, y, paired = TRUE) with its defaults (R's stats/R/wilcox.test.R): d = x − y,
// zero differences dropped; V = the sum of the ranks of |d| (mid-ranks for ties) over d > 0;
// exact p (psignrank) when n < 50 and there are neither ties nor zeros, else the normal
// approximation with the tie correction of the variance and a continuity correction of 0.5.
struct SignedRankResult {
  double statistic = 0;  // V
  int n = 0;             // pairs with a non-zero difference
  bool exact = false;
  double p = 0;          // NaN when n = 0 (R: no p either)
};
// Throws gbmsweep::Error when the sizes differ or a value is not finite.
SignedRankResult wilcoxon_signed_rank(const std::vector<double>& x,
                                      const std::vector<double>& y);

}  // namespace gbmsweep::analysis
