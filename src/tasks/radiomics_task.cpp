// mri.radiomics: the MRI paper's radiomics comparator (§II.D, §III). Six IBSI features from
// the registered structural images at their original resolution (not the cohort cache, which
// is cropped and downscaled), a random forest per model seed trained on every non-test
// patient of the cohort's split and scored on its hold-out set; out-of-fold predictions over
// the same folds as a check. Patients whose files or regions are bad are listed and left out.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>
#include <stdexcept>

#include "analysis/metrics.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "mri/cohort.hpp"
#include "mri/io.hpp"
#include "mri/upenn.hpp"
#include "radiomics/forest.hpp"
#include "radiomics/paper.hpp"
#include "tasks/kinds.hpp"

namespace gbmsweep {

namespace {

using json = nlohmann::json;

struct Row {
  int patient = 0;  // index in the cohort
  std::vector<double> x;
};

// The six features of one patient; InputError / std::invalid_argument name the file.
std::vector<double> patient_features(const mri::PatientFiles& files,
                                     const radiomics::DiscretiseOptions& d) {
  if (files.segm.empty()) throw InputError("", "no segmentation");
  const mri::Volume segm = mri::read_nifti(files.segm);
  std::map<std::string, mri::Volume> images;
  std::map<std::string, const float*> ptr;
  for (const auto& m : radiomics::paper_modalities()) {
    auto it = files.images.find(m);
    if (it == files.images.end()) throw InputError("", "no " + m + " image");
    mri::Volume v = mri::read_nifti(it->second);
    if (v.shape != segm.shape)
      throw InputError(it->second, "size " + mri::to_string(v.shape) +
                                       " differs from the segmentation " + files.segm + " (" +
                                       mri::to_string(segm.shape) + ")");
    ptr[m] = (images[m] = std::move(v)).data.data();
  }
  try {
    return radiomics::paper_feature_values(ptr, segm.data.data(), segm.shape, d);
  } catch (const std::invalid_argument& e) {
    throw InputError(files.segm, e.what());
  }
}

json metrics_of(const Predictions& p, double threshold) {
  auto th = analysis::threshold_metrics(p.labels, p.scores, threshold);
  json m = {{"n", p.ids.size()}, {"sen", th.sen}, {"spe", th.spe}, {"acc", th.acc}};
  if (std::set<double>(p.labels.begin(), p.labels.end()).size() == 2) {
    m["auc"] = analysis::roc_auc(p.labels, p.scores);
    m["ap"] = analysis::average_precision(p.labels, p.scores);
  }
  return m;
}

TaskResult mri_radiomics(const TaskContext& ctx) {
  const json& p = ctx.spec->params;
  const mri::Cohort c = mri::Cohort::open(ctx.dep_artifact(ctx.spec->deps.at(0), "cohort.h5"));
  const mri::UpennLayout layout = mri::scan_upenn(ctx.spec->inputs.at("data").get<std::string>());
  radiomics::DiscretiseOptions d;
  d.bin_width = p["bin_width"].get<double>();
  d.origin_zero = p["bin_origin"].get<std::string>() == "zero";

  // Features of every patient of the split that has the four structural images.
  std::vector<Row> test, cv;
  json skipped = json::array();
  std::ostringstream csv;
  csv << "id,label,fold";
  for (const auto& f : radiomics::paper_features()) csv << "," << f.column;
  csv << "\n" << std::setprecision(17);
  // Every patient of the split: one without a structural image is listed and left out.
  std::vector<int> patients = c.test_patients({});
  for (int k = 0; k < c.folds(); ++k)
    for (int q : c.fold_patients(k, {})) patients.push_back(q);
  for (int q : patients) {
    if (ctx.cancelled()) throw std::runtime_error("cancelled");
    const std::string& id = c.ids()[q];
    Row row{q, {}};
    try {
      auto it = layout.patients.find(id);
      if (it == layout.patients.end()) throw InputError("", "no files under the data directory");
      row.x = patient_features(it->second, d);
    } catch (const InputError& e) {
      // Left out as the paper's tables leave out patients without usable regions.
      std::string reason = e.path().empty() ? e.message() : e.path() + ": " + e.message();
      GBM_LOG(Warn, "mri.radiomics: " << id << " left out: " << reason);
      skipped.push_back({{"id", id}, {"reason", reason}});
      continue;
    }
    (c.fold(q) == mri::kTestFold ? test : cv).push_back(row);
    csv << id << "," << c.labels()[q] << "," << c.fold(q);
    for (double v : row.x) csv << "," << v;
    csv << "\n";
  }
  GBM_CHECK(!test.empty() && !cv.empty(),
            "mri.radiomics: " << test.size() << " test and " << cv.size()
                              << " training patients with usable features");

  radiomics::ForestOptions fo;
  fo.trees = p["trees"].get<int>();
  fo.max_depth = p["max_depth"].get<int>();
  fo.min_samples_leaf = p["min_samples_leaf"].get<int>();
  fo.threads = ctx.threads;
  const double threshold = p["threshold"].get<double>();
  auto fit_predict = [&](const std::vector<Row>& train, const std::vector<Row>& eval,
                         std::uint64_t seed, const std::string& name) {
    std::vector<std::vector<double>> x;
    std::vector<int> y;
    for (const Row& r : train) x.push_back(r.x), y.push_back(c.labels()[r.patient]);
    fo.seed = seed;
    const radiomics::RandomForest forest = radiomics::RandomForest::fit(x, y, fo);
    Predictions pred;
    pred.name = name;
    for (const Row& r : eval) {
      pred.ids.push_back(c.ids()[r.patient]);
      pred.labels.push_back(c.labels()[r.patient]);
      pred.scores.push_back(forest.predict_proba(r.x));
    }
    return pred;
  };

  TaskResult result;
  json per_seed = json::array();
  std::map<std::string, std::vector<double>> sums;
  for (const auto& s : p["seeds"]) {
    const std::uint64_t seed = ctx.seed ^ (0x9e3779b97f4a7c15ULL * (s.get<std::uint64_t>() + 1));
    Predictions pred = fit_predict(cv, test, seed, "test_s" + s.dump());
    json m = metrics_of(pred, threshold);
    for (const char* k : {"auc", "ap", "sen", "spe", "acc"})
      if (m.contains(k)) sums[k].push_back(m[k].get<double>());
    m["seed_index"] = s;
    per_seed.push_back(m);
    result.predictions.push_back(std::move(pred));
  }
  // Out-of-fold predictions of the first seed over the cohort's folds.
  Predictions oof;
  oof.name = "cv";
  for (int k = 0; k < c.folds(); ++k) {
    std::vector<Row> train, eval;
    for (const Row& r : cv) (c.fold(r.patient) == k ? eval : train).push_back(r);
    if (eval.empty() || train.empty()) continue;
    Predictions part = fit_predict(train, eval, ctx.seed + 1 + std::uint64_t(k), "cv");
    oof.ids.insert(oof.ids.end(), part.ids.begin(), part.ids.end());
    oof.labels.insert(oof.labels.end(), part.labels.begin(), part.labels.end());
    oof.scores.insert(oof.scores.end(), part.scores.begin(), part.scores.end());
  }
  result.metrics = {{"test", test.size()}, {"train", cv.size()}, {"skipped", skipped.size()}};
  for (const auto& [k, v] : sums) {
    double mean = 0;
    for (double x : v) mean += x;
    result.metrics[k] = mean / double(v.size());
  }
  json cvm = metrics_of(oof, threshold);
  if (cvm.contains("auc")) result.metrics["cv_auc"] = cvm["auc"];
  result.predictions.push_back(std::move(oof));

  const std::string features = ctx.artifact_dir + "/features.csv";
  fs::atomic_write(features, csv.str());
  result.artifacts["features.csv"] = std::filesystem::relative(features, ctx.store_dir).string();
  result.extra = {{"seeds", per_seed},
                  {"skipped", skipped},
                  {"features", json::array()},
                  {"paper", {{"auc", 0.5764}, {"ap", 0.4886}, {"sen", 0.2174}, {"spe", 0.9355}}}};
  for (const auto& f : radiomics::paper_features()) result.extra["features"].push_back(f.column);
  return result;
}

}  // namespace

void register_radiomics_tasks(TaskTable& table) { table["mri.radiomics"] = mri_radiomics; }

}  // namespace gbmsweep
