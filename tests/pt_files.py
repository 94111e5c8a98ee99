"""Hand-built torch.save files for tests/cpp/test_serialization.cpp, without torch.

  python3 pt_files.py hostile DIR   # >= 50 broken or hostile files + DIR/manifest.tsv
  python3 pt_files.py layouts DIR   # valid files in layouts torch 1.13 cannot write

manifest.tsv has one line per file: "<file>\t<substring the error must contain>", or
"<file>\tOK" for a file that must load; a third field "mmap-ok" says the file loads when
mapped (a mapped load reads no storage, so it cannot check a storage's CRC). The C++ test loads every file and checks that
each fails with an ember::Error naming the file and containing the substring (never a
crash, a hang or a huge allocation), or loads.

The files are made from a small pickle emitter and a ZIP writer that follow
reference/formats-rng.md Part 1 (the same layout as PyTorch's writer: stored records,
data at multiples of 64 bytes, zip64 end records), with one field broken per file.
"""
import os
import struct
import sys
import zlib

# ---- pickle opcodes -------------------------------------------------------------------

PROTO2 = b"\x80\x02"
STOP = b"."
MARK = b"("
TUPLE = b"t"
EMPTY_TUPLE = b")"
EMPTY_LIST = b"]"
EMPTY_DICT = b"}"
APPEND = b"a"
APPENDS = b"e"
SETITEM = b"s"
SETITEMS = b"u"
REDUCE = b"R"
BUILD = b"b"
NONE = b"N"
TRUE = b"\x88"
FALSE = b"\x89"
BINPERSID = b"Q"
NEWOBJ = b"\x81"


def glob(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def s(text):
    b = text.encode("utf-8") if isinstance(text, str) else text
    return b"X" + struct.pack("<I", len(b)) + b


def i(v):
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    if -2**31 <= v < 2**31:
        return b"J" + struct.pack("<i", v)
    n = (v.bit_length() + 8) // 8
    return b"\x8a" + bytes([n]) + v.to_bytes(n, "little", signed=True)


def f(v):
    return b"G" + struct.pack(">d", v)


def tup(*items):
    return MARK + b"".join(items) + TUPLE


def put(n):
    return b"q" + bytes([n])


def get(n):
    return b"h" + bytes([n])


def odict():
    return glob("collections", "OrderedDict") + EMPTY_TUPLE + REDUCE


def pid(key, numel, cls="FloatStorage", module="torch"):
    return tup(s("storage"), glob(module, cls), s(key), s("cpu"), i(numel)) + BINPERSID


def tensor_v2(key="0", numel=4, offset=0, size=(4,), stride=(1,), requires_grad=False, cls="FloatStorage", extra=b""):
    return (glob("torch._utils", "_rebuild_tensor_v2") +
            MARK + pid(key, numel, cls) + i(offset) + tup(*map(i, size)) + tup(*map(i, stride)) +
            (TRUE if requires_grad else FALSE) + odict() + extra + TUPLE + REDUCE)


def pickle_of(body):
    return PROTO2 + body + STOP


def state_dict_pickle(entries):
    """An OrderedDict of name -> pickled value."""
    return pickle_of(odict() + MARK + b"".join(s(k) + v for k, v in entries) + SETITEMS)


# ---- ZIP -------------------------------------------------------------------------------

class Entry:
    def __init__(self, name, data, method=0, flags=0x0800, crc=None, usize=None, csize=None, local_name=None):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.flags = flags
        self.crc = zlib.crc32(data) if crc is None else crc
        self.usize = len(data) if usize is None else usize
        self.csize = self.usize if csize is None else csize
        self.local_name = self.name if local_name is None else (local_name.encode() if isinstance(local_name, str) else local_name)
        self.offset = None


def build_zip(entries, zip64=True, align=64, cd_patch=None):
    """Bytes of an archive; records are aligned as PyTorch aligns them. cd_patch(entry,
    header_bytearray) may edit each central header before it is written."""
    out = bytearray()
    for e in entries:
        e.offset = len(out)
        unpadded = len(out) + 30 + len(e.local_name) + 4
        pad = (align - unpadded % align) % align
        extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, e.flags, e.method, 0, 0x21, e.crc,
                           min(e.csize, 0xFFFFFFFF), min(e.usize, 0xFFFFFFFF), len(e.local_name), len(extra))
        out += e.local_name + extra + e.data
    cd_offset = len(out)
    for e in entries:
        extra = b""
        usize32, csize32 = e.usize, e.csize
        if e.usize >= 0xFFFFFFFF or e.csize >= 0xFFFFFFFF:
            extra = struct.pack("<HHQQ", 1, 16, e.usize, e.csize)
            usize32 = csize32 = 0xFFFFFFFF
        h = bytearray(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031E, 20, e.flags, e.method, 0, 0x21, e.crc,
                                  csize32, usize32, len(e.name), len(extra), 0, 0, 0, 0, e.offset))
        if cd_patch:
            cd_patch(e, h)
        out += h + e.name + extra
    cd_size = len(out) - cd_offset
    n = len(entries)
    if zip64:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 0x031E, 45, 0, 0, n, n, cd_size, cd_offset)
        out += struct.pack("<IIQI", 0x07064b50, 0, z64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), cd_size, cd_offset, 0)
    return bytes(out)


