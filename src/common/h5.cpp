#include "common/h5.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace gbmsweep::h5 {

namespace {
herr_t innermost(unsigned n, const H5E_error2_t* err, void* out) {
  if (n == 0) *static_cast<std::string*>(out) = err->desc ? err->desc : "";
  return 0;
}
std::string path_of(hid_t loc) {
  ssize_t n = H5Fget_name(loc, nullptr, 0);
  if (n <= 0) return "?";
  std::string s(static_cast<std::size_t>(n), '\0');
  H5Fget_name(loc, s.data(), s.size() + 1);
  return s;
}
Handle make_space(const std::vector<hsize_t>& dims) {
  return Handle(GBM_H5_CHECK(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), ""));
}
template <class T>
void write_numeric(hid_t loc, const std::string& name, const T* data, hid_t mem_type,
                   hid_t file_type, std::vector<hsize_t> dims) {
  std::string where = path_of(loc) + ":" + name;
  if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0) H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
  Handle space = make_space(dims);
  Handle ds(GBM_H5_CHECK(H5Dcreate2(loc, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT), where));
  hsize_t total = 1;
  for (auto d : dims) total *= d;
  if (total > 0)
    GBM_H5_CHECK(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), where);
}
template <class T>
std::vector<T> read_numeric(hid_t loc, const std::string& name, hid_t mem_type,
                            std::vector<hsize_t>* dims_out) {
  std::string where = path_of(loc) + ":" + name;
  Handle ds(GBM_H5_CHECK(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), where));
  Handle space(GBM_H5_CHECK(H5Dget_space(ds), where));
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  hsize_t total = 1;
  for (auto d : dims) total *= d;
  std::vector<T> out(total);
  if (total > 0) GBM_H5_CHECK(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), where);
  if (dims_out) *dims_out = dims;
  return out;
}
// The memory and file types of each element type (see create_chunked in h5.hpp).
template <class T>
struct Types;
template <>
struct Types<float> {
  static hid_t mem() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
};
template <>
struct Types<double> {
  static hid_t mem() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};
template <>
struct Types<long long> {
  static hid_t mem() { return H5T_NATIVE_LLONG; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <>
struct Types<std::uint64_t> {
  static hid_t mem() { return H5T_NATIVE_UINT64; }
  static hid_t file() { return H5T_STD_U64LE; }
};

std::string name_of(hid_t obj) {
  ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) return path_of(obj);
  std::string s(static_cast<std::size_t>(n), '\0');
  H5Iget_name(obj, s.data(), s.size() + 1);
  return path_of(obj) + ":" + s;
}

// "file:/group/name" for errors about `name` in `loc`.
std::string child(hid_t loc, const std::string& name) {
  std::string s = name_of(loc);
  return s + (s.empty() || s.back() == '/' ? "" : "/") + name;
}

// Selects [offset, offset + count) in a copy of the dataset's file space.
Handle select(hid_t ds, const std::vector<hsize_t>& offset, const std::vector<hsize_t>& count,
              const std::string& where) {
  Handle space(GBM_H5_CHECK(H5Dget_space(ds), where));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank != static_cast<int>(offset.size()) || rank != static_cast<int>(count.size()))
    throw Error(where + ": a " + std::to_string(rank) + "-D dataset, selection of " +
                    std::to_string(offset.size()) + "/" + std::to_string(count.size()) +
                    " dimensions",
                __FILE__, __LINE__);
  GBM_H5_CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, offset.data(), nullptr, count.data(),
                                   nullptr),
               where);
  return space;
}

struct NameList {
  std::vector<std::string> names;
};
herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<NameList*>(out)->names.emplace_back(name);
  return 0;
}
herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<NameList*>(out)->names.emplace_back(name);
  return 0;
}

Handle vlen_string_type() {
  Handle t(GBM_H5_CHECK(H5Tcopy(H5T_C_S1), ""));
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}
}  // namespace

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = -1;
}

hid_t check(hid_t id, const char* call, const std::string& path, const char* file, int line) {
  if (id >= 0) return id;
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost, &detail);
  throw Error(std::string("HDF5 ") + call + " failed" + (path.empty() ? "" : " on " + path) +
                  (detail.empty() ? "" : ": " + detail),
              file, line);
}

void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle create_file(const std::string& path) {
  quiet();
  return Handle(GBM_H5_CHECK(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path));
}

Handle create_memory_file(const std::string& name) {
  quiet();
  Handle fapl(GBM_H5_CHECK(H5Pcreate(H5P_FILE_ACCESS), name));
  GBM_H5_CHECK(H5Pset_fapl_core(fapl, 1 << 20, /*backing_store=*/0), name);
  return Handle(GBM_H5_CHECK(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), name));
}

std::string file_image(hid_t file, const std::string& name) {
  GBM_H5_CHECK(H5Fflush(file, H5F_SCOPE_LOCAL), name);
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  GBM_H5_CHECK(static_cast<hid_t>(size), name);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  GBM_H5_CHECK(static_cast<hid_t>(H5Fget_file_image(file, bytes.data(), bytes.size())), name);
  return bytes;
}

