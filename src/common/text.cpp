#include "common/text.hpp"

#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace gbmsweep::text {

std::vector<std::string> split(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == delim) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

DelimitedReader::DelimitedReader(std::string path, char delim) : path_(std::move(path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw InputError(path_, "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path_, "read error");
  text_ = ss.str();
  start(delim);
}

DelimitedReader DelimitedReader::from_string(std::string text, std::string path, char delim) {
  DelimitedReader r;
  r.path_ = std::move(path);
  r.text_ = std::move(text);
  r.start(delim);
  return r;
}

void DelimitedReader::start(char delim) {
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 BOM (Excel's "CSV UTF-8")
  if (delim == 0) {
    const auto eol = text_.find_first_of("\r\n", pos_);
    const auto tab = text_.find('\t', pos_);
    delim = tab != std::string::npos && (eol == std::string::npos || tab < eol) ? '\t' : ',';
  }
  delim_ = delim;
}

bool DelimitedReader::next(Record& out) {
  const std::size_t n = text_.size();
  while (pos_ < n) {
    out.fields.clear();
    out.line = line_;
    std::string field;
    bool any = false;  // the record has a delimiter or a quoted field: not a blank line
    for (;;) {
      if (pos_ < n && text_[pos_] == '"' && field.empty()) {
        // Quoted field: runs to the closing quote; "" is a quote; line breaks are kept.
        const std::size_t started = line_;
        any = true;
        ++pos_;
        for (;;) {
          if (pos_ >= n)
            throw InputError(path_, "line " + std::to_string(started) +
                                        ": quoted field is not closed before the end of the file");
          const char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < n && text_[pos_] == '"') {
              field += '"';
              ++pos_;
            } else {
              break;
            }
          } else {
            if (c == '\n' || (c == '\r' && (pos_ >= n || text_[pos_] != '\n'))) ++line_;
            field += c;
          }
        }
        // Text between the closing quote and the delimiter is kept as is (lenient, like R).
      }
      while (pos_ < n && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r')
        field += text_[pos_++];
      if (pos_ < n && text_[pos_] == delim_) {
        any = true;
        ++pos_;
        out.fields.push_back(std::move(field));
        field.clear();
        continue;
      }
      out.fields.push_back(std::move(field));
      if (pos_ < n) {  // end of line: LF, CRLF or CR
        if (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
      }
      break;
    }
    const bool blank = !any && out.fields.size() == 1 && trim(out.fields[0]).empty();
    if (!blank) return true;
  }
  return false;
}

std::vector<Record> read_delimited(const std::string& path, char delim) {
  DelimitedReader r(path, delim);
  std::vector<Record> out;
  Record rec;
  while (r.next(rec)) out.push_back(rec);
  return out;
}

}  // namespace gbmsweep::text
