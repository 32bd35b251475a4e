"""What a float16 dynamic quantized model computes, from what torch 1.13 can run (the oracle of
DynamicFp16Test). Debian's torch has no fbgemm, so it cannot run torch.ao.nn.quantized.dynamic.Linear
with float16 weights itself; fbgemm's fp16 kernel multiplies float32 inputs by the weights rounded to
float16, accumulating in float32, which this computes with F.linear on the rounded weights.

usage: /usr/bin/python3 dynamic_fp16_oracle.py STATE_DICT.pt LAYER [LAYER ...]
  STATE_DICT: a state dict of a Sequential whose LAYERs (e.g. 0 2) are fp16 dynamic Linear layers and
  whose other children are ReLU; prints JSON {"input": [...], "shape": [...], "output": [...]}
  for the input arange(8).reshape(2, 4) / 4 (the one torch-2.11/generate.py used).
"""
import json
import sys

import torch
import torch.nn.functional as F

sd = torch.load(sys.argv[1])
x = torch.arange(8, dtype=torch.float32).reshape(2, 4) / 4
y = x
layers = sys.argv[2:]
for i, name in enumerate(layers):
    assert sd[f'{name}._packed_params.dtype'] == torch.float16
    w, b = sd[f'{name}._packed_params._packed_params']
    y = F.linear(y, w.half().float(), b)
    if i < len(layers) - 1:
        y = torch.relu(y)
json.dump({'input': x.flatten().tolist(), 'shape': list(x.shape), 'output': y.flatten().tolist()}, sys.stdout)
