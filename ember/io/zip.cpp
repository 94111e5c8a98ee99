// ZIP reader and writer for checkpoints: Note [Hand-written ZIP] and Note [ZIP validation]
// in zip.h. Field layouts follow PKWARE's APPNOTE (sections 4.3.7 local header, 4.3.12
// central directory header, 4.3.14-16 zip64 end records, 4.5.3 zip64 extra field).
#include "ember/io/zip.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <isa-l/crc.h>

#include "ember/core/error.h"

namespace ember::io {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kPaddingExtraId = 0x4246;  // "FB", PyTorch's alignment padding
constexpr uint32_t k32 = 0xFFFFFFFFu;
constexpr uint16_t k16 = 0xFFFFu;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01

uint16_t le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t le64(const unsigned char* p) { return le32(p) | (static_cast<uint64_t>(le32(p + 4)) << 32); }

void put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// a + b, or nullopt when it overflows.
bool add_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_add_overflow(a, b, out); }

// ---- sources --------------------------------------------------------------------------

class FileSource : public ByteSource {
 public:
  FileSource(const std::string& path, const std::string& prefix) : prefix_(prefix) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) EMBER_THROW(Error, prefix_, "cannot open the file: ", std::strerror(errno));
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      int e = errno;
      ::close(fd_);
      EMBER_THROW(Error, prefix_, "cannot stat the file: ", std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd_);
      EMBER_THROW(Error, prefix_, "is a directory");
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd_);
      EMBER_THROW(Error, prefix_, "is not a regular file (read pipes and devices through an std::istream)");
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
      // Chunks below 1 GiB: Linux caps one pread at about 2 GiB.
      size_t chunk = std::min<size_t>(n, size_t{1} << 30);
      ssize_t got = ::pread(fd_, p, chunk, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) EMBER_THROW(Error, prefix_, "read error at byte ", offset, ": ", std::strerror(errno));
      if (got == 0) EMBER_THROW(Error, prefix_, "unexpected end of file at byte ", offset, " (did the file shrink while being read?)");
      p += got;
      offset += static_cast<uint64_t>(got);
      n -= static_cast<size_t>(got);
    }
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string prefix_;
};

class MappedSource : public ByteSource {
 public:
  MappedSource(const std::string& path, const std::string& prefix) {
    FileSource file(path, prefix);  // the same open/stat checks and messages
    size_ = file.size();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) EMBER_THROW(Error, prefix, "cannot open the file: ", std::strerror(errno));
    if (size_ > 0) {
      // Writable copy-on-write pages: a loaded tensor may be modified in place (training
      // resumes from it); the file itself never changes.
      void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      int e = errno;
      ::close(fd);
      if (p == MAP_FAILED) EMBER_THROW(Error, prefix, "cannot map the file: ", std::strerror(e));
      data_ = static_cast<unsigned char*>(p);
    } else {
      ::close(fd);
    }
  }
  ~MappedSource() override {
    if (data_) ::munmap(data_, size_);
  }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override {
    if (n) std::memcpy(dst, data_ + offset, n);
  }
  const unsigned char* data() const override {
    static const unsigned char empty = 0;
    return data_ ? data_ : &empty;
  }

 private:
  unsigned char* data_ = nullptr;
  uint64_t size_ = 0;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override {
    if (n) std::memcpy(dst, bytes_.data() + offset, n);
  }
  const unsigned char* data() const override { return reinterpret_cast<const unsigned char*>(bytes_.data()); }

 private:
  std::string bytes_;
};

// A record name must be relative and stay inside the archive folder: no empty, "." or ".."
// components, no backslashes (Windows tools treat them as separators), no NUL.
bool safe_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find('\\') != std::string::npos || name.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string_view part(name.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  if (s.size() > 200) out += "...";
  return out;
}

}  // namespace

std::shared_ptr<ByteSource> open_file_source(const std::string& path, const std::string& error_prefix) {
  return std::make_shared<FileSource>(path, error_prefix);
}
std::shared_ptr<ByteSource> map_file_source(const std::string& path, const std::string& error_prefix) {
  return std::make_shared<MappedSource>(path, error_prefix);
}
std::shared_ptr<ByteSource> memory_source(std::string bytes) { return std::make_shared<MemorySource>(std::move(bytes)); }

