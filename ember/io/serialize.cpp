// torch.save / torch.load's format: the ZIP container (zip.h) around the pickle (pickle.h),
// with one record per storage. See serialize.h and docs/checkpoints.md.
#include "ember/io/serialize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include "ember/core/error.h"
#include "ember/core/tensor_impl.h"
#include "ember/io/pickle_globals.h"
#include "ember/io/zip.h"

namespace ember {
namespace {

using pickle::TensorKind;
using pickle::Value;

// The file-format version torch.save records (caffe2/serialize/versions.h: it produces 3
// and reads 1 through 10).
constexpr int kMinVersion = 1, kMaxVersion = 10;
// A data.pkl larger than this is not a checkpoint (a 100k-tensor state_dict's is ~15 MB);
// what unpickling builds is a few hundred bytes per pickle byte at most.
constexpr uint64_t kMaxPickleBytes = uint64_t{256} << 20;

std::string context_for(const char* op, const std::string& path) { return std::string(op) + ": " + path + ": "; }

// ---- saving ---------------------------------------------------------------------------

// Writes to a file descriptor, gathering small writes (record headers) into one buffer.
class FdSink : public io::ByteSink {
 public:
  FdSink(int fd, const std::string& prefix) : fd_(fd), prefix_(prefix) {}
  void write(const void* data, size_t n) override {
    if (buffer_.size() + n <= kBuffer) {
      buffer_.append(static_cast<const char*>(data), n);
      return;
    }
    flush();
    if (n < kBuffer) buffer_.append(static_cast<const char*>(data), n);
    else write_all(data, n);
  }
  void flush() {
    write_all(buffer_.data(), buffer_.size());
    buffer_.clear();
  }

 private:
  static constexpr size_t kBuffer = 1 << 16;
  // Note [Writeback while saving]: the fsync of Note [Atomic save] waits for every dirty
  // page to reach the disk. Starting the writeback of each kWriteback bytes as soon as they
  // are written (sync_file_range, which only queues the I/O) overlaps the disk with the rest
  // of the save, so the final fsync waits for the last stretch only: a 100 MB save went from
  // ~0.17 to ~0.08 s here. Durability still comes from the fsync alone.
  static constexpr size_t kWriteback = size_t(8) << 20;
  void write_all(const void* data, size_t n) {
    auto* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, std::min<size_t>(n, kWriteback));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) EMBER_THROW(Error, prefix_, "write failed: ", std::strerror(errno));
      p += w;
      n -= static_cast<size_t>(w);
      written_ += static_cast<size_t>(w);
      if (written_ - queued_ >= kWriteback) {
        // Advice only: an error here (a file system without it) changes nothing.
        (void)::sync_file_range(fd_, static_cast<off_t>(queued_), static_cast<off_t>(written_ - queued_),
                                SYNC_FILE_RANGE_WRITE);
        queued_ = written_;
      }
    }
  }
  int fd_;
  const std::string& prefix_;
  std::string buffer_;
  size_t written_ = 0, queued_ = 0;
};

class OstreamSink : public io::ByteSink {
 public:
  OstreamSink(std::ostream& out, const std::string& prefix) : out_(out), prefix_(prefix) {}
  void write(const void* data, size_t n) override {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    if (!out_) EMBER_THROW(Error, prefix_, "writing to the stream failed");
  }

 private:
  std::ostream& out_;
  const std::string& prefix_;
};

class StringSink : public io::ByteSink {
 public:
  void write(const void* data, size_t n) override { bytes.append(static_cast<const char*>(data), n); }
  std::string bytes;
};

// The archive folder torch.save uses: the file name without directory and last extension
// ("model" for /x/model.pt), or "archive" when that is empty or not plain ASCII.
std::string archive_name_for(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  bool plain = !base.empty() && base != "." && base != "..";
  for (unsigned char c : base) plain = plain && c >= 0x20 && c < 0x7F && c != '\\';
  return plain ? base : "archive";
}

