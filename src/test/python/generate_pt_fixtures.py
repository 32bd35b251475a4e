"""Writes the torch.save fixtures under src/test/resources/fixtures/pt/, with real PyTorch as the oracle.

usage: /usr/bin/python3 src/test/python/generate_pt_fixtures.py   (from any directory)

For each case it writes <name>.pt and <name>.json: torchdesc's description of
torch.load(<name>.pt, weights_only=False) plus
    "weights_only": whether torch.load(weights_only=True) of this torch accepts the file,
    "note": what the case covers.
It also (re)writes <stem>.json beside every .pt under fixtures/reference/torch-2.11/ and
fixtures/reference/lpot-v1.5/ (TorchScript archives ts_*.pt are skipped).

Deterministic: fixed seeds, fixed zip timestamps; the .json files are the same on every run. The .pt
bytes are too: the legacy-container files' storage keys (memory addresses) are replaced by fixed digit
strings.
"""
import collections
import io
import math
import os
import pickle
import struct
import sys
import warnings
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchdesc  # noqa: E402  (puts fakes/ on sys.path)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402
from lpot.conf.dotdict import DotDict as LpotDotDict  # noqa: E402
from neural_compressor.conf.dotdict import DotDict as IncDotDict  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures')
# QCHECKPOINT_FIXTURES_OUT: write the pt/ cases there instead (the test that checks the committed files
# are torch's own regenerates them this way), and leave the reference descriptions alone.
OUT = os.environ.get('QCHECKPOINT_FIXTURES_OUT') or os.path.join(FIXTURES, 'pt')
REFERENCE_DIRS = [os.path.join(FIXTURES, 'reference', 'torch-2.11'), os.path.join(FIXTURES, 'reference', 'lpot-v1.5')]

warnings.filterwarnings('ignore')

# torch 1.13 bug: a quantized Embedding(Bag)'s unpacked weight (in its state_dict) reads its per-channel scales
# from the packed params' memory, which is freed with the module: the saved scales become garbage. So every
# model stays alive here until the process ends.
KEEP_ALIVE = []


# ----------------------------------------------------------------------------------------------
# A small zip writer with full control over the layout (also used by generate_bad_fixtures.py).

DOS_DATE_1980 = (1 << 5) | 1  # 1980-01-01
ZIP64_EXTRA = 0x0001
PAD_EXTRA = 0x4246  # 'FB', the padding extra field torch writes


class ZipRecord:
    """Where build_zip put one record (offsets in the output)."""

    def __init__(self, name, header_offset, data_offset, data_len):
        self.name, self.header_offset, self.data_offset, self.data_len = name, header_offset, data_offset, data_len
        self.central_offset = None  # of its central directory header


def deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def build_zip(records, *, method=zipfile.ZIP_STORED, align=64, descriptor=True, zip64=False, eocd64=True,
              out_layout=None):
    """Bytes of a zip holding records [(name, data)], in that order.

    method: ZIP_STORED or ZIP_DEFLATED for every record; align: pad each record's data to this
    boundary with an 'FB' extra field (0: no padding); descriptor: torch's style (flag 0x0808, zero
    crc/sizes in the local header, a data descriptor after the data); zip64: zip64 extra fields in
    every local and central header with 0xFFFFFFFF in the 32-bit fields; eocd64: write a ZIP64 end
    record and locator (torch always does). out_layout, a list, receives a ZipRecord per record.
    """
    out = bytearray()
    central = []
    for name, data in records:
        nb = name.encode('utf-8')
        crc = zlib.crc32(data) & 0xffffffff
        comp = deflate(data) if method == zipfile.ZIP_DEFLATED else data
        flag = 0x0800 | (0x0008 if descriptor else 0)
        header_offset = len(out)
        if zip64:
            extra = struct.pack('<HHQQ', ZIP64_EXTRA, 16, 0 if descriptor else len(data), 0 if descriptor else len(comp))
            lcrc, lcs, lus = (0, 0xffffffff, 0xffffffff) if descriptor else (crc, 0xffffffff, 0xffffffff)
        else:
            extra = b''
            lcrc, lcs, lus = (0, 0, 0) if descriptor else (crc, len(comp), len(data))
        if align:
            start = header_offset + 30 + len(nb) + len(extra)
            pad = (-(start + 4)) % align
            extra += struct.pack('<HH', PAD_EXTRA, pad) + b'Z' * pad
        version = 45 if zip64 else 20
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, version, flag, method, 0, DOS_DATE_1980, lcrc, lcs, lus,
                           len(nb), len(extra))
        out += nb + extra
        data_offset = len(out)
        out += comp
        if descriptor:
            if zip64:
                out += struct.pack('<IIQQ', 0x08074b50, crc, len(comp), len(data))
            else:
                out += struct.pack('<IIII', 0x08074b50, crc, len(comp), len(data))
        central.append((nb, flag, crc, len(comp), len(data), header_offset, version))
        if out_layout is not None:
            out_layout.append(ZipRecord(name, header_offset, data_offset, len(comp)))
    cd_offset = len(out)
    for i, (nb, flag, crc, cs, us, off, version) in enumerate(central):
        if out_layout is not None:
            out_layout[len(out_layout) - len(central) + i].central_offset = len(out)
        if zip64:
            extra = struct.pack('<HHQQQ', ZIP64_EXTRA, 24, us, cs, off)
            cs32, us32, off32 = 0xffffffff, 0xffffffff, 0xffffffff
        else:
            extra = b''
            cs32, us32, off32 = cs, us, off
        out += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, version, version, flag, method, 0, DOS_DATE_1980, crc,
                           cs32, us32, len(nb), len(extra), 0, 0, 0, 0, off32)
        out += nb + extra
    cd_size = len(out) - cd_offset
    n = len(central)
    if eocd64 or zip64:
        eocd64_offset = len(out)
        out += struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, cd_size, cd_offset)
        out += struct.pack('<IIQI', 0x07064b50, 0, eocd64_offset, 1)
    if zip64:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)
    else:
        out += struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n, n, cd_size, cd_offset, 0)
    return bytes(out)


