// The torch.save reader: the zip container (stored entries), the pickle protocol-2 virtual
// machine (the opcodes torch.save emits), and the legacy format's raw storages. Kept in one file
// (660 lines, over the ~600-line rule) because the three share the bounds and the error wording
// that the fuzz target (bench/fuzz/targets/fuzz_torchfile.cpp) exercises together.
#include "models/torch_file.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

#include "common/error.hpp"
#include "common/fs.hpp"

namespace gbmsweep::torchfile {

namespace {

// Bounds that keep a hostile file from exhausting memory before it is found out.
constexpr std::size_t kMaxMemo = 1u << 24;
constexpr std::int64_t kMaxDims = 64;

struct Bad {
  std::string what;
};
[[noreturn]] void bad(std::string what) { throw Bad{std::move(what)}; }

ValuePtr make(Value::Kind k) {
  auto v = std::make_shared<Value>();
  v->kind = k;
  return v;
}

// Little-endian bytes, bounds-checked.
class Cursor {
 public:
  Cursor(const char* p, std::size_t n) : p_(p), n_(n) {}
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return n_ - pos_; }
  const char* take(std::size_t k, const char* what) {
    if (k > left()) bad(std::string("truncated (") + what + ")");
    const char* at = p_ + pos_;
    pos_ += k;
    return at;
  }
  std::uint64_t uint(std::size_t k, const char* what) {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(take(k, what));
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < k; ++i) v |= std::uint64_t(b[i]) << (8 * i);
    return v;
  }
  std::string line(const char* what) {  // up to '\n', for GLOBAL
    const void* nl = std::memchr(p_ + pos_, '\n', left());
    if (!nl) bad(std::string("truncated (") + what + ")");
    const std::size_t k = static_cast<const char*>(nl) - (p_ + pos_);
    std::string s(p_ + pos_, k);
    pos_ += k + 1;
    return s;
  }

 private:
  const char* p_;
  std::size_t n_, pos_ = 0;
};

bool dtype_of_storage(const std::string& name, DType& t) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"FloatStorage", DType::Float32}, {"DoubleStorage", DType::Float64},
      {"HalfStorage", DType::Float16},  {"BFloat16Storage", DType::BFloat16},
      {"LongStorage", DType::Int64},    {"IntStorage", DType::Int32},
      {"ShortStorage", DType::Int16},   {"CharStorage", DType::Int8},
      {"ByteStorage", DType::UInt8},    {"BoolStorage", DType::Bool}};
  for (const auto& [n, d] : kTypes)
    if (name == std::string("torch.") + n) return t = d, true;
  return false;
}

std::int64_t as_int(const ValuePtr& v, const char* what) {
  if (!v || (v->kind != Value::Kind::Int && v->kind != Value::Kind::Bool))
    bad(std::string(what) + " is not an integer");
  return v->kind == Value::Kind::Bool ? v->b : v->i;
}

std::vector<std::int64_t> int_tuple(const ValuePtr& v, const char* what) {
  if (!v || (v->kind != Value::Kind::Tuple && v->kind != Value::Kind::List))
    bad(std::string(what) + " is not a tuple");
  if (std::int64_t(v->items.size()) > kMaxDims) bad(std::string(what) + " has too many dimensions");
  std::vector<std::int64_t> out;
  for (const auto& x : v->items) out.push_back(as_int(x, what));
  return out;
}

