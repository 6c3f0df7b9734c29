// The one delimited-text parser (common/text): any bytes give records or an InputError.
#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "common/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (char delim : {'\0', ',', '\t'}) {
    try {
      auto r = gbmsweep::text::DelimitedReader::from_string(text, "fuzz.csv", delim);
      gbmsweep::text::Record rec;
      std::size_t last = 0;
      while (r.next(rec)) {
        if (rec.line < last || rec.fields.empty()) __builtin_trap();  // lines only go forward
        last = rec.line;
      }
    } catch (const gbmsweep::InputError&) {
    }
  }
  return 0;
}
