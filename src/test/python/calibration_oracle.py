"""torch 1.13's post-training static quantization with MinMax observers: the oracle of CalibrationTest.

usage: /usr/bin/python3 calibration_oracle.py MODEL   (mlp, cnn or ops, the models of nn_models.py)
Builds MODEL's float model (the weights of nn-quant/MODEL.float_sd.pt), fuses it as nn_models does, sets the
qconfig QConfig(activation=MinMaxObserver(reduce_range=True), weight=PerChannelMinMaxObserver(qint8,
per_channel_symmetric)) on the root, prepares, runs 4 seeded calibration batches, converts, and prints JSON:
{"batches": [{"shape", "bits"}], "input": {"shape", "bits"}, "output_bits": [...], "output_scale",
 "qparams": {state-dict key of every scale/zero_point: float32 bits or int},
 "weight_scales": {key of every per-channel weight: [float64 scales as hex]}}
"""
import json
import os
import struct
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_models  # noqa: E402

import torch  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in t.flatten().tolist()]


def tensor_json(t):
    return {'shape': list(t.shape), 'bits': bits(t)}


def main(name):
    warnings.filterwarnings('ignore')
    nn_models.setup_determinism()
    spec = nn_models.spec_of(name)
    model = nn_models.build_float(name)
    if spec.fuse:
        tq.fuse_modules(model, spec.fuse, inplace=True)
    model.qconfig = tq.QConfig(activation=tq.MinMaxObserver.with_args(reduce_range=True),
                               weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                                            qscheme=torch.per_channel_symmetric))
    tq.prepare(model, inplace=True)
    g = torch.Generator().manual_seed(424242)
    batches = [torch.randn(spec.input_shape, generator=g) * 1.5 for _ in range(4)]
    with torch.no_grad():
        for b in batches:
            model(b)
    tq.convert(model, inplace=True)
    x = nn_models.test_input(spec)
    with torch.no_grad():
        y = model(x)
    scale, _ = nn_models.dequant_input_qparams(model, x)
    sd = model.state_dict()
    qparams = {}
    weights = {}
    for k, v in sd.items():
        if k.endswith('.scale') or k.endswith('.zero_point'):
            qparams[k] = bits(v.float())[0] if k.endswith('.scale') else int(v.flatten()[0])
        if isinstance(v, tuple):
            v = v[0]
        if isinstance(v, torch.Tensor) and v.is_quantized and v.qscheme() == torch.per_channel_affine:
            weights[k] = [s.hex() for s in v.q_per_channel_scales().tolist()]
    json.dump({'batches': [tensor_json(b) for b in batches], 'input': tensor_json(x), 'output_bits': bits(y),
               'output_scale': scale, 'qparams': qparams, 'weight_scales': weights}, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
