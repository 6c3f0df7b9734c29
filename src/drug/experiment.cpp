#include "drug/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "drug/benchmarks.hpp"
#include "drug/combat_seq.hpp"
#include "drug/readers.hpp"

namespace gbmsweep::drug {

namespace sfs = std::filesystem;

Dataset parse_dataset(const std::string& name) {
  if (name == "gdsc") return Dataset::Gdsc;
  if (name == "hgcc") return Dataset::Hgcc;
  if (name == "gse") return Dataset::Gse;
  GBM_THROW("unknown dataset '" << name << "' (gdsc, hgcc or gse)");
}

const char* dataset_name(Dataset d) {
  switch (d) {
    case Dataset::Gdsc: return "gdsc";
    case Dataset::Hgcc: return "hgcc";
    case Dataset::Gse: return "gse";
  }
  return "?";
}

ScalerKind dataset_scaler(Dataset d) {
  return d == Dataset::Gdsc ? ScalerKind::Robust : ScalerKind::Standard;
}

GeneChoice parse_gene_choice(const std::string& name) {
  if (name == "shared") return GeneChoice::Shared;
  if (name == "all") return GeneChoice::All;
  GBM_THROW("unknown gene choice '" << name << "' (shared or all)");
}

Benchmark parse_benchmark(const std::string& name) {
  if (name == "mgmt") return Benchmark::Mgmt;
  if (name == "elastic_net") return Benchmark::ElasticNet;
  if (name == "random_forest") return Benchmark::RandomForest;
  GBM_THROW("unknown benchmark '" << name << "' (mgmt, elastic_net or random_forest)");
}

namespace {

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
bool starts(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }
bool ends(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// Name patterns of the inputs, by role.
bool matches(const std::string& role, const std::string& n) {
  if (role == "gdsc_response")
    return starts(n, "GDSC") && contains(n, "_fitted_dose_response") && ends(n, ".csv");
  if (role == "gdsc_expression") return n == "Cell_line_RMA_proc_basalExp.txt";
  if (role == "hgcc_expression") return n == "HGCC_RNA_expression.txt";
  if (role == "hgcc_response") return n == "HGCC_drugTMZ_response_AUC.txt";
  if (role == "gse_counts")
    return starts(n, "GSE232173") && contains(n, "count") && (ends(n, ".txt") || ends(n, ".tsv"));
  if (role == "gse_series_matrix")
    return starts(n, "GSE232173") && contains(n, "series_matrix") && ends(n, ".txt");
  if (role == "gse_response")
    return starts(n, "GSE232173") && contains(n, "response") &&
           (ends(n, ".txt") || ends(n, ".tsv") || ends(n, ".csv"));
  GBM_THROW("unknown drug input role '" << role << "'");
}

// The columns of `m` named in `ids`, in m's order; all of them when none is named.
ExprMatrix response_columns(ExprMatrix m, const std::vector<std::string>& ids) {
  const std::set<std::string> want(ids.begin(), ids.end());
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < m.samples.size(); ++j)
    if (want.count(m.samples[j])) cols.push_back(j);
  if (cols.empty() || cols.size() == m.samples.size()) return m;
  ExprMatrix out;
  out.genes = m.genes;
  for (std::size_t j : cols) out.samples.push_back(m.samples[j]);
  out.values.reserve(m.genes.size() * cols.size());
  for (std::size_t g = 0; g < m.genes.size(); ++g)
    for (std::size_t j : cols) out.values.push_back(m.at(g, j));
  return out;
}

}  // namespace

DrugData::DrugData(std::string dir, ReadOptions options)
    : dir_(std::move(dir)), opts_(std::move(options)) {
  if (!sfs::is_directory(dir_)) throw InputError(dir_, "not a directory");
}

std::string DrugData::path(const std::string& role, bool optional) const {
  std::vector<std::string> found;
  for (const auto& e : sfs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file() && matches(role, e.path().filename().string()))
      found.push_back(e.path().string());
  }
  std::sort(found.begin(), found.end());
  if (role == "gdsc_response" && found.size() > 1) {
    // GDSC1 and GDSC2 side by side: the release the sweep names.
    const std::string rel = gdsc_release_name(opts_.gdsc_release);
    std::vector<std::string> mine;
    for (const auto& f : found)
      if (starts(sfs::path(f).filename().string(), rel.c_str())) mine.push_back(f);
    found = mine.empty() ? found : mine;
  }
  if (found.size() > 1) {
    std::string list;
    for (const auto& f : found) list += "\n  " + f;
    throw InputError(dir_, "several files for " + role + "; keep one:" + list);
  }
  if (found.empty()) {
    if (optional) return "";
    throw InputError(dir_, "no " + role + " file (see docs/drug-study.md for the names)");
  }
  return found[0];
}

