#include "sched/messages.hpp"

#include <cstdint>
#include <vector>

#include "common/mpi.hpp"

namespace gbmsweep::sched {

json to_json(const TaskResult& r) {
  json curves = json::array(), preds = json::array();
  for (const auto& c : r.curves) curves.push_back({{"name", c.name}, {"values", c.values}});
  for (const auto& p : r.predictions)
    preds.push_back({{"name", p.name}, {"ids", p.ids}, {"labels", p.labels},
                     {"scores", p.scores}, {"samples", p.samples}});
  return {{"metrics", r.metrics}, {"curves", curves}, {"predictions", preds},
          {"artifacts", r.artifacts}, {"extra", r.extra}};
}

TaskResult result_from_json(const json& j) {
  TaskResult r;
  r.metrics = j.at("metrics");
  for (const auto& c : j.at("curves"))
    r.curves.push_back({c.at("name"), c.at("values").get<std::vector<double>>()});
  for (const auto& p : j.at("predictions")) {
    Predictions pr;
    pr.name = p.at("name");
    pr.ids = p.at("ids").get<std::vector<std::string>>();
    pr.labels = p.at("labels").get<std::vector<double>>();
    pr.scores = p.at("scores").get<std::vector<double>>();
    pr.samples = p.at("samples").get<std::vector<std::vector<float>>>();
    r.predictions.push_back(std::move(pr));
  }
  r.artifacts = j.at("artifacts").get<std::map<std::string, std::string>>();
  r.extra = j.at("extra");
  return r;
}

json to_json(const TaskSpec& s) {
  return {{"key", s.key},       {"kind", s.kind}, {"study", s.study}, {"name", s.name},
          {"params", s.params}, {"inputs", s.inputs}, {"deps", s.deps}, {"cost", s.cost},
          {"ranks", s.ranks}};
}

TaskSpec spec_from_json(const json& j) {
  TaskSpec s;
  s.key = j.at("key");
  s.kind = j.at("kind");
  s.study = j.at("study");
  s.name = j.at("name");
  s.params = j.at("params");
  s.inputs = j.at("inputs");
  s.deps = j.at("deps").get<std::vector<std::string>>();
  s.cost = j.at("cost");
  s.ranks = j.at("ranks");
  return s;
}

void send(const json& message, int dest, int tag, MPI_Comm comm) {
  std::vector<std::uint8_t> bytes = json::to_cbor(message);
  GBM_MPI_CHECK(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, comm));
}

std::optional<Message> try_receive(int source, int tag, MPI_Comm comm) {
  int flag = 0;
  MPI_Status st;
  GBM_MPI_CHECK(MPI_Iprobe(source, tag, comm, &flag, &st));
  if (!flag) return std::nullopt;
  int count = 0;
  GBM_MPI_CHECK(MPI_Get_count(&st, MPI_BYTE, &count));
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  GBM_MPI_CHECK(MPI_Recv(bytes.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm,
                         MPI_STATUS_IGNORE));
  return Message{json::from_cbor(bytes), st.MPI_SOURCE, st.MPI_TAG};
}

}  // namespace gbmsweep::sched