// storage[offset + Σ (size_i − 1)·stride_i] must exist (non-negative sizes and strides).
TensorRef make_tensor(const ValuePtr& storage, const ValuePtr& offset, const ValuePtr& size,
                      const ValuePtr& stride) {
  if (!storage || storage->kind != Value::Kind::Storage) bad("tensor without a storage");
  TensorRef t;
  t.storage = storage->storage;
  t.offset = as_int(offset, "storage offset");
  t.size = int_tuple(size, "tensor size");
  t.stride = int_tuple(stride, "tensor stride");
  if (t.size.size() != t.stride.size()) bad("tensor size and stride differ in length");
  if (t.offset < 0) bad("negative storage offset");
  bool empty = false;
  for (std::size_t d = 0; d < t.size.size(); ++d) {
    if (t.size[d] < 0 || t.stride[d] < 0) bad("negative tensor size or stride");
    empty = empty || t.size[d] == 0;
  }
  if (empty) return t;
  // Overflow-checked: the last element's index, compared with the storage's numel.
  const std::int64_t numel = t.storage->numel;
  std::int64_t last = t.offset;
  for (std::size_t d = 0; d < t.size.size(); ++d) {
    const std::int64_t span = t.size[d] - 1;
    if (t.stride[d] != 0 && span > (numel - last) / t.stride[d]) bad("tensor exceeds its storage");
    last += span * t.stride[d];
  }
  if (last >= numel) bad("tensor exceeds its storage");
  return t;
}

// The pickle VM. `storage_of` resolves a persistent id tuple to a storage.
class Unpickler {
 public:
  using Resolver = std::function<ValuePtr(const ValuePtr&)>;
  Unpickler(Cursor& in, Resolver resolve) : in_(in), resolve_(std::move(resolve)) {}