const ExprMatrix& DrugData::expression_locked(Dataset d) {
  switch (d) {
    case Dataset::Gdsc:
      if (!gdsc_expr_) {
        const std::string p = path("gdsc_expression");
        gdsc_expr_ = to_symbols(read_gdsc_expression(p, opts_.repeated_columns),
                                gene_map_locked(), p, false);
      }
      return *gdsc_expr_;
    case Dataset::Hgcc:
      if (!hgcc_expr_) {
        const std::string p = path("hgcc_expression");
        hgcc_expr_ = to_symbols(read_hgcc_expression(p), gene_map_locked(), p, false);
      }
      return *hgcc_expr_;
    case Dataset::Gse:
      if (!gse_expr_) {
        std::string counts = path("gse_counts", true);
        if (!counts.empty()) {
          // IDs to symbols before normalising: counts of one symbol are summed. Then as the
          // reference (GSE232173preprocess.R): the cultures with a response only, edgeR's
          // filterByExpr(min.count = 0, min.prop = 0.1), TMM, log-CPM with prior count 2.
          // With [data] gse_batches, the reference's first step: ComBat-seq over the
          // sequencing batch, on every sample of the count matrix (sva defaults).
          ExprMatrix raw = read_count_matrix(counts);
          if (!opts_.gse_batches.empty())
            raw = combat_seq(raw, batches_for(read_batch_table(opts_.gse_batches), raw.samples,
                                              opts_.gse_batches));
          ExprMatrix m = to_symbols(std::move(raw), gene_map_locked(), counts, true);
          const std::string resp = path("gse_response", true);
          if (!resp.empty()) {
            if (!gse_clin_) gse_clin_ = read_gse_response(resp);
            m = response_columns(std::move(m), gse_clin_->response.ids);
          }
          FilterByExprOptions f;
          f.min_count = 0;
          f.min_prop = 0.1;
          gse_expr_ = log_cpm_tmm(keep_genes(m, filter_by_expr(m, f)));
        } else {
          // A series matrix carries processed values: used as they are, samples renamed by
          // their titles (which must be the GS.<n> ids of the response table).
          auto sm = read_series_matrix(path("gse_series_matrix"));
          if (!sm.titles.empty()) sm.table.samples = sm.titles;
          gse_expr_ = to_symbols(std::move(sm.table), gene_map_locked(),
                                 path("gse_series_matrix"), false);
        }
      }
      return *gse_expr_;
  }
  GBM_THROW("unknown dataset");
}

const GeneMap* DrugData::gene_map_locked() {
  if (opts_.gene_map.empty()) return nullptr;
  if (!gene_map_) gene_map_ = read_gene_map(opts_.gene_map);
  return &*gene_map_;
}

const ExprMatrix& DrugData::expression(Dataset d) {
  std::lock_guard<std::mutex> lock(mu_);
  return expression_locked(d);
}

Response DrugData::response(const Step& step) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (step.dataset) {
    case Dataset::Gdsc: {
      GBM_CHECK(!step.drug.empty(), "a GDSC step needs a drug");
      auto it = gdsc_resp_.find(step.drug);
      if (it == gdsc_resp_.end())
        it = gdsc_resp_
                 .emplace(step.drug, read_gdsc_response(path("gdsc_response"), step.drug,
                                                        opts_.gdsc_choice(step.drug)))
                 .first;
      return it->second;
    }
    case Dataset::Hgcc:
      if (!hgcc_resp_) hgcc_resp_ = read_hgcc_response(path("hgcc_response"));
      return *hgcc_resp_;
    case Dataset::Gse:
      if (!gse_clin_) gse_clin_ = read_gse_response(path("gse_response"));
      return gse_clin_->response;
  }
  GBM_THROW("unknown dataset");
}

const GseClinical& DrugData::gse_clinical() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!gse_clin_) gse_clin_ = read_gse_response(path("gse_response"));
  return *gse_clin_;
}

