#include "drug/benchmarks.hpp"

#include <xgboost/c_api.h>

#include <cmath>
#include <memory>
#include <string>

#include "common/error.hpp"

// xgboost status codes become gbmsweep errors where they enter our code.
#define GBM_XGB_CHECK(call) \
  GBM_CHECK((call) == 0, "xgboost: " #call ": " << XGBGetLastError())

namespace gbmsweep::drug {

namespace {

struct DMatrix {
  DMatrixHandle h = nullptr;
  explicit DMatrix(const Cohort& c) {
    GBM_XGB_CHECK(XGDMatrixCreateFromMat(c.x.data(), c.n(), c.p(), NAN, &h));
  }
  ~DMatrix() { XGDMatrixFree(h); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

struct Booster {
  BoosterHandle h = nullptr;
  explicit Booster(const DMatrix& train) { GBM_XGB_CHECK(XGBoosterCreate(&train.h, 1, &h)); }
  ~Booster() { XGBoosterFree(h); }
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  void set(const char* k, const std::string& v) { GBM_XGB_CHECK(XGBoosterSetParam(h, k, v.c_str())); }
};

std::vector<double> train_predict(const Cohort& train, const std::vector<double>& y,
                                  const Cohort& test, int rounds,
                                  const std::vector<std::pair<const char*, std::string>>& params) {
  GBM_CHECK(train.n() == y.size() && train.n() > 0, "benchmark needs one target per sample");
  GBM_CHECK(train.p() == test.p(), "train and test differ in genes");
  DMatrix dtrain(train);
  std::vector<float> label(y.begin(), y.end());
  GBM_XGB_CHECK(XGDMatrixSetFloatInfo(dtrain.h, "label", label.data(), label.size()));
  Booster b(dtrain);
  for (const auto& [k, v] : params) b.set(k, v);
  for (int i = 0; i < rounds; ++i) GBM_XGB_CHECK(XGBoosterUpdateOneIter(b.h, i, dtrain.h));
  if (test.n() == 0) return {};
  DMatrix dtest(test);
  bst_ulong len = 0;
  const float* out = nullptr;
  GBM_XGB_CHECK(XGBoosterPredict(b.h, dtest.h, 0, 0, 0, &len, &out));
  GBM_CHECK(len == test.n(), "xgboost returned " << len << " predictions for " << test.n());
  return {out, out + len};
}

}  // namespace

std::vector<double> elastic_net_predict(const Cohort& train, const std::vector<double>& y,
                                        const Cohort& test, const ElasticNetOptions& o,
                                        std::uint64_t seed, int threads) {
  return train_predict(train, y, test, o.rounds,
                       {{"booster", "gblinear"},
                        {"updater", "coord_descent"},
                        {"feature_selector", "cyclic"},
                        {"objective", "reg:squarederror"},
                        {"alpha", std::to_string(o.alpha * o.l1_ratio)},
                        {"lambda", std::to_string(o.alpha * (1 - o.l1_ratio))},
                        {"eta", std::to_string(o.eta)},
                        {"seed", std::to_string(seed % 2147483647)},
                        {"nthread", std::to_string(threads)},
                        {"verbosity", "0"}});
}

std::vector<double> random_forest_predict(const Cohort& train, const std::vector<double>& y,
                                          const Cohort& test, const ForestOptions& o,
                                          std::uint64_t seed, int threads) {
  return train_predict(train, y, test, 1,
                       {{"booster", "gbtree"},
                        {"tree_method", "hist"},
                        {"objective", "reg:squarederror"},
                        {"num_parallel_tree", std::to_string(o.trees)},
                        {"subsample", std::to_string(o.subsample)},
                        {"colsample_bynode", std::to_string(o.colsample_bynode)},
                        {"max_depth", std::to_string(o.max_depth)},
                        {"min_child_weight", std::to_string(o.min_child_weight)},
                        {"eta", "1"},
                        {"lambda", "0"},
                        {"seed", std::to_string(seed % 2147483647)},
                        {"nthread", std::to_string(threads)},
                        {"verbosity", "0"}});
}

std::vector<double> mgmt_scores(const std::vector<double>& status) {
  std::vector<double> out;
  for (double s : status) out.push_back(std::isnan(s) ? 0.5 : 1.0 - s);
  return out;
}

}  // namespace gbmsweep::drug