// ISA-L's crc32_gzip_refl is zip's CRC-32 (the reflected IEEE polynomial, pre- and
// post-inverted, as zlib's crc32), folded with carry-less multiplies.
uint32_t zip_crc32(const void* data, size_t n) {
  return crc32_gzip_refl(0, static_cast<const unsigned char*>(data), n);
}

// ---- reader ---------------------------------------------------------------------------

void ZipReader::fail(const std::string& what) const { EMBER_THROW(Error, prefix_, what); }

ZipReader::ZipReader(std::shared_ptr<ByteSource> source, std::string error_prefix)
    : source_(std::move(source)), prefix_(std::move(error_prefix)) {
  const uint64_t size = source_->size();
  if (size < kLocalHeaderSize + kEndSize)
    fail("not a zip archive: the file has " + std::to_string(size) + " bytes, too few to hold one");
  unsigned char head[4];
  source_->read(0, head, 4);
  if (le32(head) != kLocalHeaderSig) fail("not a zip archive: it does not start with a local file header (PK\\3\\4)");

  // The end-of-central-directory record: the last 22 bytes plus up to 64 KiB of comment.
  const uint64_t tail_size = std::min<uint64_t>(size, kEndSize + 0xFFFF);
  std::string tail(tail_size, '\0');
  source_->read(size - tail_size, tail.data(), tail_size);
  const auto* t = reinterpret_cast<const unsigned char*>(tail.data());
  int64_t found = -1;
  for (int64_t i = static_cast<int64_t>(tail_size - kEndSize); i >= 0; --i) {
    if (le32(t + i) == kEndSig && static_cast<uint64_t>(i) + kEndSize + le16(t + i + 20) == tail_size) {
      found = i;
      break;
    }
  }
  if (found < 0) fail("truncated or corrupt zip archive: no end-of-central-directory record at its end");
  const uint64_t end_offset = size - tail_size + static_cast<uint64_t>(found);
  const unsigned char* e = t + found;
  uint64_t entries = le16(e + 10);
  uint64_t cd_size = le32(e + 12);
  uint64_t cd_offset = le32(e + 16);
  if (le16(e + 4) != 0 && le16(e + 4) != k16) fail("multi-disk zip archives are not supported");
  if (le16(e + 8) != le16(e + 10)) fail("multi-disk zip archives are not supported");
  uint64_t limit = end_offset;  // everything before the end records

  // A zip64 locator right before it points at the zip64 end record with 64-bit fields.
  if (end_offset >= kZip64LocatorSize) {
    unsigned char loc[kZip64LocatorSize];
    source_->read(end_offset - kZip64LocatorSize, loc, sizeof loc);
    if (le32(loc) == kZip64LocatorSig) {
      const uint64_t locator_offset = end_offset - kZip64LocatorSize;
      const uint64_t z64 = le64(loc + 8);
      uint64_t z64_end;
      if (le32(loc + 4) != 0 || le32(loc + 16) > 1) fail("multi-disk zip archives are not supported");
      if (add_overflows(z64, kZip64EndSize, &z64_end) || z64_end > locator_offset)
        fail("corrupt zip archive: the zip64 end record offset " + std::to_string(z64) + " is outside the file");
      unsigned char r[kZip64EndSize];
      source_->read(z64, r, sizeof r);
      if (le32(r) != kZip64EndSig) fail("corrupt zip archive: no zip64 end record where the locator points");
      if (le64(r + 4) < kZip64EndSize - 12) fail("corrupt zip archive: zip64 end record too short");
      if (le32(r + 16) != 0 || le32(r + 20) != 0 || le64(r + 24) != le64(r + 32))
        fail("multi-disk zip archives are not supported");
      entries = le64(r + 32);
      cd_size = le64(r + 40);
      cd_offset = le64(r + 48);
      limit = z64;
    }
  }
  uint64_t cd_end;
  if (add_overflows(cd_offset, cd_size, &cd_end) || cd_end > limit)
    fail("corrupt zip archive: the central directory (offset " + std::to_string(cd_offset) + ", " +
         std::to_string(cd_size) + " bytes) does not fit in the file (" + std::to_string(size) +
         " bytes): truncated file?");
  if (entries > cd_size / kCentralHeaderSize)
    fail("corrupt zip archive: " + std::to_string(entries) + " entries cannot fit in a " + std::to_string(cd_size) +
         "-byte central directory");
  if (entries == 0) fail("the zip archive is empty");

  std::string cd(cd_size, '\0');  // cd_size <= file size, checked above
  source_->read(cd_offset, cd.data(), cd_size);
  const auto* c = reinterpret_cast<const unsigned char*>(cd.data());
  uint64_t pos = 0;
  records_.reserve(entries);
  for (uint64_t i = 0; i < entries; ++i) {
    if (cd_size - pos < kCentralHeaderSize || le32(c + pos) != kCentralHeaderSig)
      fail("corrupt zip archive: central directory entry " + std::to_string(i) + " is malformed");
    const unsigned char* h = c + pos;
    const uint16_t flags = le16(h + 8), method = le16(h + 10);
    const uint32_t crc = le32(h + 16);
    uint64_t csize = le32(h + 20), usize = le32(h + 24);
    const uint16_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
    uint64_t disk = le16(h + 34), offset = le32(h + 42);
    const uint64_t entry_size = kCentralHeaderSize + uint64_t{name_len} + extra_len + comment_len;
    if (cd_size - pos < entry_size)
      fail("corrupt zip archive: central directory entry " + std::to_string(i) + " runs past the directory");
    std::string full(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    const unsigned char* x = h + kCentralHeaderSize + name_len;
    // The zip64 extra field holds, in this order, whichever of the 32-bit fields are saturated.
    for (uint64_t xp = 0; xp + 4 <= extra_len;) {
      const uint16_t id = le16(x + xp), len = le16(x + xp + 2);
      if (xp + 4 + len > extra_len) fail("corrupt zip archive: malformed extra field of '" + printable(full) + "'");
      if (id == kZip64ExtraId) {
        const unsigned char* z = x + xp + 4;
        uint64_t zp = 0;
        auto next = [&](uint64_t& field) {
          if (zp + 8 > len) fail("corrupt zip archive: short zip64 field of '" + printable(full) + "'");
          field = le64(z + zp);
          zp += 8;
        };
        if (usize == k32) next(usize);
        if (csize == k32) next(csize);
        if (offset == k32) next(offset);
        if (disk == k16) {
          if (zp + 4 > len) fail("corrupt zip archive: short zip64 field of '" + printable(full) + "'");
          disk = le32(z + zp);
        }
      }
      xp += 4 + len;
    }
    pos += entry_size;

    if (flags & 0x0001) fail("record '" + printable(full) + "' is encrypted");
    if (method != 0)
      fail("record '" + printable(full) + "' is compressed (method " + std::to_string(method) +
           (method == 8 ? ", deflate" : "") +
           "); ember reads only stored records, which is what torch.save writes");
    if (csize != usize)
      fail("corrupt zip archive: stored record '" + printable(full) + "' has compressed size " + std::to_string(csize) +
           " but size " + std::to_string(usize));
    if (disk != 0) fail("multi-disk zip archives are not supported");

    // The archive folder is the first entry's top-level directory; every entry is inside it.
    const size_t slash = full.find('/');
    if (i == 0) {
      if (slash == std::string::npos || slash == 0)
        fail("entry '" + printable(full) + "' is not inside an archive folder (expected '<name>/data.pkl' and so on)");
      archive_ = full.substr(0, slash);
    }
    if (slash != archive_.size() || full.compare(0, slash, archive_) != 0)
      fail("entry '" + printable(full) + "' is outside the archive folder '" + printable(archive_) + "'");
    std::string name = full.substr(slash + 1);
    if (!safe_name(full))
      fail("entry name '" + printable(full) + "' is unsafe (absolute, empty, '.' or '..' components, or backslashes)");
    if (!by_name_.emplace(name, records_.size()).second) fail("duplicate entry '" + printable(full) + "'");

    // The local header: its name and extra field may differ in length from the central one
    // (the alignment padding lives only there), so the data offset comes from it.
    uint64_t local_end;
    if (add_overflows(offset, kLocalHeaderSize, &local_end) || local_end > cd_offset)
      fail("corrupt zip archive: the local header of '" + printable(full) + "' at offset " + std::to_string(offset) +
           " is outside the file's data");
    unsigned char l[kLocalHeaderSize];
    source_->read(offset, l, sizeof l);
    if (le32(l) != kLocalHeaderSig)
      fail("corrupt zip archive: no local header for '" + printable(full) + "' at offset " + std::to_string(offset));
    if (le16(l + 8) != 0) fail("record '" + printable(full) + "' is compressed in its local header");
    const uint16_t lname = le16(l + 26), lextra = le16(l + 28);
    uint64_t data_offset = local_end + lname + lextra, data_end;
    if (add_overflows(data_offset, usize, &data_end) || data_end > cd_offset)
      fail("record '" + printable(full) + "' claims " + std::to_string(usize) + " bytes at offset " +
           std::to_string(data_offset) + ", past the end of the data (" + std::to_string(cd_offset) +
           " bytes): truncated file or corrupt size");
    if (lname != name_len) fail("corrupt zip archive: the local and central names of '" + printable(full) + "' differ");
    std::string local_name(lname, '\0');
    source_->read(local_end, local_name.data(), lname);
    if (local_name != full) fail("corrupt zip archive: the local and central names of '" + printable(full) + "' differ");
    records_.push_back({std::move(name), offset, data_offset, usize, crc});
  }

  // No two records may share bytes (an overlap would let one storage alias another's data).
  std::vector<const ZipRecord*> sorted;
  for (const auto& r : records_) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](const ZipRecord* a, const ZipRecord* b) { return a->header_offset < b->header_offset; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i]->header_offset < sorted[i - 1]->data_offset + sorted[i - 1]->size)
      fail("corrupt zip archive: records '" + printable(sorted[i - 1]->name) + "' and '" +
           printable(sorted[i]->name) + "' overlap");
}

