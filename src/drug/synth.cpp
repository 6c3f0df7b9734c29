#include "drug/synth.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"
#include "drug/prep.hpp"

namespace gbmsweep::drug {

namespace {

// Real cell-cycle symbols: the response programme lives on the first `programme_genes` of
// them, and the whole list is written as the gene set for the enrichment analysis.
const std::vector<std::string> kCellCycle = {
    "MKI67", "TOP2A", "CCNB1", "CDK1",   "CCNA2", "BUB1",  "AURKA", "AURKB", "PLK1",  "CDC20",
    "CCNE1", "E2F1",  "MCM2",  "MCM3",   "MCM4",  "MCM5",  "MCM6",  "MCM7",  "PCNA",  "TYMS",
    "RRM2",  "FOXM1", "CENPF", "KIF11",  "KIF2C", "TTK",   "CDKN3", "MAD2L1", "BIRC5", "CDC6",
    "CDT1",  "ORC1",  "CHEK1", "WEE1",   "CCND1", "CDK2",  "CDK4",  "CDK6",  "MYBL2", "UBE2C",
    "PTTG1", "NUSAP1", "PRC1", "ZWINT",  "KIF20A", "CENPA", "CENPE", "HJURP", "ESPL1", "BUB1B",
    "NDC80", "NUF2",  "SPC25", "DLGAP5", "HMMR",  "TPX2",  "ASPM",  "CKS2",  "GINS2", "CCNB2"};

const std::vector<DrugSimilarity> kDrugs = {
    {"Oxaliplatin", 0.9}, {"Temozolomide", 0.6}, {"Cyclophosphamide", 0.4}, {"Bortezomib", 0.1}};

constexpr int kFactors = 8;  // shared co-expression modules

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::string fmt(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Gamma(shape, 1) by Marsaglia–Tsang, for negative-binomial counts.
double gamma_draw(SplitMix64& r, double shape) {
  if (shape < 1) return gamma_draw(r, shape + 1) * std::pow(r.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = r.normal(), v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    double u = r.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

double poisson_draw(SplitMix64& r, double mean) {
  if (mean > 50) return std::max(0.0, std::round(mean + std::sqrt(mean) * r.normal()));
  double l = std::exp(-mean), p = 1;
  int k = 0;
  do {
    ++k;
    p *= r.uniform();
  } while (p > l);
  return k - 1;
}

// A sample's latent expression: module factors plus gene-specific noise (unit variance).
struct Latent {
  std::vector<std::vector<double>> loadings;  // gene × factor
  std::vector<double> draw(SplitMix64& r) const {
    std::vector<double> f(kFactors);
    for (auto& v : f) v = r.normal();
    std::vector<double> z(loadings.size());
    for (std::size_t g = 0; g < z.size(); ++g) {
      double s = 0, l2 = 0;
      for (int k = 0; k < kFactors; ++k) {
        s += loadings[g][k] * f[k];
        l2 += loadings[g][k] * loadings[g][k];
      }
      z[g] = s + std::sqrt(std::max(0.0, 1 - l2)) * r.normal();
    }
    return z;
  }
};

// Each dataset misses ~3 % of the genes outside the programme (real platforms differ).
std::vector<int> kept_genes(SplitMix64& r, int genes, int protected_genes) {
  std::vector<int> keep;
  for (int g = 0; g < genes; ++g)
    if (g < protected_genes || r.uniform() >= 0.03) keep.push_back(g);
  return keep;
}

}  // namespace

const std::vector<DrugSimilarity>& synth_drug_similarities() { return kDrugs; }

std::string check_synth_options(const SynthDrugOptions& o) {
  if (o.out_dir.empty()) return "no output directory";
  if (o.genes < 100) return "genes must be >= 100";
  if (o.programme_genes < 2 || o.programme_genes > static_cast<int>(kCellCycle.size()))
    return "programme genes must be in [2, " + std::to_string(kCellCycle.size()) + "]";
  if (o.gdsc_lines < 10 || o.hgcc_cultures < 6 || o.gse_cultures < 6)
    return "needs at least 10 GDSC lines, 6 HGCC and 6 GSE232173 cultures";
  if (o.lines_per_drug < 1 || o.lines_per_drug > o.gdsc_lines)
    return "lines per drug must be in [1, gdsc lines]";
  if (!(o.signal >= 0)) return "signal must be >= 0";
  return "";
}

SynthDrugFiles write_synthetic_drug_data(const SynthDrugOptions& o) {
  const std::string problem = check_synth_options(o);
  GBM_CHECK(problem.empty(), problem);
  fs::make_dirs(o.out_dir);
  SplitMix64 rng(mix_seed(o.seed, 0x64727567));  // "drug"
  // The quirks draw from their own stream, so that the data proper is the same with and
  // without them.
  SplitMix64 qrng(mix_seed(o.seed, 0x7175697273));  // "quirs"
  const std::string eol = o.quirks ? "\r\n" : "\n";    // Excel/Windows exports
  const std::string bom = o.quirks ? "\xEF\xBB\xBF" : "";

  // Gene universe: the cell-cycle symbols, MGMT, then anonymous genes.
  std::vector<std::string> names(kCellCycle.begin(), kCellCycle.end());
  names.push_back("MGMT");
  const int mgmt = static_cast<int>(names.size()) - 1;
  for (int g = static_cast<int>(names.size()); g < o.genes; ++g) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "GENE%05d", g);
    names.push_back(buf);
  }
  const int G = o.genes;

  Latent latent;
  latent.loadings.assign(G, std::vector<double>(kFactors, 0.0));
  for (int g = 0; g < G; ++g) {
    // Cell-cycle genes share module 0 (they co-vary, as proliferation genes do).
    int k = g < static_cast<int>(kCellCycle.size()) ? 0 : static_cast<int>(rng.below(kFactors));
    latent.loadings[g][k] = 0.4 + 0.4 * rng.uniform();
  }

  // Programme weights: temozolomide in GBM cultures, and each GDSC drug at its similarity.
  const int P = o.programme_genes;
  std::vector<double> w_tmz(P);
  for (auto& w : w_tmz) w = rng.normal();
  std::vector<std::vector<double>> w_drug;
  for (const auto& d : kDrugs) {
    std::vector<double> w(P);
    for (int i = 0; i < P; ++i) w[i] = d.rho * w_tmz[i] + std::sqrt(1 - d.rho * d.rho) * rng.normal();
    w_drug.push_back(w);
  }
  // Programme score, standardised over the latent distribution (unit variance).
  auto score = [&](const std::vector<double>& w, const std::vector<double>& z) {
    double s = 0, var = 0;
    for (int i = 0; i < P; ++i) s += w[i] * z[i];
    // Var of Σ w z with module-0 correlations among the programme genes.
    double lw = 0;
    for (int i = 0; i < P; ++i) {
      lw += w[i] * latent.loadings[i][0];
      var += w[i] * w[i] * (1 - latent.loadings[i][0] * latent.loadings[i][0]);
    }
    var += lw * lw;
    return s / std::sqrt(var);
  };

  SynthDrugFiles files;
  const std::filesystem::path dir(o.out_dir);
  auto path = [&](const char* name) { return (dir / name).string(); };

  // ---- GDSC: RMA expression (log2, gene-specific mean and SD) and dose response.
  {
    std::vector<double> mu(G), sd(G);
    for (int g = 0; g < G; ++g) {
      mu[g] = 3 + 9 * rng.uniform();
      sd[g] = 0.3 + 1.2 * rng.uniform();
    }
    auto keep = kept_genes(rng, G, static_cast<int>(kCellCycle.size()) + 1);
    std::vector<std::string> ids;
    std::vector<std::vector<double>> z;
    for (int i = 0; i < o.gdsc_lines; ++i) {
      ids.push_back(std::to_string(683665 + 37 * i));
      z.push_back(latent.draw(rng));
    }
    // As in the real file, four lines have a second DATA column (technical replicates).
    std::vector<int> twice;
    if (o.quirks)
      for (int k = 0; k < 4; ++k) twice.push_back((k * 7 + 3) % o.gdsc_lines);
    std::ostringstream ex;
    ex << "GENE_SYMBOLS\tGENE_title";
    for (const auto& id : ids) ex << "\tDATA." << id;
    for (int i : twice) ex << "\tDATA." << ids[i];
    ex << "\n";
    for (int g : keep) {
      ex << names[g] << "\t" << names[g] << " synthetic";
      for (int i = 0; i < o.gdsc_lines; ++i) ex << "\t" << fmt(mu[g] + sd[g] * z[i][g], 4);
      for (int i : twice) ex << "\t" << fmt(mu[g] + sd[g] * z[i][g] + 0.1 * qrng.normal(), 4);
      ex << "\n";
      if (rng.uniform() < 0.02) {  // probes without a symbol, as in the real file
        ex << "\t";
        for (int i = 0; i < o.gdsc_lines; ++i) ex << "\t" << fmt(mu[g] + rng.normal(), 4);
        for (std::size_t k = 0; k < twice.size(); ++k) ex << "\t" << fmt(mu[g] + qrng.normal(), 4);
        ex << "\n";
      }
    }
    files.gdsc_expression = path("Cell_line_RMA_proc_basalExp.txt");
    fs::atomic_write(files.gdsc_expression, ex.str());

    // Saved from Excel: BOM, CRLF, a quoted field with a comma. GDSC2 lists oxaliplatin
    // twice (1089 and a smaller screen, 1806); the second one's rows come after the others.
    std::ostringstream dr, again;
    dr << bom << "DATASET,NLME_RESULT_ID,NLME_CURVE_ID,COSMIC_ID,CELL_LINE_NAME,SANGER_MODEL_ID,"
          "TCGA_DESC,DRUG_ID,DRUG_NAME,PUTATIVE_TARGET,PATHWAY_NAME,COMPANY_ID,WEBRELEASE,"
          "MIN_CONC,MAX_CONC,LN_IC50,AUC,RMSE,Z_SCORE" << eol;
    const int drug_ids[] = {1089, 1375, 1512, 1191};
    const char* target = o.quirks ? "\"DNA damage, crosslinker\"" : "DNA damage";
    long curve = 15946000;
    for (std::size_t d = 0; d < kDrugs.size(); ++d) {
      const int n = std::min(o.gdsc_lines,
                             static_cast<int>(o.lines_per_drug * (0.9 + 0.2 * rng.uniform())));
      std::vector<int> order(o.gdsc_lines);
      for (int i = 0; i < o.gdsc_lines; ++i) order[i] = i;
      for (int i = o.gdsc_lines; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
      order.resize(n);
      std::sort(order.begin(), order.end());
      const double offset = rng.normal() * 0.5 + 1.0;
      for (int i : order) {
        double logit = offset + o.signal * score(w_drug[d], z[i]) + rng.normal();
        double auc = std::clamp(sigmoid(logit), 1e-3, 1.0);
        double ic50 = 4 * logit + rng.normal() * 0.5;
        dr << "GDSC2,343," << curve++ << "," << ids[i] << ",LINE-" << ids[i] << ",SIDM"
           << fmt(i, 0) << ",UNCLASSIFIED," << drug_ids[d] << "," << kDrugs[d].drug << ","
           << target << ",DNA replication,1046,Y,0.0244,100," << fmt(ic50, 6) << ","
           << fmt(auc, 6) << ",0.0712," << fmt(rng.normal(), 6) << eol;
        if (o.quirks && d == 0 && qrng.uniform() < 0.3)
          again << "GDSC2,344," << curve + 900000 << "," << ids[i] << ",LINE-" << ids[i]
                << ",SIDM" << fmt(i, 0) << ",UNCLASSIFIED,1806," << kDrugs[d].drug << ","
                << target << ",DNA replication,1046,Y,0.0244,100," << fmt(ic50, 6) << ","
                << fmt(std::clamp(sigmoid(logit + 0.5 * qrng.normal()), 1e-3, 1.0), 6)
                << ",0.0712,0.0" << eol;
      }
    }
    dr << again.str();
    files.gdsc_response = path("GDSC2_fitted_dose_response_synthetic.csv");
    fs::atomic_write(files.gdsc_response, dr.str());
  }

  // ---- HGCC: log expression (different platform: its own means and SDs), TMZ response with
  // replicate wells, and a few replicate expression columns.
  {
    std::vector<double> mu(G), sd(G);
    for (int g = 0; g < G; ++g) {
      mu[g] = 1 + 8 * rng.uniform();
      sd[g] = 0.5 + 1.5 * rng.uniform();
    }
    auto keep = kept_genes(rng, G, static_cast<int>(kCellCycle.size()) + 1);
    std::vector<std::string> ids, cols;
    std::vector<std::vector<double>> z, zc;
    for (int i = 0; i < o.hgcc_cultures; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U%04d", 3001 + 3 * i);
      ids.push_back(buf);
      z.push_back(latent.draw(rng));
      cols.push_back(buf);
      zc.push_back(z.back());
      if (i % 10 == 3) {  // a replicate column with its own technical noise
        cols.push_back(std::string(buf) + ".1");
        auto r = z.back();
        for (auto& v : r) v += 0.2 * rng.normal();
        zc.push_back(r);
      }
    }
    std::ostringstream ex;
    ex << "gene";
    for (const auto& c : cols) ex << "\t" << c;
    ex << "\n";
    for (int g : keep) {
      ex << names[g];
      for (const auto& zz : zc) ex << "\t" << fmt(mu[g] + sd[g] * zz[g], 4);
      ex << "\n";
    }
    files.hgcc_expression = path("HGCC_RNA_expression.txt");
    fs::atomic_write(files.hgcc_expression, ex.str());

    std::ostringstream rs;
    rs << "cell.line\tAUC_Temozolomide\n";
    for (int i = 0; i < o.hgcc_cultures; ++i) {
      double logit = o.signal * score(w_tmz, z[i]) + rng.normal();
      int reps = i % 7 == 0 ? 2 : 1;
      for (int r = 0; r < reps; ++r)
        rs << ids[i] << "MG" << (reps > 1 ? "_r" + std::to_string(r + 1) : "") << "\t"
           << fmt(100 * sigmoid(logit + 0.1 * rng.normal()), 4) << "\n";
    }
    files.hgcc_response = path("HGCC_drugTMZ_response_AUC.txt");
    fs::atomic_write(files.hgcc_response, rs.str());
  }

  // ---- GSE232173: RNA-seq counts (negative binomial around a gene-specific abundance) and
  // the response table with MGMT status (methylated cultures respond better).
  {
    std::vector<double> logab(G), sd(G);
    for (int g = 0; g < G; ++g) {
      logab[g] = -12 + 6 * rng.uniform();  // log fraction of the library
      sd[g] = 0.4 + 0.8 * rng.uniform();
    }
    auto keep = kept_genes(rng, G, static_cast<int>(kCellCycle.size()) + 1);
    std::vector<std::string> ids;
    std::vector<std::vector<double>> z;
    std::vector<double> s, mgmt_status;
    for (int i = 0; i < o.gse_cultures; ++i) {
      ids.push_back("GS." + std::to_string(802 + 7 * i));
      z.push_back(latent.draw(rng));
      s.push_back(score(w_tmz, z.back()));
      // MGMT methylation: related to the response only through the planted signal.
      double m = (o.signal > 0 ? -0.8 * s.back() : 0.0) + rng.normal();
      mgmt_status.push_back(m > 0.6 ? 1.0 : m > 0.3 ? 0.5 : 0.0);
      if (mgmt_status.back() > 0) z.back()[mgmt] -= 2.0;  // silenced gene
    }
    std::vector<double> lib(o.gse_cultures);
    for (auto& l : lib) l = 1.5e7 + 2e7 * rng.uniform();
    // With quirks the rows are keyed by versioned Ensembl IDs, end with HTSeq's summary
    // rows, and hold one ID the map does not know; gene_map.tsv is a BioMart export whose
    // versions differ from the matrix's for some genes (the version is ignored).
    auto ensembl = [](int g, int version) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "ENSG%011d.%d", 100000 + 13 * g, version);
      return std::string(buf);
    };
    std::ostringstream ct;
    ct << "gene";
    for (const auto& id : ids) ct << "\t" << id;
    ct << "\n";
    const double dispersion = 0.1;
    for (int g : keep) {
      ct << (o.quirks ? ensembl(g, 1 + g % 15) : names[g]);
      for (int i = 0; i < o.gse_cultures; ++i) {
        double mean = lib[i] * std::exp(logab[g] + sd[g] * z[i][g]);
        double lambda = mean * gamma_draw(rng, 1 / dispersion) * dispersion;
        ct << "\t" << fmt(poisson_draw(rng, lambda), 0);
      }
      ct << "\n";
    }
    if (o.quirks) {
      const char* summary[] = {"ENSG99999999999.1", "__no_feature", "__ambiguous",
                               "__too_low_aQual", "__not_aligned", "__alignment_not_unique"};
      for (const char* row : summary) {
        ct << row;
        for (int i = 0; i < o.gse_cultures; ++i) ct << "\t" << qrng.below(200000);
        ct << "\n";
      }
      std::ostringstream map;
      map << "Gene stable ID version\tGene name\n";
      for (int g = 0; g < G; ++g)
        map << ensembl(g, 1 + g % 15 + (g % 5 == 0)) << "\t" << names[g] << "\n";
      for (int g = G; g < G + 5; ++g) map << ensembl(g, 1) << "\t\n";  // IDs without a name
      files.gene_map = path("gene_map.tsv");
      fs::atomic_write(files.gene_map, map.str());
    }
    files.gse_counts = path("GSE232173_raw_counts.txt");
    fs::atomic_write(files.gse_counts, ct.str());

    auto status = [](double m) {
      return m == 1.0 ? "Methylated" : m == 0.5 ? "Methylated (weak)" : "Unmethylated";
    };
    std::ostringstream rs;  // an Excel export too
    rs << bom << "GS.number\tGT.code\tPFS_months\tOS_months\tTMZ_IC50(uM)\tAUC\t"
          "% cell viability_100uM TMZ\tMGMT_status_tumor\tMGMT_status_culture" << eol;
    for (int i = 0; i < o.gse_cultures; ++i) {
      double logit = o.signal * s[i] + rng.normal();
      double tumour = rng.uniform() < 0.15 ? 1.0 - std::round(mgmt_status[i]) : mgmt_status[i];
      rs << ids[i] << "\tGT" << (100 + i) << "\t" << fmt(3 + 20 * rng.uniform(), 1) << "\t"
         << fmt(8 + 30 * rng.uniform(), 1) << "\t" << fmt(std::exp(4 + logit), 1) << "\t"
         << fmt(200 * sigmoid(logit), 3) << "\t" << fmt(100 * sigmoid(logit - 0.5), 1) << "\t"
         << status(tumour) << "\t" << status(mgmt_status[i]) << eol;
    }
    files.gse_response = path("GSE232173_TMZ_response.txt");
    fs::atomic_write(files.gse_response, rs.str());
  }

  std::ostringstream gs;
  for (const auto& g : kCellCycle) gs << g << "\n";
  files.gene_set = path("cell_cycle_genes.txt");
  fs::atomic_write(files.gene_set, gs.str());
  return files;
}

}  // namespace gbmsweep::drug