void write_archive(const Value& value, io::ByteSink& sink, const std::string& archive, const std::string& prefix) {
  std::vector<pickle::StorageRef> storages;
  std::string pkl = pickle::dumps(value, storages, prefix);
  io::ZipWriter zip(sink, archive);
  zip.add("data.pkl", pkl.data(), pkl.size());
  // The byte order of the storages (2.x records it; 1.13 ignores it): this machine's.
  const char* order = std::endian::native == std::endian::little ? "little" : "big";
  zip.add("byteorder", order, std::strlen(order));
  for (size_t i = 0; i < storages.size(); ++i) {
    const auto& s = storages[i];
    zip.add("data/" + std::to_string(i), s.storage->data(), s.numel * element_size(s.dtype));
  }
  zip.add("version", "3\n", 2);
  zip.finish();
}

// Note [Atomic save]: the mode a new file would get (0666 minus the umask). The umask is
// read from /proc: umask() itself would change it for the whole process for a moment.
mode_t new_file_mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
  mode_t mask = 022;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Umask:", 0) == 0) {
      mask = static_cast<mode_t>(std::strtol(line.c_str() + 6, nullptr, 8));
      break;
    }
  return 0666 & ~mask;
}

void save_to_path(const Value& value, const std::string& path) {
  const std::string prefix = context_for("save", path);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) EMBER_THROW(Error, prefix, "is a directory");
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) EMBER_THROW(Error, prefix, "cannot create a temporary file next to it: ", std::strerror(errno));
  try {
    FdSink sink(fd, prefix);
    write_archive(value, sink, archive_name_for(path), prefix);
    sink.flush();
    if (::fchmod(fd, new_file_mode(path)) != 0) EMBER_THROW(Error, prefix, "chmod failed: ", std::strerror(errno));
    if (::fsync(fd) != 0) EMBER_THROW(Error, prefix, "fsync failed: ", std::strerror(errno));
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) EMBER_THROW(Error, prefix, "close failed: ", std::strerror(errno));
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      EMBER_THROW(Error, prefix, "cannot rename the temporary file over it: ", std::strerror(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

void save_to_stream(const Value& value, std::ostream& out) {
  const std::string prefix = "save: <stream>: ";
  OstreamSink sink(out, prefix);
  write_archive(value, sink, "archive", prefix);
  out.flush();
  if (!out) EMBER_THROW(Error, prefix, "flushing the stream failed");
}

// ---- loading --------------------------------------------------------------------------

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

void swap_elements(void* data, size_t nbytes, size_t itemsize) {
  auto* p = static_cast<unsigned char*>(data);
  if (itemsize > 1)
    for (size_t i = 0; i + itemsize <= nbytes; i += itemsize) std::reverse(p + i, p + i + itemsize);
}

// A bool must be 0 or 1; any other byte would be undefined behaviour when read as bool.
void normalize_bools(void* data, size_t n) {
  auto* p = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < n; ++i)
    if (p[i] > 1) p[i] = 1;
}

class Loader {
 public:
  Loader(std::shared_ptr<io::ByteSource> source, std::string prefix, bool mmap)
      : prefix_(std::move(prefix)), mmap_(mmap), zip_(check_magic(source), prefix_) {}

  Value run() {
    if (zip_.find("constants.pkl"))
      fail("this is a TorchScript archive (torch.jit.save); ember does not load TorchScript");
    const io::ZipRecord* version = zip_.find("version");
    if (!version) version = zip_.find(".data/version");
    if (!version) fail("no 'version' record: not a torch.save file");
    std::string v = trimmed(zip_.read(*version, 32));
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < kMinVersion || n > kMaxVersion)
      fail("unsupported file-format version '" + v + "' (ember reads " + std::to_string(kMinVersion) + " to " +
           std::to_string(kMaxVersion) + ")");
    if (const io::ZipRecord* order = zip_.find("byteorder")) {
      std::string o = trimmed(zip_.read(*order, 32));
      if (o != "little" && o != "big") fail("the byteorder record says '" + o + "', not 'little' or 'big'");
      swap_ = (o == "big") != (std::endian::native == std::endian::big);
    }
    const io::ZipRecord* pkl = zip_.find("data.pkl");
    if (!pkl) fail("no 'data.pkl' record: not a torch.save file");
    std::string bytes = zip_.read(*pkl, kMaxPickleBytes);
    return pickle::loads(bytes, [this](const Value& pid) { return persistent_load(pid); }, prefix_ + "data.pkl: ");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { EMBER_THROW(Error, prefix_, what); }

  std::shared_ptr<io::ByteSource> check_magic(std::shared_ptr<io::ByteSource> source) {
    unsigned char head[8] = {};
    size_t n = static_cast<size_t>(std::min<uint64_t>(source->size(), 8));
    if (n) source->read(0, head, n);
    if (n == 0) fail("the file is empty");
    if (n == 8 && std::memcmp(head, "PYTORCH1", 8) == 0)
      fail("this is a PyTorch preview-format file (PYTORCH1), which ember does not read");
    if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
      fail("this is a legacy torch.save file (written before PyTorch 1.6, or with "
           "_use_new_zipfile_serialization=False), which ember does not read; re-save it with a current PyTorch");
    return source;
  }

  struct Loaded {
    ScalarType dtype;  // UInt8 for an untyped storage
    uint64_t numel;
    Storage storage;
  };

  // ('storage', <class>, key, location, numel) -> the storage as a 1-D tensor.
  Value persistent_load(const Value& pid) {
    const std::string where = "data.pkl: persistent id " + pid.repr() + ": ";
    const pickle::ValueList& id = pid.items();
    if (id.size() != 5 || id[0].kind() != Value::Kind::Str || id[0].to_str() != "storage")
      fail(where + "expected ('storage', storage class, key, location, size)");
    if (id[1].kind() != Value::Kind::Global) fail(where + "the storage class is not a global");
    const pickle::GlobalInfo* cls = pickle::find_global(id[1].global_module(), id[1].global_name());
    if (!cls || cls->fn != pickle::GlobalFn::StorageClass)
      fail(where + id[1].global_path() + " is not a storage class");
    if (cls->dtype == ScalarType::Undefined)
      fail(where + "storage class " + id[1].global_path() + " holds a dtype ember does not support");
    if (id[2].kind() != Value::Kind::Str) fail(where + "the key must be a str");
    if (id[3].kind() != Value::Kind::Str) fail(where + "the location must be a str");
    if (id[4].kind() != Value::Kind::Int || id[4].to_int() < 0)
      fail(where + "the size must be a non-negative int");
    const std::string& key = id[2].to_str();
    const ScalarType dtype = cls->dtype;
    const auto numel = static_cast<uint64_t>(id[4].to_int());  // bytes, for an untyped storage

    if (auto it = storages_.find(key); it != storages_.end()) {
      if (it->second.dtype != dtype || it->second.numel != numel)
        fail(where + "storage '" + key + "' was already loaded as " + std::to_string(it->second.numel) + " " +
             dtype_name(it->second.dtype) + " elements");
      return as_value(it->second);
    }
    const io::ZipRecord* record = zip_.find("data/" + key);
    if (!record) fail(where + "there is no record 'data/" + key + "' for storage '" + key + "'");
    const size_t itemsize = element_size(dtype);
    uint64_t nbytes;
    if (__builtin_mul_overflow(numel, itemsize, &nbytes) || nbytes != record->size)
      fail("storage '" + key + "' holds " + std::to_string(numel) + " " + dtype_name(dtype) + " elements (" +
           (nbytes / itemsize == numel ? std::to_string(nbytes) : std::string("too many")) +
           " bytes), but its record 'data/" + key + "' has " + std::to_string(record->size) + " bytes");

    Storage storage;
    const unsigned char* mapped = zip_.source().data();
    if (mmap_ && mapped && !swap_ && record->data_offset % itemsize == 0) {
      // Zero-copy: the storage points into the mapping and keeps it alive.
      auto* p = const_cast<unsigned char*>(mapped) + record->data_offset;
      storage = make_intrusive<StorageImpl>(p, nbytes, Device(kCPU),
                                            [keep = zip_.source_ptr()](void*) mutable { keep.reset(); });
    } else {
      storage = make_intrusive<StorageImpl>(nbytes, Device(kCPU));
      zip_.read_into(*record, storage->data());
      if (!mmap_) zip_.check_crc(*record, storage->data());
      if (swap_) swap_elements(storage->data(), nbytes, itemsize);
    }
    if (dtype == kBool) normalize_bools(storage->data(), nbytes);
    Loaded& l = storages_[key] = Loaded{dtype, numel, std::move(storage)};
    return as_value(l);
  }

  static Value as_value(const Loaded& l) {
    return Value::tensor(
        Tensor(make_intrusive<TensorImpl>(l.storage, l.dtype, DimVector{static_cast<int64_t>(l.numel)}, DimVector{1}, 0)),
        TensorKind::Storage);
  }

  std::string prefix_;
  bool mmap_;
  bool swap_ = false;
  io::ZipReader zip_;
  std::unordered_map<std::string, Loaded> storages_;
};

Value load_from_source(std::shared_ptr<io::ByteSource> source, const std::string& prefix, bool mmap) {
  return Loader(std::move(source), prefix, mmap).run();
}

std::string read_stream(std::istream& in, const std::string& prefix) {
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) EMBER_THROW(Error, prefix, "reading the stream failed");
  return bytes;
}

