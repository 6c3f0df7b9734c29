#pragma once
// Delimited-text helpers shared by the readers (UPENN-GBM clinical CSV, GDSC/HGCC/GEO tables).
#include <string>
#include <vector>

namespace gbmsweep::text {

// Splits one record on `delim`; a field that starts with a double quote may contain the
// delimiter, and "" inside it is a quote (RFC 4180, without embedded newlines).
std::vector<std::string> split(const std::string& line, char delim);

// Without leading and trailing spaces, tabs and carriage returns.
std::string trim(const std::string& s);

}  // namespace gbmsweep::text
