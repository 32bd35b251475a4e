"""Describes what real PyTorch sees in a torch.save file, as one JSON object (the test oracle).

usage: torchdesc.py FILE [--weights-only]

Loads FILE with torch.load(FILE, map_location='cpu', weights_only=<flag>) and prints
    {"format": "torch-zip" | "torch-legacy", "tensors": [...], "structure": <node>}
Exit 0 on success; if torch.load raises, prints {"error": "<type>: <message>"} and exits 3.

"tensors" lists every tensor reachable from the root, depth first in container order, once per path:
    {"key", "dtype", "shape", "quantization", "sha256"}
"structure" is a canonical tree of the whole object (see _Describer.node).

Importable: describe(obj, fmt) -> dict, file_format(path) -> str, to_json(d) -> str.
"""
import collections
import hashlib
import json
import math
import os
import sys
import zipfile

# Pickled Neural Compressor / LPOT objects name neural_compressor.conf.dotdict.DotDict and
# lpot.conf.dotdict.DotDict; stand-ins for those modules live in fakes/.
FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fakes')
if FAKES not in sys.path:
    sys.path.insert(0, FAKES)

import torch  # noqa: E402  (after the sys.path change on purpose)

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


def file_format(path):
    """'torch-zip' when Python's zipfile sees a zip, else 'torch-legacy'."""
    return 'torch-zip' if zipfile.is_zipfile(path) else 'torch-legacy'


def _dtype_name(dtype):
    return str(dtype)[6:]  # 'torch.float32' -> 'float32'


def _qscheme_name(qscheme):
    return str(qscheme)[6:]  # 'torch.per_tensor_affine' -> 'per_tensor_affine'


def _le_bytes(arr):
    """The bytes of a numpy array, little-endian, row-major."""
    if arr.dtype.byteorder == '>' or (arr.dtype.byteorder == '=' and sys.byteorder == 'big'):
        arr = arr.astype(arr.dtype.newbyteorder('<'))
    return arr.tobytes(order='C')


def tensor_bytes(t):
    """The elements of t in row-major order, little-endian (see the module doc)."""
    t = t.detach()
    if t.numel() == 0:
        return b''
    if t.is_quantized:
        # For quint4x2 / quint2x4 int_repr() gives the packed bytes.
        return _le_bytes(t.int_repr().contiguous().numpy())
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return _le_bytes(t.view(torch.int16).numpy())
    if t.dtype == torch.bool:
        return _le_bytes(t.view(torch.uint8).numpy())
    if t.dtype == torch.complex32:
        return _le_bytes(t.view(torch.float16).view(torch.int16).numpy())
    return _le_bytes(t.numpy())


def tensor_sha256(t):
    return hashlib.sha256(tensor_bytes(t)).hexdigest()


def quantization(t):
    if not t.is_quantized:
        return None
    scheme = t.qscheme()
    if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        return {'scheme': _qscheme_name(scheme), 'scale': float(t.q_scale()), 'zero_point': int(t.q_zero_point())}
    return {'scheme': _qscheme_name(scheme),
            'axis': int(t.q_per_channel_axis()),
            'scales': t.q_per_channel_scales().tolist(),
            'zero_points': t.q_per_channel_zero_points().tolist()}


def _storage_id(t):
    """(data_ptr) of t's storage, or None for an empty storage (never shared)."""
    s = t.storage()
    if s.nbytes() == 0:
        return None
    return s.data_ptr()


def _child(prefix, part):
    return part if prefix == '' else prefix + '.' + part


class _Describer:
    def __init__(self):
        self.tensors = []
        self.storages = {}  # data_ptr -> key path of the first tensor seen on it

    def node(self, x, path):
        if isinstance(x, torch.Tensor):
            return self.tensor(x, path)
        if type(x).__name__ == 'DotDict' and isinstance(x, dict):
            return {'type': 'dict', 'items': self.items(x, path)}
        if isinstance(x, collections.OrderedDict):
            return {'type': 'OrderedDict', 'items': self.items(x, path),
                    'metadata': self.node(getattr(x, '_metadata', None), _child(path, '_metadata'))}
        if isinstance(x, dict):
            return {'type': 'dict', 'items': self.items(x, path)}
        if isinstance(x, torch.Size):
            return {'type': 'Size', 'items': [self.node(v, _child(path, str(i))) for i, v in enumerate(x)]}
        if isinstance(x, list):
            return {'type': 'list', 'items': [self.node(v, _child(path, str(i))) for i, v in enumerate(x)]}
        if isinstance(x, tuple):
            return {'type': 'tuple', 'items': [self.node(v, _child(path, str(i))) for i, v in enumerate(x)]}
        if x is None:
            return {'type': 'None'}
        if isinstance(x, bool):
            return {'type': 'bool', 'value': x}
        if isinstance(x, int):
            return {'type': 'int', 'value': int(x)}
        if isinstance(x, float):
            return {'type': 'float', 'value': float(x)}
        if isinstance(x, str):
            return {'type': 'str', 'value': str(x)}
        if isinstance(x, bytes):
            return {'type': 'bytes', 'hex': x.hex()}
        if isinstance(x, torch.dtype):
            return {'type': 'dtype', 'value': _dtype_name(x)}
        if isinstance(x, torch.qscheme):
            return {'type': 'qscheme', 'value': _qscheme_name(x)}
        if isinstance(x, torch.device):
            return {'type': 'device', 'value': str(x)}
        return {'type': 'other', 'repr': repr(x)}

    def items(self, d, path):
        out = []
        for k, v in d.items():
            kpath = _child(path, str(k))
            out.append([self.node(k, kpath), self.node(v, kpath)])
        return out

    def tensor(self, t, path):
        self.tensors.append({'key': path,
                             'dtype': _dtype_name(t.dtype),
                             'shape': list(t.shape),
                             'quantization': quantization(t),
                             'sha256': tensor_sha256(t)})
        sid = _storage_id(t)
        if sid is None:
            storage = path
        else:
            storage = self.storages.setdefault(sid, path)
        return {'type': 'parameter' if isinstance(t, torch.nn.Parameter) else 'tensor',
                'key': path,
                'requires_grad': bool(t.requires_grad),
                'storage_offset': int(t.storage_offset()),
                'stride': list(t.stride()),
                'storage': storage}


def describe(obj, fmt):
    """{"format": fmt, "tensors": [...], "structure": node} for a loaded object."""
    d = _Describer()
    structure = d.node(obj, '')
    return {'format': fmt, 'tensors': d.tensors, 'structure': structure}


def _finite(x):
    """Replaces non-finite floats by the strings "nan", "inf", "-inf" (recursively)."""
    if isinstance(x, float):
        if math.isnan(x):
            return 'nan'
        if math.isinf(x):
            return 'inf' if x > 0 else '-inf'
        return x
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def to_json(d, indent=None):
    return json.dumps(_finite(d), sort_keys=False, allow_nan=False, indent=indent)


def load(path, weights_only=False):
    return torch.load(path, map_location='cpu', weights_only=weights_only)


def main(argv):
    args = [a for a in argv if a != '--weights-only']
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    try:
        obj = load(path, weights_only='--weights-only' in argv)
    except Exception as e:  # noqa: BLE001  (any load failure is the answer)
        print(json.dumps({'error': '%s: %s' % (type(e).__name__, e)}))
        return 3
    print(to_json(describe(obj, file_format(path))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
