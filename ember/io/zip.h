#pragma once
// The ZIP container of PyTorch's checkpoints (reference/formats-rng.md 1.2-1.3): a reader
// and a writer for archives of *stored* (uncompressed) records, which is all torch.save
// writes. Internal to io/ (serialize.cpp builds on it); the tests and the fuzz targets
// use it directly.
//
// Note [Hand-written ZIP]
// PyTorch's own reader and writer (caffe2's PyTorchStreamReader/Writer) sit on miniz.
// ember does not use a general ZIP library because the checkpoint format needs only a
// sliver of ZIP (stored records, zip64 sizes, an alignment padding field) and needs
// things general libraries do not give: record data placed at a multiple of 64 bytes so
// a mapped file can back tensors directly (mmap loading), records read straight into
// tensor memory without an intermediate buffer, and a reader that treats every field as
// hostile (Note [ZIP validation]). ISA-L supplies CRC-32. Deflated records are refused:
// torch.save never writes them, and refusing them rules out zip bombs.
//
// Note [ZIP validation]
// Every size and offset read from an archive is checked against the file before it is
// used, with overflow-checked arithmetic: the end-of-central-directory records must lie
// inside the file, the central directory must lie before them, every local header and
// every record's data must lie before the central directory, no two records may overlap,
// entry names must be unique, relative, free of ".." components and share one top-level
// folder (the archive name). Nothing is allocated before the size that justifies it has
// been checked against the file, so a 1 KB file cannot make the reader allocate more
// than about its own size.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember::io {

// Random-access bytes to read an archive from: a file (pread), a mapped file, or memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset (the caller has checked the range); throws
  // ember::Error on an I/O failure.
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;
  // The whole source in memory, when it is (mapped files and buffers); null otherwise.
  virtual const unsigned char* data() const { return nullptr; }
};

// A file read with pread. Errors (cannot open, I/O errors) carry `error_prefix`.
std::shared_ptr<ByteSource> open_file_source(const std::string& path, const std::string& error_prefix);
// A file mapped copy-on-write (MAP_PRIVATE, readable and writable, so tensors backed by
// it can be modified in place without touching the file). The mapping lives as long as
// the returned object; tensors backed by it hold a reference.
std::shared_ptr<ByteSource> map_file_source(const std::string& path, const std::string& error_prefix);
// Bytes held in memory.
std::shared_ptr<ByteSource> memory_source(std::string bytes);

struct ZipRecord {
  std::string name;         // the record name without the archive folder ("data/0")
  uint64_t header_offset;   // of the local file header
  uint64_t data_offset;     // of the first byte of data
  uint64_t size;
  uint32_t crc32;
};

class ZipReader {
 public:
  // Reads and validates the central directory (Note [ZIP validation]). Throws
  // ember::Error with `error_prefix` (e.g. "load: model.pt: ") in front of every message.
  ZipReader(std::shared_ptr<ByteSource> source, std::string error_prefix);

  const std::string& archive_name() const { return archive_; }
  const std::vector<ZipRecord>& records() const { return records_; }
  // The record `name` (relative to the archive folder), or null.
  const ZipRecord* find(std::string_view name) const;
  // A whole record in memory; `limit` bounds its size (a record larger than that is an
  // error, so a hostile size cannot make the reader allocate without bound).
  std::string read(const ZipRecord& record, uint64_t limit) const;
  // Copies a record into dst (record.size bytes).
  void read_into(const ZipRecord& record, void* dst) const;
  // Checks a record's bytes against its CRC-32 (skipped when the archive records 0, as
  // recent PyTorch writes with CRCs turned off).
  void check_crc(const ZipRecord& record, const void* bytes) const;

  const ByteSource& source() const { return *source_; }
  const std::shared_ptr<ByteSource>& source_ptr() const { return source_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::shared_ptr<ByteSource> source_;
  std::string prefix_;
  std::string archive_;
  std::vector<ZipRecord> records_;
  std::unordered_map<std::string, size_t> by_name_;
};

// Receives the bytes of an archive as they are written.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const void* data, size_t n) = 0;  // throws ember::Error on failure
};

// Writes an archive as PyTorch's writer lays it out: every record stored, its data at a
// multiple of `kAlignment` bytes from the start of the file (an "FB" padding extra field),
// zip64 fields where sizes or offsets need them, and the zip64 end records always. Unlike
// PyTorch's writer it puts the CRC and sizes in the local header (it has the data in hand)
// instead of a data descriptor, and stamps every record 1980-01-01 00:00, so the same
// checkpoint always gives the same bytes.
class ZipWriter {
 public:
  static constexpr uint64_t kAlignment = 64;

  ZipWriter(ByteSink& sink, std::string archive_name);
  // Appends the record "<archive>/<name>".
  void add(std::string_view name, const void* data, size_t n);
  // Whether add() computes each record's CRC-32 (default) or records 0, which readers take
  // as "not computed" (PyTorch's writer has the same switch, set_crc32_options).
  void set_compute_crc32(bool on) { compute_crc32_ = on; }
  // Writes the central directory and the end records. No add() after it.
  void finish();
  uint64_t bytes_written() const { return offset_; }

 private:
  struct Entry {
    std::string name;  // full name with the archive folder
    uint64_t header_offset, size;
    uint32_t crc32;
  };
  void put(const void* data, size_t n);
  ByteSink& sink_;
  std::string archive_;
  uint64_t offset_ = 0;
  std::vector<Entry> entries_;
  bool finished_ = false;
  bool compute_crc32_ = true;
};

// CRC-32 as ZIP uses it (zlib's crc32; computed by ISA-L), over any number of bytes.
uint32_t zip_crc32(const void* data, size_t n);

}  // namespace ember::io