  ValuePtr run() {
    for (;;) {
      const unsigned char op = static_cast<unsigned char>(*in_.take(1, "pickle opcode"));
      switch (op) {
        case 0x80: in_.take(1, "PROTO"); break;
        case 0x95: in_.take(8, "FRAME"); break;
        case '(': marks_.push_back(stack_.size()); break;
        case ')': push(make(Value::Kind::Tuple)); break;
        case ']': push(make(Value::Kind::List)); break;
        case '}': push(make(Value::Kind::Dict)); break;
        case 'N': push(make(Value::Kind::None)); break;
        case 0x88: case 0x89: {
          auto v = make(Value::Kind::Bool);
          v->b = op == 0x88;
          push(v);
          break;
        }
        case 'J': push_int(std::int32_t(std::uint32_t(in_.uint(4, "BININT")))); break;
        case 'K': push_int(std::int64_t(in_.uint(1, "BININT1"))); break;
        case 'M': push_int(std::int64_t(in_.uint(2, "BININT2"))); break;
        case 0x8a: long_int(in_.uint(1, "LONG1")); break;
        case 0x8b: long_int(in_.uint(4, "LONG4")); break;
        case 'G': {
          std::uint64_t bits = 0;
          const unsigned char* b = reinterpret_cast<const unsigned char*>(in_.take(8, "BINFLOAT"));
          for (int i = 0; i < 8; ++i) bits = bits << 8 | b[i];  // big-endian
          auto v = make(Value::Kind::Float);
          std::memcpy(&v->f, &bits, 8);
          push(v);
          break;
        }
        case 'X': text(Value::Kind::String, in_.uint(4, "BINUNICODE")); break;
        case 0x8c: text(Value::Kind::String, in_.uint(1, "SHORT_BINUNICODE")); break;
        case 0x8d: text(Value::Kind::String, in_.uint(8, "BINUNICODE8")); break;
        case 'T': text(Value::Kind::String, in_.uint(4, "BINSTRING")); break;
        case 'U': text(Value::Kind::String, in_.uint(1, "SHORT_BINSTRING")); break;
        case 'B': text(Value::Kind::Bytes, in_.uint(4, "BINBYTES")); break;
        case 'C': text(Value::Kind::Bytes, in_.uint(1, "SHORT_BINBYTES")); break;
        case 0x8e: text(Value::Kind::Bytes, in_.uint(8, "BINBYTES8")); break;
        case 'c': {
          auto v = make(Value::Kind::Global);
          std::string module = in_.line("GLOBAL");
          v->s = module + "." + in_.line("GLOBAL");
          push(v);
          break;
        }
        case 0x93: {
          auto name = pop(), module = pop();
          if (name->kind != Value::Kind::String || module->kind != Value::Kind::String)
            bad("STACK_GLOBAL without strings");
          auto v = make(Value::Kind::Global);
          v->s = module->s + "." + name->s;
          push(v);
          break;
        }
        case 'q': memo_put(in_.uint(1, "BINPUT")); break;
        case 'r': memo_put(in_.uint(4, "LONG_BINPUT")); break;
        case 0x94: memo_put(memo_.size()); break;
        case 'h': memo_get(in_.uint(1, "BINGET")); break;
        case 'j': memo_get(in_.uint(4, "LONG_BINGET")); break;
        case 't': {
          auto v = make(Value::Kind::Tuple);
          v->items = pop_to_mark();
          push(v);
          break;
        }
        case 0x85: case 0x86: case 0x87: {
          auto v = make(Value::Kind::Tuple);
          const int n = op - 0x84;
          if (stack_.size() < std::size_t(n) + floor()) bad("stack underflow");
          v->items.assign(stack_.end() - n, stack_.end());
          stack_.resize(stack_.size() - n);
          push(v);
          break;
        }
        case 'a': {
          auto x = pop();
          list_of(top())->items.push_back(x);
          break;
        }
        case 'e': {
          auto xs = pop_to_mark();
          auto& l = list_of(top())->items;
          l.insert(l.end(), xs.begin(), xs.end());
          break;
        }
        case 's': {
          auto value = pop(), key = pop();
          dict_of(top())->entries.emplace_back(key, value);
          break;
        }
        case 'u': {
          auto xs = pop_to_mark();
          if (xs.size() % 2) bad("SETITEMS with an odd number of items");
          auto& d = dict_of(top())->entries;
          for (std::size_t i = 0; i < xs.size(); i += 2) d.emplace_back(xs[i], xs[i + 1]);
          break;
        }
        case 'R': {
          auto args = pop(), fn = pop();
          push(reduce(fn, args));
          break;
        }
        case 0x81: {  // NEWOBJ: cls.__new__(cls, *args), inert
          auto args = pop(), cls = pop();
          push(object(cls, args));
          break;
        }
        case 0x92: {  // NEWOBJ_EX
          pop();
          auto args = pop(), cls = pop();
          push(object(cls, args));
          break;
        }
        case 'b': {  // BUILD: OrderedDict's _metadata, an object's __dict__; kept, not applied
          auto state = pop();
          top()->state = state;
          break;
        }
        case 'Q': {
          auto pid = pop();
          push(resolve_(pid));
          break;
        }
        case '0': pop(); break;
        case '1': pop_to_mark(); break;
        case '2': push(top()); break;
        case '.': {
          if (!marks_.empty() || stack_.size() != 1) bad("unbalanced pickle at STOP");
          return pop();
        }
        default: {
          static const char* hex = "0123456789abcdef";
          bad(std::string("unsupported pickle opcode 0x") + hex[op >> 4] + hex[op & 15] +
              " at byte " + std::to_string(in_.pos() - 1));
        }
      }
    }
  }

