#pragma once
// The sweep-file schema: every key a sweep may contain, its type, default and allowed values.
// docs/sweep-format.md documents the same table for users; `gbmsweep plan --schema` prints it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace gbmsweep::sweep {

enum class Type { String, Int, Float, Bool, StringList, IntList, FloatList, StringListList };

struct Field {
  std::string path;  // dotted; "*" matches one user-chosen name (e.g. "mri.groups.*")
  Type type;
  nlohmann::json default_value;  // null: no default (optional unless `required`)
  std::vector<std::string> allowed;  // for strings / string lists; empty = any
  std::string doc;
  bool required = false;
};

const std::vector<Field>& schema();

// run.ranks_per_task.<kind> of a sweep's config (its type already checked): 1 when absent.
int ranks_per_task(const nlohmann::json& config, const std::string& kind);
const Field* find_field(const std::string& path);  // exact or wildcard match
std::string type_name(Type t);

// The eleven UPENN-GBM modalities, the four source drugs, the networks, ...
const std::vector<std::string>& mri_modalities();
const std::vector<std::string>& drug_names();

// A bad sweep file: "file:line:column: message", exit code 2.
class SweepError : public InputError {
 public:
  SweepError(const std::string& file, int line, int column, const std::string& message);
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_, column_;
};

}  // namespace gbmsweep::sweep