def read_records(raw):
    """[(name, data)] of a zip, in central-directory order."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    return [(zi.filename, z.read(zi)) for zi in z.infolist()]


def repack_with_zipfile(raw, *, compression=zipfile.ZIP_STORED, force_zip64=False, rename_root=None, order=None):
    """Re-packs a torch zip with Python's zipfile (sizes in the local headers, no padding)."""
    records = read_records(raw)
    if rename_root is not None:
        records = [(rename_root + '/' + n.split('/', 1)[1], d) for n, d in records]
    if order is not None:
        records = order(records)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, data in records:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = compression
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            with z.open(zi, 'w', force_zip64=force_zip64) as w:
                w.write(data)
    return buf.getvalue()


def storage_dtypes(data_pkl):
    """{storage key: dtype} of a torch zip's data.pkl, read with a pickle loader that builds no tensor data."""
    found = {}

    class Recorder(pickle.Unpickler):
        def persistent_load(self, pid):
            _, storage_type, key, _location, numel = pid
            dtype = storage_type.dtype
            found[key] = dtype
            return torch.storage.TypedStorage(numel, dtype=dtype)

    Recorder(io.BytesIO(data_pkl)).load()
    return found


def legacy_pickle_starts(raw):
    """Offsets of the 5 pickles of a legacy-container file and of the storage data after them (no unpickling)."""
    import pickletools
    f = io.BytesIO(raw)
    starts = []
    for _ in range(5):
        starts.append(f.tell())
        for _op in pickletools.genops(f):
            pass
    return starts, f.tell()


def stabilize_legacy(raw):
    """A legacy-container file made deterministic.

    torch names each storage by its memory address and writes the key list, and the storage data after it,
    sorted by those names. This renames the keys to fixed address-like strings in order of first use in the
    object pickle, and writes the key list and the data blocks in that order (nothing refers to byte offsets).
    """
    starts, data_start = legacy_pickle_starts(raw)
    obj_pkl = raw[starts[3]:starts[4]]
    used = collections.OrderedDict()  # key -> dtype, in order of first use

    class Recorder(pickle.Unpickler):
        def persistent_load(self, pid):
            if pid[0] != 'storage':
                raise ValueError(pid)
            _, storage_type, key, _location, numel, _view = pid
            used.setdefault(key, storage_type.dtype)
            return torch.storage.TypedStorage(numel, dtype=storage_type.dtype)

    Recorder(io.BytesIO(obj_pkl)).load()
    old_keys = pickle.loads(raw[starts[4]:data_start])
    blocks = {}
    pos = data_start
    for k in old_keys:
        count = struct.unpack('<q', raw[pos:pos + 8])[0]
        n = 8 + count * torch._utils._element_size(used[k])
        blocks[k] = raw[pos:pos + n]
        pos += n
    assert pos == len(raw) and set(old_keys) == set(used)
    rename = {k: str(94000000000000 + 64 * i) for i, k in enumerate(used)}
    for k, new in rename.items():
        old_b = b'X' + struct.pack('<I', len(k)) + k.encode()
        assert obj_pkl.count(old_b) >= 1, k
        obj_pkl = obj_pkl.replace(old_b, b'X' + struct.pack('<I', len(new)) + new.encode())
    keys_pkl = pickle.dumps([rename[k] for k in used], protocol=2)
    return raw[:starts[3]] + obj_pkl + keys_pkl + b''.join(blocks[k] for k in used)


def byteswap(data, dtype):
    """The bytes of a storage of dtype, each element (each component, for complex) byte-swapped."""
    size = torch._utils._element_size(dtype)
    if dtype.is_complex:
        size //= 2
    if size == 1:
        return data
    out = bytearray(len(data))
    for i in range(0, len(data), size):
        out[i:i + size] = data[i:i + size][::-1]
    return bytes(out)


