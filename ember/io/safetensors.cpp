// safetensors reader and writer (reference/formats-rng.md Part 2). The reader follows
// Note [safetensors validation] in safetensors.h.
#include "ember/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ember/autograd/grad_mode.h"
#include "ember/core/error.h"
#include "ember/core/tensor_impl.h"
#include "ember/io/zip.h"
#include "ember/ops/factory.h"

namespace ember {
namespace {

using Json = nlohmann::ordered_json;

// The reference parser's limit on the header length.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Every dtype string the format defines. `order` is the position in the reference writer's
// ordering (largest first); `type` is empty for dtypes ember has no ScalarType for.
struct DtypeInfo {
  const char* name;
  uint64_t bits;
  int order;
  std::optional<ScalarType> type;
};

constexpr DtypeInfo kDtypes[] = {
    {"U64", 64, 0, std::nullopt},         {"I64", 64, 1, kInt64},
    {"F64", 64, 2, kFloat64},             {"C64", 64, 3, std::nullopt},
    {"F32", 32, 4, kFloat32},             {"U32", 32, 5, std::nullopt},
    {"I32", 32, 6, kInt32},               {"BF16", 16, 7, kBFloat16},
    {"F16", 16, 8, kFloat16},             {"U16", 16, 9, std::nullopt},
    {"I16", 16, 10, kInt16},              {"F8_E5M2FNUZ", 8, 11, std::nullopt},
    {"F8_E4M3FNUZ", 8, 12, std::nullopt}, {"F8_E8M0", 8, 13, std::nullopt},
    {"F8_E4M3", 8, 14, std::nullopt},     {"F8_E5M2", 8, 15, std::nullopt},
    {"I8", 8, 16, kInt8},                 {"U8", 8, 17, kUInt8},
    {"F6_E3M2", 6, 18, std::nullopt},     {"F6_E2M3", 6, 19, std::nullopt},
    {"F4", 4, 20, std::nullopt},          {"BOOL", 8, 21, kBool},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

const DtypeInfo& dtype_info(ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d;
  EMBER_THROW(TypeError, "save_safetensors: dtype ", dtype_name(t), " has no safetensors equivalent");
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The format is little-endian; on a big-endian host each element is byte-swapped.
void swap_bytes_if_big_endian(void* data, size_t nbytes, size_t itemsize) {
  if constexpr (std::endian::native == std::endian::little) {
    return;
  } else {
    auto* p = static_cast<unsigned char*>(data);
    if (itemsize > 1)
      for (size_t i = 0; i + itemsize <= nbytes; i += itemsize) std::reverse(p + i, p + i + itemsize);
  }
}

// A FILE* that closes itself.
class File {
 public:
  File(const std::string& path, const char* mode) : f_(std::fopen(path.c_str(), mode)) {}
  ~File() { close(); }
  File(File&& other) noexcept : f_(std::exchange(other.f_, nullptr)) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  explicit operator bool() const { return f_ != nullptr; }
  std::FILE* get() const { return f_; }
  // fclose's result: a failed close can mean buffered data never reached the disk.
  bool close() {
    bool ok = true;
    if (f_) ok = std::fclose(f_) == 0;
    f_ = nullptr;
    return ok;
  }

 private:
  std::FILE* f_;
};

// ---- reading -------------------------------------------------------------------------

struct Entry {
  std::string name;
  const DtypeInfo* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

struct Header {
  SafetensorsMetadata metadata;
  std::vector<Entry> entries;  // header order
  uint64_t data_start;         // 8 + N
};

// Throws ember::Error with "<op>: <path>: " in front of the message.
struct Context {
  const char* op;
  const std::string& path;
  template <class... Args>
  [[noreturn]] void fail(const Args&... args) const {
    EMBER_THROW(Error, op, ": ", path, ": ", args...);
  }
};

uint64_t get_unsigned(const Context& ctx, const Json& value, const std::string& tensor, const char* field) {
  if (!value.is_number_unsigned())
    ctx.fail("tensor '", tensor, "': ", field, " must hold non-negative integers, got ", value.dump());
  return value.get<uint64_t>();
}

Entry parse_entry(const Context& ctx, const std::string& name, const Json& info) {
  if (!info.is_object()) ctx.fail("tensor '", name, "': expected an object with dtype, shape and data_offsets, got ", info.dump());
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!info.contains(field)) ctx.fail("tensor '", name, "': missing field '", field, "'");
  Entry e;
  e.name = name;

  const Json& dtype = info["dtype"];
  if (!dtype.is_string()) ctx.fail("tensor '", name, "': dtype must be a string, got ", dtype.dump());
  e.dtype = find_dtype(dtype.get<std::string>());
  if (!e.dtype) ctx.fail("tensor '", name, "': unknown dtype ", dtype.dump());

  const Json& shape = info["shape"];
  if (!shape.is_array()) ctx.fail("tensor '", name, "': shape must be a list, got ", shape.dump());
  for (const Json& d : shape) {
    uint64_t v = get_unsigned(ctx, d, name, "shape");
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      ctx.fail("tensor '", name, "': dimension ", v, " is too large");
    e.shape.push_back(static_cast<int64_t>(v));
  }

  const Json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    ctx.fail("tensor '", name, "': data_offsets must be a list [begin, end], got ", offsets.dump());
  e.begin = get_unsigned(ctx, offsets[0], name, "data_offsets");
  e.end = get_unsigned(ctx, offsets[1], name, "data_offsets");
  if (e.end < e.begin)
    ctx.fail("tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] end before they begin");
  return e;
}

// Byte count of an entry from its dtype and shape, overflow-checked. The product of the
// non-zero dimensions must also fit in int64, or a [0, huge, huge] shape would overflow the
// strides of the (empty) tensor made from it.
uint64_t entry_nbytes(const Context& ctx, const Entry& e) {
  uint64_t numel = 1, nonzero = 1;
  bool overflow = false;
  for (int64_t d : e.shape) {
    auto u = static_cast<uint64_t>(d);
    overflow |= __builtin_mul_overflow(numel, u, &numel);
    if (u != 0) overflow |= __builtin_mul_overflow(nonzero, u, &nonzero);
  }
  uint64_t bits = 0;
  overflow |= __builtin_mul_overflow(numel, e.dtype->bits, &bits);
  if (overflow || nonzero > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    ctx.fail("tensor '", e.name, "': shape ", shape_str(e.shape), " is too large");
  if (bits % 8 != 0)
    ctx.fail("tensor '", e.name, "': ", numel, " elements of dtype ", e.dtype->name, " are not a whole number of bytes");
  return bits / 8;
}

Header read_header(const Context& ctx, File& file, uint64_t file_size) {
  if (file_size < 8)
    ctx.fail("not a safetensors file: it has ", file_size, " bytes, fewer than the 8-byte header length");
  unsigned char len_bytes[8];
  if (std::fread(len_bytes, 1, 8, file.get()) != 8) ctx.fail("could not read the header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  if (n > kMaxHeaderBytes) ctx.fail("header length ", n, " exceeds the limit of ", kMaxHeaderBytes, " bytes");
  if (n > file_size - 8)
    ctx.fail("header length ", n, " is larger than the file (", file_size, " bytes)");

  std::string text(n, '\0');
  if (n && std::fread(text.data(), 1, n, file.get()) != n) ctx.fail("could not read the ", n, "-byte header");
  if (text.empty() || text[0] != '{') ctx.fail("the header does not start with '{'");

  // ordered_json keeps the header's order; a repeated top-level key would silently keep
  // only the last value, so the callback rejects it.
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1 && !seen.insert(parsed.get<std::string>()).second &&
        duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  Json json;
  try {
    json = Json::parse(text, callback);
  } catch (const Json::exception& e) {
    ctx.fail("invalid JSON header: ", e.what());
  }
  if (!duplicate.empty()) ctx.fail("the header names '", duplicate, "' twice");
  if (!json.is_object()) ctx.fail("the header must be a JSON object");

  Header h;
  h.data_start = 8 + n;
  for (const auto& [key, value] : json.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) ctx.fail("__metadata__ must be an object of strings, got ", value.dump());
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) ctx.fail("__metadata__ value of '", mk, "' must be a string, got ", mv.dump());
        h.metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    h.entries.push_back(parse_entry(ctx, key, value));
  }

  // The data offsets must tile [0, buffer size) exactly.
  std::vector<const Entry*> by_offset;
  for (const auto& e : h.entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return std::pair(a->begin, a->end) < std::pair(b->begin, b->end); });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry* e : by_offset) {
    if (e->begin > covered)
      ctx.fail("tensor '", e->name, "' starts at byte ", e->begin, " of the data buffer but ",
               previous ? "tensor '" + previous->name + "' ends" : std::string("the buffer starts"), " at byte ",
               covered, ": the data offsets must cover the buffer without gaps");
    if (e->begin < covered)
      ctx.fail("tensor '", e->name, "' (data_offsets [", e->begin, ", ", e->end, "]) overlaps tensor '",
               previous->name, "' (data_offsets [", previous->begin, ", ", previous->end, "])");
    uint64_t nbytes = entry_nbytes(ctx, *e);
    if (e->end - e->begin != nbytes)
      ctx.fail("tensor '", e->name, "' of dtype ", e->dtype->name, " and shape ", shape_str(e->shape), " needs ",
               nbytes, " bytes, but its data_offsets [", e->begin, ", ", e->end, "] span ", e->end - e->begin);
    covered = e->end;
    previous = e;
  }
  uint64_t buffer = file_size - h.data_start;
  if (covered > buffer)
    ctx.fail("the tensors need ", covered, " bytes of data but the file holds only ", buffer,
             " after the header: truncated file?");
  if (covered < buffer)
    ctx.fail("the file has ", buffer - covered, " bytes after the last tensor's data (the data offsets cover ",
             covered, " of ", buffer, " bytes)");
  return h;
}

uint64_t file_size_of(const Context& ctx, File& file) {
  if (std::fseek(file.get(), 0, SEEK_END) != 0) ctx.fail("could not seek");
  long size = std::ftell(file.get());
  if (size < 0) ctx.fail("could not determine the file size");
  if (std::fseek(file.get(), 0, SEEK_SET) != 0) ctx.fail("could not seek");
  return static_cast<uint64_t>(size);
}

File open_for_reading(const Context& ctx) {
  std::error_code ec;
  if (std::filesystem::is_directory(ctx.path, ec)) ctx.fail("is a directory");
  File file(ctx.path, "rb");
  if (!file) ctx.fail("cannot open the file: ", std::strerror(errno));
  return file;
}

// ---- writing -------------------------------------------------------------------------

struct Item {
  std::string name;
  Tensor tensor;  // contiguous, detached
  const DtypeInfo* dtype;
};

// A tensor over `nbytes` of the mapping at `p` (contiguous strides), keeping it alive.
Tensor mapped_tensor(const std::shared_ptr<io::ByteSource>& mapping, unsigned char* p, size_t nbytes,
                     const Entry& e) {
  auto storage = make_intrusive<StorageImpl>(p, nbytes, Device(kCPU), [keep = mapping](void*) mutable { keep.reset(); });
  DimVector sizes(e.shape.begin(), e.shape.end()), strides(e.shape.size());
  int64_t stride = 1;
  for (size_t d = e.shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= std::max<int64_t>(e.shape[d], 1);
  }
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), *e.dtype->type, sizes, strides, 0));
}

}  // namespace

