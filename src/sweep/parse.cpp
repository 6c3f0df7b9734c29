#include "sweep/parse.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "common/fs.hpp"
#include "common/mri_network.hpp"
#include "sweep/schema.hpp"

namespace gbmsweep::sweep {

using nlohmann::json;

namespace {

const std::set<std::string> kStudies = {"mri", "drug", "probe"};

SourcePos pos_of(const toml::node& n) {
  const auto& s = n.source();
  return {static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}
SourcePos pos_of(const toml::key& k) {
  const auto& s = k.source();
  return {static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggestion(const std::string& path) {
  std::string best;
  std::size_t best_d = 4;
  for (const auto& f : schema()) {
    std::size_t d = edit_distance(path, f.path);
    if (d < best_d) { best_d = d; best = f.path; }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

bool is_section(const std::string& path) {
  for (const auto& f : schema())
    if (f.path.size() > path.size() && f.path.compare(0, path.size() + 1, path + ".") == 0)
      return true;
  return false;
}

class Parser {
 public:
  Parser(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(SourcePos p, const std::string& msg) const {
    throw SweepError(file_, p.line, p.column, msg);
  }

  // One value of `type` from a TOML node, or an error naming `path`.
  json convert(const toml::node& n, Type type, const std::string& path) const {
    auto wrong = [&] { fail(pos_of(n), "key '" + path + "' must be " + type_name(type)); };
    switch (type) {
      case Type::String:
        if (!n.is_string()) wrong();
        return *n.value<std::string>();
      case Type::Int:
        if (!n.is_integer()) wrong();
        return *n.value<std::int64_t>();
      case Type::Float:
        if (!n.is_number()) wrong();
        return *n.value<double>();
      case Type::Bool:
        if (!n.is_boolean()) wrong();
        return *n.value<bool>();
      case Type::StringList:
      case Type::IntList:
      case Type::FloatList:
      case Type::StringListList: {
        if (!n.is_array()) wrong();
        Type elem = type == Type::StringList  ? Type::String
                    : type == Type::IntList   ? Type::Int
                    : type == Type::FloatList ? Type::Float
                                              : Type::StringList;
        json out = json::array();
        for (const auto& e : *n.as_array()) {
          if (elem == Type::StringList && !e.is_array()) wrong();
          if (elem != Type::StringList && e.is_array()) wrong();
          out.push_back(convert(e, elem, path));
        }
        return out;
      }
    }
    wrong();
    return nullptr;
  }

  // A scalar or list value: type, allowed values, non-empty lists.
  json leaf(const toml::node& n, const Field& f, const std::string& path) const {
    json v = convert(n, f.type, path);
    if (v.is_array() && v.empty() && !(f.default_value.is_array() && f.default_value.empty()))
      fail(pos_of(n), "key '" + path + "' is an empty axis: give at least one value");
    if (!f.allowed.empty()) {
      auto check = [&](const json& x) {
        std::string s = x.is_string() ? x.get<std::string>() : x.dump();
        if (std::find(f.allowed.begin(), f.allowed.end(), s) == f.allowed.end()) {
          std::string list;
          for (const auto& a : f.allowed) list += (list.empty() ? "" : ", ") + a;
          fail(pos_of(n), "key '" + path + "': unknown value '" + s + "' (expected one of " +
                              list + ")");
        }
      };
      if (v.is_array())
        for (const auto& x : v) check(x);
      else
        check(v);
    }
    return v;
  }

  void walk(const toml::table& t, const std::string& prefix, json& out) {
    for (const auto& [k, node] : t) {
      std::string key(k.str());
      std::string path = prefix.empty() ? key : prefix + "." + key;
      positions_[path] = pos_of(node);
      if (path == "grid") {
        if (!node.is_table()) fail(pos_of(node), "key 'grid' must be a table");
        parse_grid(*node.as_table());
        continue;
      }
      if (path == "probe.task") {
        parse_probe_tasks(node, out);
        continue;
      }
      if (prefix.empty() && !node.is_table())
        fail(pos_of(k), "unknown top-level key '" + path + "'" + suggestion(path));
      const Field* f = find_field(path);
      // A quoted key with dots ("mri.train" in [cost]) is one name for a wildcard field.
      if (!f && key.find('.') != std::string::npos) f = find_field(prefix + ".*");
      if (f && f->path.find('*') != std::string::npos && f->path != prefix + ".*") f = nullptr;
      if (node.is_table() && !f) {
        if (!is_section(path)) fail(pos_of(k), "unknown key '" + path + "'" + suggestion(path));
        walk(*node.as_table(), path, out[key]);
        if (out[key].is_null()) out[key] = json::object();
        continue;
      }
      if (!f) fail(pos_of(k), "unknown key '" + path + "'" + suggestion(path));
      out[key] = leaf(node, *f, path);
    }
  }

  void parse_probe_tasks(const toml::node& node, json& out) {
    const auto* arr = node.as_array();
    if (!arr || !arr->is_array_of_tables())
      fail(pos_of(node), "key 'probe.task' must be an array of tables ([[probe.task]])");
    json tasks = json::array();
    std::size_t i = 0;
    for (const auto& e : *arr) {
      positions_["probe.task[" + std::to_string(i++) + "]"] = pos_of(e);
      json t = json::object();
      for (const auto& [k, v] : *e.as_table()) {
        std::string path = "probe.task." + std::string(k.str());
        const Field* f = find_field(path);
        if (!f) fail(pos_of(k), "unknown key '" + path + "'" + suggestion(path));
        t[std::string(k.str())] = leaf(v, *f, path);
      }
      for (const auto& f : schema()) {
        if (f.path.rfind("probe.task.", 0) != 0) continue;
        std::string k = f.path.substr(11);
        if (!t.contains(k)) {
          if (f.required) fail(pos_of(e), "[[probe.task]] is missing the key '" + k + "'");
          t[k] = f.default_value;
        }
      }
      tasks.push_back(t);
    }
    out["task"] = tasks;
  }

  // [grid]: dotted keys (quoted or nested) map to arrays = one axis each; [[grid.zip]] tables
  // hold arrays of equal length that vary together (one axis per table).
  void parse_grid(const toml::table& g) {
    for (const auto& [k, node] : g) {
      std::string key(k.str());
      if (key == "zip") {
        const auto* arr = node.as_array();
        if (!arr || !arr->is_array_of_tables())
          fail(pos_of(node), "key 'grid.zip' must be an array of tables ([[grid.zip]])");
        for (const auto& z : *arr) {
          Axis axis;
          collect_grid(*z.as_table(), "", axis);
          std::size_t n = axis.values.front().size();
          for (std::size_t i = 0; i < axis.paths.size(); ++i)
            if (axis.values[i].size() != n)
              fail(axis.pos[i], "[[grid.zip]] lists must have equal lengths: '" + axis.paths[i] +
                                    "' has " + std::to_string(axis.values[i].size()) +
                                    ", '" + axis.paths[0] + "' has " + std::to_string(n));
          axes_.push_back(axis);
        }
        continue;
      }
      // A grid key may itself be a nested table (grid.mri.train.lr) or a quoted dotted key.
      if (node.is_table()) {
        Axis nested;
        collect_grid(*node.as_table(), key, nested);
        for (std::size_t i = 0; i < nested.paths.size(); ++i)
          axes_.push_back(Axis{{nested.paths[i]}, {nested.values[i]}, {nested.pos[i]}});
      } else {
        Axis a;
        add_axis_value(node, key, a);
        axes_.push_back(a);
      }
    }
  }

  struct Axis {
    std::vector<std::string> paths;
    std::vector<std::vector<json>> values;
    std::vector<SourcePos> pos;
  };

  void collect_grid(const toml::table& t, const std::string& prefix, Axis& axis) {
    for (const auto& [k, node] : t) {
      std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (node.is_table())
        collect_grid(*node.as_table(), path, axis);
      else
        add_axis_value(node, path, axis);
    }
  }

  void add_axis_value(const toml::node& node, const std::string& path, Axis& axis) {
    const Field* f = find_field(path);
    if (!f || f->path.find('*') != std::string::npos || path.rfind("probe.task", 0) == 0 ||
        path.rfind("sweep.", 0) == 0 || path.rfind("data.", 0) == 0)
      fail(pos_of(node), "grid key '" + path + "' is not a sweepable parameter" +
                             (f ? std::string() : suggestion(path)));
    const auto* arr = node.as_array();
    if (!arr) fail(pos_of(node), "grid key '" + path + "' must be a list of values");
    if (arr->empty()) fail(pos_of(node), "grid key '" + path + "' is an empty axis");
    std::vector<json> vals;
    for (const auto& e : *arr) vals.push_back(leaf(e, *f, path));
    positions_["grid." + path] = pos_of(node);
    axis.paths.push_back(path);
    axis.values.push_back(vals);
    axis.pos.push_back(pos_of(node));
  }

  std::vector<json> grid_points() const {
    std::vector<json> points{json::object()};
    for (const auto& a : axes_) {
      std::vector<json> next;
      for (const auto& p : points)
        for (std::size_t i = 0; i < a.values.front().size(); ++i) {
          json q = p;
          for (std::size_t j = 0; j < a.paths.size(); ++j) q[a.paths[j]] = a.values[j][i];
          next.push_back(q);
        }
      points = std::move(next);
    }
    return points;
  }

  std::map<std::string, SourcePos> positions_;
  std::vector<Axis> axes_;
  std::string file_;
};

json get_path(const json& j, const std::string& dotted) {
  const json* cur = &j;
  std::size_t start = 0;
  while (true) {
    auto dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
    if (dot == std::string::npos) return *cur;
    start = dot + 1;
  }
}

void set_path(json& j, const std::string& dotted, const json& v) {
  json* cur = &j;
  std::size_t start = 0;
  while (true) {
    auto dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      (*cur)[part] = v;
      return;
    }
    cur = &(*cur)[part];
    start = dot + 1;
  }
}

// Defaults for every non-wildcard field of the sections present, then cross-field checks.
void fill_defaults(json& config) {
  for (const auto& f : schema()) {
    if (f.path.find('*') != std::string::npos || f.path.rfind("probe.task.", 0) == 0) continue;
    std::string section = f.path.substr(0, f.path.find('.'));
    bool always = section == "sweep" || section == "report";
    if (!always && !config.contains(section)) continue;
    if (get_path(config, f.path).is_null() && !f.default_value.is_null())
      set_path(config, f.path, f.default_value);
  }
}

}  // namespace

SourcePos ParsedSweep::where(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = positions.find(p);
    if (it != positions.end()) return it->second;
    auto dot = p.rfind('.');
    if (dot == std::string::npos) return {};
    p = p.substr(0, dot);
  }
}

json apply_grid_point(const json& config, const json& point) {
  json out = config;
  for (const auto& [path, v] : point.items()) set_path(out, path, v);
  return out;
}

ParsedSweep parse_sweep_text(const std::string& text, const std::string& name) {
  ParsedSweep out;
  out.path = name;
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw SweepError(name, static_cast<int>(e.source().begin.line),
                     static_cast<int>(e.source().begin.column),
                     "TOML syntax error: " + std::string(e.description()));
  }
  Parser p(name);
  json config = json::object();
  p.walk(root, "", config);
  out.positions = p.positions_;
  auto fail_at = [&](const std::string& path, const std::string& msg) {
    SourcePos s = out.where(path);
    throw SweepError(name, s.line, s.column, msg);
  };
  if (!config.contains("sweep") || !config["sweep"].contains("name"))
    fail_at("sweep", "missing required key 'sweep.name'");
  bool any_study = false;
  for (const auto& s : kStudies) any_study |= config.contains(s);
  if (!any_study) fail_at("sweep", "the sweep has no study: add a [mri], [drug] or [probe] section");
  for (const char* s : {"mri", "drug"})
    if (config.contains(s) && get_path(config, std::string("data.") + s).is_null())
      fail_at(s, std::string("the [") + s + "] study needs 'data." + s + "' (its input folder)");
  fill_defaults(config);
  out.grid = p.grid_points();

  if (config.contains("mri")) {
    json& mri = config["mri"];
    std::set<std::string> mods(mri_modalities().begin(), mri_modalities().end());
    std::set<std::string> inputs;
    for (const auto& in : mri["inputs"]) {
      std::string s = in.get<std::string>();
      bool is_set = mri.contains("sets") && mri["sets"].contains(s);
      if (!mods.count(s) && !is_set)
        fail_at("mri.inputs", "key 'mri.inputs': unknown modality '" + s +
                                  "' (not one of the 11 UPENN-GBM modalities nor an mri.sets name)");
      if (!inputs.insert(s).second)
        fail_at("mri.inputs", "key 'mri.inputs': '" + s + "' is listed twice");
    }
    if (!mri.contains("groups")) {
      // The paper's groups, restricted to the inputs this sweep trains.
      json groups = json::object();
      const std::vector<std::pair<std::string, std::vector<std::string>>> paper = {
          {"DSC", {"DSC_ap-rCBV", "DSC_PH", "DSC_PSR"}},
          {"DTI", {"DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR"}},
          {"Struct", {"T1", "T1GD", "T2", "FLAIR"}}};
      for (const auto& [g, members] : paper) {
        json m = json::array();
        for (const auto& x : members)
          if (inputs.count(x)) m.push_back(x);
        if (!m.empty()) groups[g] = m;
      }
      mri["groups"] = groups;
    }
    if (!out.positions.count("mri.combinations")) {
      // The paper's combinations, restricted to the groups this sweep has.
      json combos = json::array();
      for (const auto& c : mri["combinations"]) {
        bool ok = true;
        for (const auto& g : c) ok &= mri["groups"].contains(g.get<std::string>());
        if (ok) combos.push_back(c);
      }
      mri["combinations"] = combos;
    }
    for (const auto& [g, members] : mri["groups"].items())
      for (const auto& m : members)
        if (!inputs.count(m.get<std::string>()))
          fail_at("mri.groups." + g, "key 'mri.groups." + g + "': '" + m.get<std::string>() +
                                         "' is not in mri.inputs");
    for (const auto& c : mri["combinations"])
      for (const auto& g : c)
        if (!mri["groups"].contains(g.get<std::string>()))
          fail_at("mri.combinations",
                  "key 'mri.combinations': unknown group '" + g.get<std::string>() + "'");
    if (mri["shape"].size() != 3)
      fail_at("mri.shape", "key 'mri.shape' must have three values D,H,W");
    if (!mri["crop"].empty() && mri["crop"].size() != 6)
      fail_at("mri.crop", "key 'mri.crop' must be empty or z0,z1,y0,y1,x0,x1");
    double h = mri["holdout"].get<double>();
    if (!(h > 0 && h < 1)) fail_at("mri.holdout", "key 'mri.holdout' must be in (0, 1)");
    if (mri["folds"].get<int>() < 2) fail_at("mri.folds", "key 'mri.folds' must be at least 2");
    const json& vs = mri["train"]["val_samples"];
    if (vs.is_number_integer() && vs.get<int>() < 1)
      fail_at("mri.train.val_samples", "key 'mri.train.val_samples' must be at least 1");
    // Micro-batches split the global batch evenly over the task's ranks (train/mri_training).
    const json& mb = mri["train"]["micro_batches"];
    if (mb.is_number_integer()) {
      const int m = mb.get<int>(), batch = mri["train"]["batch"].get<int>();
      const int g = ranks_per_task(config, "mri.train");
      if (m < 0 || m > batch)
        fail_at("mri.train.micro_batches", "key 'mri.train.micro_batches' must be 0 (one per "
                                           "rank) or 1.." + std::to_string(batch) +
                                           " (mri.train.batch), not " + std::to_string(m));
      if (m > 0 && g > 1 && m % g != 0)
        fail_at("mri.train.micro_batches",
                "key 'mri.train.micro_batches' = " + std::to_string(m) +
                    " must be a multiple of run.ranks_per_task.\"mri.train\" = " +
                    std::to_string(g) + ": each rank takes the same number of micro-batches");
    }
  }
  if (config.contains("report")) {
    const auto& names = mri_network_names();
    const std::set<std::string> nets(names.begin(), names.end());
    for (const auto& pair : config["report"]["best_overall"])
      if (pair.size() != 2 || !nets.count(pair[0].get<std::string>()))
        fail_at("report.best_overall",
                "key 'report.best_overall': each entry is [network, ensemble] with a known network");
  }
  if (config.contains("drug")) {
    if (config["drug"]["model"]["hidden"].size() != config["drug"]["model"]["dropout"].size())
      fail_at("drug.model.dropout", "key 'drug.model.dropout' needs one rate per hidden layer");
  }
  out.config = std::move(config);
  return out;
}

ParsedSweep parse_sweep_file(const std::string& path) {
  return parse_sweep_text(fs::read_all(path), path);
}

}  // namespace gbmsweep::sweep
