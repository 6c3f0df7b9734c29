#pragma once
// One function per subcommand. Each parses its own options (Boost.Program_options) into an
// *Options struct and calls into the library; it returns the process exit code.
#include <string>
#include <vector>

namespace gbmsweep::cli {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

int cmd_plan(const Args& args);
int cmd_report(const Args& args);      // cmd_report.cpp
int cmd_jobs(const Args& args);        // batch scripts (Slurm)
int cmd_synth(const Args& args);       // dispatches to the generators below
int cmd_synth_mri(const Args& args);   // cmd_synth_mri.cpp
int cmd_synth_drug(const Args& args);  // cmd_synth_drug.cpp
int cmd_stats(const Args& args);       // cmd_stats.cpp
int cmd_metrics(const Args& args);     // cmd_metrics.cpp
int cmd_run(const Args& args);         // cmd_run.cpp
int cmd_check(const Args& args);       // cmd_check.cpp: preflight of a sweep's inputs
int cmd_status(const Args& args);      // cmd_status.cpp
int cmd_cohort(const Args& args);      // cmd_cohort.cpp: build/check the MRI cohort cache
int cmd_bench(const Args& args);       // cmd_bench.cpp: train-step, eval-samples
int cmd_radiomics(const Args& args);   // cmd_radiomics.cpp: IBSI features of one image
int cmd_weights(const Args& args);     // cmd_weights.cpp: check a MedicalNet checkpoint

}  // namespace gbmsweep::cli
