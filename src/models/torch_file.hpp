#pragma once
// Reads `torch.save` files without LibTorch: the legacy format (PyTorch < 1.6: a magic number,
// protocol and sys-info pickles, the object pickle, the storage keys, then the raw storages)
// and the zip format (`<archive>/data.pkl` + `<archive>/data/<key>`). The object pickle is run
// by a small pickle VM for the subset torch.save uses (protocol 2, plus the protocol 3–5
// opcodes a newer Python may emit): dicts, OrderedDict (with `_metadata` set through BUILD),
// lists, tuples, strings, bytes, ints, floats, bools, None, persistent ids for storages, and
// `torch._utils._rebuild_tensor_v2`. Nothing is executed: any other callable becomes an inert
// Object. Bad input (truncated at any byte, foreign, inconsistent) is an InputError naming the
// file, never undefined behaviour (the reader is meant to be fuzzed). Turning the result into
// tensors is the caller's job (models/medicalnet.cpp).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gbmsweep::torchfile {

enum class DType { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };
std::size_t element_size(DType t);
const char* to_string(DType t);

// One storage: its element type and raw little-endian bytes (numel × element_size).
struct Storage {
  std::string key;
  DType dtype = DType::Float32;
  std::int64_t numel = 0;
  std::string bytes;
};

// A tensor as torch.save describes it: a strided view of a storage, checked to lie inside it.
struct TensorRef {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;  // in elements
  std::vector<std::int64_t> size, stride;
  std::int64_t numel() const;
};

struct Value;
using ValuePtr = std::shared_ptr<Value>;

// A node of the unpickled tree.
struct Value {
  enum class Kind {
    None, Bool, Int, BigInt, Float, String, Bytes, Tuple, List, Dict, Global, Tensor, Storage,
    Object
  };
  Kind kind = Kind::None;
  bool b = false;
  std::int64_t i = 0;
  double f = 0.0;
  std::string s;  // String, Bytes, BigInt (little-endian two's complement), Global "module.name"
  std::vector<ValuePtr> items;                          // Tuple, List; Object: its arguments
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;   // Dict (insertion order)
  ValuePtr state;                                       // set by BUILD (OrderedDict, Object)
  TensorRef tensor;                                     // Tensor
  std::shared_ptr<torchfile::Storage> storage;          // Storage
  // Torn down without recursion: a fuzzed pickle may nest containers millions deep.
  ~Value();
  void take_children(std::vector<ValuePtr>& out);
};

struct TorchFile {
  std::string format;  // "legacy" or "zip"
  ValuePtr root;
  std::vector<std::shared_ptr<Storage>> storages;
};

// Reads `path` (either format). InputError naming the file for anything else.
TorchFile read_torch_file(const std::string& path);
// The same from bytes in memory; `path` only names them in messages (tests, fuzzing).
TorchFile parse_torch_file(const std::string& bytes, const std::string& path);

// A checkpoint's state dict: the root dict, or its 'state_dict' entry when it has one (the
// other entries, e.g. epoch or optimizer, are ignored); every key a string, every value a
// tensor (a non-tensor value, e.g. a BatchNorm counter saved as an int, is an InputError).
struct StateDict {
  std::vector<std::pair<std::string, TensorRef>> tensors;  // file order
  std::vector<std::string> ignored;                        // root entries besides state_dict
};
StateDict state_dict_of(const TorchFile& file, const std::string& path);

}  // namespace gbmsweep::torchfile
