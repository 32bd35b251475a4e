"""What torch 1.13 computes for quantized tensors, as JSON on stdout (the oracle of QuantizedKernelsTest).

usage:
  /usr/bin/python3 qtensor_oracle.py tensors FILE.pt
      every qint8/quint8/qint32 affine tensor in FILE (top level, state-dict values and tuples inside them),
      keyed like the pt layer's NamedTensor keys: {"key": {"dtype", "shape", "dequantized", "int_repr"}}
  /usr/bin/python3 qtensor_oracle.py quantize
      seeded float inputs and torch.quantize_per_tensor / quantize_per_channel of them:
      [{"x": [...], "shape": [...], "scheme", "dtype", "scale"/"scales", "zero_point"/"zero_points", "axis",
        "int_repr": [...]}]
"""
import json
import sys

import torch


def quantized_items(obj, prefix=''):
    if isinstance(obj, torch.Tensor):
        if obj.is_quantized and obj.dtype in (torch.qint8, torch.quint8, torch.qint32) \
                and obj.qscheme() in (torch.per_tensor_affine, torch.per_channel_affine):
            yield prefix, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from quantized_items(v, f'{prefix}.{k}' if prefix else str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from quantized_items(v, f'{prefix}.{i}' if prefix else str(i))


def tensors(path):
    out = {}
    for key, q in quantized_items(torch.load(path)):
        out[key] = {'dtype': str(q.dtype).replace('torch.', ''), 'shape': list(q.shape),
                    'dequantized': q.dequantize().flatten().tolist(),
                    'int_repr': q.int_repr().flatten().tolist()}
    return out


def quantize():
    g = torch.Generator().manual_seed(7)
    cases = []
    for dtype in (torch.quint8, torch.qint8, torch.qint32):
        x = torch.randn(6, 5, generator=g) * 3
        for scale, zp in ((0.05, 0 if dtype != torch.quint8 else 128), (0.013, 3), (1 / 3, 0)):
            q = torch.quantize_per_tensor(x, scale, zp, dtype)
            cases.append({'x': x.flatten().tolist(), 'shape': list(x.shape), 'scheme': 'per_tensor',
                          'dtype': str(dtype).replace('torch.', ''), 'scale': scale, 'zero_point': zp,
                          'int_repr': q.int_repr().flatten().tolist()})
    for dtype in (torch.qint8, torch.quint8):
        x = torch.randn(4, 3, 2, generator=g) * 2
        scales = torch.tensor([0.01, 0.02, 0.05, 0.1], dtype=torch.float64)
        zps = torch.tensor([0, 1, -2, 3] if dtype == torch.qint8 else [128, 120, 100, 0], dtype=torch.int64)
        q = torch.quantize_per_channel(x, scales, zps, 0, dtype)
        cases.append({'x': x.flatten().tolist(), 'shape': list(x.shape), 'scheme': 'per_channel',
                      'dtype': str(dtype).replace('torch.', ''), 'scales': scales.tolist(),
                      'zero_points': zps.tolist(), 'axis': 0, 'int_repr': q.int_repr().flatten().tolist()})
    return cases


if __name__ == '__main__':
    result = tensors(sys.argv[2]) if sys.argv[1] == 'tensors' else quantize()
    json.dump(result, sys.stdout)