// PyTorch's Module._version: 2 for the _NormBase family (BatchNorm*, InstanceNorm*), whose
// loader reads it; 1 for every other module.
int module_version(const nn::Module& m) {
  std::string n = m.python_name();
  for (const char* family : {"BatchNorm", "SyncBatchNorm", "InstanceNorm", "LazyBatchNorm", "LazyInstanceNorm"})
    if (n.rfind(family, 0) == 0) return 2;
  return 1;
}

void add_metadata(const nn::Module& m, const std::string& prefix, pickle::DictData& metadata) {
  Value entry = Value::dict();
  entry.to_dict().set(Value::string("version"), Value::integer(module_version(m)));
  metadata.set(Value::string(prefix), entry);
  for (const auto& child : m.named_children())
    add_metadata(*child.value(), prefix.empty() ? child.key() : prefix + "." + child.key(), metadata);
}

// IValue <-> Value with the file named in errors (a cycle, a global IValue cannot hold).
Value from_ivalue(const IValue& v, const std::string& prefix) {
  try {
    return Value::from_ivalue(v);
  } catch (const Error& e) {
    EMBER_THROW(Error, prefix, e.what());
  }
}
IValue to_ivalue(const Value& v, const std::string& prefix) {
  try {
    return v.to_ivalue();
  } catch (const Error& e) {
    EMBER_THROW(Error, prefix, e.what());
  }
}

}  // namespace

