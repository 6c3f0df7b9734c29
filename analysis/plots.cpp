#include "analysis/plots.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <sstream>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace gbmsweep::analysis {

namespace {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A gnuplot string literal (double quotes; backslashes and quotes escaped; underscores left
// alone because the scripts use the noenhanced text mode).
std::string gp_str(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string join_path(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

// Appends the terminal/output/replot lines for PNG and SVG and runs the script.
std::vector<std::string> render(const std::string& dir, const std::string& stem,
                                const std::string& body, const PlotOptions& o) {
  std::string png_term = png_terminal(o);
  GBM_CHECK(!png_term.empty(), "plot " << stem << ": cannot run '" << o.gnuplot << "'");
  std::string png = join_path(dir, stem + ".png"), svg = join_path(dir, stem + ".svg");
  std::ostringstream gp;
  gp << "# Written by gbmsweep report; redraw with: gnuplot " << stem << ".gp\n"
     << "set encoding utf8\nset termoption noenhanced\n"
     << "set terminal " << png_term << " size " << o.width << "," << o.height
     << (png_term == "pngcairo" ? " font \"sans,11\"" : "") << "\n"
     << "set output " << gp_str(stem + ".png") << "\n"
     << body
     << "set terminal svg size " << o.width << "," << o.height << " dynamic font \"sans,11\"\n"
     << "set output " << gp_str(stem + ".svg") << "\nreplot\nunset output\n";
  std::string script = join_path(dir, stem + ".gp");
  fs::atomic_write(script, gp.str());
  std::string log = join_path(dir, stem + ".gnuplot.log");
  // Run inside `dir` so the script's relative output names work when it is rerun by hand.
  std::string cmd = "cd " + shell_quote(dir) + " && " + shell_quote(o.gnuplot) + " " +
                    shell_quote(stem + ".gp") + " > " + shell_quote(stem + ".gnuplot.log") + " 2>&1";
  int rc = std::system(cmd.c_str());
  GBM_CHECK(rc == 0, "gnuplot failed on " << script << " (see " << log << ")");
  std::remove(log.c_str());
  return {png, svg};
}

std::vector<std::size_t> order_desc(const std::vector<double>& s) {
  std::vector<std::size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return s[a] > s[b]; });
  return idx;
}

}  // namespace

std::string png_terminal(const PlotOptions& o) {
  // Probed once per executable: each probe starts gnuplot.
  static std::map<std::string, std::string> cache;
  if (auto it = cache.find(o.gnuplot); it != cache.end()) return it->second;
  auto works = [&](const char* term) {
    std::string cmd = shell_quote(o.gnuplot) + " -e " + shell_quote(std::string("set terminal ") + term) +
                      " > /dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  };
  std::string& term = cache[o.gnuplot];
  term = works("pngcairo") ? "pngcairo" : works("png") ? "png" : "";
  return term;
}

Points roc_points(const std::vector<double>& labels, const std::vector<double>& scores) {
  double P = 0, N = 0;
  for (double l : labels) (l == 1.0 ? P : N) += 1;
  GBM_CHECK(P > 0 && N > 0, "ROC curve: needs both classes");
  Points pts{{0, 0}};
  auto idx = order_desc(scores);
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) (labels[idx[j++]] == 1.0 ? tp : fp) += 1;
    pts.emplace_back(fp / N, tp / P);
    i = j;
  }
  return pts;
}

Points pr_points(const std::vector<double>& labels, const std::vector<double>& scores) {
  double P = 0;
  for (double l : labels) P += l == 1.0;
  GBM_CHECK(P > 0, "precision-recall curve: needs a positive sample");
  Points pts;
  auto idx = order_desc(scores);
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) (labels[idx[j++]] == 1.0 ? tp : fp) += 1;
    if (pts.empty()) pts.emplace_back(0.0, tp / (tp + fp));
    pts.emplace_back(tp / P, tp / (tp + fp));
    i = j;
  }
  return pts;
}

std::vector<std::string> plot_curves(const std::string& dir, const std::string& stem,
                                     const std::string& title, CurveKind kind,
                                     const std::vector<Series>& series, const PlotOptions& o) {
  GBM_CHECK(!series.empty(), "plot " << stem << ": no series");
  bool roc = kind == CurveKind::Roc;
  std::ostringstream b;
  for (std::size_t s = 0; s < series.size(); ++s) {
    b << "$D" << s << " << EOD\n";
    for (const auto& [x, y] : series[s].points) b << x << " " << y << "\n";
    b << "EOD\n";
  }
  b << "set title " << gp_str(title) << "\n"
    << "set xlabel " << gp_str(roc ? "False positive rate (1 - specificity)" : "Recall (sensitivity)") << "\n"
    << "set ylabel " << gp_str(roc ? "True positive rate (sensitivity)" : "Precision") << "\n"
    << "set xrange [0:1]\nset yrange [0:1.02]\nset size ratio -1\nset grid\n"
    << "set key " << (roc ? "bottom right" : "bottom left") << " box opaque\n"
    << "plot ";
  for (std::size_t s = 0; s < series.size(); ++s)
    b << (s ? ", \\\n     " : "") << "$D" << s << " using 1:2 with "
      << (roc ? "lines" : "fsteps") << " lw 2 title " << gp_str(series[s].label);
  if (roc) b << ", \\\n     x with lines dt 2 lc rgb \"gray\" title \"chance\"";
  b << "\n";
  return render(dir, stem, b.str(), o);
}