# ----------------------------------------------------------------------------------------------
# Models

class FloatNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.bn(self.conv(x)), 1))


class QStaticNet(nn.Module):
    """QuantStub -> Conv2d+ReLU (fused) -> AvgPool -> flatten -> Linear -> DeQuantStub; input (N, 1, 6, 6)."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(1, 4, 3)
        self.relu = nn.ReLU()
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(16, 3)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.pool(self.relu(self.conv(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


class QFunctionalNet(nn.Module):
    """Two convs joined by FloatFunctional add and cat (QFunctional after convert)."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.conv2 = nn.Conv2d(1, 2, 3)
        self.add = nn.quantized.FloatFunctional()
        self.cat = nn.quantized.FloatFunctional()
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a, b = self.conv1(x), self.conv2(x)
        return self.dequant(self.cat.cat([self.add.add(a, b), a], 1))


def float_sd():
    torch.manual_seed(0)
    m = FloatNet()
    m.train()
    m(torch.randn(4, 1, 4, 4))  # moves the running stats, num_batches_tracked = 1
    return m.state_dict()


def mlp_sd():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4)).state_dict()


def params():
    torch.manual_seed(2)
    m = nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2))
    d = dict(m.named_parameters())
    d['plain_requires_grad'] = torch.randn(3, requires_grad=True)
    d['plain'] = torch.randn(2)
    return d


def engine():
    engines = torch.backends.quantized.supported_engines
    for e in ('fbgemm', 'x86', 'onednn', 'qnnpack'):
        if e in engines:
            torch.backends.quantized.engine = e
            return e
    return torch.backends.quantized.engine


def qstatic_model(qconfig):
    engine()
    torch.manual_seed(3)
    m = QStaticNet().eval()
    tq.fuse_modules(m, [['conv', 'relu']], inplace=True)
    m.qconfig = qconfig
    tq.prepare(m, inplace=True)
    for _ in range(4):
        m(torch.randn(8, 1, 6, 6))
    tq.convert(m, inplace=True)
    KEEP_ALIVE.append(m)
    return m


def qstatic_perchannel():
    return qstatic_model(tq.get_default_qconfig('fbgemm')).state_dict()


def qstatic_pertensor():
    return qstatic_model(tq.default_qconfig).state_dict()


def qstatic_functional():
    engine()
    torch.manual_seed(4)
    m = QFunctionalNet().eval()
    m.qconfig = tq.default_qconfig
    tq.prepare(m, inplace=True)
    for _ in range(3):
        m(torch.randn(4, 1, 5, 5))
    tq.convert(m, inplace=True)
    KEEP_ALIVE.append(m)
    return m.state_dict()


def qdynamic(dtype):
    engine()
    torch.manual_seed(5)
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).eval()
    q = tq.quantize_dynamic(m, {nn.Linear}, dtype=dtype)
    KEEP_ALIVE.append(q)
    return q.state_dict()


def qembedding():
    engine()
    torch.manual_seed(6)
    m = nn.Sequential(nn.EmbeddingBag(10, 4, mode='sum'), nn.Embedding(6, 4), nn.EmbeddingBag(7, 6, mode='sum')).eval()
    m[0].qconfig = tq.float_qparams_weight_only_qconfig
    m[1].qconfig = tq.float_qparams_weight_only_qconfig
    m[2].qconfig = tq.float_qparams_weight_only_qconfig_4bit
    tq.prepare(m, inplace=True)
    tq.convert(m, inplace=True)
    KEEP_ALIVE.append(m)
    return m.state_dict()


# ----------------------------------------------------------------------------------------------
# Loose tensors

def zero_subbyte_padding(q):
    """Zeroes the bytes of a quint4x2/quint2x4 storage past the packed data (torch leaves them uninitialised)."""
    used = q.int_repr().numel()
    u = q.storage().untyped()
    for i in range(used, u.nbytes()):
        u[i] = 0
    return q