 private:
  std::size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr pop() {
    if (stack_.size() <= floor()) bad("pickle stack underflow");
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() {
    if (stack_.size() <= floor()) bad("pickle stack underflow");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty()) bad("pickle MARK missing");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> out(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return out;
  }
  Value* list_of(const ValuePtr& v) {
    if (v->kind != Value::Kind::List) bad("APPEND to a non-list");
    return v.get();
  }
  Value* dict_of(const ValuePtr& v) {
    if (v->kind != Value::Kind::Dict) bad("SETITEM on a non-dict");
    return v.get();
  }
  void push_int(std::int64_t x) {
    auto v = make(Value::Kind::Int);
    v->i = x;
    push(v);
  }
  void long_int(std::uint64_t n) {
    const char* b = in_.take(n, "LONG");
    if (n <= 8) {
      std::uint64_t u = 0;
      for (std::uint64_t i = 0; i < n; ++i)
        u |= std::uint64_t(static_cast<unsigned char>(b[i])) << (8 * i);
      if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80))
        u |= ~std::uint64_t(0) << (8 * n);  // sign-extend
      push_int(static_cast<std::int64_t>(u));
      return;
    }
    auto v = make(Value::Kind::BigInt);  // e.g. the legacy magic number (10 bytes)
    v->s.assign(b, n);
    push(v);
  }
  void text(Value::Kind k, std::uint64_t n) {
    auto v = make(k);
    const char* b = in_.take(n, "string");
    v->s.assign(b, n);
    push(v);
  }
  void memo_put(std::uint64_t i) {
    if (i >= kMaxMemo) bad("pickle memo index too large");
    if (memo_.size() <= i) memo_.resize(i + 1);
    memo_[i] = top();
  }
  void memo_get(std::uint64_t i) {
    if (i >= memo_.size() || !memo_[i]) bad("pickle memo entry " + std::to_string(i) + " unset");
    push(memo_[i]);
  }
  ValuePtr object(const ValuePtr& cls, const ValuePtr& args) {
    auto v = make(Value::Kind::Object);
    v->s = cls->kind == Value::Kind::Global ? cls->s : "?";
    v->items.push_back(args);
    return v;
  }
  ValuePtr reduce(const ValuePtr& fn, const ValuePtr& args) {
    if (fn->kind != Value::Kind::Global) bad("REDUCE of a non-global");
    if (args->kind != Value::Kind::Tuple) bad("REDUCE arguments are not a tuple");
    const auto& a = args->items;
    const std::string& name = fn->s;
    if (name == "collections.OrderedDict") {
      if (!a.empty()) bad("OrderedDict with arguments");
      return make(Value::Kind::Dict);
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
      if (a.size() < 4) bad(name + " with " + std::to_string(a.size()) + " arguments");
      auto v = make(Value::Kind::Tensor);
      v->tensor = make_tensor(a[0], a[1], a[2], a[3]);
      return v;
    }
    if (name == "torch._utils._rebuild_parameter") {  // Parameter(data, requires_grad, hooks)
      if (a.empty() || a[0]->kind != Value::Kind::Tensor) bad(name + " without a tensor");
      return a[0];
    }
    if (name == "torch.jit._pickle.restore_type_tag") {  // LibTorch's typed containers
      if (a.empty()) bad(name + " without arguments");
      return a[0];
    }
    return object(fn, args);
  }

  Cursor& in_;
  Resolver resolve_;
  std::vector<ValuePtr> stack_, memo_;
  std::vector<std::size_t> marks_;
};

// ('storage', storage_type, key, location, numel[, view_metadata]) → the storage's fields.
struct Pid {
  DType dtype;
  std::string key;
  std::int64_t numel;
};
Pid parse_pid(const ValuePtr& pid) {
  if (pid->kind != Value::Kind::Tuple || pid->items.size() < 5 ||
      pid->items[0]->kind != Value::Kind::String || pid->items[0]->s != "storage")
    bad("persistent id is not a ('storage', ...) tuple");
  const auto& a = pid->items;
  Pid p;
  if (a[1]->kind != Value::Kind::Global || !dtype_of_storage(a[1]->s, p.dtype))
    bad("unknown storage type" + (a[1]->kind == Value::Kind::Global ? " " + a[1]->s : ""));
  if (a[2]->kind != Value::Kind::String) bad("storage key is not a string");
  p.key = a[2]->s;
  p.numel = as_int(a[4], "storage size");
  if (p.numel < 0) bad("negative storage size");
  if (a.size() > 5 && a[5]->kind != Value::Kind::None) bad("storage views are not supported");
  return p;
}

