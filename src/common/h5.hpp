#pragma once
// Thin HDF5 C API wrappers: RAII handles, status codes turned into gbmsweep::Error naming the
// call and the file, and a few typed helpers for the datasets gbmsweep writes.
// Parallel HDF5 note (STACK.md trap 3): file open/close, dataset and attribute creation are
// collective when a file is opened with an MPI-IO property list. The helpers here open files
// with the default (serial, per-process) driver; callers decide which ranks call them.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gbmsweep::h5 {

// Owns an hid_t and closes it with the right H5?close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) { reset(); id_ = o.id_; o.id_ = -1; }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = -1;
};

// Throws gbmsweep::Error if `id` < 0, with the HDF5 error stack's innermost message.
hid_t check(hid_t id, const char* call, const std::string& path, const char* file, int line);

// Silences HDF5's automatic error printing (we report errors ourselves). Idempotent.
void quiet();

Handle create_file(const std::string& path);  // truncates
// A file built in memory (the core driver, no backing store): HDF5 never touches the disk, so
// a full disk cannot leave it with a half-written file it later crashes on at H5close. The
// caller writes `file_image` out with fs::atomic_write. `name` only labels errors.
Handle create_memory_file(const std::string& name);
std::string file_image(hid_t file, const std::string& name);
Handle open_file(const std::string& path, bool writable);
Handle open_group(hid_t loc, const std::string& name);   // must exist
Handle ensure_group(hid_t loc, const std::string& name); // creates if missing
bool exists(hid_t loc, const std::string& name);

// 1-D and N-D datasets of double/float/int64/uint8 and string lists (variable-length UTF-8).
void write(hid_t loc, const std::string& name, const std::vector<double>& v);
void write(hid_t loc, const std::string& name, const std::vector<float>& v,
           const std::vector<hsize_t>& dims = {});
void write(hid_t loc, const std::string& name, const std::vector<long long>& v);
void write(hid_t loc, const std::string& name, const std::vector<std::uint64_t>& v);
void write(hid_t loc, const std::string& name, const std::vector<std::string>& v);
std::vector<double> read_doubles(hid_t loc, const std::string& name);
std::vector<float> read_floats(hid_t loc, const std::string& name, std::vector<hsize_t>* dims = nullptr);
std::vector<long long> read_ints(hid_t loc, const std::string& name);
std::vector<std::string> read_strings(hid_t loc, const std::string& name);

// Typed datasets that grow and are read in parts (HighFive's createDataSet<T> with chunking,
// resize + select(offset, count).write, select(...).read). T is float, double, long long or
// std::uint64_t: in the file little-endian IEEE / two's complement whatever the machine (h5py
// sees <f4, <f8, <i8, <u8), in memory the native type.
//
// Creates `name` (must not exist) with extent `dims`, dimension 0 unlimited and the others
// fixed, stored in chunks of `chunk`; `deflate` 0-9 compresses each chunk (-1: none).
template <class T>
Handle create_chunked(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                      const std::vector<hsize_t>& chunk, int deflate = -1);
Handle open_dataset(hid_t loc, const std::string& name);  // must exist
std::vector<hsize_t> extent(hid_t ds);
// Grows dimension 0 by `rows` and writes them from `data` (rows × the other dimensions,
// row-major). Returns the index of the first new row.
template <class T>
hsize_t append(hid_t ds, const T* data, hsize_t rows);
// Grows dimension 0 by one row that is exactly one chunk of `ds` and writes that chunk's
// stored bytes as given (H5Dwrite_chunk, all filters applied: filter mask 0). This lets the
// caller run the chunk's deflate filter itself, e.g. on worker threads (zlib's compress2 at
// the dataset's level makes the bytes HDF5 would have written). Returns the row's index.
hsize_t append_chunk_bytes(hid_t ds, const void* bytes, std::size_t size);
// Reads the block at `offset` of size `count` (one entry per dimension) into `out`
// (prod(count) elements, row-major).
template <class T>
void read_slab(hid_t ds, const std::vector<hsize_t>& offset, const std::vector<hsize_t>& count,
               T* out);

// Names of an object's attributes / a group's links, in name order.
std::vector<std::string> attr_names(hid_t obj);
std::vector<std::string> link_names(hid_t group);
bool attr_is_string(hid_t obj, const std::string& name);
// A link `name` in `loc` to object `object` of another file (`file` relative to the directory
// of the file that holds the link, as h5py resolves it).
void link_external(hid_t loc, const std::string& name, const std::string& file,
                   const std::string& object = "/");

// String and numeric attributes on any object.
void set_attr(hid_t obj, const std::string& name, const std::string& value);
void set_attr(hid_t obj, const std::string& name, double value);
std::string get_attr_string(hid_t obj, const std::string& name);
double get_attr_double(hid_t obj, const std::string& name);
bool has_attr(hid_t obj, const std::string& name);

}  // namespace gbmsweep::h5

#define GBM_H5_CHECK(call, path) ::gbmsweep::h5::check((call), #call, (path), __FILE__, __LINE__)
