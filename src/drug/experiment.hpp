#pragma once
// The drug study's building blocks as the task kinds use them: a data directory opened once
// per process, cohorts per dataset, CV splits, one fold of the MLP (with or without a
// transferred first layer), pretraining on a whole dataset, and the benchmarks on a fold.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "drug/data.hpp"
#include "drug/model.hpp"
#include "drug/prep.hpp"
#include "drug/readers.hpp"

namespace gbmsweep::drug {

enum class Dataset { Gdsc, Hgcc, Gse };
Dataset parse_dataset(const std::string& name);  // "gdsc" | "hgcc" | "gse"
const char* dataset_name(Dataset d);
// GDSC is robust-scaled, HGCC and GSE232173 standard-scaled (as in the paper).
ScalerKind dataset_scaler(Dataset d);

// One training step: a dataset and, for GDSC, the drug (HGCC and GSE232173 are temozolomide).
struct Step {
  Dataset dataset = Dataset::Gse;
  std::string drug;
};

enum class GeneChoice { Shared, All };  // shared by GDSC, HGCC, GSE232173 | all of the dataset
GeneChoice parse_gene_choice(const std::string& name);  // "shared" | "all"

// The input files of a data directory, found by name anywhere below it (docs/drug-study.md):
//   GDSC*_fitted_dose_response*.csv, Cell_line_RMA_proc_basalExp.txt,
//   HGCC_RNA_expression.txt, HGCC_drugTMZ_response_AUC.txt,
//   GSE232173*count*.txt|.tsv (or GSE232173*series_matrix*.txt), GSE232173*response*.
// With GDSC1 and GDSC2 response files both present, the one of options.gdsc_release is used.
// Expression rows keyed by Ensembl or Entrez IDs become symbols through options.gene_map.
// Each file is parsed on first use and kept; the object is safe to share between threads.
class DrugData {
 public:
  explicit DrugData(std::string dir, ReadOptions options = {});
  const std::string& dir() const { return dir_; }
  const ReadOptions& options() const { return opts_; }

  // Path of an input by role ("gdsc_response", "gdsc_expression", "hgcc_expression",
  // "hgcc_response", "gse_counts", "gse_series_matrix", "gse_response"); InputError naming
  // the directory when absent or ambiguous (unless optional, then "").
  std::string path(const std::string& role, bool optional = false) const;

  const ExprMatrix& expression(Dataset d);  // GSE232173: log-CPM (TMM) of the counts
  Response response(const Step& step);
  const GseClinical& gse_clinical();
  const std::vector<std::string>& shared_genes();
  Cohort cohort(const Step& step, GeneChoice genes);

 private:
  std::string dir_;
  ReadOptions opts_;
  std::mutex mu_;
  std::optional<GeneMap> gene_map_;
  std::map<std::string, std::string> paths_;
  std::optional<ExprMatrix> gdsc_expr_, hgcc_expr_, gse_expr_;
  std::map<std::string, Response> gdsc_resp_;
  std::optional<Response> hgcc_resp_;
  std::optional<GseClinical> gse_clin_;
  std::optional<std::vector<std::string>> shared_;
  const ExprMatrix& expression_locked(Dataset d);
  const GeneMap* gene_map_locked();
};

// Process-wide cache: the same directory (same files, sizes and times) with the same options
// is parsed once however many tasks a worker runs.
std::shared_ptr<DrugData> open_drug_data(const std::string& dir, const ReadOptions& options = {});

// Which fold of which repeat. Folds are a pure function of the cohort's ids and responses,
// `folds`, and (cv_seed, repeat); GDSC is stratified on the median split of the response.
struct CvSpec {
  int folds = 5;
  std::uint64_t cv_seed = 0;
  int repeat = 0;
  int fold = 0;
};
struct Split {
  std::vector<std::size_t> train, test;
};
Split cv_split(const Cohort& c, Dataset target, const CvSpec& spec);

// Held-out predictions of one fold, in the response's own units (the [0,10] target scaling is
// fitted on the training part and undone for the output).
struct FoldOutcome {
  std::vector<std::string> ids;
  std::vector<double> observed, predicted;
  std::vector<double> curve;       // training loss per epoch (MLP only)
  std::vector<double> importance;  // per gene (MLP only)
  bool ranks_only = false;         // predictions are scores, not responses (MGMT benchmark)
};

// Scalers fitted on the training part; with `transfer`, layer 1 is copied into a freshly
// initialised model (genes must match) and everything is fine-tuned.
FoldOutcome run_mlp_fold(const Cohort& c, Dataset target, const Split& split,
                         const MlpOptions& model, const TrainOptions& train, std::uint64_t seed,
                         const Layer1* transfer);

// Trains on the whole cohort (scalers fitted on all of it).
struct Pretrained {
  DrugModel model;
  std::vector<double> curve;
};
Pretrained pretrain(const Cohort& c, Dataset dataset, const MlpOptions& model,
                    const TrainOptions& train, std::uint64_t seed, const Layer1* transfer);

enum class Benchmark { Mgmt, ElasticNet, RandomForest };
Benchmark parse_benchmark(const std::string& name);  // "mgmt" | "elastic_net" | "random_forest"
FoldOutcome run_benchmark_fold(const Cohort& c, Dataset target, const Split& split,
                               Benchmark kind, const GseClinical* clinical, std::uint64_t seed,
                               int threads);

// LibTorch intra-op threads for this process.
void set_torch_threads(int threads);

}  // namespace gbmsweep::drug