Handle open_file(const std::string& path, bool writable) {
  quiet();
  return Handle(GBM_H5_CHECK(
      H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT), path));
}

Handle open_group(hid_t loc, const std::string& name) {
  return Handle(GBM_H5_CHECK(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), path_of(loc) + ":" + name));
}

Handle ensure_group(hid_t loc, const std::string& name) {
  if (exists(loc, name)) return open_group(loc, name);
  return Handle(GBM_H5_CHECK(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             path_of(loc) + ":" + name));
}

bool exists(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

void write(hid_t loc, const std::string& name, const std::vector<double>& v) {
  write_numeric(loc, name, v.data(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, {v.size()});
}
void write(hid_t loc, const std::string& name, const std::vector<float>& v,
           const std::vector<hsize_t>& dims) {
  write_numeric(loc, name, v.data(), H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                dims.empty() ? std::vector<hsize_t>{v.size()} : dims);
}
void write(hid_t loc, const std::string& name, const std::vector<long long>& v) {
  write_numeric(loc, name, v.data(), H5T_NATIVE_LLONG, H5T_STD_I64LE, {v.size()});
}
void write(hid_t loc, const std::string& name, const std::vector<std::uint64_t>& v) {
  write_numeric(loc, name, v.data(), H5T_NATIVE_UINT64, H5T_STD_U64LE, {v.size()});
}
void write(hid_t loc, const std::string& name, const std::vector<std::string>& v) {
  std::string where = path_of(loc) + ":" + name;
  if (exists(loc, name)) H5Ldelete(loc, name.c_str(), H5P_DEFAULT);
  Handle type = vlen_string_type();
  Handle space = make_space({v.size()});
  Handle ds(GBM_H5_CHECK(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT), where));
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  if (!v.empty()) GBM_H5_CHECK(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), where);
}

std::vector<double> read_doubles(hid_t loc, const std::string& name) {
  return read_numeric<double>(loc, name, H5T_NATIVE_DOUBLE, nullptr);
}
std::vector<float> read_floats(hid_t loc, const std::string& name, std::vector<hsize_t>* dims) {
  return read_numeric<float>(loc, name, H5T_NATIVE_FLOAT, dims);
}
std::vector<long long> read_ints(hid_t loc, const std::string& name) {
  return read_numeric<long long>(loc, name, H5T_NATIVE_LLONG, nullptr);
}
std::vector<std::string> read_strings(hid_t loc, const std::string& name) {
  std::string where = path_of(loc) + ":" + name;
  Handle ds(GBM_H5_CHECK(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), where));
  Handle space(GBM_H5_CHECK(H5Dget_space(ds), where));
  hssize_t n = H5Sget_simple_extent_npoints(space);
  Handle type = vlen_string_type();
  std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
  if (n > 0) GBM_H5_CHECK(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), where);
  std::vector<std::string> out;
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  if (n > 0) H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
  return out;
}

template <class T>
Handle create_chunked(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                      const std::vector<hsize_t>& chunk, int deflate) {
  const std::string where = child(loc, name);
  if (dims.empty() || chunk.size() != dims.size())
    throw Error(where + ": create_chunked needs one chunk size per dimension", __FILE__, __LINE__);
  std::vector<hsize_t> maxdims = dims;
  maxdims[0] = H5S_UNLIMITED;
  const int rank = static_cast<int>(dims.size());
  Handle space(GBM_H5_CHECK(H5Screate_simple(rank, dims.data(), maxdims.data()), where));
  Handle dcpl(GBM_H5_CHECK(H5Pcreate(H5P_DATASET_CREATE), where));
  GBM_H5_CHECK(H5Pset_chunk(dcpl, rank, chunk.data()), where);
  if (deflate >= 0) GBM_H5_CHECK(H5Pset_deflate(dcpl, static_cast<unsigned>(deflate)), where);
  return Handle(GBM_H5_CHECK(
      H5Dcreate2(loc, name.c_str(), Types<T>::file(), space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
      where));
}

Handle open_dataset(hid_t loc, const std::string& name) {
  return Handle(GBM_H5_CHECK(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), child(loc, name)));
}

std::vector<hsize_t> extent(hid_t ds) {
  Handle space(GBM_H5_CHECK(H5Dget_space(ds), name_of(ds)));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

template <class T>
hsize_t append(hid_t ds, const T* data, hsize_t rows) {
  const std::string where = name_of(ds);
  std::vector<hsize_t> dims = extent(ds);
  if (dims.empty()) throw Error(where + ": append to a scalar dataset", __FILE__, __LINE__);
  const hsize_t first = dims[0];
  if (rows == 0) return first;
  dims[0] += rows;
  GBM_H5_CHECK(H5Dset_extent(ds, dims.data()), where);
  std::vector<hsize_t> offset(dims.size(), 0), count = dims;
  offset[0] = first;
  count[0] = rows;
  Handle file_space = select(ds, offset, count, where);
  Handle mem(GBM_H5_CHECK(
      H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), where));
  GBM_H5_CHECK(H5Dwrite(ds, Types<T>::mem(), mem, file_space, H5P_DEFAULT, data), where);
  return first;
}

