#pragma once
// Incremental reading of event files for the dashboard (ember-board, python/ember/board).
//
// Note [Reading untrusted event files]: an event file may be truncated (a writer still
// writing, a crash), corrupt, or hostile. The reader
// - reads at most the bytes the file has beyond `offset` (so it never allocates more than
//   the file's size), and checks every record's length against what is left before use;
// - stops before an incomplete last record and reports its offset; the next call resumes
//   there, so records appended later are picked up;
// - skips a record whose payload CRC is wrong, and after a header whose CRC is wrong
//   (its length cannot be trusted) searches forward for the next valid header; each with
//   a warning naming the file and the offset;
// - parses payloads with protobuf, which bounds recursion depth (100), so deeply nested
//   messages fail to parse (a warning) instead of exhausting the stack.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ember/utils/tensorboard/tensorboard.pb.h"

namespace ember::utils::tensorboard {

// Scalars of one tag, column by column (what the page plots).
struct ScalarSeries {
  std::vector<double> steps, wall_times, values;
};

// A summary value that is not a scalar (image, histogram, text, PR curve, hparams, ...), or
// a graph (graph_def set, value empty).
struct OtherRecord {
  int64_t step = 0;
  double wall_time = 0;
  Summary::Value value;
  std::string graph_def;
};

struct ReadResult {
  uint64_t end_offset = 0;       // where the next read starts
  bool incomplete_tail = false;  // a partial record follows end_offset
  std::vector<std::string> warnings;
  std::map<std::string, ScalarSeries> scalars;
  std::vector<OtherRecord> others;
  int64_t records = 0;
};

// Reads the records of `path` from `offset` to the end of the file.
ReadResult read_event_file(const std::string& path, uint64_t offset);
// The same over bytes in memory; `name` and `base_offset` only label warnings.
ReadResult read_event_bytes(const std::string& bytes, uint64_t base_offset, const std::string& name);

}  // namespace ember::utils::tensorboard
