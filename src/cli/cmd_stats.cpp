// `gbmsweep stats`: Friedman + Nemenyi on any long-format CSV (block,method,score).
#include <iostream>

#include "analysis/csv.hpp"
#include "analysis/summary.hpp"
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"

namespace gbmsweep::cli {

int cmd_stats(const Args& args) {
  po::options_description opts("stats options");
  std::string input, format;
  analysis::FriedmanOptions fo;
  opts.add_options()
      ("input,i", po::value(&input)->required(), "CSV with columns block,method,score")
      ("alpha", po::value(&fo.alpha)->default_value(0.05), "level of the critical difference")
      ("format", po::value(&format)->default_value("json"), "json or md")
      ("lower-is-better", "rank 1 goes to the lowest score (default: the highest)");
  po::positional_options_description pos;
  po::variables_map vm;
  if (!parse_command_line("stats", "--input scores.csv [--alpha A] [--format json|md]", args,
                          opts, pos, vm))
    return 0;
  if (format != "json" && format != "md") throw UsageError{"--format must be json or md"};
  if (!(fo.alpha > 0 && fo.alpha < 1)) throw UsageError{"--alpha must be in (0, 1)"};
  fo.higher_is_better = vm.count("lower-is-better") == 0;

  analysis::WideTable wide;
  analysis::FriedmanResult res;
  try {
    wide = analysis::to_wide(analysis::read_score_rows(input));
    if (!wide.incomplete_blocks.empty()) {
      std::string some;
      for (std::size_t i = 0; i < wide.incomplete_blocks.size() && i < 5; ++i)
        some += (i ? ", " : "") + wide.incomplete_blocks[i];
      throw InputError(input, std::to_string(wide.incomplete_blocks.size()) +
                                  " block(s) lack a score for some method (" + some +
                                  (wide.incomplete_blocks.size() > 5 ? ", ..." : "") +
                                  "); Friedman needs every method in every block");
    }
    res = analysis::friedman_nemenyi(wide.table, fo);
  } catch (const Error& e) {
    throw InputError(input, e.what());  // degenerate data is the user's input problem
  }
  if (format == "json")
    std::cout << analysis::to_json(res).dump(2) << "\n";
  else
    std::cout << analysis::to_markdown(res);
  return 0;
}

}  // namespace gbmsweep::cli
