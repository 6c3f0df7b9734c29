#pragma once
// Readers for the drug-study inputs in their real layouts (docs/DATA.md). Every bad input
// (missing column, non-numeric value, duplicated sample, empty table) is an InputError naming
// the file, the 1-based line and the problem.
#include <string>

#include "drug/data.hpp"

namespace gbmsweep::drug {

// GDSC{1,2}_fitted_dose_response_*.csv: rows of `drug_name` (DRUG_NAME, case-insensitive);
// ids are COSMIC_IDs, values AUC. A cell line twice for the drug is an error.
Response read_gdsc_response(const std::string& path, const std::string& drug_name);

// Cell_line_RMA_proc_basalExp.txt: GENE_SYMBOLS, GENE_title, DATA.<COSMIC_ID>...; rows without
// a symbol are skipped, repeated symbols averaged; samples named by COSMIC_ID.
ExprMatrix read_gdsc_expression(const std::string& path);

// HGCC_RNA_expression.txt: genes × cultures; replicate columns (U3065.1) are averaged into
// their culture (U3065).
ExprMatrix read_hgcc_expression(const std::string& path);

// HGCC_drugTMZ_response_AUC.txt: cell.line, AUC_Temozolomide; the culture is the first five
// characters of cell.line, replicates averaged.
Response read_hgcc_response(const std::string& path);

// A tab-separated count matrix (genes × samples, e.g. GSE232173 GS.802 ...); counts must be
// non-negative; repeated gene symbols are summed.
ExprMatrix read_count_matrix(const std::string& path);

// GSE232173 response table (tab or comma separated): GS.number, AUC, MGMT_status_culture,
// MGMT_status_tumor (other columns ignored). GS.number "802" or "GS802" becomes "GS.802".
GseClinical read_gse_response(const std::string& path);

// GEO series-matrix text file: !Sample_title and the table between
// !series_matrix_table_begin / _end.
SeriesMatrix read_series_matrix(const std::string& path);

// MGMT status string -> 1 (Methylated), 0.5 (Methylated (weak)), 0 (Unmethylated), NaN (empty,
// NA); anything else is an error at `path`:`line`.
double parse_mgmt(const std::string& value, const std::string& path, std::size_t line);

}  // namespace gbmsweep::drug
