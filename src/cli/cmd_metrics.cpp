// `gbmsweep metrics`: AUC, AP, SEN, SPE, ACC of binary predictions (id,label,score).
#include <algorithm>
#include <functional>
#include <iostream>

#include "analysis/csv.hpp"
#include "analysis/summary.hpp"
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"

namespace gbmsweep::cli {

int cmd_metrics(const Args& args) {
  po::options_description opts("metrics options");
  std::string input;
  double threshold = 0.5;
  analysis::BootstrapOptions bo;
  opts.add_options()
      ("input,i", po::value(&input)->required(), "CSV with columns id,label,score (label 0/1)")
      ("threshold", po::value(&threshold)->default_value(0.5),
       "score >= threshold is predicted positive")
      ("bootstrap", po::value(&bo.resamples), "add percentile 95% intervals for AUC and AP from N resamples")
      ("seed", po::value(&bo.seed)->default_value(42), "bootstrap seed");
  po::positional_options_description pos;
  po::variables_map vm;
  if (!parse_command_line("metrics", "--input preds.csv [--threshold T] [--bootstrap N]", args,
                          opts, pos, vm))
    return 0;
  std::optional<analysis::BootstrapOptions> boot;
  if (vm.count("bootstrap")) {
    if (bo.resamples < 1) throw UsageError{"--bootstrap must be >= 1"};
    boot = bo;
  }
  analysis::BinarySummary s;
  try {
    auto p = analysis::read_labelled_scores(input);
    s = analysis::summarize_binary(p.labels, p.scores, threshold, boot);
    if (std::adjacent_find(p.scores.begin(), p.scores.end(), std::not_equal_to<>()) == p.scores.end())
      std::cerr << "gbmsweep metrics: warning: " << input << ": every score is " << p.scores[0]
                << "; AUC 0.5 and AP = prevalence carry no information\n";
  } catch (const Error& e) {
    throw InputError(input, e.what());
  }
  std::cout << analysis::to_json(s).dump(2) << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
