#pragma once
// Parsing and validating a sweep file (TOML) into a JSON configuration with defaults filled in,
// plus the points of its hyperparameter grid. Every error names file:line:column and the key.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gbmsweep::sweep {

struct SourcePos {
  int line = 1, column = 1;
};

struct ParsedSweep {
  std::string path;              // file name used in messages
  nlohmann::json config;         // validated, defaults filled, only the sections present
  // Grid points: each maps dotted parameter paths to values. One empty point without a grid.
  std::vector<nlohmann::json> grid;
  std::map<std::string, SourcePos> positions;  // dotted path (or "probe.task[i]") -> position
  SourcePos where(const std::string& path) const;  // nearest known position (falls back to 1:1)
};

ParsedSweep parse_sweep_file(const std::string& path);
ParsedSweep parse_sweep_text(const std::string& text, const std::string& name);

// Applies a grid point's overrides to a configuration (dotted paths).
nlohmann::json apply_grid_point(const nlohmann::json& config, const nlohmann::json& point);

}  // namespace gbmsweep::sweep