def special_floats(shape, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    t = (torch.randn(shape, generator=g) * 100).to(dtype)
    flat = t.view(-1)
    specials = [math.nan, math.inf, -math.inf, -0.0, 1e-40 if dtype == torch.float32 else 5e-324]
    if dtype == torch.float16:
        specials[4] = 6e-8
        specials.append(65504.0)
    if dtype == torch.bfloat16:
        specials[4] = 1e-40
        specials.append(3.0e38)
    for i, v in enumerate(specials):
        flat[i] = v
    return t


def dtypes():
    d = collections.OrderedDict()
    d['float32'] = special_floats((3, 5), torch.float32, 10)
    d['float64'] = special_floats((3, 5), torch.float64, 11)
    d['float16'] = special_floats((3, 5), torch.float16, 12)
    d['bfloat16'] = special_floats((3, 5), torch.bfloat16, 13)
    d['int64'] = torch.tensor([-2 ** 63, 2 ** 63 - 1, -1, 0, 123456789012345], dtype=torch.int64)
    d['int32'] = torch.tensor([-2 ** 31, 2 ** 31 - 1, -1, 0, 1234567], dtype=torch.int32)
    d['int16'] = torch.tensor([[-2 ** 15, 2 ** 15 - 1, -1, 0, 1234]] * 3, dtype=torch.int16) * torch.tensor([[1], [-1], [2]], dtype=torch.int16)
    d['int8'] = torch.tensor([-128, 127, -1, 0, 42], dtype=torch.int8)
    d['uint8'] = torch.tensor([0, 255, 1, 128, 127], dtype=torch.uint8)
    d['bool'] = torch.tensor([[True, False, True, True, False]] * 3) ^ torch.tensor([[False], [True], [False]])
    d['complex64'] = torch.tensor([1 + 2j, -3.5 - 0.25j, complex(math.nan, 1), complex(0, math.inf), -0.0 + 0j], dtype=torch.complex64)
    d['complex128'] = torch.tensor([1e300 + 2j, -3.5 - 0.25j, complex(1, math.nan), complex(-math.inf, 0), 5e-324j], dtype=torch.complex128)
    try:
        c32 = torch.tensor([1 + 2j, -0.5j, 3], dtype=torch.complex64).to(torch.complex32)
        buf = io.BytesIO()
        torch.save(c32, buf)
        buf.seek(0)
        torch.load(buf)
        d['complex32'] = c32
    except Exception:  # noqa: BLE001  torch 1.13: KeyError 'dtype torch.complex32 is not recognized'
        pass
    g = torch.Generator().manual_seed(14)
    x = torch.randn((3, 5), generator=g) * 3
    d['qint8'] = torch.quantize_per_tensor(x, 0.05, -3, torch.qint8)
    d['quint8'] = torch.quantize_per_tensor(x, 0.05, 100, torch.quint8)
    d['qint32'] = torch.quantize_per_tensor(x, 0.001, -7, torch.qint32)
    d['quint4x2'] = zero_subbyte_padding(torch.quantize_per_tensor(x[0], 0.5, 8, torch.quint4x2))
    d['quint4x2_3x5'] = zero_subbyte_padding(torch.quantize_per_tensor(x, 0.5, 8, torch.quint4x2))
    d['quint2x4'] = zero_subbyte_padding(torch.quantize_per_tensor(x[1], 2.0, 1, torch.quint2x4))
    d['quint2x4_3x5'] = zero_subbyte_padding(torch.quantize_per_tensor(x, 2.0, 1, torch.quint2x4))
    return d


def qtensors():
    g = torch.Generator().manual_seed(15)
    d = collections.OrderedDict()
    d['per_tensor_quint8'] = torch.quantize_per_tensor(torch.randn((3, 4), generator=g), 0.1, 3, torch.quint8)
    d['per_tensor_qint8'] = torch.quantize_per_tensor(torch.randn((3, 4), generator=g), 0.05, -2, torch.qint8)
    d['per_tensor_qint32'] = torch.quantize_per_tensor(torch.randn((5,), generator=g), 0.001, 7, torch.qint32)
    d['per_channel_axis0'] = torch.quantize_per_channel(
        torch.randn((3, 4), generator=g), torch.tensor([0.1, 0.2, 0.3], dtype=torch.double),
        torch.tensor([0, 1, -1]), 0, torch.qint8)
    d['per_channel_axis1'] = torch.quantize_per_channel(
        torch.randn((2, 4, 3), generator=g), torch.tensor([0.01, 0.02, 0.05, 0.125], dtype=torch.double),
        torch.tensor([0, 5, 10, 128]), 1, torch.quint8)
    d['zero_dim'] = torch.quantize_per_tensor(torch.tensor(1.5), 0.5, 1, torch.quint8)
    d['empty'] = torch.quantize_per_tensor(torch.empty(0), 0.1, 0, torch.qint8)
    d['empty_per_channel'] = torch.quantize_per_channel(
        torch.empty(0, 3), torch.tensor([1.0, 2.0, 3.0], dtype=torch.double), torch.tensor([0, 0, 0]), 1, torch.qint8)
    return d


def views():
    t = torch.arange(24).float().reshape(4, 6)
    same = torch.linspace(-1, 1, 7)
    shared = torch.arange(10, dtype=torch.float64)
    ints = torch.arange(20, dtype=torch.int64).reshape(4, 5)
    d = collections.OrderedDict()
    d['t'] = t
    d['slice'] = t[1:, ::2]
    d['transposed'] = t.t()
    d['row'] = t[2]
    d['column'] = t[:, 3]
    d['expanded'] = torch.arange(3.).expand(4, 3)
    d['same_a'] = same
    d['same_b'] = same
    d['shared_head'] = shared[:4]
    d['shared_tail'] = shared[6:].view(2, 2)
    d['int_view'] = ints[:, 1::2]
    d['list'] = [t[0], t[3, 1:]]
    return d


def scalars_empty():
    d = collections.OrderedDict()
    d['f32'] = torch.tensor(3.5)
    d['f64'] = torch.tensor(-2.25, dtype=torch.float64)
    d['f16'] = torch.tensor(0.1, dtype=torch.float16)
    d['bf16'] = torch.tensor(-7.5, dtype=torch.bfloat16)
    d['i64'] = torch.tensor(-(2 ** 40))
    d['i32'] = torch.tensor(7, dtype=torch.int32)
    d['i8'] = torch.tensor(-5, dtype=torch.int8)
    d['u8'] = torch.tensor(200, dtype=torch.uint8)
    d['bool'] = torch.tensor(True)
    d['c64'] = torch.tensor(1 - 1j, dtype=torch.complex64)
    d['zeros_0x3'] = torch.zeros(0, 3)
    d['empty_0'] = torch.empty(0)
    d['zeros_2x0x4'] = torch.zeros(2, 0, 4)
    d['empty_i64'] = torch.empty(0, dtype=torch.int64)
    d['empty_bool'] = torch.zeros(0, 2, dtype=torch.bool)
    return d


def nested(with_bytes=False):
    g = torch.Generator().manual_seed(16)
    od = collections.OrderedDict([('a', torch.ones(2)), ('b', collections.OrderedDict([('c', 1), ('d', collections.OrderedDict())]))])
    od._metadata = collections.OrderedDict([('', {'version': 3}), ('b', {'version': 1, 'extra': 'x'})])
    d = {
        'lists': [[(torch.randn((2,), generator=g), torch.arange(3)), (1, 'x', None)], [], [(torch.tensor([True]),)]],
        'ints': [0, 1, -1, 255, 256, 65535, 65536, -129, 2 ** 31 - 1, 2 ** 31, -2 ** 31 - 1, 2 ** 62, 2 ** 63 - 1,
                 2 ** 63, -2 ** 63 - 1, 2 ** 64 + 5, -(2 ** 100), 2 ** 200],
        'floats': [0.0, -0.0, 1.5, -1e300, 5e-324, math.nan, math.inf, -math.inf, 0.1],
        'strings': ['', 'ascii', 'h\u00e9llo w\u00f6rld', '\u65e5\u672c\u8a9e', '\U0001F600 astral', 'line\nbreak\ttab', 'x' * 300],
        'none': None,
        'true': True,
        'false': False,
        'dtype': torch.float16,
        'qdtype': torch.qint8,
        'qscheme': torch.per_channel_affine,
        'device': torch.device('cpu'),
        'size': torch.Size([2, 3]),
        'tuples': [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        'od': od,
        7: 'int key',
        (1, 'two'): 'tuple key',
    }
    if with_bytes:
        d['bytes'] = [b'', b'\x00\x01\xfe\xff', bytes(range(256))]
    return d


def bigendian_source():
    d = collections.OrderedDict()
    d['f32'] = special_floats((3, 5), torch.float32, 20)
    d['f64'] = torch.tensor([1.0, -2.5, math.pi], dtype=torch.float64)
    d['f16'] = torch.tensor([1.0, -2.5, 65504.0], dtype=torch.float16)
    d['bf16'] = torch.tensor([1.0, -2.5, 3.0e38], dtype=torch.bfloat16)
    d['i64'] = torch.tensor([1, -2, 2 ** 40 + 3], dtype=torch.int64)
    d['i32'] = torch.tensor([1, -2, 2 ** 30 + 3], dtype=torch.int32)
    d['i16'] = torch.tensor([1, -2, 2 ** 14 + 3], dtype=torch.int16)
    d['i8'] = torch.tensor([1, -2, 100], dtype=torch.int8)
    d['u8'] = torch.tensor([1, 2, 200], dtype=torch.uint8)
    d['bool'] = torch.tensor([True, False, True])
    d['c64'] = torch.tensor([1 + 2j, -0.5j], dtype=torch.complex64)
    d['c128'] = torch.tensor([1 + 2j, -0.5j], dtype=torch.complex128)
    d['view'] = d['f32'][1:, ::2]
    return d


def inc_tune_config():
    act_u8 = {'dtype': 'uint8', 'scheme': 'asym', 'granularity': 'per_tensor', 'algorithm': 'minmax'}
    op = collections.OrderedDict()
    op[('quant', 'QuantStub')] = IncDotDict({'activation': dict(act_u8)})
    op[('conv', 'Conv2d')] = IncDotDict({
        'weight': {'dtype': 'int8', 'scheme': 'sym', 'granularity': 'per_channel', 'algorithm': 'minmax', 'bit': 7.0},
        'activation': dict(act_u8)})
    op[('fc', 'Linear')] = IncDotDict({
        'weight': {'dtype': 'int8', 'scheme': 'sym', 'granularity': 'per_channel', 'algorithm': 'minmax', 'bit': 7.0},
        'activation': dict(act_u8, algorithm='kl')})
    return {'calib_iteration': 4, 'op': op, 'approach': 'post_training_static_quant', 'framework': 'pytorch',
            'reduce_range': True, 'bf16_ops_list': [], 'calib_sampling_size': 32}


def inc_best_model():
    sd = qstatic_perchannel()
    sd['best_configure'] = inc_tune_config()
    return sd


def lpot_dotdict():
    cfg = LpotDotDict({
        'approach': 'post_training_dynamic_quant',
        'framework': 'pytorch',
        'op': {('fc', 'Linear'): {'weight': {'dtype': 'int8', 'scheme': 'sym', 'granularity': 'per_channel', 'algorithm': 'minmax'},
                                  'activation': {'dtype': 'uint8', 'scheme': 'asym', 'granularity': 'per_tensor', 'algorithm': 'minmax'}},
               ('relu', 'ReLU'): {'weight': {'dtype': 'fp32'}, 'activation': [{'dtype': 'fp32'}]}},
        'advance': None,
    })
    return {'best_configure': cfg, 'weight': torch.arange(6, dtype=torch.float32).reshape(2, 3)}


# ----------------------------------------------------------------------------------------------
# Writing

def save_bytes(obj, **kw):
    """torch.save into memory; the zip root folder is 'archive'."""
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def weights_only_ok(path):
    try:
        torch.load(path, map_location='cpu', weights_only=True)
        return True
    except Exception:  # noqa: BLE001
        return False


def write_json(path, d):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(torchdesc.to_json(d, indent=1))
        f.write('\n')


def describe_file(path, note, expected=None):
    """torchdesc of path (or of `expected` when given), plus weights_only and note."""
    obj = torchdesc.load(path) if expected is None else expected
    d = torchdesc.describe(obj, torchdesc.file_format(path))
    d['weights_only'] = weights_only_ok(path)
    d['note'] = note
    return d


class Writer:
    def __init__(self, out):
        self.out = out
        self.written = []
        os.makedirs(out, exist_ok=True)

    def bytes(self, name, raw, note, expected=None):
        path = os.path.join(self.out, name + '.pt')
        with open(path, 'wb') as f:
            f.write(raw)
        write_json(os.path.join(self.out, name + '.json'), describe_file(path, note, expected))
        self.written.append(name)
        return path

    def save(self, name, obj, note, **kw):
        path = os.path.join(self.out, name + '.pt')
        torch.save(obj, path, **kw)
        if kw.get('_use_new_zipfile_serialization') is False:
            with open(path, 'rb') as f:
                raw = stabilize_legacy(f.read())
            with open(path, 'wb') as f:
                f.write(raw)
        write_json(os.path.join(self.out, name + '.json'), describe_file(path, note))
        self.written.append(name)
        return path


def loads_same(raw, reference):
    """Whether torch.load of raw gives the same description as reference (an object)."""
    try:
        obj = torch.load(io.BytesIO(raw), map_location='cpu')
    except Exception as e:  # noqa: BLE001
        return False, '%s: %s' % (type(e).__name__, e)
    a = torchdesc.to_json(torchdesc.describe(obj, ''))
    b = torchdesc.to_json(torchdesc.describe(reference, ''))
    return a == b, None if a == b else 'loads, but the values differ'


def container_variants(w, base_raw, base_obj):
    """float_sd re-packed in other zip layouts; each kept only if torch loads it to the same values."""
    def reorder(records):
        def rank(r):
            n = r[0].split('/', 1)[1]
            return (0 if n == 'version' else 2 if n == 'data.pkl' else 1, [-ord(c) for c in n])
        return sorted(records, key=rank)

    variants = [
        ('container_deflated', repack_with_zipfile(base_raw, compression=zipfile.ZIP_DEFLATED),
         'float_sd re-packed with Python zipfile, every record ZIP_DEFLATED (sizes in local headers, no data descriptors)'),
        ('container_stored_unaligned', repack_with_zipfile(base_raw),
         'float_sd re-packed with Python zipfile, ZIP_STORED, no padding: record data not 64-byte aligned'),
        ('container_zip64', repack_with_zipfile(base_raw, force_zip64=True),
         'float_sd re-packed with Python zipfile, force_zip64=True on each record: every local header carries a zip64 '
         'extra field (the sizes are also in its 32-bit fields); central directory and end record are plain (no '
         'ZIP64 end record)'),
        ('container_zip64_full', build_zip(read_records(base_raw), zip64=True, descriptor=True),
         'float_sd re-packed by hand in torch layout (64-byte aligned, data descriptors) but with zip64 everywhere: '
         'zip64 extra fields in every local and central header, 0xFFFFFFFF in the 32-bit size/offset fields, '
         'ZIP64 data descriptors, ZIP64 end record + locator, end record counts 0xFFFF'),
        ('container_root_name', repack_with_zipfile(base_raw, rename_root='some.root-name'),
         "float_sd re-packed with Python zipfile with the root folder renamed to 'some.root-name/' (STORED)"),
        ('container_reordered', repack_with_zipfile(base_raw, order=reorder),
         'float_sd re-packed with Python zipfile, records in another order: version first, data records in '
         'reverse, data.pkl last (STORED)'),
    ]
    report = {}
    for name, raw, note in variants:
        ok, err = loads_same(raw, base_obj)
        report[name] = 'loads, same values' if ok else err
        if ok:
            w.bytes(name, raw, note + '. torch 1.13 loads it to the same values as float_sd.')
        else:
            print('dropped %s: torch 1.13 %s' % (name, err), file=sys.stderr)
            for ext in ('.pt', '.json'):
                p = os.path.join(w.out, name + ext)
                if os.path.exists(p):
                    os.remove(p)
    return report


def bigendian(w):
    src = bigendian_source()
    raw = save_bytes(src)
    records = read_records(raw)
    root = records[0][0].split('/', 1)[0]
    pkl = dict(records)[root + '/data.pkl']
    kinds = storage_dtypes(pkl)
    out = []
    for name, data in records:
        rel = name.split('/', 1)[1]
        if rel.startswith('data/'):
            data = byteswap(data, kinds[rel[5:]])
        out.append((name, data))
        if rel == 'data.pkl':
            out.append((root + '/byteorder', b'big'))
    be = build_zip(out)
    ok, err = loads_same(be, src)
    if ok:
        note = ('little-endian tensors of many dtypes with every storage record byte-swapped to big-endian and a '
                "'<root>/byteorder' record 'big' (torch 2.x layout). torch 1.13 honours the byteorder record: "
                'the .json is what it loads')
        w.bytes('bigendian', be, note)
        return 'honoured'
    note = ('little-endian tensors of many dtypes with every storage record byte-swapped to big-endian and a '
            "'<root>/byteorder' record 'big' (torch 2.x layout, records written like torch: STORED, aligned, data "
            'descriptors). torch 1.13 IGNORES the byteorder record (it loads byte-swapped garbage), so this .json '
            'describes the ORIGINAL little-endian tensors, the logical values a correct reader must produce; '
            'weights_only says only that 1.13 parses the file')
    w.bytes('bigendian', be, note, expected=src)
    return 'ignored (%s)' % err


def describe_references():
    done = []
    for d in REFERENCE_DIRS:
        if not os.path.isdir(d):
            continue
        origin = 'PyTorch 2.11' if 'torch-2.11' in d else 'Intel LPOT v1.5 (PyTorch 1.13)'
        for f in sorted(os.listdir(d)):
            if not f.endswith('.pt') or f.startswith('ts_'):
                continue
            path = os.path.join(d, f)
            out = os.path.join(d, f[:-3] + '.json')
            try:
                desc = describe_file(path, 'reference file written by %s, as torch %s loads it' % (origin, torch.__version__))
            except Exception as e:  # noqa: BLE001
                desc = {'error': '%s: %s' % (type(e).__name__, e)}
            write_json(out, desc)
            done.append(os.path.relpath(out, ROOT))
    return done


def main():
    w = Writer(OUT)
    eng = engine()
    fsd = float_sd()
    w.save('float_sd', fsd, 'state_dict of Conv2d(1,2,3) + BatchNorm2d(2) + Linear(8,3) after one training-mode '
                            'forward (num_batches_tracked is a 0-d int64 = 1); OrderedDict with _metadata')
    w.save('mlp_sd', mlp_sd(), 'state_dict of Sequential(Linear(6,8), ReLU, Linear(8,8), ReLU, Linear(8,4))')
    w.save('params', params(), 'dict(model.named_parameters()) (nn.Parameter, requires_grad) of Linear + LayerNorm, '
                               'plus a plain tensor with requires_grad=True and one without')
    w.save('qstatic_perchannel', qstatic_perchannel(),
           "eager static quantization, get_default_qconfig('fbgemm') (per-channel qint8 weights, reduce_range), "
           "QuantStub -> fused Conv2d+ReLU -> AvgPool2d -> flatten -> Linear -> DeQuantStub, after calibration; "
           "state_dict. Quantized engine used: %s (Debian's torch 1.13 has no fbgemm)" % eng)
    w.save('qstatic_pertensor', qstatic_pertensor(),
           'same model as qstatic_perchannel with torch.ao.quantization.default_qconfig (per-tensor qint8 weights)')
    w.save('qstatic_functional', qstatic_functional(),
           'static quantized model with FloatFunctional add and cat (QFunctional keys add.scale, add.zero_point, ...)')
    w.save('qdynamic_int8', qdynamic(torch.qint8), 'quantize_dynamic(qint8) of Sequential(Linear(4,3), ReLU, Linear(3,2))')
    try:
        w.save('qdynamic_fp16', qdynamic(torch.float16), 'quantize_dynamic(float16) of Sequential(Linear(4,3), ReLU, Linear(3,2))')
    except RuntimeError as e:
        # Debian's torch 1.13 has no fbgemm; onednn and qnnpack cannot prepack fp16 weights. The torch 2.11
        # reference qdyn_fp16_sd.pt covers this layout.
        print('dropped qdynamic_fp16: %s' % e, file=sys.stderr)
    w.save('qembedding', qembedding(),
           'EmbeddingBag(10,4) and Embedding(6,4) with float_qparams_weight_only_qconfig (quint8 weights, '
           'per_channel_affine_float_qparams, saved as per_channel_affine with float32 scales/zero points), and '
           'EmbeddingBag(7,6) with float_qparams_weight_only_qconfig_4bit (quint4x2 weight)')
    dt = dtypes()
    w.save('dtypes', dt, 'one tensor of every dtype torch 1.13 can save (%s), nontrivial values: nan/inf/-0.0/'
                         'subnormals, integer extremes; sub-byte tensors of 5 and 3x5 elements (half-filled last byte; '
                         'the 3x5 storages are rows*ceil(5/per_byte) bytes long but packed linearly, padding zeroed). '
                         'complex32 is left out: torch 1.13 cannot save it' % ', '.join(dt))
    w.save('qtensors', qtensors(), 'loose quantized tensors: per-tensor quint8/qint8/qint32, per-channel qint8 axis 0, '
                                   'per-channel quint8 axis 1 of a 3-d tensor, a 0-d one, an empty one, an empty per-channel one')
    w.save('views', views(), 'views sharing storages: slice with step, transpose, row, column (offsets and strides), '
                             'expand (stride 0), the same tensor under two keys, two views of one storage '
                             '(neither the whole), a non-contiguous int64 view, views inside a list')
    w.save('scalars_empty', scalars_empty(), '0-d tensors of several dtypes and empty tensors zeros(0,3), empty(0), '
                                             'zeros(2,0,4), empty int64 and bool')
    w.save('nested', nested(), 'dict of lists of tuples of tensors, ints from small to > 2**63 (LONG1), floats with '
                               'nan/inf/-0.0, non-ASCII and empty strings, None, bools, a torch.dtype, a qscheme, a '
                               'torch.device, a torch.Size, int and tuple keys, an OrderedDict with a custom _metadata, '
                               'nested OrderedDicts. No bytes (see nested_bytes)')
    w.save('nested_bytes', {'bytes': nested(True)['bytes'], 'after': torch.ones(2)},
           "bytes values in a protocol-2 pickle: torch.save writes them as GLOBAL '_codecs encode' REDUCE "
           "(latin-1 str) and the empty one as GLOBAL '__builtin__ bytes' EMPTY_TUPLE REDUCE")
    w.save('nested_proto4', nested(True), 'the nested case plus bytes, saved with pickle_protocol=4 (FRAME, '
                                          'SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, SHORT_BINBYTES/BINBYTES)',
           pickle_protocol=4)
    w.save('proto4', fsd, 'float_sd saved with pickle_protocol=4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL)',
           pickle_protocol=4)
    w.save('legacy_float_sd', fsd, 'float_sd in the legacy (pre-1.6) container, _use_new_zipfile_serialization=False',
           _use_new_zipfile_serialization=False)
    w.save('legacy_qstatic', qstatic_perchannel(), 'qstatic_perchannel in the legacy container',
           _use_new_zipfile_serialization=False)
    w.save('legacy_views', views(), 'views in the legacy container (shared storages)',
           _use_new_zipfile_serialization=False)
    w.save('legacy_nested', nested(), 'nested in the legacy container', _use_new_zipfile_serialization=False)
    w.save('inc_best_model', inc_best_model(),
           "Neural Compressor 1.11+-style best_model.pt: qstatic_perchannel's state dict (an OrderedDict with "
           "_metadata) plus an entry 'best_configure' (a dict: calib_iteration, op (OrderedDict of (name, type) "
           "tuples -> neural_compressor.conf.dotdict.DotDict with nested DotDicts), approach, framework, ...)")
    w.save('lpot_dotdict', lpot_dotdict(), "a dict with an lpot.conf.dotdict.DotDict tune config (nested DotDicts, "
                                           "tuple keys) and a tensor")
    with open(os.path.join(OUT, 'float_sd.pt'), 'rb') as f:
        base_raw = f.read()
    report = container_variants(w, base_raw, fsd)
    report['bigendian'] = bigendian(w)
    refs = [] if os.environ.get('QCHECKPOINT_FIXTURES_OUT') else describe_references()
    for name in w.written:
        print('pt/%s.pt' % name)
    for r in refs:
        print(r)
    for k, v in report.items():
        print('%s: %s' % (k, v), file=sys.stderr)


if __name__ == '__main__':
    main()