OrderedDict<std::string, Tensor> load_safetensors(const std::string& path, bool mmap) {
  Context ctx{"load_safetensors", path};
  File file = open_for_reading(ctx);
  const uint64_t file_size = file_size_of(ctx, file);
  Header h = read_header(ctx, file, file_size);

  for (const auto& e : h.entries)
    if (!e.dtype->type)
      ctx.fail("tensor '", e.name, "' has dtype ", e.dtype->name, ", which ember does not support");

  std::shared_ptr<io::ByteSource> mapping;
  if (mmap) {
    mapping = io::map_file_source(path, std::string("load_safetensors: ") + path + ": ");
    // The header was validated against this size; a file changed in between is refused.
    if (mapping->size() != file_size) ctx.fail("the file changed while it was being loaded");
  }

  // Read in offset order so the file is read front to back.
  std::vector<size_t> order(h.entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return h.entries[a].begin < h.entries[b].begin; });
  std::vector<Tensor> tensors(h.entries.size());
  NoGradGuard no_grad;
  for (size_t i : order) {
    const Entry& e = h.entries[i];
    size_t nbytes = e.end - e.begin;
    const uint64_t at = h.data_start + e.begin;
    Tensor t;
    if (mapping && nbytes && std::endian::native == std::endian::little &&
        at % std::max<uint64_t>(e.dtype->bits / 8, 1) == 0) {
      t = mapped_tensor(mapping, const_cast<unsigned char*>(mapping->data()) + at, nbytes, e);
    } else {
      t = empty(e.shape, TensorOptions(*e.dtype->type));
      if (nbytes && mapping) {
        std::memcpy(t.data_ptr(), mapping->data() + at, nbytes);
      } else if (nbytes && (std::fseek(file.get(), static_cast<long>(at), SEEK_SET) != 0 ||
                            std::fread(t.data_ptr(), 1, nbytes, file.get()) != nbytes)) {
        ctx.fail("could not read the data of tensor '", e.name, "'");
      }
      swap_bytes_if_big_endian(t.data_ptr(), nbytes, t.itemsize());
    }
    // A bool must be 0 or 1; any other byte would be undefined behaviour when read. Mapped
    // pages are private: the file keeps its bytes.
    if (t.dtype() == kBool) {
      auto* p = static_cast<unsigned char*>(t.data_ptr());
      for (size_t k = 0; k < nbytes; ++k) p[k] = p[k] != 0;
    }
    tensors[i] = std::move(t);
  }
  OrderedDict<std::string, Tensor> result;
  for (size_t i = 0; i < h.entries.size(); ++i) result.insert(h.entries[i].name, std::move(tensors[i]));
  return result;
}

