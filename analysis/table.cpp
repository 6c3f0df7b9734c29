#include "analysis/table.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>

namespace gbmsweep::analysis {

namespace {

std::string fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string full(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

namespace {
std::string format_value(const Cell& c) {
  if (!c.numeric) return c.text;
  if (!std::isfinite(c.value)) return c.text.empty() ? "n/a" : c.text;
  if (c.interval) return "[" + fixed4(c.value) + ", " + fixed4(c.hi) + "]";
  if (c.pvalue) {
    if (c.value < 1e-4) return "< 0.0001";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", c.value);
    return buf;
  }
  std::string s = fixed4(c.value);
  if (std::isfinite(c.sd)) s += " ± " + fixed4(c.sd);
  return s;
}
}  // namespace

std::string format_cell(const Cell& c) { return format_value(c) + c.mark; }

std::string to_markdown(const Table& t) {
  std::ostringstream os;
  if (!t.title.empty()) os << "**" << t.title << "**\n\n";
  os << "|";
  for (const auto& h : t.header) os << " " << h << " |";
  os << "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) os << (i == 0 ? "---|" : "---:|");
  os << "\n";
  for (const auto& r : t.rows) {
    os << "|";
    for (const auto& c : r) os << " " << format_cell(c) << " |";
    os << "\n";
  }
  if (!t.note.empty()) os << "\n" << t.note << "\n";
  return os.str();
}

std::string latex_escape(const std::string& s) {
  std::string o;
  // Characters that pdflatex's utf8 input encoding does not know.
  static const std::pair<const char*, const char*> kMath[] = {
      {"±", "$\\pm$"}, {"−", "$-$"}, {"≥", "$\\geq$"}, {"≤", "$\\leq$"}, {"χ", "$\\chi$"}, {"²", "$^2$"},
      {"†", "\\textsuperscript{\\dag}"}, {"Δ", "$\\Delta$"}, {"α", "$\\alpha$"}};
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool replaced = false;
    for (const auto& [from, to] : kMath)
      if (s.compare(i, std::char_traits<char>::length(from), from) == 0) {
        o += to;
        i += std::char_traits<char>::length(from) - 1;
        replaced = true;
        break;
      }
    if (replaced) continue;
    char c = s[i];
    switch (c) {
      case '_': case '&': case '%': case '#': case '$': case '{': case '}':
        o += '\\';
        o += c;
        break;
      case '<': o += "$<$"; break;
      case '>': o += "$>$"; break;
      case '\\': o += "\\textbackslash{}"; break;
      case '^': o += "\\^{}"; break;
      case '~': o += "\\~{}"; break;
      default: o += c;
    }
  }
  return o;
}

std::string to_latex(const Table& t) {
  std::ostringstream os;
  os << "\\begin{table}[ht]\n\\centering\n";
  if (!t.title.empty()) os << "\\caption{" << latex_escape(t.title) << "}\n";
  // Wide tables (Table 4, Tables 1–3 with intervals) are scaled to the text width.
  const bool wide = t.header.size() > 7;
  if (wide) os << "\\resizebox{\\textwidth}{!}{%\n";
  os << "\\begin{tabular}{l" << std::string(t.header.size() > 0 ? t.header.size() - 1 : 0, 'r') << "}\n\\toprule\n";
  for (std::size_t i = 0; i < t.header.size(); ++i)
    os << (i ? " & " : "") << latex_escape(t.header[i]);
  os << " \\\\\n\\midrule\n";
  for (const auto& r : t.rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      os << (i ? " & " : "") << latex_escape(format_cell(r[i]));
    }
    os << " \\\\\n";
  }
  os << "\\bottomrule\n\\end{tabular}" << (wide ? "}" : "") << "\n";
  if (!t.note.empty()) os << "\n\\smallskip\n{\\footnotesize " << latex_escape(t.note) << "}\n";
  os << "\\end{table}\n";
  return os.str();
}

std::string to_csv(const Table& t) {
  std::vector<bool> has_sd(t.header.size(), false), is_interval(t.header.size(), false);
  for (const auto& r : t.rows)
    for (std::size_t i = 0; i < r.size() && i < has_sd.size(); ++i) {
      if (r[i].numeric && std::isfinite(r[i].sd)) has_sd[i] = true;
      if (r[i].interval) is_interval[i] = true;
    }
  std::ostringstream os;
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    os << (i ? "," : "");
    if (is_interval[i]) {
      os << csv_field(t.header[i] + "_lo") << "," << csv_field(t.header[i] + "_hi");
      continue;
    }
    os << csv_field(t.header[i]);
    if (has_sd[i]) os << "," << csv_field(t.header[i] + "_sd");
  }
  os << "\n";
  for (const auto& r : t.rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      os << (i ? "," : "");
      if (i < is_interval.size() && is_interval[i]) {
        os << (r[i].interval ? full(r[i].value) + "," + full(r[i].hi) : ",");
        continue;
      }
      os << (r[i].numeric ? full(r[i].value) : csv_field(r[i].text));
      if (i < has_sd.size() && has_sd[i]) os << "," << full(r[i].sd);
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace gbmsweep::analysis
