// The store's journal replay (store/store: what `status`, the report and every resume read
// first): any journal.jsonl gives a store, or a gbmsweep error naming the journal, never a
// crash or an exception of another type (a JSON library message with no file name).
#include "common/error.hpp"
#include "common/log.hpp"
#include "scratch.hpp"
#include "store/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = (gbmsweep::log::set_level(gbmsweep::log::Level::Error), true);
  (void)quiet;
  fuzz::write_scratch("journal.jsonl", data, size);
  try {
    const gbmsweep::Store store = gbmsweep::Store::open_read(fuzz::scratch_dir());
    for (const auto& r : store.records(false)) {
      if (!store.has(r.key)) __builtin_trap();
      (void)store.digest(r.key);
    }
  } catch (const gbmsweep::InputError&) {
  } catch (const gbmsweep::Error&) {
  }
  return 0;
}
