"""torch 1.13's observers on seeded data: the oracle of ObserversTest.

usage: /usr/bin/python3 observer_oracle.py
prints JSON: [{"observer", "dtype", "qscheme", "reduce_range", "axis", "averaging_constant",
               "batches": [{"shape": [...], "bits": [float32 bits of each value, row-major]}],
               "scales_bits": [...], "zero_points": [...]}]
Values travel as IEEE bits so that the comparison does not depend on any decimal formatting.
"""
import json
import warnings
import struct
import sys

import torch
import torch.ao.quantization as tq

DTYPES = {'quint8': torch.quint8, 'qint8': torch.qint8}
SCHEMES = {'per_tensor_affine': torch.per_tensor_affine, 'per_tensor_symmetric': torch.per_tensor_symmetric,
           'per_channel_affine': torch.per_channel_affine, 'per_channel_symmetric': torch.per_channel_symmetric}


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in t.flatten().tolist()]


def batches(g, shape, kind):
    out = []
    for i in range(3):
        x = torch.randn(shape, generator=g) * (1 + i)
        if kind == 'positive':
            x = x.abs()
        elif kind == 'negative':
            x = -x.abs() - 0.5
        elif kind == 'outlier':
            x.view(-1)[0] = 40.0
        out.append(x)
    return out


def main():
    warnings.filterwarnings('ignore')
    g = torch.Generator().manual_seed(3)
    cases = []
    per_tensor = [('MinMaxObserver', None), ('MovingAverageMinMaxObserver', 0.01)]
    per_channel = [('PerChannelMinMaxObserver', None), ('MovingAveragePerChannelMinMaxObserver', 0.01)]
    for dtype in DTYPES:
        for reduce_range in (False, True):
            for kind in ('normal', 'positive', 'negative', 'outlier'):
                for name, c in per_tensor:
                    for scheme in ('per_tensor_affine', 'per_tensor_symmetric'):
                        cases.append((name, dtype, scheme, reduce_range, None, c, batches(g, (4, 6, 5), kind)))
                for name, c in per_channel:
                    for scheme in ('per_channel_affine', 'per_channel_symmetric'):
                        for axis in (0, 1):
                            cases.append((name, dtype, scheme, reduce_range, axis, c, batches(g, (4, 6, 5), kind)))
    out = []
    for name, dtype, scheme, reduce_range, axis, c, xs in cases:
        kwargs = dict(dtype=DTYPES[dtype], qscheme=SCHEMES[scheme], reduce_range=reduce_range)
        if axis is not None:
            kwargs['ch_axis'] = axis
        if c is not None:
            kwargs['averaging_constant'] = c
        case = {'observer': name, 'dtype': dtype, 'qscheme': scheme, 'reduce_range': reduce_range, 'axis': axis,
                'averaging_constant': c, 'batches': [{'shape': list(x.shape), 'bits': bits(x)} for x in xs]}
        try:
            obs = getattr(tq, name)(**kwargs)
        except NotImplementedError as e:
            case['refused'] = str(e).split()[0:4]
            out.append(case)
            continue
        for x in xs:
            obs(x)
        scale, zp = obs.calculate_qparams()
        case['scales_bits'] = bits(scale.float())
        case['zero_points'] = [int(v) for v in zp.flatten().tolist()]
        out.append(case)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