// Legacy (torch.save before 1.6, or _use_new_zipfile_serialization=False).
TorchFile parse_legacy(const std::string& bytes) {
  Cursor in(bytes.data(), bytes.size());
  auto no_pid = [](const ValuePtr&) -> ValuePtr { bad("persistent id in a header pickle"); };
  auto magic = Unpickler(in, no_pid).run();
  static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  if (magic->kind != Value::Kind::BigInt || magic->s != kMagic)
    bad("not a PyTorch file (legacy magic number missing)");
  auto protocol = Unpickler(in, no_pid).run();
  if (protocol->kind != Value::Kind::Int || protocol->i != 1001)
    bad("unsupported legacy protocol version");
  auto sys_info = Unpickler(in, no_pid).run();
  if (sys_info->kind == Value::Kind::Dict)
    for (const auto& [k, v] : sys_info->entries)
      if (k->kind == Value::Kind::String && k->s == "little_endian" &&
          v->kind == Value::Kind::Bool && !v->b)
        bad("big-endian file: not supported");
  TorchFile out;
  out.format = "legacy";
  std::map<std::string, std::shared_ptr<Storage>> by_key;
  out.root = Unpickler(in, [&](const ValuePtr& pid) {
    const Pid p = parse_pid(pid);
    auto& s = by_key[p.key];
    if (!s) {
      s = std::make_shared<Storage>();
      s->key = p.key, s->dtype = p.dtype, s->numel = p.numel;
    } else if (s->dtype != p.dtype || s->numel != p.numel) {
      bad("storage " + p.key + " declared twice with different types or sizes");
    }
    auto v = make(Value::Kind::Storage);
    v->storage = s;
    return v;
  }).run();
  auto keys = Unpickler(in, no_pid).run();
  if (keys->kind != Value::Kind::List) bad("storage key list missing");
  for (const auto& k : keys->items) {
    if (k->kind != Value::Kind::String) bad("storage key is not a string");
    auto it = by_key.find(k->s);
    if (it == by_key.end()) bad("storage " + k->s + " listed but never used");
    auto& s = *it->second;
    if (!s.bytes.empty()) bad("storage " + k->s + " listed twice");
    const auto numel = std::int64_t(in.uint(8, "storage size"));
    if (numel != s.numel)
      bad("storage " + k->s + " holds " + std::to_string(numel) + " elements, the pickle says " +
          std::to_string(s.numel));
    const std::uint64_t n = std::uint64_t(numel);
    if (n > in.left() / element_size(s.dtype)) bad("truncated (storage " + k->s + ")");
    s.bytes.assign(in.take(n * element_size(s.dtype), "storage"), n * element_size(s.dtype));
    out.storages.push_back(it->second);
  }
  for (const auto& [k, s] : by_key)
    if (s->bytes.size() != std::size_t(s->numel) * element_size(s->dtype))
      bad("storage " + k + " missing from the file");
  if (in.left() != 0) bad(std::to_string(in.left()) + " bytes after the last storage");
  return out;
}