SafetensorsMetadata load_safetensors_metadata(const std::string& path) {
  Context ctx{"load_safetensors_metadata", path};
  File file = open_for_reading(ctx);
  return read_header(ctx, file, file_size_of(ctx, file)).metadata;
}

void save_safetensors(const OrderedDict<std::string, Tensor>& tensors, const std::string& path,
                      const SafetensorsMetadata& metadata) {
  Context ctx{"save_safetensors", path};
  std::vector<Item> items;
  items.reserve(tensors.size());
  for (const auto& kv : tensors) {
    const std::string& name = kv.key();
    const Tensor& t = kv.value();
    if (name == "__metadata__") ctx.fail("'__metadata__' is reserved and cannot name a tensor");
    if (!t.defined()) ctx.fail("tensor '", name, "' is undefined");
    if (!t.is_cpu()) ctx.fail("tensor '", name, "' is on ", t.device(), "; move it to the CPU first");
    items.push_back({name, t.detach().contiguous(), &dtype_info(t.dtype())});
  }
  // The reference writer's order: larger dtypes first (keeps every tensor aligned), then name.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.dtype->order != b.dtype->order ? a.dtype->order < b.dtype->order : a.name < b.name;
  });

  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const Item& item : items) {
    Json entry = Json::object();
    entry["dtype"] = item.dtype->name;
    entry["shape"] = Json::array();
    for (int64_t d : item.tensor.sizes()) entry["shape"].push_back(d);
    entry["data_offsets"] = {offset, offset + item.tensor.nbytes()};
    offset += item.tensor.nbytes();
    header[item.name] = std::move(entry);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {
    ctx.fail("cannot write the header (a name or metadata string that is not valid UTF-8?): ", e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  unsigned char len_bytes[8];
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * i));

  const std::string tmp = path + ".tmp";
  File file(tmp, "wb");
  if (!file) ctx.fail("cannot open '", tmp, "' for writing: ", std::strerror(errno));
  bool ok = std::fwrite(len_bytes, 1, 8, file.get()) == 8 &&
            std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
  std::vector<unsigned char> swapped;
  for (const Item& item : items) {
    if (!ok) break;
    size_t nbytes = item.tensor.nbytes();
    const void* data = item.tensor.data_ptr();
    if constexpr (std::endian::native != std::endian::little) {
      swapped.assign(static_cast<const unsigned char*>(data), static_cast<const unsigned char*>(data) + nbytes);
      swap_bytes_if_big_endian(swapped.data(), nbytes, item.tensor.itemsize());
      data = swapped.data();
    }
    ok = nbytes == 0 || std::fwrite(data, 1, nbytes, file.get()) == nbytes;
  }
  ok = file.close() && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::string why = ec ? ": " + ec.message() : std::string(errno ? std::strerror(errno) : "");
    std::filesystem::remove(tmp, ec);
    ctx.fail("writing failed", why.empty() || why[0] == ':' ? why : ": " + why);
  }
}

namespace nn {

void save_state_dict(const Module& module, const std::string& path) {
  save_safetensors(module.state_dict(), path, {{"format", "pt"}});
}

LoadStateDictResult load_state_dict(Module& module, const std::string& path, bool strict) {
  return module.load_state_dict(load_safetensors(path), strict);
}

}  // namespace nn
}  // namespace ember