def archive(records, prefix="archive", **kw):
    return build_zip([Entry(prefix + "/" + name, data) for name, data in records], **kw)


def checkpoint(pkl, storages=None, extra=(), version=b"3\n", prefix="archive"):
    records = [("data.pkl", pkl)]
    for key, data in (storages or {}).items():
        records.append(("data/" + key, data))
    records.extend(extra)
    if version is not None:
        records.append(("version", version))
    return archive(records, prefix)


FLOATS4 = struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)
ONE_TENSOR = state_dict_pickle([("w", tensor_v2())])
VALID = checkpoint(ONE_TENSOR, {"0": FLOATS4})


def end_offsets(data):
    """(offset of the EOCD, offset of the zip64 end record, offset of the central directory)."""
    eocd = data.rfind(struct.pack("<I", 0x06054b50))
    z64 = data.rfind(struct.pack("<I", 0x06064b50))
    cd = struct.unpack_from("<Q", data, z64 + 48)[0]
    return eocd, z64, cd


def patched(data, offset, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


# ---- the hostile corpus ----------------------------------------------------------------

def hostile_cases():
    """(name, bytes, expected error substring or 'OK')."""
    cases = []

    def add(name, data, expect):
        cases.append((name, data, expect))

    def pkl(name, body_or_pickle, expect, storages=None, raw=False):
        add(name, checkpoint(body_or_pickle if raw else pickle_of(body_or_pickle), storages), expect)

    eocd, z64, cd = end_offsets(VALID)

    # -- not a checkpoint at all
    add("empty.pt", b"", "the file is empty")
    add("text.pt", b"this is not a checkpoint, just some text that is long enough to scan. " * 2,
        "not a zip archive")
    add("tiny.pt", b"PK\x03\x04", "too few to hold one")
    add("legacy_format.pt", b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19." + b"\0" * 64, "legacy torch.save file")
    add("preview_format.pt", b"PYTORCH1" + b"\0" * 64, "preview-format")
    add("tar_like.pt", b"\0" * 512, "not a zip archive")

    # -- ZIP structure
    add("truncated_half.pt", VALID[:len(VALID) // 2], "no end-of-central-directory record")
    add("truncated_end.pt", VALID[:-5], "no end-of-central-directory record")
    add("trailing_garbage.pt", VALID + b"garbage", "no end-of-central-directory record")
    add("cd_offset_past_end.pt", patched(VALID, z64 + 48, "<Q", len(VALID) * 4), "does not fit in the file")
    add("cd_offset_huge.pt", patched(VALID, z64 + 48, "<Q", 2**63), "does not fit in the file")
    add("cd_size_huge.pt", patched(VALID, z64 + 40, "<Q", 2**64 - 1), "does not fit in the file")
    add("entry_count_huge.pt", patched(patched(VALID, z64 + 24, "<Q", 10**12), z64 + 32, "<Q", 10**12),
        "cannot fit in a")
    add("zip64_locator_outside.pt", patched(VALID, eocd - 20 + 8, "<Q", 2**40), "zip64 end record offset")
    add("zip64_record_bad_signature.pt", patched(VALID, z64, "<I", 0x12345678), "no zip64 end record")
    add("multi_disk.pt", patched(VALID, z64 + 16, "<I", 3), "multi-disk")
    add("cd_bad_signature.pt", patched(VALID, cd, "<I", 0xdeadbeef), "central directory entry 0 is malformed")
    add("cd_name_runs_past.pt", patched(VALID, cd + 28, "<H", 60000), "runs past the directory")
    no_entries = build_zip([], zip64=False)
    add("no_entries.pt", b"PK\x03\x04" + b"\0" * 26 + no_entries, "empty")

    def with_entries(name, expect, entries, **kw):
        add(name, build_zip(entries, **kw), expect)

    base = lambda: [Entry("archive/data.pkl", ONE_TENSOR), Entry("archive/data/0", FLOATS4),
                    Entry("archive/version", b"3\n")]

    es = base()
    es[0] = Entry("archive/data.pkl", zlib.compress(ONE_TENSOR)[2:-4], method=8, usize=len(ONE_TENSOR))
    with_entries("deflated_record.pt", "compressed (method 8, deflate)", es)
    es = base()
    es[1] = Entry("archive/data/0", zlib.compress(b"\0" * 100000)[2:-4], method=8, usize=2**40)
    with_entries("zip_bomb.pt", "compressed (method 8, deflate)", es)
    es = base()
    es[1] = Entry("archive/data/0", FLOATS4, method=12)
    with_entries("bzip2_record.pt", "compressed (method 12", es)
    es = base()
    es[0].flags |= 1
    with_entries("encrypted_record.pt", "is encrypted", es)
    es = base()
    es[1].csize = 3
    with_entries("csize_differs.pt", "compressed size", es)
    es = base()
    es[1].usize = es[1].csize = 2**31
    with_entries("record_size_past_end.pt", "past the end of the data", es)
    es = base()
    es[1].usize = es[1].csize = 2**64 - 1
    with_entries("record_size_overflow.pt", "past the end of the data", es)
    with_entries("local_offset_outside.pt", "local header of", base(),
                 cd_patch=lambda e, h: struct.pack_into("<I", h, 42, 2**31) if e.name.endswith(b"data/0") else None)
    with_entries("local_offset_into_cd.pt", "outside the file's data", base(),
                 cd_patch=lambda e, h: struct.pack_into("<I", h, 42, len(VALID) - 60) if e.name.endswith(b"data/0") else None)
    with_entries("local_bad_signature.pt", "no local header", base(),
                 cd_patch=lambda e, h: struct.pack_into("<I", h, 42, e.offset + 8) if e.name.endswith(b"data/0") else None)
    es = base()
    es[1].local_name = b"archive/data/1"
    with_entries("local_name_differs.pt", "local and central names", es)
    es = base()
    es.insert(2, Entry("archive/data/0", FLOATS4))
    with_entries("duplicate_entry.pt", "duplicate entry 'archive/data/0'", es)
    es = base()
    es.append(Entry("archive/../../etc/passwd", b"root"))
    with_entries("dotdot_entry.pt", "unsafe", es)
    es = base()
    es.append(Entry("archive/data/./0", b"x"))
    with_entries("dot_entry.pt", "unsafe", es)
    es = base()
    es.append(Entry("archive\\..\\evil", b"x"))
    with_entries("backslash_entry.pt", "outside the archive folder", es)
    es = base()
    es.append(Entry("archive/data\\1", b"x"))
    with_entries("backslash_inside.pt", "unsafe", es)
    es = base()
    es.append(Entry("archive/a\0b", b"x"))
    with_entries("nul_in_name.pt", "unsafe", es)
    es = base()
    es.append(Entry("archive//data.pkl", b"x"))
    with_entries("empty_component.pt", "unsafe", es)
    es = base()
    es.insert(0, Entry("/archive/data.pkl", ONE_TENSOR))
    with_entries("absolute_name.pt", "not inside an archive folder", es)
    es = base()
    es.append(Entry("other/data.pkl", ONE_TENSOR))
    with_entries("outside_folder.pt", "outside the archive folder 'archive'", es)
    es = base()
    es.insert(0, Entry("toplevel", b"x"))
    with_entries("no_folder.pt", "not inside an archive folder", es)
    # Two central entries whose data overlap: the second's local header sits inside the
    # first record's data.
    inner = Entry("archive/data/1", FLOATS4)
    inner_bytes = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0x800, 0, 0, 0x21, inner.crc, 16, 16,
                              len(inner.name), 0) + inner.name + FLOATS4
    es = [Entry("archive/data.pkl", ONE_TENSOR), Entry("archive/data/0", inner_bytes + b"\0" * 8),
          Entry("archive/version", b"3\n"), inner]

    def overlap_patch(e, h):
        if e is inner:
            struct.pack_into("<I", h, 42, es[1].offset + (64 - (es[1].offset + 30 + len(es[1].name) + 4) % 64) % 64
                             + 30 + len(es[1].name) + 4)
    # The inner record is written too (so the archive is otherwise valid); its central entry
    # is pointed into the outer record's data instead.
    with_entries("overlapping_records.pt", "overlap", es, cd_patch=overlap_patch)
    es = base()
    es[0].crc ^= 1
    with_entries("crc_mismatch_pickle.pt", "CRC-32", es)
    es = base()
    es[1].crc ^= 0x80000000
    with_entries("crc_mismatch_storage.pt", "CRC-32\tmmap-ok", es)

    # -- archive records
    add("no_version.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, version=None), "no 'version' record")
    add("version_99.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, version=b"99\n"), "unsupported file-format version")
    add("version_text.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, version=b"three"), "unsupported file-format version")
    add("version_huge_record.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, version=b"3" * 100), "more than the 32 allowed")
    add("byteorder_bad.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, extra=[("byteorder", b"middle")]),
        "byteorder record says 'middle'")
    add("no_data_pkl.pt", archive([("data/0", FLOATS4), ("version", b"3\n")]), "no 'data.pkl' record")
    add("torchscript.pt", checkpoint(ONE_TENSOR, {"0": FLOATS4}, extra=[("constants.pkl", pickle_of(EMPTY_TUPLE))]),
        "TorchScript")

    # -- pickle
    pkl("pickle_empty.pt", b"", "no STOP opcode", raw=True)
    pkl("pickle_truncated.pt", ONE_TENSOR[:40], "truncated pickle", raw=True)
    pkl("pickle_no_stop.pt", PROTO2 + NONE, "no STOP opcode", raw=True)
    pkl("global_os_system.pt", glob("os", "system") + tup(s("echo pwned")) + REDUCE,
        "Unsupported global: GLOBAL os.system is not an allowed global")
    pkl("global_posix_system.pt", glob("posix", "system") + tup(s("id")) + REDUCE, "Unsupported global: GLOBAL posix.system")
    pkl("global_builtin_eval.pt", glob("__builtin__", "eval") + tup(s("1+1")) + REDUCE,
        "Unsupported global: GLOBAL builtins.eval")
    pkl("global_subprocess.pt", glob("subprocess", "Popen") + tup(s("ls")) + REDUCE, "Unsupported global: GLOBAL subprocess.Popen")
    pkl("global_getattr.pt", glob("builtins", "getattr"), "Unsupported global: GLOBAL builtins.getattr")
    pkl("global_torch_load.pt", glob("torch", "load"), "Unsupported global: GLOBAL torch.load")
    pkl("global_numpy.pt", glob("numpy.core.multiarray", "_reconstruct"),
        "Unsupported global: GLOBAL numpy.core.multiarray._reconstruct")
    pkl("stack_global_os.pt", b"\x8c\x02os\x8c\x06system\x93" + tup(s("id")) + REDUCE,
        "Unsupported global: GLOBAL os.system")
    pkl("global_no_newline.pt", b"cos\nsystem", "GLOBAL without its newline", raw=True)
    pkl("global_set.pt", glob("__builtin__", "set") + tup(EMPTY_LIST) + REDUCE, "cannot represent sets")
    pkl("global_sparse.pt", glob("torch._utils", "_rebuild_sparse_tensor"), "sparse tensors are not supported")
    pkl("global_qtensor.pt", glob("torch._utils", "_rebuild_qtensor"), "quantized tensors are not supported")
    pkl("opcode_inst.pt", b"(ios\nsystem\n", "Unsupported operand 0x69 (INST)")
    pkl("opcode_obj.pt", MARK + glob("collections", "OrderedDict") + b"o", "Unsupported operand 0x6f (OBJ)")
    pkl("opcode_pop.pt", NONE + NONE + b"0", "Unsupported operand 0x30 (POP)")
    pkl("opcode_dup.pt", NONE + b"2", "Unsupported operand 0x32 (DUP)")
    pkl("opcode_persid_text.pt", b"Pfoo\n", "Unsupported operand 0x50 (PERSID)")
    pkl("opcode_ext1.pt", b"\x82\x01", "Unsupported operand 0x82 (EXT1)")
    pkl("opcode_unknown.pt", b"\xff", "not a pickle opcode")
    pkl("opcode_binbytes.pt", b"C\x03abc", "bytes objects")
    pkl("opcode_empty_set.pt", b"\x8f", "sets")
    pkl("opcode_long4.pt", b"\x8b\x01\x00\x00\x00\x01", "Unsupported operand 0x8b (LONG4)")
    pkl("proto_99.pt", b"\x80\x63" + NONE + STOP, "unsupported pickle protocol 99", raw=True)
    pkl("memo_missing.pt", get(7), "memo entry 7 was never stored")
    pkl("memo_sparse_huge_index.pt", NONE + b"r\xff\xff\xff\xff" + b"j\xf0\xff\xff\xff", "memo entry 4294967280 was never stored")
    pkl("memo_put_empty_stack.pt", put(0) + NONE, "nothing on the stack to memoise")
    pkl("deep_nesting.pt", EMPTY_LIST * 100000 + APPEND * 99999, "nests deeper than 1000 levels")
    pkl("deep_tuples.pt", MARK * 5000 + TUPLE * 5000, "nests deeper than 1000 levels")
    pkl("self_cycle.pt", EMPTY_LIST + put(0) + get(0) + APPEND, "reference cycle")
    pkl("dict_cycle.pt", EMPTY_DICT + put(0) + s("me") + EMPTY_LIST + put(1) + get(0) + APPEND + SETITEM,
        "reference cycle")
    pkl("attribute_cycle.pt", odict() + put(0) + EMPTY_DICT + s("_metadata") + get(0) + SETITEM + BUILD,
        "reference cycle")
    # A "billion laughs": 40 levels of a list holding the previous level twice. Shared, it
    # must load in linear time and memory.
    laughs = EMPTY_LIST + put(0)
    for level in range(1, 41):
        laughs += EMPTY_LIST + put(level) + MARK + get(level - 1) + get(level - 1) + APPENDS
    pkl("billion_laughs.pt", MARK + laughs + TUPLE, "OK")
    pkl("stack_underflow.pt", APPEND, "too few objects")
    pkl("below_mark.pt", EMPTY_LIST + MARK + MARK + APPENDS, "no list below its MARK")
    pkl("append_to_dict.pt", EMPTY_DICT + NONE + APPEND, "APPEND to a dict")
    pkl("append_to_tuple.pt", EMPTY_TUPLE + NONE + APPEND, "APPEND to a tuple")
    pkl("setitem_on_list.pt", EMPTY_LIST + s("k") + NONE + SETITEM, "SETITEM on a list")
    pkl("setitems_odd.pt", EMPTY_DICT + MARK + s("k") + SETITEMS, "odd number")
    pkl("unhashable_key.pt", EMPTY_DICT + EMPTY_LIST + NONE + SETITEM, "unhashable dict key of type 'list'")
    pkl("stop_two_items.pt", NONE + NONE, "STOP with 2 objects")
    pkl("stop_open_mark.pt", MARK + NONE, "open MARKs")
    pkl("mark_missing.pt", NONE + TUPLE, "no MARK to close")
    pkl("string_length_huge.pt", b"X\xff\xff\xff\xff" + b"abc", "4294967295 bytes needed")
    pkl("string_length_8_huge.pt", b"\x8d" + struct.pack("<Q", 2**63) + b"abc", "bytes needed")
    pkl("frame_past_end.pt", b"\x95" + struct.pack("<Q", 2**40) + NONE, "a frame of")
    pkl("long_9_bytes.pt", b"\x8a\x09" + b"\x01" * 9, "does not fit in 64 bits")
    pkl("bad_utf8.pt", b"X\x02\x00\x00\x00\xc3\x28", "not valid UTF-8")
    pkl("utf8_surrogate.pt", b"X\x03\x00\x00\x00\xed\xa0\x80", "not valid UTF-8")
    pkl("reduce_not_callable.pt", i(5) + EMPTY_TUPLE + REDUCE, "REDUCE on a int")
    pkl("reduce_dtype.pt", glob("torch", "float32") + EMPTY_TUPLE + REDUCE, "REDUCE of torch.float32 is not supported")
    pkl("reduce_args_not_tuple.pt", glob("collections", "OrderedDict") + NONE + REDUCE, "needs an argument tuple")
    pkl("newobj_ordereddict.pt", glob("collections", "OrderedDict") + EMPTY_TUPLE + NEWOBJ,
        "NEWOBJ of collections.OrderedDict is not supported")
    pkl("build_on_list.pt", EMPTY_LIST + EMPTY_DICT + BUILD, "BUILD on a list")
    pkl("build_bad_attribute.pt", odict() + EMPTY_DICT + i(1) + NONE + SETITEM + BUILD, "attribute names must be strings")

    # -- storages and tensors
    sd = lambda value: state_dict_pickle([("w", value)])
    pkl("pid_not_tuple.pt", s("storage") + BINPERSID, "persistent id must be a tuple")
    pkl("pid_wrong_tag.pt", tup(s("module"), glob("torch", "FloatStorage"), s("0"), s("cpu"), i(4)) + BINPERSID,
        "expected ('storage'")
    pkl("pid_short.pt", tup(s("storage"), glob("torch", "FloatStorage")) + BINPERSID, "expected ('storage'")
    pkl("pid_not_storage_class.pt", tup(s("storage"), glob("torch", "Size"), s("0"), s("cpu"), i(4)) + BINPERSID,
        "torch.Size is not a storage class")
    pkl("pid_complex_storage.pt", tup(s("storage"), glob("torch", "ComplexFloatStorage"), s("0"), s("cpu"), i(4)) + BINPERSID,
        "holds a dtype ember does not support")
    pkl("pid_negative_size.pt", tup(s("storage"), glob("torch", "FloatStorage"), s("0"), s("cpu"), i(-4)) + BINPERSID,
        "non-negative int")
    add("storage_record_missing.pt", checkpoint(sd(tensor_v2(key="7")), {"0": FLOATS4}), "no record 'data/7'")
    add("storage_size_mismatch.pt", checkpoint(sd(tensor_v2(numel=5)), {"0": FLOATS4}),
        "but its record 'data/0' has 16 bytes")
    add("storage_size_overflow.pt", checkpoint(sd(tensor_v2(numel=2**62)), {"0": FLOATS4}), "too many")
    add("storage_two_dtypes.pt",
        checkpoint(state_dict_pickle([("a", tensor_v2()), ("b", tensor_v2(cls="IntStorage"))]), {"0": FLOATS4}),
        "already loaded as 4 float32 elements")
    add("storage_as_result.pt", checkpoint(pickle_of(pid("0", 4)), {"0": FLOATS4}), "bare storage")
    add("offset_outside.pt", checkpoint(sd(tensor_v2(offset=3, size=(2,))), {"0": FLOATS4}), "reaches outside its storage")
    add("offset_far_outside.pt", checkpoint(sd(tensor_v2(offset=2**40, size=(0,))), {"0": FLOATS4}),
        "reaches outside its storage")
    add("stride_outside.pt", checkpoint(sd(tensor_v2(size=(2, 2), stride=(3, 1))), {"0": FLOATS4}),
        "reaches outside its storage")
    add("size_overflow.pt", checkpoint(sd(tensor_v2(size=(2**62, 2**62), stride=(1, 1))), {"0": FLOATS4}), "overflows")
    add("negative_size.pt", checkpoint(sd(tensor_v2(size=(-1,))), {"0": FLOATS4}), "non-negative ints")
    add("negative_stride.pt", checkpoint(sd(tensor_v2(size=(2,), stride=(-1,))), {"0": FLOATS4}), "non-negative ints")
    add("negative_offset.pt", checkpoint(sd(tensor_v2(offset=-1, size=(2,))), {"0": FLOATS4}), "negative storage offset")
    add("size_stride_lengths.pt", checkpoint(sd(tensor_v2(size=(2, 2), stride=(1,))), {"0": FLOATS4}),
        "different lengths")
    add("too_many_dims.pt", checkpoint(sd(tensor_v2(size=(1,) * 70, stride=(1,) * 70)), {"0": FLOATS4}),
        "70 dimensions")
    add("size_not_tuple.pt",
        checkpoint(sd(glob("torch._utils", "_rebuild_tensor_v2") + MARK + pid("0", 4) + i(0) + s("big") +
                      tup(i(1)) + FALSE + odict() + TUPLE + REDUCE), {"0": FLOATS4}),
        "the size must be a tuple of ints")
    add("rebuild_arg_count.pt",
        checkpoint(sd(glob("torch._utils", "_rebuild_tensor_v2") + tup(pid("0", 4), i(0)) + REDUCE), {"0": FLOATS4}),
        "takes 6 to 7 arguments, got 2")
    add("rebuild_not_storage.pt",
        checkpoint(sd(glob("torch._utils", "_rebuild_tensor_v2") + MARK + i(0) + i(0) + tup(i(1)) + tup(i(1)) +
                      FALSE + odict() + TUPLE + REDUCE)),
        "the first argument must be a storage")
    add("int_requires_grad.pt", checkpoint(sd(tensor_v2(cls="IntStorage", requires_grad=True)), {"0": FLOATS4}),
        "cannot require grad")
    add("conj_bit.pt", checkpoint(sd(tensor_v2(extra=EMPTY_DICT + s("conj") + TRUE + SETITEM)), {"0": FLOATS4}),
        "lazy 'conj' bit")
    add("v3_unsupported_dtype.pt",
        checkpoint(sd(glob("torch._utils", "_rebuild_tensor_v3") + MARK + pid("0", 16, "UntypedStorage", "torch.storage") +
                      i(0) + tup(i(8)) + tup(i(1)) + FALSE + odict() + glob("torch", "uint16") + TUPLE + REDUCE),
                   {"0": FLOATS4}),
        "dtype torch.uint16 is not supported by ember")
    add("from_type_subclass.pt",
        checkpoint(sd(glob("torch._tensor", "_rebuild_from_type_v2") + MARK + glob("torch._utils", "_rebuild_tensor_v2") +
                      glob("collections", "OrderedDict") +
                      tup(pid("0", 4), i(0), tup(i(4)), tup(i(1)), FALSE, odict()) + EMPTY_DICT + TUPLE + REDUCE),
                   {"0": FLOATS4}),
        "tensor subclass collections.OrderedDict is not supported")
    add("parameter_of_int.pt",
        checkpoint(sd(glob("torch._utils", "_rebuild_parameter") + MARK + tensor_v2() + i(1) + odict() + TUPLE + REDUCE),
                   {"0": FLOATS4}),
        "requires_grad must be a bool")
    return cases


# ---- valid files in other layouts ------------------------------------------------------

def layout_cases():
    """Valid files torch 1.13 does not write. Each holds {'w': [1, 2, 3, 4] float32, ...};
    the C++ test checks the values it names."""
    cases = []
    # 2.x records around a 1.13-style pickle, in the order recent PyTorch writes them.
    records = [("data.pkl", ONE_TENSOR), (".format_version", b"1"), (".storage_alignment", b"64"),
               ("byteorder", b"little"), ("data/0", FLOATS4), ("version", b"3\n"),
               (".data/serialization_id", b"1234567890123456789012345678901234567890")]
    cases.append(("layout_2x.pt", archive(records, prefix="layout_2x")))
    # A big-endian file: byteorder 'big' and byte-swapped storages (ember must swap back).
    big = struct.pack(">4f", 1.0, 2.0, 3.0, 4.0)
    records_be = [("data.pkl", ONE_TENSOR), ("byteorder", b"big"), ("data/0", big), ("version", b"3\n")]
    cases.append(("big_endian.pt", archive(records_be)))
    # _rebuild_tensor_v3 over an untyped storage (how 2.x writes dtypes without a legacy
    # storage class; here float32 so ember can hold it).
    v3 = (glob("torch._utils", "_rebuild_tensor_v3") + MARK + pid("0", 16, "UntypedStorage", "torch.storage") + i(0) +
          tup(i(4)) + tup(i(1)) + FALSE + odict() + glob("torch", "float32") + TUPLE + REDUCE)
    cases.append(("v3_untyped.pt", checkpoint(state_dict_pickle([("w", v3)]), {"0": FLOATS4})))
    # Protocol-4 opcodes (torch.save(..., pickle_protocol=4)): FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL.
    body = (b"\x8c\x0bcollections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94" + b"\x8c\x01w\x94" +
            tensor_v2() + b"s")
    p4 = b"\x80\x04\x95" + struct.pack("<Q", len(body) + 1) + body + b"."
    cases.append(("protocol4.pt", checkpoint(p4, {"0": FLOATS4})))
    # A tensor subclass-free _rebuild_from_type_v2 (2.x, for tensors with Python attributes) and
    # a parameter rebuilt with state.
    ftv2 = (glob("torch._tensor", "_rebuild_from_type_v2") + MARK + glob("torch._utils", "_rebuild_tensor_v2") +
            glob("torch", "Tensor") + tup(pid("0", 4), i(0), tup(i(4)), tup(i(1)), FALSE, odict()) + EMPTY_DICT +
            TUPLE + REDUCE)
    pws = (glob("torch._utils", "_rebuild_parameter_with_state") + MARK + tensor_v2() + TRUE + odict() + EMPTY_DICT +
           TUPLE + REDUCE)
    cases.append(("from_type_v2.pt", checkpoint(state_dict_pickle([("w", ftv2), ("p", pws)]), {"0": FLOATS4})))
    # Records at odd offsets (another tool re-zipped the file): still readable, also mapped.
    cases.append(("unaligned.pt", build_zip([Entry("archive/data.pkl", ONE_TENSOR), Entry("archive/data/0", FLOATS4),
                                             Entry("archive/version", b"3\n")], align=1)))
    return cases


def main():
    mode, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if mode == "hostile":
        cases = hostile_cases()
        names = [c[0] for c in cases]
        assert len(names) == len(set(names)), "duplicate case names"
        with open(os.path.join(out, "manifest.tsv"), "w") as manifest:
            for name, data, expect in cases:
                with open(os.path.join(out, name), "wb") as fh:
                    fh.write(data)
                manifest.write(f"{name}\t{expect}\n")
        print(f"{len(cases)} files")
    elif mode == "layouts":
        for name, data in layout_cases():
            with open(os.path.join(out, name), "wb") as fh:
                fh.write(data)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
