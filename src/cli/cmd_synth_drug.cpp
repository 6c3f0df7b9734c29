#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "drug/synth.hpp"

namespace gbmsweep::cli {

// `gbmsweep synth drug --out DIR --seed S [--signal X] [--genes G] ...`
int cmd_synth_drug(const Args& args) {
  drug::SynthDrugOptions o;
  po::options_description opts("synth drug options");
  opts.add_options()
      ("out", po::value(&o.out_dir)->required(), "output directory (created)")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed")
      ("signal", po::value(&o.signal)->default_value(o.signal),
       "SD of the planted response programme on logit(AUC) (noise SD 1); 0 = null")
      ("genes", po::value(&o.genes)->default_value(o.genes), "genes in the universe")
      ("gdsc-lines", po::value(&o.gdsc_lines)->default_value(o.gdsc_lines),
       "GDSC cell lines with expression")
      ("lines-per-drug", po::value(&o.lines_per_drug)->default_value(o.lines_per_drug),
       "GDSC lines screened per drug (±10 %)")
      ("hgcc", po::value(&o.hgcc_cultures)->default_value(o.hgcc_cultures), "HGCC cultures")
      ("gse", po::value(&o.gse_cultures)->default_value(o.gse_cultures), "GSE232173 cultures")
      ("programme-genes", po::value(&o.programme_genes)->default_value(o.programme_genes),
       "genes carrying the response programme");
  po::variables_map vm;
  if (!parse_command_line("synth drug", "--out DIR [--seed S] [--signal X] [--genes G]", args,
                          opts, {}, vm))
    return 0;
  if (auto problem = drug::check_synth_options(o); !problem.empty()) throw UsageError{problem};
  auto f = drug::write_synthetic_drug_data(o);
  std::cout << "wrote " << f.gdsc_response << "\n      " << f.gdsc_expression << "\n      "
            << f.hgcc_expression << "\n      " << f.hgcc_response << "\n      " << f.gse_counts
            << "\n      " << f.gse_response << "\n      " << f.gene_set << "\n";
  if (!f.gene_map.empty()) std::cout << "      " << f.gene_map << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
