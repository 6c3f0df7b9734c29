#pragma once
// Delimited-text parsing shared by every reader (UPENN-GBM clinical CSV, GDSC/HGCC/GEO tables,
// gene maps, the `stats`/`metrics` inputs): one RFC 4180 parser, so that spreadsheet exports
// (UTF-8 BOM, CRLF, quoted fields with delimiters, quotes or line breaks) read the same everywhere.
#include <cstddef>
#include <string>
#include <vector>

namespace gbmsweep::text {

// Splits one record on `delim`; a field that starts with a double quote may contain the
// delimiter, and "" inside it is a quote (RFC 4180, without embedded newlines).
std::vector<std::string> split(const std::string& line, char delim);

// Without leading and trailing spaces, tabs and carriage returns.
std::string trim(const std::string& s);

// One record of a delimited file: its fields and the 1-based line it starts on.
struct Record {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// Streams the records of a delimited file (RFC 4180): a leading UTF-8 BOM is dropped; records
// end at LF, CRLF or a lone CR; a field that starts with '"' may hold the delimiter, "" (a quote)
// and line breaks; blank lines are skipped. An unterminated quote is an InputError naming the
// file and the line the field started on. The file is read into memory once; fields are
// produced a record at a time, so a 20,000 × 1,000 expression matrix is never held as strings.
class DelimitedReader {
 public:
  // `delim` 0: tab if the first record's line has one, else comma.
  explicit DelimitedReader(std::string path, char delim = 0);
  // From text already in memory (tests, fuzzing); `path` only names it in messages.
  static DelimitedReader from_string(std::string text, std::string path, char delim = 0);

  // The next non-blank record; false at the end of the file.
  bool next(Record& out);
  char delimiter() const { return delim_; }
  const std::string& path() const { return path_; }
  // Lines consumed so far (the file's line count once next() returned false).
  std::size_t lines_read() const { return line_ - 1; }

 private:
  DelimitedReader() = default;
  void start(char delim);
  std::string path_;
  std::string text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  char delim_ = ',';
};

// The whole file as records (header first). For small tables only.
std::vector<Record> read_delimited(const std::string& path, char delim = 0);

}  // namespace gbmsweep::text
