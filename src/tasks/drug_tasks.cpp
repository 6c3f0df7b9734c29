// Task kinds of the drug study (issue 6): drug.pretrain, drug.fold, drug.benchmark.
// Glue only: params -> options, data directory -> cohorts, outcome -> TaskResult.
#include <algorithm>
#include <filesystem>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "drug/experiment.hpp"
#include "drug/importance.hpp"
#include "drug/preflight.hpp"
#include "tasks/kinds.hpp"

namespace gbmsweep {

namespace {

using drug::Dataset;

constexpr std::size_t kTopGenes = 50;  // genes listed per model, and the enrichment's top set

drug::MlpOptions mlp_options(const json& p) {
  drug::MlpOptions o;
  const json m = p.value("model", json::object());
  o.hidden = m.value("hidden", o.hidden);
  o.dropout = m.value("dropout", o.dropout);
  o.l2 = m.value("l2", o.l2);
  o.l1_activity = m.value("l1_activity", o.l1_activity);
  o.init_range = m.value("init_range", o.init_range);
  o.deep_init = drug::parse_deep_init(m.value("deep_init", std::string("glorot")));
  return o;
}

// `step`: the dataset this task trains on; [drug.train.<step>] lr and epochs override the
// common ones (the reference fine-tunes GSE232173 at 1e-4 for 200 epochs, Experiment5.ipynb).
drug::TrainOptions train_options(const json& p, const TaskContext& ctx, Dataset step) {
  drug::TrainOptions o;
  const json t = p.value("train", json::object());
  const json s = t.value(drug::dataset_name(step), json::object());
  o.lr = s.value("lr", t.value("lr", o.lr));
  o.batch = t.value("batch", o.batch);
  o.epochs = s.value("epochs", t.value("epochs", o.epochs));
  o.test_scaling = drug::parse_test_scaling(t.value("test_scaling", std::string("train")));
  o.cancelled = ctx.cancelled;
  return o;
}

drug::Step step_of(const json& s) {
  drug::Step st;
  st.dataset = drug::parse_dataset(s.at("dataset").get<std::string>());
  if (st.dataset == Dataset::Gdsc) st.drug = s.at("drug").get<std::string>();
  return st;
}

// The readers' options from the task's "read" params and its gene_map input.
drug::ReadOptions read_options(const TaskContext& ctx) {
  const json& in = ctx.spec->inputs;
  auto input = [&](const char* name) {
    return in.contains(name) && in[name].is_string() ? in[name].get<std::string>() : "";
  };
  return drug::read_options(ctx.spec->params.value("read", json::object()), input("gene_map"),
                            input("gse_batches"));
}

std::shared_ptr<drug::DrugData> data_of(const TaskContext& ctx) {
  return drug::open_drug_data(ctx.spec->inputs.at("data").get<std::string>(),
                              read_options(ctx));
}

drug::GeneChoice genes_of(const json& p) {
  return drug::parse_gene_choice(p.value("genes", std::string("shared")));
}

bool varies(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [&](double x) { return x != v.front(); });
}

// Correlations are left out when undefined (a 7-culture fold may hold one MGMT status only,
// so the MGMT benchmark predicts a constant); the pooled per-repeat metric is the one that counts.
json fold_metrics(const drug::FoldOutcome& o) {
  json m = {{"n_test", o.ids.size()}};
  if (!o.ranks_only) m["rmse"] = analysis::rmse(o.observed, o.predicted);
  if (o.ids.size() >= 3 && varies(o.observed) && varies(o.predicted)) {
    m["spearman"] = analysis::spearman(o.observed, o.predicted);
    m["pearson"] = analysis::pearson(o.observed, o.predicted);
  }
  return m;
}

// Top genes by importance and, when the sweep names a gene set, its enrichment among them.
json importance_extra(const TaskContext& ctx, const std::vector<std::string>& genes,
                      const std::vector<double>& importance) {
  json extra = {{"top_genes", drug::to_json(drug::top_genes(genes, importance, kTopGenes))}};
  const json& in = ctx.spec->inputs;
  if (in.contains("gene_set") && in["gene_set"].is_string()) {
    auto set = drug::read_gene_set(in["gene_set"].get<std::string>());
    extra["enrichment"] =
        drug::to_json(drug::gene_set_enrichment(genes, importance, set, kTopGenes));
    extra["enrichment"]["gene_set"] = in["gene_set"];
  }
  return extra;
}

Predictions oof(const drug::FoldOutcome& o) {
  Predictions p;
  p.name = "oof";
  p.ids = o.ids;
  p.labels = o.observed;
  p.scores = o.predicted;
  return p;
}

drug::CvSpec cv_of(const json& p) {
  drug::CvSpec cv;
  cv.folds = p.at("folds").get<int>();
  cv.cv_seed = p.at("cv_seed").get<std::uint64_t>();
  cv.repeat = p.at("repeat").get<int>();
  cv.fold = p.at("fold").get<int>();
  return cv;
}

const std::string& single_dep(const TaskContext& ctx) {
  GBM_CHECK(ctx.spec->deps.size() == 1, ctx.spec->kind << " '" << ctx.spec->name
                                                       << "' needs exactly one pretrain dependency, has "
                                                       << ctx.spec->deps.size());
  return ctx.spec->deps[0];
}

TaskResult run_pretrain(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  const json& chain = p.at("chain");
  GBM_CHECK(chain.is_array() && (chain.size() == 1 || chain.size() == 2),
            "drug.pretrain chain must have one or two steps");
  drug::set_torch_threads(ctx.threads);
  const drug::Step last = step_of(chain.back());
  auto data = data_of(ctx);
  const drug::Cohort cohort = data->cohort(last, genes_of(p));
  std::optional<drug::Layer1> layer1;
  if (chain.size() == 2) layer1 = drug::load_first_layer(ctx.dep_artifact(single_dep(ctx), "model.pt"));
  auto trained = drug::pretrain(cohort, last.dataset, mlp_options(p),
                                train_options(p, ctx, last.dataset),
                                ctx.seed, layer1 ? &*layer1 : nullptr);
  const std::string file = (std::filesystem::path(ctx.artifact_dir) / "model.pt").string();
  trained.model.save(file, cohort.genes);

  TaskResult r;
  r.metrics = {{"train_loss", trained.curve.back()},
               {"n", cohort.n()},
               {"genes", cohort.p()},
               {"transferred", chain.size() == 2}};
  r.curves.push_back({"train_loss", trained.curve});
  r.artifacts["model.pt"] = std::filesystem::relative(file, ctx.store_dir).string();
  r.extra = importance_extra(ctx, cohort.genes, trained.model.importance());
  return r;
}

TaskResult run_fold(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  const std::string experiment = p.at("experiment").get<std::string>();
  drug::Step target;
  target.dataset = drug::parse_dataset(p.at("target").get<std::string>());
  if (target.dataset == Dataset::Gdsc) {
    GBM_CHECK(p.at("source").is_string(), "experiment gdsc needs a source drug");
    target.drug = p["source"].get<std::string>();
  }
  const bool transfer = experiment.find('_') != std::string::npos;
  drug::set_torch_threads(ctx.threads);
  auto data = data_of(ctx);
  const drug::Cohort cohort = data->cohort(target, genes_of(p));
  std::optional<drug::Layer1> layer1;
  if (transfer) layer1 = drug::load_first_layer(ctx.dep_artifact(single_dep(ctx), "model.pt"));
  const auto split = drug::cv_split(cohort, target.dataset, cv_of(p));
  auto out = drug::run_mlp_fold(cohort, target.dataset, split, mlp_options(p),
                                train_options(p, ctx, target.dataset), ctx.seed,
                                layer1 ? &*layer1 : nullptr);
  TaskResult r;
  r.metrics = fold_metrics(out);
  r.metrics["n_train"] = split.train.size();
  r.metrics["train_loss"] = out.curve.back();
  r.curves.push_back({"train_loss", out.curve});
  r.predictions.push_back(oof(out));
  r.extra = importance_extra(ctx, cohort.genes, out.importance);
  r.extra["repeat"] = p.at("repeat");  // drug.aggregate pools the folds of a repeat
  r.extra["fold"] = p.at("fold");
  return r;
}

TaskResult run_benchmark(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  const auto kind = drug::parse_benchmark(p.at("benchmark").get<std::string>());
  drug::Step target;
  target.dataset = drug::parse_dataset(p.value("target", std::string("gse")));
  GBM_CHECK(target.dataset != Dataset::Gdsc, "benchmarks run on HGCC or GSE232173 targets");
  auto data = data_of(ctx);
  const drug::Cohort cohort = data->cohort(target, genes_of(p));
  const auto split = drug::cv_split(cohort, target.dataset, cv_of(p));
  const drug::GseClinical* clinical =
      kind == drug::Benchmark::Mgmt ? &data->gse_clinical() : nullptr;
  GBM_CHECK(kind != drug::Benchmark::Mgmt || target.dataset == Dataset::Gse,
            "the MGMT benchmark needs the GSE232173 target (MGMT status is in its table)");
  auto out = drug::run_benchmark_fold(cohort, target.dataset, split, kind, clinical, ctx.seed,
                                      ctx.threads);
  TaskResult r;
  r.metrics = fold_metrics(out);
  r.metrics["n_train"] = split.train.size();
  r.predictions.push_back(oof(out));
  r.extra = {{"repeat", p.at("repeat")}, {"fold", p.at("fold")}};
  return r;
}

}  // namespace

void register_drug_tasks(TaskTable& table) {
  table["drug.pretrain"] = run_pretrain;
  table["drug.fold"] = run_fold;
  table["drug.benchmark"] = run_benchmark;
}

}  // namespace gbmsweep
