#pragma once
// Readers for the drug-study inputs in their real layouts (docs/DATA.md), as distributed:
// spreadsheet exports (BOM, CRLF, quoted fields), GDSC's repeated expression columns and drugs
// under several DRUG_IDs, count matrices keyed by Ensembl or Entrez IDs with HTSeq summary
// rows. Every bad input (missing column, non-numeric value, duplicated sample, empty table) is
// an InputError naming the file, the 1-based line and the problem; given a Sink that collects
// (the preflight), row problems are listed and the reader goes on.
#include <map>
#include <string>
#include <vector>

#include "drug/data.hpp"
#include "drug/text.hpp"

namespace gbmsweep::drug {

using text::Sink;

// What to do with a DATA.<COSMIC_ID> column that appears more than once in the GDSC
// expression file (four do in the real one): average them, or keep the first.
enum class RepeatedColumns { Mean, First };
RepeatedColumns parse_repeated_columns(const std::string& name);  // "mean" | "first"

enum class GdscRelease { Gdsc1, Gdsc2 };
GdscRelease parse_gdsc_release(const std::string& name);  // "GDSC1" | "GDSC2"
const char* gdsc_release_name(GdscRelease r);

// Which GDSC screen of a drug: the release, and the DRUG_IDs to take. With no IDs and several
// in the file (GDSC2 lists Oxaliplatin under 1089 and 1806) the ID with the most rows is taken
// (ties: the lowest) and a warning lists them; the reference code's oxaliplatin is GDSC2 1089,
// 710 cell lines (docs/drug-study.md). Several IDs given: a cell line's AUCs are averaged.
struct GdscChoice {
  GdscRelease release = GdscRelease::Gdsc2;
  std::vector<long long> drug_ids;
};

// Options of the readers as a sweep sets them ([drug] repeated_columns, gdsc_release,
// gdsc_drug_ids, [data] gene_map).
struct ReadOptions {
  RepeatedColumns repeated_columns = RepeatedColumns::Mean;
  GdscRelease gdsc_release = GdscRelease::Gdsc2;
  std::map<std::string, std::vector<long long>> gdsc_drug_ids;  // by lower-case drug name
  std::string gene_map;                                         // "" none
  // [data] gse_batches: sample -> sequencing batch of the GSE232173 counts; when set, the
  // counts are ComBat-seq adjusted before filterByExpr (drug/combat_seq.hpp). "" none.
  std::string gse_batches;
  GdscChoice gdsc_choice(const std::string& drug) const;
};

// GDSC{1,2}_fitted_dose_response_*.csv: rows of `drug_name` (DRUG_NAME, case-insensitive)
// in the chosen release (DATASET column, when there is one) and screen (DRUG_ID); ids are
// COSMIC_IDs, values AUC. A cell line twice in one screen is an error.
Response read_gdsc_response(const std::string& path, const std::string& drug_name,
                            const GdscChoice& choice = {}, Sink* sink = nullptr);

// DRUG_IDs of a drug in a GDSC response file, with their row counts (release-filtered).
std::map<long long, std::size_t> gdsc_drug_ids(const std::string& path,
                                               const std::string& drug_name,
                                               GdscRelease release);

// Cell_line_RMA_proc_basalExp.txt: GENE_SYMBOLS, GENE_title, DATA.<COSMIC_ID>...; rows without
// a symbol are skipped, repeated symbols averaged; samples named by COSMIC_ID; a repeated
// column (DATA.905954 twice, or pandas' DATA.905954.1) is averaged or the first kept, with a
// warning naming them.
ExprMatrix read_gdsc_expression(const std::string& path,
                                RepeatedColumns repeated = RepeatedColumns::Mean,
                                Sink* sink = nullptr);

// HGCC_RNA_expression.txt: genes × cultures; replicate columns (U3065.1) are averaged into
// their culture (U3065).
ExprMatrix read_hgcc_expression(const std::string& path, Sink* sink = nullptr);

// HGCC_drugTMZ_response_AUC.txt: cell.line, AUC_Temozolomide; the culture is the first five
// characters of cell.line, replicates averaged.
Response read_hgcc_response(const std::string& path, Sink* sink = nullptr);

// A count matrix (genes × samples, e.g. GSE232173 GS.802 ...); counts must be non-negative;
// repeated gene IDs are summed; HTSeq/featureCounts summary rows (__no_feature, ...) dropped.
ExprMatrix read_count_matrix(const std::string& path, Sink* sink = nullptr);

// GSE232173 response table (tab or comma separated): GS.number, AUC, MGMT_status_culture,
// MGMT_status_tumor (other columns ignored). GS.number "802" or "GS802" becomes "GS.802".
GseClinical read_gse_response(const std::string& path, Sink* sink = nullptr);

// GEO series-matrix text file: !Sample_title and the table between
// !series_matrix_table_begin / _end.
SeriesMatrix read_series_matrix(const std::string& path, Sink* sink = nullptr);

// MGMT status string -> 1 (Methylated), 0.5 (Methylated (weak)), 0 (Unmethylated), NaN (empty,
// NA); anything else is an error at `path`:`line`.
double parse_mgmt(const std::string& value, const std::string& path, std::size_t line);

// ---- gene identifiers --------------------------------------------------------------------
enum class GeneIdKind { Symbol, Ensembl, Entrez };
const char* gene_id_kind_name(GeneIdKind k);
// Ensembl when most IDs look like ENSG00000141510 (with or without ".N"), Entrez when most
// are all digits, else symbols.
GeneIdKind detect_gene_ids(const std::vector<std::string>& ids);
// ENSG00000141510.17 -> ENSG00000141510; other IDs unchanged.
std::string strip_version(const std::string& id);

// A two-column table with a header (TSV or CSV, e.g. BioMart's "Gene stable ID version\tGene
// name"): the ID as in the matrix (version suffix ignored), then the symbol. Rows with an
// empty symbol are skipped; an ID given two different symbols is an error.
struct GeneMap {
  std::string path;
  std::map<std::string, std::string> symbol_of;  // version-free ID -> symbol
};
GeneMap read_gene_map(const std::string& path, Sink* sink = nullptr);

// The matrix with gene symbols as row names: symbol-keyed matrices pass through; Ensembl or
// Entrez keys go through `map` (nullptr: an InputError at `path` saying which kind was found
// and to set [data] gene_map), unmapped rows dropped with a note, rows of one symbol summed
// (`sum`, counts) or averaged. A map that maps no row is an InputError.
ExprMatrix to_symbols(ExprMatrix m, const GeneMap* map, const std::string& path,
                      bool sum);

}  // namespace gbmsweep::drug