const std::vector<std::string>& DrugData::shared_genes() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shared_) {
    const auto& a = expression_locked(Dataset::Gdsc);
    const auto& b = expression_locked(Dataset::Hgcc);
    const auto& c = expression_locked(Dataset::Gse);
    shared_ = intersect_genes({&a, &b, &c}, {path("gdsc_expression"), path("hgcc_expression"),
                                             "GSE232173 expression"});
    GBM_LOG(Info, "drug data " << dir_ << ": " << shared_->size() << " shared genes");
  }
  return *shared_;
}

Cohort DrugData::cohort(const Step& step, GeneChoice choice) {
  std::vector<std::string> genes;
  if (choice == GeneChoice::Shared) {
    genes = shared_genes();
  } else {
    genes = expression(step.dataset).genes;
    std::sort(genes.begin(), genes.end());
  }
  Response r = response(step);
  const char* roles[][2] = {{"gdsc_expression", "gdsc_response"},
                            {"hgcc_expression", "hgcc_response"},
                            {"gse_counts", "gse_response"}};
  const auto& role = roles[static_cast<int>(step.dataset)];
  std::string expr_src = path(role[0], true);
  if (expr_src.empty()) expr_src = path("gse_series_matrix", true);
  return make_cohort(expression(step.dataset), r, genes, expr_src, path(role[1]));
}

static std::string options_key(const ReadOptions& o) {
  std::string k = std::string("|repeated=") +
                  (o.repeated_columns == RepeatedColumns::Mean ? "mean" : "first") +
                  "|release=" + gdsc_release_name(o.gdsc_release) + "|map=" + o.gene_map +
                  "|batches=" + o.gse_batches;
  for (const auto& [drug, ids] : o.gdsc_drug_ids) {
    k += "|" + drug + "=";
    for (auto id : ids) k += std::to_string(id) + ",";
  }
  return k;
}

std::shared_ptr<DrugData> open_drug_data(const std::string& dir, const ReadOptions& options) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<DrugData>> cache;
  std::lock_guard<std::mutex> lock(mu);
  const std::string canonical = sfs::weakly_canonical(dir).string();
  if (!sfs::is_directory(canonical)) throw InputError(dir, "not a directory");
  // Keyed by the files' names, sizes and times too: data replaced on disk is read afresh.
  std::string key = canonical + options_key(options);
  if (!options.gene_map.empty() && sfs::is_regular_file(options.gene_map))
    key += "|" + std::to_string(sfs::file_size(options.gene_map)) + "|" +
           std::to_string(sfs::last_write_time(options.gene_map).time_since_epoch().count());
  if (!options.gse_batches.empty() && sfs::is_regular_file(options.gse_batches))
    key += "|" + std::to_string(sfs::file_size(options.gse_batches)) + "|" +
           std::to_string(sfs::last_write_time(options.gse_batches).time_since_epoch().count());
  std::vector<std::string> stamps;
  for (const auto& e : sfs::recursive_directory_iterator(canonical))
    if (e.is_regular_file())
      stamps.push_back(e.path().string() + "|" + std::to_string(e.file_size()) + "|" +
                       std::to_string(e.last_write_time().time_since_epoch().count()));
  std::sort(stamps.begin(), stamps.end());
  for (const auto& s : stamps) key += "\n" + s;
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, std::make_shared<DrugData>(canonical, options)).first;
  return it->second;
}

Split cv_split(const Cohort& c, Dataset target, const CvSpec& spec) {
  GBM_CHECK(spec.fold >= 0 && spec.fold < spec.folds,
            "fold " << spec.fold << " out of range for " << spec.folds << " folds");
  FoldOptions fo;
  fo.folds = spec.folds;
  fo.seed = mix_seed(spec.cv_seed, static_cast<std::uint64_t>(spec.repeat));
  fo.stratify_median = target == Dataset::Gdsc;
  auto fold = assign_folds(c.ids, c.y, fo);
  Split s;
  for (std::size_t i = 0; i < fold.size(); ++i)
    (fold[i] == spec.fold ? s.test : s.train).push_back(i);
  return s;
}

