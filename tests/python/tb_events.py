"""Test-side reading of TensorBoard event files, independent of ember's writer: the
messages come from Python's protobuf (python3-protobuf) compiled by protoc from
ember/utils/tensorboard/tensorboard.proto, and CRC32C is computed here bit by bit."""
import importlib
import pathlib
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
_PROTO = ROOT / "ember" / "utils" / "tensorboard" / "tensorboard.proto"
_pb2 = None


def pb2():
    """The generated module tensorboard_pb2 (Event, Summary, HistogramProto, ...)."""
    global _pb2
    if _pb2 is None:
        out = tempfile.mkdtemp(prefix="ember_tb_pb2_")
        subprocess.run(["protoc", f"-I{_PROTO.parent}", f"--python_out={out}", str(_PROTO)], check=True)
        sys.path.insert(0, out)
        _pb2 = importlib.import_module("tensorboard_pb2")
    return _pb2


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    """The payloads of every record, each CRC checked; a truncated tail is an error."""
    data = pathlib.Path(path).read_bytes()
    pos, out = 0, []
    while pos < len(data):
        assert len(data) - pos >= 12, f"truncated header at {pos}"
        (length,) = struct.unpack_from("<Q", data, pos)
        (length_crc,) = struct.unpack_from("<I", data, pos + 8)
        assert length_crc == masked(crc32c(data[pos:pos + 8])), f"bad length CRC at {pos}"
        payload = data[pos + 12:pos + 12 + length]
        assert len(payload) == length and pos + 16 + length <= len(data), f"truncated record at {pos}"
        (payload_crc,) = struct.unpack_from("<I", data, pos + 12 + length)
        assert payload_crc == masked(crc32c(payload)), f"bad payload CRC at {pos}"
        out.append(payload)
        pos += 16 + length
    return out


def events(path):
    Event = pb2().Event
    result = []
    for payload in records(path):
        e = Event()
        e.ParseFromString(payload)
        result.append(e)
    return result


def event_files(log_dir):
    return sorted(p for p in pathlib.Path(log_dir).iterdir() if "tfevents" in p.name)


def only_events(log_dir):
    files = event_files(log_dir)
    assert len(files) == 1, files
    return events(files[0])


def summaries(log_dir):
    """(step, value) for every summary value of the run, in file order."""
    return [(e.step, v) for e in only_events(log_dir) if e.HasField("summary") for v in e.summary.value]