const ZipRecord* ZipReader::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &records_[it->second];
}

std::string ZipReader::read(const ZipRecord& record, uint64_t limit) const {
  if (record.size > limit)
    fail("record '" + printable(record.name) + "' has " + std::to_string(record.size) + " bytes, more than the " +
         std::to_string(limit) + " allowed");
  std::string bytes(record.size, '\0');
  source_->read(record.data_offset, bytes.data(), record.size);
  check_crc(record, bytes.data());
  return bytes;
}

void ZipReader::read_into(const ZipRecord& record, void* dst) const {
  source_->read(record.data_offset, dst, record.size);
}

void ZipReader::check_crc(const ZipRecord& record, const void* bytes) const {
  if (record.crc32 == 0) return;  // written with CRCs off (recent PyTorch), or empty
  uint32_t actual = zip_crc32(bytes, record.size);
  if (actual != record.crc32) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x, the archive records %08x", actual, record.crc32);
    fail("record '" + printable(record.name) + "' is corrupt: its CRC-32 is " + buf);
  }
}

// ---- writer ---------------------------------------------------------------------------

ZipWriter::ZipWriter(ByteSink& sink, std::string archive_name) : sink_(sink), archive_(std::move(archive_name)) {
  EMBER_CHECK(!archive_.empty() && archive_.find('/') == std::string::npos, "ZipWriter: bad archive name '",
              archive_, "'");
}