// ---- public API -----------------------------------------------------------------------

pickle::Value state_dict_value(const nn::StateDict& state_dict) {
  Value d = Value::dict(/*ordered=*/true);
  for (const auto& item : state_dict) d.to_dict().set(Value::string(item.key()), Value::tensor(item.value()));
  return d;
}

pickle::Value state_dict_value(const nn::Module& module) {
  Value d = state_dict_value(module.state_dict());
  Value metadata = Value::dict(/*ordered=*/true);
  add_metadata(module, "", metadata.to_dict());
  d.to_dict().attributes.emplace_back("_metadata", std::move(metadata));
  return d;
}

void save(const pickle::Value& value, const std::string& path) { save_to_path(value, path); }
void save(const pickle::Value& value, std::ostream& out) { save_to_stream(value, out); }
void save(const IValue& value, const std::string& path) {
  save_to_path(from_ivalue(value, context_for("save", path)), path);
}
void save(const IValue& value, std::ostream& out) { save_to_stream(from_ivalue(value, "save: <stream>: "), out); }
void save(const nn::StateDict& state_dict, const std::string& path) { save_to_path(state_dict_value(state_dict), path); }
void save(const nn::StateDict& state_dict, std::ostream& out) { save_to_stream(state_dict_value(state_dict), out); }
void save(const nn::Module& module, const std::string& path) { save_to_path(state_dict_value(module), path); }
void save(const nn::Module& module, std::ostream& out) { save_to_stream(state_dict_value(module), out); }