// The zip format: stored (uncompressed) entries, as torch.save writes them.
struct ZipEntry {
  std::string name;
  std::size_t offset = 0, size = 0;  // of the data
};
std::vector<ZipEntry> zip_entries(const std::string& bytes) {
  const std::size_t n = bytes.size();
  auto u = [&](std::size_t at, std::size_t k) -> std::uint64_t {
    if (at > n || k > n - at) bad("truncated zip structure");
    return Cursor(bytes.data() + at, k).uint(k, "zip");
  };
  // End of central directory: the last signature within 64 KiB + 22 bytes of the end.
  std::size_t eocd = std::string::npos;
  for (std::size_t back = 22; back <= std::min<std::size_t>(n, 22 + 65535); ++back)
    if (u(n - back, 4) == 0x06054b50) {
      eocd = n - back;
      break;
    }
  if (eocd == std::string::npos) bad("zip end record missing (truncated?)");
  std::uint64_t count = u(eocd + 10, 2), cd = u(eocd + 16, 4);
  if ((count == 0xFFFF || cd == 0xFFFFFFFF) && eocd >= 20 && u(eocd - 20, 4) == 0x07064b50) {
    const std::uint64_t z64 = u(eocd - 20 + 8, 8);
    if (z64 > n || u(z64, 4) != 0x06064b50) bad("bad zip64 end record");
    count = u(z64 + 32, 8);
    cd = u(z64 + 48, 8);
  }
  if (count > n / 46) bad("zip entry count exceeds the file");
  std::vector<ZipEntry> out;
  std::uint64_t at = cd;
  for (std::uint64_t e = 0; e < count; ++e) {
    if (u(at, 4) != 0x02014b50) bad("bad zip central directory");
    const std::uint64_t method = u(at + 10, 2), name_len = u(at + 28, 2),
                        extra_len = u(at + 30, 2), comment_len = u(at + 32, 2);
    std::uint64_t size = u(at + 24, 4), local = u(at + 42, 4);
    if (name_len > n - at - 46) bad("truncated zip name");
    ZipEntry z;
    z.name = bytes.substr(at + 46, name_len);
    // Zip64 extra field: 64-bit sizes/offset for the fields set to 0xFFFFFFFF, in order.
    std::uint64_t x = at + 46 + name_len;
    const std::uint64_t x_end = x + extra_len;
    while (x + 4 <= x_end) {
      const std::uint64_t id = u(x, 2), len = u(x + 2, 2);
      if (id == 1) {
        std::uint64_t f = x + 4;
        if (u(at + 24, 4) == 0xFFFFFFFF) size = u(f, 8), f += 8;  // uncompressed
        if (u(at + 20, 4) == 0xFFFFFFFF) f += 8;                  // compressed
        if (u(at + 42, 4) == 0xFFFFFFFF) local = u(f, 8);
      }
      x += 4 + len;
    }
    if (method != 0) bad("zip entry " + z.name + " is compressed (torch.save stores entries)");
    if (u(local, 4) != 0x04034b50) bad("bad zip local header for " + z.name);
    z.offset = local + 30 + u(local + 26, 2) + u(local + 28, 2);
    z.size = size;
    if (z.offset > n || z.size > n - z.offset) bad("zip entry " + z.name + " truncated");
    out.push_back(z);
    at += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

TorchFile parse_zip(const std::string& bytes) {
  const auto entries = zip_entries(bytes);
  const ZipEntry* pkl = nullptr;
  std::map<std::string, const ZipEntry*> by_name;
  for (const auto& e : entries) {
    by_name[e.name] = &e;
    const auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.substr(slash) == "/data.pkl") {
      if (pkl) bad("two data.pkl entries");
      pkl = &e;
    }
  }
  if (!pkl) bad("zip without <archive>/data.pkl: not a torch.save file");
  const std::string prefix = pkl->name.substr(0, pkl->name.size() - 8);  // "<archive>/"
  TorchFile out;
  out.format = "zip";
  std::map<std::string, std::shared_ptr<Storage>> by_key;
  Cursor in(bytes.data() + pkl->offset, pkl->size);
  out.root = Unpickler(in, [&](const ValuePtr& pid) {
    const Pid p = parse_pid(pid);
    auto& s = by_key[p.key];
    if (!s) {
      auto it = by_name.find(prefix + "data/" + p.key);
      if (it == by_name.end()) bad("storage " + p.key + " missing from the archive");
      const std::uint64_t want = std::uint64_t(p.numel);
      if (want > it->second->size / element_size(p.dtype))
        bad("storage " + p.key + " shorter than its " + std::to_string(p.numel) + " elements");
      s = std::make_shared<Storage>();
      s->key = p.key, s->dtype = p.dtype, s->numel = p.numel;
      s->bytes = bytes.substr(it->second->offset, want * element_size(p.dtype));
      out.storages.push_back(s);
    } else if (s->dtype != p.dtype || s->numel != p.numel) {
      bad("storage " + p.key + " declared twice with different types or sizes");
    }
    auto v = make(Value::Kind::Storage);
    v->storage = s;
    return v;
  }).run();
  if (in.left() != 0) bad("bytes after the end of data.pkl");
  return out;
}

std::string kind_name(const ValuePtr& v) {
  switch (v->kind) {
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return "a bool";
    case Value::Kind::Int: case Value::Kind::BigInt: return "an int";
    case Value::Kind::Float: return "a float";
    case Value::Kind::String: return "a string";
    case Value::Kind::Bytes: return "bytes";
    case Value::Kind::Tuple: return "a tuple";
    case Value::Kind::List: return "a list";
    case Value::Kind::Dict: return "a dict";
    case Value::Kind::Global: return "a class or function";
    case Value::Kind::Tensor: return "a tensor";
    case Value::Kind::Storage: return "a storage";
    case Value::Kind::Object: return "an object (" + v->s + ")";
  }
  return "?";
}

}  // namespace