void ZipWriter::put(const void* data, size_t n) {
  if (n == 0) return;
  sink_.write(data, n);
  offset_ += n;
}

void ZipWriter::add(std::string_view name, const void* data, size_t n) {
  EMBER_CHECK(!finished_, "ZipWriter: add() after finish()");
  std::string full = archive_ + "/" + std::string(name);
  EMBER_CHECK(full.size() <= 0xFFFF, "ZipWriter: record name too long");
  const uint64_t header_offset = offset_;
  const uint32_t crc = compute_crc32_ ? zip_crc32(data, n) : 0;
  const bool zip64_size = n >= k32;

  std::string h;
  put32(h, kLocalHeaderSig);
  put16(h, zip64_size ? 45 : 20);  // version needed: 4.5 for zip64, 2.0 otherwise
  put16(h, 0x0800);                // UTF-8 names
  put16(h, 0);                     // stored
  put16(h, 0);                     // 00:00
  put16(h, kDosDate1980);
  put32(h, crc);
  put32(h, zip64_size ? k32 : static_cast<uint32_t>(n));
  put32(h, zip64_size ? k32 : static_cast<uint32_t>(n));
  put16(h, static_cast<uint16_t>(full.size()));
  std::string extra;
  if (zip64_size) {  // a local zip64 field carries both sizes
    put16(extra, kZip64ExtraId);
    put16(extra, 16);
    put64(extra, n);
    put64(extra, n);
  }
  // Padding so the data starts at a multiple of kAlignment (PyTorch's "FB" field).
  const uint64_t unpadded = header_offset + kLocalHeaderSize + full.size() + extra.size() + 4;
  const uint64_t pad = (kAlignment - unpadded % kAlignment) % kAlignment;
  put16(extra, kPaddingExtraId);
  put16(extra, static_cast<uint16_t>(pad));
  extra.append(pad, 'Z');
  put16(h, static_cast<uint16_t>(extra.size()));
  h += full;
  h += extra;
  put(h.data(), h.size());
  put(data, n);
  entries_.push_back({std::move(full), header_offset, n, crc});
}

