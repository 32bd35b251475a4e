#!/usr/bin/env python3
"""torch 1.13's HistogramObserver on seeded data: the oracle of HistogramObserverTest.

usage: /usr/bin/python3 histogram_oracle.py
prints JSON: [{"name", "dtype", "qscheme", "reduce_range", "bins", "upsample_rate",
               "batches": [[float32 bits of each value], ...],
               "scale_bits": float32 bits of torch's scale, "zero_point": int,
               "error": null, or the exception's class name where torch raises}]
Values travel as IEEE bits so that the comparison does not depend on any decimal formatting.
"""
import json
import struct
import warnings

import torch
from torch.ao.quantization.observer import HistogramObserver

DTYPES = {'quint8': torch.quint8, 'qint8': torch.qint8}
SCHEMES = {'per_tensor_affine': torch.per_tensor_affine, 'per_tensor_symmetric': torch.per_tensor_symmetric}


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in t.flatten().tolist()]


def fbits(v):
    return struct.unpack('<I', struct.pack('<f', v))[0]


def distributions(g):
    """name -> list of batches; each distribution stresses another path of forward/the search."""
    n = 1000
    d = {}
    d['normal'] = [torch.randn(n, generator=g) * 3 for _ in range(3)]
    d['positive'] = [torch.rand(n, generator=g) * 6 for _ in range(3)]
    d['symmetric_uniform'] = [torch.rand(n, generator=g) * 10 - 5 for _ in range(2)]
    xs = [torch.randn(n, generator=g) for _ in range(2)]
    xs[0][7] = 40.0
    xs[1][3] = -25.0
    d['outliers'] = xs
    d['constant'] = [torch.full((50,), 1.75)]
    d['constant_then_normal'] = [torch.full((50,), -2.5), torch.randn(n, generator=g) * 2]
    # Ranges inside (0, 1): int(min) == int(max), so histc falls back to the data's own range.
    d['sub_unit'] = [torch.rand(n, generator=g) * 0.8 + 0.1 for _ in range(2)]
    # Growing ranges force _adjust_min_max and _combine_histograms on every batch.
    d['growing'] = [torch.randn(n, generator=g) * s for s in (0.5, 2.0, 7.0, 30.0)]
    d['growing_positive'] = [torch.rand(n, generator=g) * s + 0.25 for s in (2.0, 5.0, 13.0)]
    d['shrinking'] = [torch.randn(n, generator=g) * s for s in (8.0, 2.0, 1.0)]
    d['negative'] = [-(torch.rand(n, generator=g) * 4) - 1 for _ in range(2)]
    return d


def run_case(name, dtype, scheme, reduce_range, bins, upsample_rate, xs):
    obs = HistogramObserver(bins=bins, upsample_rate=upsample_rate, dtype=DTYPES[dtype],
                            qscheme=SCHEMES[scheme], reduce_range=reduce_range)
    case = {'name': name, 'dtype': dtype, 'qscheme': scheme, 'reduce_range': reduce_range,
            'bins': bins, 'upsample_rate': upsample_rate, 'batches': [bits(x) for x in xs],
            'scale_bits': None, 'zero_point': None, 'error': None}
    try:
        for x in xs:
            obs(x)
        scale, zp = obs.calculate_qparams()
        case['scale_bits'] = fbits(float(scale.reshape(-1)[0]))
        case['zero_point'] = int(zp.reshape(-1)[0])
    except Exception as e:  # noqa: BLE001 - the test checks that Java raises where torch does
        case['error'] = type(e).__name__
    return case


def main():
    warnings.filterwarnings('ignore')
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1313)
    dists = distributions(g)
    configs = [(d, s, r) for d in DTYPES for s in SCHEMES for r in (False, True)]
    cases = []
    for name, xs in dists.items():
        for dtype, scheme, reduce_range in configs:
            cases.append(run_case(name, dtype, scheme, reduce_range, 2048, 128, xs))
    # Non-default sizes exercise the bins/upsample_rate parameters.
    for name in ('growing', 'outliers'):
        cases.append(run_case(name + '_small_bins', 'quint8', 'per_tensor_affine', False, 300, 16, dists[name]))
    nan = torch.randn(20, generator=g)
    nan[5] = float('nan')
    cases.append(run_case('nan_first', 'quint8', 'per_tensor_affine', False, 2048, 128, [nan]))
    cases.append(run_case('nan_later', 'quint8', 'per_tensor_affine', False, 2048, 128,
                          [torch.randn(20, generator=g), nan]))
    print(json.dumps(cases))


if __name__ == '__main__':
    main()