namespace {

// Scales inputs and targets with statistics of the training part only.
struct Prepared {
  Cohort train, test;
  std::vector<double> y_train;
  TargetScaler target;
};

Prepared prepare(const Cohort& c, Dataset d, const Split& split,
                 TestScaling test_scaling = TestScaling::TrainFit) {
  Prepared p;
  p.train = c.subset(split.train);
  p.test = c.subset(split.test);
  auto scaler = Scaler::fit(p.train, dataset_scaler(d));
  scaler.apply(p.train);
  // The reference re-fits the scaler on the test fold (Experiment1.ipynb:
  // exp_test = Robust.fit_transform(exp_test)); ours applies the training part's.
  if (test_scaling == TestScaling::TestFit && !p.test.ids.empty())
    Scaler::fit(p.test, dataset_scaler(d)).apply(p.test);
  else
    scaler.apply(p.test);
  p.target = TargetScaler::fit(p.train.y);
  p.y_train = p.target.apply(p.train.y);
  return p;
}

std::vector<double> unscale(const TargetScaler& t, std::vector<double> v) {
  for (auto& x : v) x = t.lo + x / t.hi * (t.hi_in - t.lo);
  return v;
}

void check_transfer(const Layer1& l, const Cohort& c) {
  GBM_CHECK(l.genes == c.genes, "the transferred first layer was trained on "
                                    << l.genes.size() << " genes that differ from this cohort's "
                                    << c.genes.size() << " (use the same gene choice)");
}

}  // namespace

FoldOutcome run_mlp_fold(const Cohort& c, Dataset target, const Split& split,
                         const MlpOptions& mo, const TrainOptions& to, std::uint64_t seed,
                         const Layer1* transfer) {
  GBM_CHECK(!split.train.empty() && !split.test.empty(), "empty training or test part");
  auto p = prepare(c, target, split, to.test_scaling);
  DrugModel model(static_cast<std::int64_t>(c.p()), mo, mix_seed(seed, 1));
  if (transfer) {
    check_transfer(*transfer, c);
    model.load_first_layer(*transfer);
  }
  FoldOutcome out;
  out.curve = model.fit(p.train, p.y_train, to, mix_seed(seed, 2));
  out.ids = p.test.ids;
  out.observed = p.test.y;
  out.predicted = unscale(p.target, model.predict(p.test));
  out.importance = model.importance();
  return out;
}

Pretrained pretrain(const Cohort& c, Dataset dataset, const MlpOptions& mo,
                    const TrainOptions& to, std::uint64_t seed, const Layer1* transfer) {
  Split all;
  for (std::size_t i = 0; i < c.n(); ++i) all.train.push_back(i);
  auto p = prepare(c, dataset, all);
  DrugModel model(static_cast<std::int64_t>(c.p()), mo, mix_seed(seed, 1));
  if (transfer) {
    check_transfer(*transfer, c);
    model.load_first_layer(*transfer);
  }
  auto curve = model.fit(p.train, p.y_train, to, mix_seed(seed, 2));
  return {std::move(model), std::move(curve)};
}

FoldOutcome run_benchmark_fold(const Cohort& c, Dataset target, const Split& split,
                               Benchmark kind, const GseClinical* clinical, std::uint64_t seed,
                               int threads) {
  GBM_CHECK(!split.train.empty() && !split.test.empty(), "empty training or test part");
  auto p = prepare(c, target, split);
  std::vector<double> pred;
  switch (kind) {
    case Benchmark::Mgmt: {
      GBM_CHECK(clinical, "the MGMT benchmark needs the GSE232173 response table");
      std::map<std::string, double> status;
      for (std::size_t i = 0; i < clinical->response.ids.size(); ++i)
        status[clinical->response.ids[i]] = clinical->mgmt_culture[i];
      std::vector<double> s;
      for (const auto& id : p.test.ids) s.push_back(status.count(id) ? status[id] : NAN);
      FoldOutcome out;
      out.ids = p.test.ids;
      out.observed = p.test.y;
      out.predicted = mgmt_scores(s);
      out.ranks_only = true;
      return out;
    }
    case Benchmark::ElasticNet:
      pred = elastic_net_predict(p.train, p.y_train, p.test, {}, seed, threads);
      break;
    case Benchmark::RandomForest:
      pred = random_forest_predict(p.train, p.y_train, p.test, {}, seed, threads);
      break;
  }
  FoldOutcome out;
  out.ids = p.test.ids;
  out.observed = p.test.y;
  out.predicted = unscale(p.target, pred);
  return out;
}

}  // namespace gbmsweep::drug
