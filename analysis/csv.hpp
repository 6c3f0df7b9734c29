#pragma once
// CSV tables for the user-facing inputs of `gbmsweep stats` and `gbmsweep metrics` (and the
// report's own tables, read back in tests), parsed by common/text's DelimitedReader, the one
// RFC 4180 parser. Errors are InputError naming the file and the line.
#include <string>
#include <vector>

#include "analysis/stats.hpp"

namespace gbmsweep::analysis {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // 1-based line number of each row, for messages
  // Index of a column by (trimmed, case-sensitive) name; throws InputError if absent.
  std::size_t column(const std::string& name) const;
  // rows[r][c] as a finite double; throws InputError naming line and column otherwise.
  double number(std::size_t r, std::size_t c) const;
};

// Reads a CSV file (always comma-separated) with a header line. Fields may be quoted ("a,b",
// "" escapes, line breaks) and are trimmed; blank lines and a UTF-8 BOM are skipped; every
// row must have as many fields as the header.
CsvTable read_csv(const std::string& path);

// Long-format scores (columns block, method, score; other columns ignored).
std::vector<ScoreRow> read_score_rows(const std::string& path);

// Binary predictions (columns id, label, score; label 0 or 1; ids unique).
struct LabelledScores {
  std::vector<std::string> ids;
  std::vector<double> labels, scores;
};
LabelledScores read_labelled_scores(const std::string& path);

}  // namespace gbmsweep::analysis