hsize_t append_chunk_bytes(hid_t ds, const void* bytes, std::size_t size) {
  const std::string where = name_of(ds);
  std::vector<hsize_t> dims = extent(ds);
  if (dims.empty()) throw Error(where + ": append to a scalar dataset", __FILE__, __LINE__);
  // The row must be one whole chunk, or the bytes would not be one chunk's.
  Handle dcpl(GBM_H5_CHECK(H5Dget_create_plist(ds), where));
  std::vector<hsize_t> chunk(dims.size(), 0);
  if (H5Pget_layout(dcpl) != H5D_CHUNKED ||
      H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) != int(dims.size()) ||
      chunk[0] != 1 || !std::equal(chunk.begin() + 1, chunk.end(), dims.begin() + 1))
    throw Error(where + ": append_chunk_bytes needs chunks of exactly one row", __FILE__, __LINE__);
  std::vector<hsize_t> offset(dims.size(), 0);
  offset[0] = dims[0];
  dims[0] += 1;
  GBM_H5_CHECK(H5Dset_extent(ds, dims.data()), where);
  GBM_H5_CHECK(H5Dwrite_chunk(ds, H5P_DEFAULT, 0, offset.data(), size, bytes), where);
  return offset[0];
}

template <class T>
void read_slab(hid_t ds, const std::vector<hsize_t>& offset, const std::vector<hsize_t>& count,
               T* out) {
  const std::string where = name_of(ds);
  Handle file_space = select(ds, offset, count, where);
  Handle mem(GBM_H5_CHECK(
      H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), where));
  GBM_H5_CHECK(H5Dread(ds, Types<T>::mem(), mem, file_space, H5P_DEFAULT, out), where);
}

#define GBM_H5_INSTANTIATE(T)                                                                   \
  template Handle create_chunked<T>(hid_t, const std::string&, const std::vector<hsize_t>&,     \
                                    const std::vector<hsize_t>&, int);                          \
  template hsize_t append<T>(hid_t, const T*, hsize_t);                                         \
  template void read_slab<T>(hid_t, const std::vector<hsize_t>&, const std::vector<hsize_t>&, T*);
GBM_H5_INSTANTIATE(float)
GBM_H5_INSTANTIATE(double)
GBM_H5_INSTANTIATE(long long)
GBM_H5_INSTANTIATE(std::uint64_t)
#undef GBM_H5_INSTANTIATE

std::vector<std::string> attr_names(hid_t obj) {
  NameList l;
  hsize_t idx = 0;
  GBM_H5_CHECK(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &l),
               name_of(obj) + " (attributes)");
  return l.names;
}

std::vector<std::string> link_names(hid_t group) {
  NameList l;
  hsize_t idx = 0;
  GBM_H5_CHECK(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &l),
               name_of(group) + " (links)");
  return l.names;
}

bool attr_is_string(hid_t obj, const std::string& name) {
  Handle a(GBM_H5_CHECK(H5Aopen(obj, name.c_str(), H5P_DEFAULT), name));
  Handle t(GBM_H5_CHECK(H5Aget_type(a), name));
  return H5Tget_class(t) == H5T_STRING;
}

void link_external(hid_t loc, const std::string& name, const std::string& file,
                   const std::string& object) {
  GBM_H5_CHECK(H5Lcreate_external(file.c_str(), object.c_str(), loc, name.c_str(), H5P_DEFAULT,
                                  H5P_DEFAULT),
               path_of(loc) + ":" + name + " -> " + file);
}

void set_attr(hid_t obj, const std::string& name, const std::string& value) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle type = vlen_string_type();
  Handle space(GBM_H5_CHECK(H5Screate(H5S_SCALAR), ""));
  Handle a(GBM_H5_CHECK(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), name));
  const char* p = value.c_str();
  GBM_H5_CHECK(H5Awrite(a, type, &p), name);
}
void set_attr(hid_t obj, const std::string& name, double value) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle space(GBM_H5_CHECK(H5Screate(H5S_SCALAR), ""));
  Handle a(GBM_H5_CHECK(
      H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), name));
  GBM_H5_CHECK(H5Awrite(a, H5T_NATIVE_DOUBLE, &value), name);
}
std::string get_attr_string(hid_t obj, const std::string& name) {
  Handle a(GBM_H5_CHECK(H5Aopen(obj, name.c_str(), H5P_DEFAULT), name));
  Handle type = vlen_string_type();
  char* p = nullptr;
  GBM_H5_CHECK(H5Aread(a, type, &p), name);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}
double get_attr_double(hid_t obj, const std::string& name) {
  Handle a(GBM_H5_CHECK(H5Aopen(obj, name.c_str(), H5P_DEFAULT), name));
  double v = 0;
  GBM_H5_CHECK(H5Aread(a, H5T_NATIVE_DOUBLE, &v), name);
  return v;
}
bool has_attr(hid_t obj, const std::string& name) { return H5Aexists(obj, name.c_str()) > 0; }

}  // namespace gbmsweep::h5
