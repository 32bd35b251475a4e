"""LPOT IPEX-backend calibration in torch 1.13: the oracle of IpexCalibrationTest.

usage: /usr/bin/python3 ipex_calibration_oracle.py [FP32_OP ...]
Builds ipex_models.py's IpexNet (conv1+relu1 fused) with the committed weights of
fixtures/ipex/fp32_sd.pt, runs 5 seeded calibration batches through it, records each op's input and
output min/max with forward hooks (ipex_models.calibration), turns them into the IPEX 1.x list
(ipex_models.ipex_config: multipliers 255/max for non-negative data, uint8, else 127.5/max|x|, int8;
float64 from the float32 ranges; weight_granularity per_channel for every op; quantized false for the
FP32_OPs), builds the int8 model that list describes (ipex_models.ipex_load, the first batch ordering
the ops) and runs a test input through it. Prints JSON:
{"batches": [{"shape", "bits"}], "input": {"shape", "bits"}, "ops": [the list], "paths": [op paths in order],
 "output_bits": [...], "output_scale": the last op's torch output scale}
Tensors are float32 IEEE bits.
"""
import json
import os
import struct
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ipex_models  # noqa: E402

import torch  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in t.flatten().tolist()]


def tensor_json(t):
    return {'shape': list(t.shape), 'bits': bits(t)}


def main(fp32_ops):
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    model = tq.fuse_modules(ipex_models.IpexNet().eval(), [['conv1', 'relu1']])
    model.load_state_dict(torch.load(os.path.join(ipex_models.DEFAULT_OUT, 'fp32_sd.pt')))
    torch.manual_seed(7)
    # batch sizes and spreads differ, so the ranges come from different batches
    batches = [torch.randn(n, 3, 8, 8) * s for n, s in [(2, 1.0), (1, 2.5), (3, 0.5), (2, 1.5), (2, 1.0)]]
    ranges = ipex_models.calibration(model, batches)
    ops = ipex_models.ipex_config(model, ranges, fp32_ops=set(fp32_ops),
                                  granularity={name: 'per_channel' for name in ranges})
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        y = ipex_models.ipex_load(model, ops, batches[0])(x)
    json.dump({'batches': [tensor_json(b) for b in batches], 'input': tensor_json(x), 'ops': ops,
               'paths': list(ranges), 'output_bits': bits(y), 'output_scale': 1.0 / ops[-1]['outputs_scale'][0]},
              sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1:])