void ZipWriter::finish() {
  EMBER_CHECK(!finished_, "ZipWriter: finish() twice");
  finished_ = true;
  const uint64_t cd_offset = offset_;
  for (const Entry& e : entries_) {
    const bool big_size = e.size >= k32, big_offset = e.header_offset >= k32;
    std::string extra;
    if (big_size || big_offset) {
      put16(extra, kZip64ExtraId);
      put16(extra, static_cast<uint16_t>((big_size ? 16 : 0) + (big_offset ? 8 : 0)));
      if (big_size) {
        put64(extra, e.size);
        put64(extra, e.size);
      }
      if (big_offset) put64(extra, e.header_offset);
    }
    std::string h;
    put32(h, kCentralHeaderSig);
    put16(h, 0x031E);  // made by: Unix, spec 3.0
    put16(h, extra.empty() ? 20 : 45);
    put16(h, 0x0800);
    put16(h, 0);
    put16(h, 0);
    put16(h, kDosDate1980);
    put32(h, e.crc32);
    put32(h, big_size ? k32 : static_cast<uint32_t>(e.size));
    put32(h, big_size ? k32 : static_cast<uint32_t>(e.size));
    put16(h, static_cast<uint16_t>(e.name.size()));
    put16(h, static_cast<uint16_t>(extra.size()));
    put16(h, 0);  // comment
    put16(h, 0);  // disk
    put16(h, 0);  // internal attributes
    put32(h, 0100644u << 16);  // external attributes: a regular file, rw-r--r--
    put32(h, big_offset ? k32 : static_cast<uint32_t>(e.header_offset));
    h += e.name;
    h += extra;
    put(h.data(), h.size());
  }
  const uint64_t cd_size = offset_ - cd_offset;
  const uint64_t z64_offset = offset_;
  const uint64_t n = entries_.size();
  std::string t;
  put32(t, kZip64EndSig);
  put64(t, kZip64EndSize - 12);
  put16(t, 0x031E);
  put16(t, 45);
  put32(t, 0);
  put32(t, 0);
  put64(t, n);
  put64(t, n);
  put64(t, cd_size);
  put64(t, cd_offset);
  put32(t, kZip64LocatorSig);
  put32(t, 0);
  put64(t, z64_offset);
  put32(t, 1);
  put32(t, kEndSig);
  put16(t, 0);
  put16(t, 0);
  put16(t, static_cast<uint16_t>(std::min<uint64_t>(n, k16)));
  put16(t, static_cast<uint16_t>(std::min<uint64_t>(n, k16)));
  put32(t, static_cast<uint32_t>(std::min<uint64_t>(cd_size, k32)));
  put32(t, static_cast<uint32_t>(std::min<uint64_t>(cd_offset, k32)));
  put16(t, 0);
  put(t.data(), t.size());
}

}  // namespace ember::io
