#pragma once
// The drug study's part of the preflight (`gbmsweep check`, and `run` before its first task):
// every drug input the sweep needs is opened and every problem listed with file:line, so a
// sweep that cannot run fails before the job starts instead of in its tasks.
#include <string>

#include <nlohmann/json.hpp>

#include "common/problems.hpp"
#include "drug/readers.hpp"

namespace gbmsweep::drug {

// The readers' options from a sweep's [drug] section (or a task's "read" params, which carry
// the same keys: gdsc_release, repeated_columns, gdsc_drug_ids), [data] gene_map and
// [data] gse_batches ("" none).
ReadOptions read_options(const nlohmann::json& drug, const std::string& gene_map,
                         const std::string& gse_batches = "");

// Opens the drug inputs that `config` (the validated sweep, Plan::config) needs and adds each
// problem to `out`: missing or ambiguous files, unreadable rows (non-numeric AUCs, repeated
// IDs, ...), a GDSC file without a source drug or its DRUG_IDs, ID-keyed expression without a
// gene map, a map that maps nothing, no gene shared by the three datasets, responses without
// expression. Bad input never throws; nothing is added when the sweep has no [drug] section.
void check_drug_inputs(const nlohmann::json& config, Problems& out);

}  // namespace gbmsweep::drug
