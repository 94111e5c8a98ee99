#include "ember/utils/tensorboard/event_reader.h"

#include <cstring>
#include <fstream>

#include "ember/core/error.h"
#include "ember/utils/tensorboard/crc32c.h"

namespace ember::utils::tensorboard {
namespace {

bool header_ok(const char* p, size_t left, uint64_t* length) {
  if (left < 12) return false;
  uint32_t crc;
  std::memcpy(length, p, 8);
  std::memcpy(&crc, p + 8, 4);
  return crc == masked_crc32c(p, 8);
}

// The scalar value of a summary value, if it is one: simple_value, or a rank-0 tensor of the
// "scalars" plugin (new-style scalars, TensorBoard 2's tf.summary.scalar).
bool scalar_of(const Summary::Value& v, double* out) {
  if (v.value_case() == Summary::Value::kSimpleValue) {
    *out = v.simple_value();
    return true;
  }
  if (v.value_case() != Summary::Value::kTensor || v.metadata().plugin_data().plugin_name() != "scalars") return false;
  const TensorProto& t = v.tensor();
  if (t.float_val_size() > 0) *out = t.float_val(0);
  else if (t.double_val_size() > 0) *out = t.double_val(0);
  else if (t.int_val_size() > 0) *out = t.int_val(0);
  else if (t.int64_val_size() > 0) *out = static_cast<double>(t.int64_val(0));
  else if (t.dtype() == DT_FLOAT && t.tensor_content().size() == 4) {
    float f;
    std::memcpy(&f, t.tensor_content().data(), 4);
    *out = f;
  } else if (t.dtype() == DT_DOUBLE && t.tensor_content().size() == 8) {
    std::memcpy(out, t.tensor_content().data(), 8);
  } else {
    return false;
  }
  return true;
}

}  // namespace

ReadResult read_event_bytes(const std::string& bytes, uint64_t base_offset, const std::string& name) {
  ReadResult r;
  const char* data = bytes.data();
  const size_t size = bytes.size();
  size_t pos = 0;
  Event event;
  auto warn = [&](size_t at, const std::string& what) {
    r.warnings.push_back(name + ": " + what + " at offset " + std::to_string(base_offset + at));
  };
  while (pos < size) {
    uint64_t length = 0;
    const size_t left = size - pos;
    if (left < 12) {
      r.incomplete_tail = true;
      break;
    }
    if (!header_ok(data + pos, left, &length)) {
      // Note [Reading untrusted event files]: resynchronise at the next header whose CRC
      // holds and whose length fits; most garbage positions fail the cheap length test.
      warn(pos, "corrupt record header (bad length CRC); skipping to the next valid record");
      size_t next = pos + 1;
      uint64_t len = 0;
      for (; next + 12 <= size; ++next) {
        std::memcpy(&len, data + next, 8);
        if (len <= size - next - 12 && header_ok(data + next, size - next, &len)) break;
      }
      if (next + 12 > size) {
        pos = size;  // nothing valid follows: the rest is skipped
        break;
      }
      pos = next;
      continue;
    }
    if (length > left - 12 || left - 12 - length < 4) {
      r.incomplete_tail = true;  // wait for the rest (a writer mid-write) or warn (caller)
      break;
    }
    const char* payload = data + pos + 12;
    uint32_t crc;
    std::memcpy(&crc, payload + length, 4);
    const size_t record_end = pos + 16 + static_cast<size_t>(length);
    if (crc != masked_crc32c(payload, static_cast<size_t>(length))) {
      warn(pos, "corrupt record (bad data CRC); skipped");
      pos = record_end;
      continue;
    }
    event.Clear();
    if (length > static_cast<uint64_t>(INT32_MAX) || !event.ParseFromArray(payload, static_cast<int>(length))) {
      warn(pos, "record is not a valid Event message; skipped");
      pos = record_end;
      continue;
    }
    ++r.records;
    if (event.has_summary()) {
      for (const auto& v : event.summary().value()) {
        double x;
        if (scalar_of(v, &x)) {
          auto& s = r.scalars[v.tag()];
          s.steps.push_back(static_cast<double>(event.step()));
          s.wall_times.push_back(event.wall_time());
          s.values.push_back(x);
        } else {
          OtherRecord o;
          o.step = event.step();
          o.wall_time = event.wall_time();
          o.value = v;
          r.others.push_back(std::move(o));
        }
      }
    } else if (event.what_case() == Event::kGraphDef) {
      OtherRecord o;
      o.step = event.step();
      o.wall_time = event.wall_time();
      o.graph_def = event.graph_def();
      r.others.push_back(std::move(o));
    }
    pos = record_end;
  }
  r.end_offset = base_offset + pos;
  return r;
}

ReadResult read_event_file(const std::string& path, uint64_t offset) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(in.good(), "cannot open event file ", path);
  const auto end = static_cast<uint64_t>(in.tellg());
  if (end <= offset) {
    ReadResult r;
    r.end_offset = offset;
    return r;
  }
  std::string bytes(static_cast<size_t>(end - offset), '\0');  // at most the file's size
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return read_event_bytes(bytes, offset, path);
}

}  // namespace ember::utils::tensorboard