std::string save_value_to_bytes(const pickle::Value& value) {
  StringSink sink;
  write_archive(value, sink, "archive", "save: <bytes>: ");
  return std::move(sink.bytes);
}

std::vector<char> pickle_save(const IValue& value) {
  std::string bytes = save_value_to_bytes(from_ivalue(value, "pickle_save: "));
  return std::vector<char>(bytes.begin(), bytes.end());
}

IValue pickle_load(const std::vector<char>& data) {
  return to_ivalue(load_value_from_bytes(std::string(data.begin(), data.end())), "pickle_load: ");
}

pickle::Value load_value(const std::string& path, bool mmap) {
  const std::string prefix = context_for("load", path);
  auto source = mmap ? io::map_file_source(path, prefix) : io::open_file_source(path, prefix);
  return load_from_source(std::move(source), prefix, mmap);
}

pickle::Value load_value(std::istream& in) {
  const std::string prefix = "load: <stream>: ";
  return load_from_source(io::memory_source(read_stream(in, prefix)), prefix, false);
}

pickle::Value load_value_from_bytes(std::string bytes, const std::string& name) {
  return load_from_source(io::memory_source(std::move(bytes)), context_for("load", name), false);
}

IValue load(const std::string& path, bool mmap) { return to_ivalue(load_value(path, mmap), context_for("load", path)); }
IValue load(std::istream& in) { return to_ivalue(load_value(in), "load: <stream>: "); }

nn::StateDict to_state_dict(const pickle::Value& value) {
  if (value.kind() != Value::Kind::Dict)
    EMBER_THROW(TypeError, "expected a state_dict (a dict of str to tensors), got a ", value.type_name());
  nn::StateDict sd;
  for (const auto& [key, v] : value.to_dict().items) {
    if (key.kind() != Value::Kind::Str)
      EMBER_THROW(TypeError, "a state_dict key must be a str, got ", key.repr());
    if (v.kind() != Value::Kind::Tensor)
      EMBER_THROW(TypeError, "state_dict entry '", key.to_str(), "' is a ", v.type_name(), ", not a tensor");
    sd.insert(key.to_str(), v.to_tensor());
  }
  return sd;
}

nn::StateDict to_state_dict(const IValue& value) {
  if (!value.isDict()) EMBER_THROW(TypeError, "expected a state_dict (a dict of str to tensors), got a ", value.type_name());
  nn::StateDict sd;
  for (const auto& [key, v] : value.toDict()) {
    if (!key.isString()) EMBER_THROW(TypeError, "a state_dict key must be a str, got ", key.repr());
    if (!v.isTensor())
      EMBER_THROW(TypeError, "state_dict entry '", key.toStringRef(), "' is a ", v.type_name(), ", not a tensor");
    sd.insert(key.toStringRef(), v.toTensor());
  }
  return sd;
}

nn::LoadStateDictResult load(nn::Module& module, const std::string& path, bool strict, bool mmap) {
  Value v = load_value(path, mmap);
  try {
    return module.load_state_dict(to_state_dict(v), strict);
  } catch (const Error& e) {
    EMBER_THROW(Error, context_for("load", path), e.what());
  }
}

}  // namespace ember