std::size_t element_size(DType t) {
  switch (t) {
    case DType::Float64: case DType::Int64: return 8;
    case DType::Float32: case DType::Int32: return 4;
    case DType::Float16: case DType::BFloat16: case DType::Int16: return 2;
    case DType::Int8: case DType::UInt8: case DType::Bool: return 1;
  }
  return 1;
}

const char* to_string(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Int64: return "int64";
    case DType::Int32: return "int32";
    case DType::Int16: return "int16";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "?";
}

std::int64_t TensorRef::numel() const {
  std::int64_t n = 1;
  for (auto s : size) n *= s;
  return n;
}

void Value::take_children(std::vector<ValuePtr>& out) {
  for (auto& x : items) out.push_back(std::move(x));
  for (auto& [k, v] : entries) out.push_back(std::move(k)), out.push_back(std::move(v));
  if (state) out.push_back(std::move(state));
  items.clear();
  entries.clear();
}

Value::~Value() {
  std::vector<ValuePtr> pending;
  take_children(pending);
  while (!pending.empty()) {
    ValuePtr v = std::move(pending.back());
    pending.pop_back();
    if (v && v.use_count() == 1) v->take_children(pending);
  }
}

TorchFile parse_torch_file(const std::string& bytes, const std::string& path) {
  try {
    if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) return parse_zip(bytes);
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x80)
      return parse_legacy(bytes);
    throw Bad{"not a PyTorch file (neither a zip archive nor a legacy pickle)"};
  } catch (const Bad& e) {
    throw InputError(path, e.what);
  }
}

TorchFile read_torch_file(const std::string& path) {
  if (!fs::exists(path)) throw InputError(path, "file not found");
  return parse_torch_file(fs::read_all(path), path);
}

StateDict state_dict_of(const TorchFile& file, const std::string& path) {
  ValuePtr dict = file.root;
  if (!dict || dict->kind != Value::Kind::Dict)
    throw InputError(path, "expected a dict of tensors, found " + kind_name(dict));
  StateDict out;
  for (const auto& [k, v] : file.root->entries)
    if (k->kind == Value::Kind::String && k->s == "state_dict") {
      if (v->kind != Value::Kind::Dict)
        throw InputError(path, "'state_dict' is " + kind_name(v) + ", not a dict");
      dict = v;
    }
  if (dict != file.root)
    for (const auto& [k, v] : file.root->entries)
      if (!(k->kind == Value::Kind::String && k->s == "state_dict"))
        out.ignored.push_back(k->kind == Value::Kind::String ? k->s : "<" + kind_name(k) + ">");
  for (const auto& [k, v] : dict->entries) {
    if (k->kind != Value::Kind::String)
      throw InputError(path, "a state-dict key is " + kind_name(k) + ", not a string");
    if (v->kind != Value::Kind::Tensor)
      throw InputError(path, "value of '" + k->s + "' is " + kind_name(v) + ", not a tensor");
    out.tensors.emplace_back(k->s, v->tensor);
  }
  return out;
}

}  // namespace gbmsweep::torchfile