std::vector<std::string> plot_cd_diagram(const std::string& dir, const std::string& stem,
                                         const std::string& title, const FriedmanResult& r,
                                         const PlotOptions& o) {
  const std::size_t k = r.methods.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return r.mean_ranks[a] < r.mean_ranks[b]; });
  // Plot space: x = rank from 1 (left) to k; y = 0 (bottom) .. 1 (the axis at 0.8). The width
  // leaves room for the longest method label on either side (about 7.5 px per character).
  const double axis = 0.8, lo = 1, hi = static_cast<double>(k);
  std::size_t longest = 0;
  for (const auto& m : r.methods) longest = std::max(longest, m.size() + 7);
  const double label_px = 7.5 * static_cast<double>(longest) + 30;
  PlotOptions sized = o;
  sized.width = std::max(o.width, static_cast<int>(2 * label_px) + 120 * static_cast<int>(k));
  const double unit = (hi - lo > 0 ? hi - lo : 1) / (sized.width - 2 * label_px - 40);  // ranks per px
  const double pad = (label_px + 20) * unit;
  std::ostringstream b;
  b << "set title " << gp_str(title) << "\n"
    << "unset border\nunset xtics\nunset ytics\nunset key\nset margins 0,0,0,3\n"
    << "set xrange [" << lo - pad << ":" << hi + pad << "]\nset yrange [0:1]\n"
    << "set arrow from " << lo << "," << axis << " to " << hi << "," << axis << " nohead lw 2\n";
  for (std::size_t t = 1; t <= k; ++t)
    b << "set arrow from " << t << "," << axis << " to " << t << "," << axis + 0.03 << " nohead lw 1\n"
      << "set label " << gp_str(std::to_string(t)) << " at " << t << "," << axis + 0.08 << " center\n";
  // The CD bar above the axis, left aligned, its value to its right.
  std::ostringstream cd;
  cd.precision(3);
  cd << "CD = " << r.critical_difference;
  b << "set arrow from " << lo << "," << 0.95 << " to " << lo + r.critical_difference << "," << 0.95
    << " heads size 0.01,90 lw 2\n"
    << "set label " << gp_str(cd.str()) << " at " << lo + r.critical_difference + 10 * unit << "," << 0.95
    << " left\n";
  // Methods: better half to the left, the rest to the right, one row each.
  const std::size_t half = (k + 1) / 2;
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t m = order[i];
    bool left = i < half;
    std::size_t row = left ? i : k - 1 - i;
    double y = axis - 0.2 - 0.65 * static_cast<double>(row) / std::max<std::size_t>(1, half);
    double x = r.mean_ranks[m];
    double edge = left ? lo - 20 * unit : hi + 20 * unit;
    std::ostringstream name;
    name.precision(3);
    name << r.methods[m] << " (" << x << ")";
    b << "set arrow from " << x << "," << axis << " to " << x << "," << y << " nohead lw 1\n"
      << "set arrow from " << x << "," << y << " to " << edge << "," << y << " nohead lw 1\n"
      << "set label " << gp_str(name.str()) << " at " << edge + (left ? -5 : 5) * unit << "," << y
      << (left ? " right" : " left") << "\n";
  }
  // Cliques: maximal runs of consecutive methods within the CD of each other.
  int bar = 0;
  std::size_t last_end = 0;
  for (std::size_t i = 0; i < k; ++i) {
    std::size_t j = i;
    while (j + 1 < k && r.mean_ranks[order[j + 1]] - r.mean_ranks[order[i]] < r.critical_difference) ++j;
    if (j > i && (bar == 0 || j > last_end)) {
      double y = axis - 0.05 - 0.04 * bar++;
      b << "set arrow from " << r.mean_ranks[order[i]] - 0.03 << "," << y << " to "
        << r.mean_ranks[order[j]] + 0.03 << "," << y << " nohead lw 5 lc rgb \"#444444\"\n";
      last_end = j;
    }
  }
  b << "plot NaN notitle\n";
  sized.height = 160 + 70 * static_cast<int>(half);
  return render(dir, stem, b.str(), sized);
}

}  // namespace gbmsweep::analysis
