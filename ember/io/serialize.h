#pragma once
// PyTorch's checkpoint format: what torch.save writes and torch.load reads (a ZIP archive
// of a protocol-2 pickle and one record per storage; reference/formats-rng.md Part 1,
// docs/checkpoints.md). Files go both ways: PyTorch 1.13 and 2.x load ember's files,
// with weights_only=True wherever their restricted loader can, and ember loads theirs.
//
//   ember::save(model->state_dict(), "model.pt");       // torch.save(model.state_dict(), ...)
//   ember::load(*model, "model.pt");                     // model.load_state_dict(torch.load(...))
//
//   IValue ckpt = IValue::dict();                        // a checkpoint dict
//   ckpt.toDict().insert_or_assign("optimizer", optimizer.state_dict());
//   ckpt.toDict().insert_or_assign("epoch", epoch);
//   ember::save(ckpt, "ckpt.pt");
//   IValue back = ember::load("ckpt.pt");
//   optimizer.load_state_dict(back.toDict().at("optimizer"));
//
// Loading is safe (Note [Unpickler safety] in pickle.h, Note [ZIP validation] in zip.h): a
// file is data, never code, and a hostile or broken file gives an ember::Error that names
// the file and what is wrong. Saving to a path is atomic (Note [Atomic save]).
//
// Note [Atomic save]
// save(value, path) writes `<path>.tmp-XXXXXX` in the same directory, flushes and fsyncs
// it, and renames it over `path` (then fsyncs the directory), so a crash, a kill or a
// full disk mid-save leaves the previous file intact: rename is atomic within a file
// system. A failed save removes its temporary file; a killed process leaves it behind
// under that distinctive name. The new file gets the old file's permissions, or the
// process umask's for a new one.
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "ember/core/ivalue.h"
#include "ember/io/pickle.h"
#include "ember/nn/module.h"

namespace ember {

// ---- saving ---------------------------------------------------------------------------

// A tensor, or nested lists, tuples and dicts of tensors, None, bool, int, float and str
// (an optimizer's or a scheduler's state_dict()). Dicts are written as plain Python dicts.
// Tensors keep their dtype, shape, strides, storage offset and requires_grad; views of one
// storage are written as views of one storage (the whole storage is written once).
void save(const IValue& value, const std::string& path);
void save(const IValue& value, std::ostream& out);
// The exact form (OrderedDicts and their attributes, parameters, globals).
void save(const pickle::Value& value, const std::string& path);
void save(const pickle::Value& value, std::ostream& out);
// A state_dict, written as the collections.OrderedDict torch.save writes for one.
void save(const nn::StateDict& state_dict, const std::string& path);
void save(const nn::StateDict& state_dict, std::ostream& out);
// module.state_dict() with its `_metadata` (each submodule's version, which BatchNorm's
// loader in PyTorch reads), as torch.save(module.state_dict(), path) writes it.
void save(const nn::Module& module, const std::string& path);
void save(const nn::Module& module, std::ostream& out);

// LibTorch's torch::pickle_save / pickle_load: the same format in memory.
std::vector<char> pickle_save(const IValue& value);
IValue pickle_load(const std::vector<char>& data);

// ---- loading --------------------------------------------------------------------------

// Loads a file written by torch.save (1.13 or 2.x layout, any legacy-dtype storage, every
// location mapped to the CPU) or by ember::save. With mmap = true the file is mapped
// (copy-on-write) and the tensors' storages point into the mapping, which lives as long
// as any tensor uses it: loading costs no copy and no read until the data is touched.
IValue load(const std::string& path, bool mmap = false);
IValue load(std::istream& in);
// The exact form (load keeps what IValue cannot: OrderedDict, attributes, parameters).
pickle::Value load_value(const std::string& path, bool mmap = false);
pickle::Value load_value(std::istream& in);
// From bytes in memory; `name` stands for the file in error messages.
pickle::Value load_value_from_bytes(std::string bytes, const std::string& name = "<bytes>");
std::string save_value_to_bytes(const pickle::Value& value);

// module.load_state_dict(<the state_dict in path>, strict).
nn::LoadStateDictResult load(nn::Module& module, const std::string& path, bool strict = true, bool mmap = false);

// ---- helpers --------------------------------------------------------------------------

// module.state_dict() as torch.save sees it: an OrderedDict with `_metadata`.
pickle::Value state_dict_value(const nn::Module& module);
pickle::Value state_dict_value(const nn::StateDict& state_dict);
// A loaded dict of str -> tensor (a state_dict, or a checkpoint's "model" entry) as an
// nn::StateDict. Throws ember::Error naming the first key that is not a str or whose value
// is not a tensor.
nn::StateDict to_state_dict(const IValue& value);
nn::StateDict to_state_dict(const pickle::Value& value);

}  // namespace ember
