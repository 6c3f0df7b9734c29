#pragma once
// ROC, precision-recall and critical-difference plots drawn with gnuplot (Debian gnuplot-nox).
// Each plot is one self-contained script <stem>.gp (data inline) kept next to its <stem>.png
// and <stem>.svg, so a figure can be restyled and redrawn with `gnuplot <stem>.gp`.
#include <string>
#include <utility>
#include <vector>

#include "analysis/stats.hpp"

namespace gbmsweep::analysis {

struct PlotOptions {
  std::string gnuplot = "gnuplot";  // executable
  int width = 800, height = 600;    // pixels (PNG) / points (SVG)
};

// Whether gnuplot runs, and the PNG terminal to use: "pngcairo" if available, else "png";
// empty when gnuplot is missing.
std::string png_terminal(const PlotOptions& o);

using Points = std::vector<std::pair<double, double>>;
// ROC curve (FPR, TPR) from (0,0) through each distinct threshold to (1,1).
Points roc_points(const std::vector<double>& labels, const std::vector<double>& scores);
// Precision-recall steps (recall, precision) at each distinct threshold, from recall 0.
Points pr_points(const std::vector<double>& labels, const std::vector<double>& scores);

struct Series {
  std::string label;
  Points points;
};
enum class CurveKind { Roc, PrecisionRecall };

// Writes <dir>/<stem>.gp and draws <stem>.png and <stem>.svg; returns the paths of the figures.
// Throws gbmsweep::Error naming the script when gnuplot fails.
std::vector<std::string> plot_curves(const std::string& dir, const std::string& stem,
                                     const std::string& title, CurveKind kind,
                                     const std::vector<Series>& series, const PlotOptions& o);
// Demšar's critical-difference diagram: the rank axis (1 = best, left), each method at its mean
// rank, and bars joining the groups of methods whose mean ranks differ by less than the CD.
std::vector<std::string> plot_cd_diagram(const std::string& dir, const std::string& stem,
                                         const std::string& title, const FriedmanResult& r,
                                         const PlotOptions& o);

}  // namespace gbmsweep::analysis
