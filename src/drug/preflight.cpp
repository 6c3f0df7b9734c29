#include "drug/preflight.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "common/error.hpp"
#include "drug/combat_seq.hpp"
#include "drug/experiment.hpp"

namespace gbmsweep::drug {

using nlohmann::json;

ReadOptions read_options(const json& d, const std::string& gene_map,
                         const std::string& gse_batches) {
  ReadOptions o;
  o.gdsc_release = parse_gdsc_release(d.value("gdsc_release", std::string("GDSC2")));
  o.repeated_columns = parse_repeated_columns(d.value("repeated_columns", std::string("mean")));
  if (d.contains("gdsc_drug_ids") && d["gdsc_drug_ids"].is_object())
    for (const auto& [drug, ids] : d["gdsc_drug_ids"].items()) {
      std::string key = drug;
      for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      o.gdsc_drug_ids[key] = ids.get<std::vector<long long>>();
    }
  o.gene_map = gene_map;
  o.gse_batches = gse_batches;
  return o;
}

namespace {

// An InputError as a Problem: "line N: what" becomes file:N.
void add_error(Problems& out, const InputError& e) {
  const std::string& m = e.message();
  if (m.rfind("line ", 0) == 0) {
    char* end = nullptr;
    const unsigned long line = std::strtoul(m.c_str() + 5, &end, 10);
    if (end && end[0] == ':' && end[1] == ' ') {
      out.add(e.path(), line, std::string(end + 2));
      return;
    }
  }
  out.add(e.path(), 0, m);
}

// Runs `f`; an InputError it throws becomes a problem and the result is empty.
template <class F>
auto attempt(Problems& out, F f) -> std::optional<decltype(f())> {
  try {
    return f();
  } catch (const InputError& e) {
    add_error(out, e);
    return std::nullopt;
  }
}

std::set<std::string> sample_set(const ExprMatrix& m) {
  return {m.samples.begin(), m.samples.end()};
}

std::size_t shared_samples(const std::set<std::string>& expr, const std::vector<std::string>& ids) {
  return static_cast<std::size_t>(
      std::count_if(ids.begin(), ids.end(), [&](const auto& id) { return expr.count(id) > 0; }));
}

}  // namespace

void check_drug_inputs(const json& config, Problems& out) {
  if (!config.contains("drug")) return;
  const json& d = config["drug"];
  const json data = config.value("data", json::object());
  if (!data.contains("drug")) {
    out.add("", 0, "[drug] needs [data] drug, the folder with the GDSC, HGCC and GSE232173 files");
    return;
  }
  const std::string dir = data["drug"].get<std::string>();
  if (!std::filesystem::is_directory(dir)) {
    out.add(dir, 0, "not a directory ([data] drug)");
    return;
  }
  const std::string gene_map = data.value("gene_map", std::string());
  const std::string batches = data.value("gse_batches", std::string());
  const ReadOptions opts = read_options(d, gene_map, batches);

  // What the planned tasks read: GDSC for the gdsc* experiments; every other experiment and
  // every benchmark uses the genes the three datasets share, so all three expressions.
  const auto experiments = d.value("experiments", std::vector<std::string>{});
  const auto benchmarks = d.value("benchmarks", std::vector<std::string>{});
  bool gdsc = false, hgcc = false, gse = !benchmarks.empty(), shared = !benchmarks.empty();
  for (const auto& e : experiments) {
    gdsc = gdsc || e.rfind("gdsc", 0) == 0;
    hgcc = hgcc || e.find("hgcc") != std::string::npos;
    gse = gse || e.find("gse") != std::string::npos;
    shared = shared || e != "gdsc";
  }
  if (shared) gdsc = hgcc = gse = true;
  const bool gdsc_response = std::any_of(experiments.begin(), experiments.end(),
                                         [](const auto& e) { return e.rfind("gdsc", 0) == 0; });

  DrugData files(dir, opts);
  auto find = [&](const std::string& role, bool optional = false) {
    return attempt(out, [&] { return files.path(role, optional); }).value_or("");
  };

  std::optional<GeneMap> map;
  if (!gene_map.empty()) {
    Sink sink(&out);
    map = attempt(out, [&] { return read_gene_map(gene_map, &sink); });
  }
  const GeneMap* mp = map ? &*map : nullptr;
  const bool map_wanted = !gene_map.empty();
  bool mapped_any = false;  // some matrix went through the map
  // Reads a matrix with a collecting sink, then its IDs to symbols (moved: GDSC is 17k x 1k).
  auto matrix = [&](const std::string& path, auto read, bool sum) -> std::optional<ExprMatrix> {
    if (path.empty()) return std::nullopt;
    auto m = attempt(out, [&] {
      Sink sink(&out);
      return read(path, &sink);
    });
    if (!m) return std::nullopt;
    if (detect_gene_ids(m->genes) != GeneIdKind::Symbol) mapped_any = true;
    if (map_wanted && !mp) return std::nullopt;  // the map's own problem is reported
    return attempt(out, [&] { return to_symbols(std::move(*m), mp, path, sum); });
  };

  std::optional<ExprMatrix> e_gdsc, e_hgcc, e_gse;
  std::string p_gdsc, p_hgcc, p_gse;
  if (gdsc) {
    p_gdsc = find("gdsc_expression");
    e_gdsc = matrix(p_gdsc, [&](const std::string& p, Sink* s) {
      return read_gdsc_expression(p, opts.repeated_columns, s);
    }, false);
  }
  if (hgcc) {
    p_hgcc = find("hgcc_expression");
    e_hgcc = matrix(p_hgcc, [](const std::string& p, Sink* s) {
      return read_hgcc_expression(p, s);
    }, false);
  }
  if (gse) {
    p_gse = find("gse_counts", true);
    if (!p_gse.empty()) {
      e_gse = matrix(p_gse, [](const std::string& p, Sink* s) {
        return read_count_matrix(p, s);
      }, true);
    } else {
      p_gse = find("gse_series_matrix");
      e_gse = matrix(p_gse, [](const std::string& p, Sink* s) {
        auto sm = read_series_matrix(p, s);
        if (!sm.titles.empty()) sm.table.samples = sm.titles;
        return sm.table;
      }, false);
    }
  }
  // ComBat-seq's batch table must name every sample of the count matrix, with at least two
  // samples per batch (sva refuses a batch of one).
  if (!batches.empty()) {
    const std::string counts = gse ? find("gse_counts", true) : std::string();
    if (!gse) {
      // no experiment reads GSE232173: nothing to adjust
    } else if (counts.empty()) {
      out.add(batches, 0, "[data] gse_batches is set but GSE232173 has no raw count file "
                          "(ComBat-seq adjusts counts; a series matrix is used as it is)");
    } else if (auto table = attempt(out, [&] { return read_batch_table(batches); })) {
      if (e_gse) {
        std::map<std::string, std::string> of(table->begin(), table->end());
        std::map<std::string, int> size;
        std::size_t missing = 0;
        for (const auto& s : e_gse->samples) {
          auto it = of.find(s);
          if (it != of.end()) {
            ++size[it->second];
          } else if (++missing <= 20) {
            out.add(batches, 0, "no batch for sample " + s + " of " + counts);
          }
        }
        if (missing > 20)
          out.add(batches, 0, std::to_string(missing - 20) + " more samples without a batch");
        for (const auto& [label, n] : size)
          if (n == 1)
            out.add(batches, 0, "batch '" + label + "' has one sample of " + counts +
                                    "; ComBat-seq needs at least two per batch");
      }
    }
  }
  if (mp && !mapped_any)
    out.add(gene_map, 0, "[data] gene_map is set but every expression file is keyed by gene "
                         "symbols already; leave it out");

  // Responses, and whether they meet their expression.
  auto check_overlap = [&](const std::optional<ExprMatrix>& e, const std::string& ep,
                           const Response& r, const std::string& rp, const std::string& what) {
    if (!e) return;
    if (shared_samples(sample_set(*e), r.ids) == 0)
      out.add(rp, 0, what + ": no sample in common with " + ep + " (ids like " + r.ids.front() +
                         " vs " + e->samples.front() + ")");
  };
  if (gdsc_response) {
    const std::string rp = find("gdsc_response");
    if (!rp.empty()) {
      const auto sources = d.value("sources", std::vector<std::string>{});
      for (const auto& drug : sources) {
        auto r = attempt(out, [&] {
          Sink sink(&out);
          return read_gdsc_response(rp, drug, opts.gdsc_choice(drug), &sink);
        });
        if (r) check_overlap(e_gdsc, p_gdsc, *r, rp, drug);
      }
      for (const auto& [drug, ids] : opts.gdsc_drug_ids)
        if (std::none_of(sources.begin(), sources.end(), [&](std::string s) {
              for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              return s == drug;
            }))
          out.add("", 0, "[drug] gdsc_drug_ids names '" + drug + "', not one of [drug] sources");
    }
  }
  if (hgcc) {
    const std::string rp = find("hgcc_response");
    if (!rp.empty()) {
      auto r = attempt(out, [&] {
        Sink sink(&out);
        return read_hgcc_response(rp, &sink);
      });
      if (r) check_overlap(e_hgcc, p_hgcc, *r, rp, "HGCC response");
    }
  }
  if (gse) {
    const std::string rp = find("gse_response");
    if (!rp.empty()) {
      auto r = attempt(out, [&] {
        Sink sink(&out);
        return read_gse_response(rp, &sink);
      });
      if (r) check_overlap(e_gse, p_gse, r->response, rp, "GSE232173 response");
    }
  }

  // The genes every experiment but "gdsc" works on: each file must share symbols with the
  // other two, and the three together at least one.
  if (!(shared && e_gdsc && e_hgcc && e_gse)) return;
  const ExprMatrix* m[] = {&*e_gdsc, &*e_hgcc, &*e_gse};
  const std::string* p[] = {&p_gdsc, &p_hgcc, &p_gse};
  bool pair_failed = false;
  for (int i = 0; i < 3; ++i) {
    const std::set<std::string> mine(m[i]->genes.begin(), m[i]->genes.end());
    for (int j = i + 1; j < 3; ++j) {
      const bool any = std::any_of(m[j]->genes.begin(), m[j]->genes.end(),
                                   [&](const auto& g) { return mine.count(g) > 0; });
      if (!any) {
        pair_failed = true;
        out.add(*p[j], 0, "no gene symbol in common with " + *p[i] + " (genes like " +
                              m[j]->genes.front() + " vs " + m[i]->genes.front() + ")");
      }
    }
  }
  if (!pair_failed)
    attempt(out, [&] { return intersect_genes({m[0], m[1], m[2]}, {p_gdsc, p_hgcc, p_gse}); });
}

}  // namespace gbmsweep::drug
