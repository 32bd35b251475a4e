"""An LPOT IPEX-backend checkpoint (best_configure.json) and the int8 outputs its calibration implies,
computed with torch 1.13's quantized kernels (the oracle of IpexCheckpointTest). IPEX itself is not
installed here; this script is the executable statement of the semantics QCheckpoint gives the file
(FORMATS.md 4, docs/checkpoint-format.md):

- ops are the quantizable modules in execution order: Conv2d "Convolution", ConvReLU2d
  "Convolution_Relu", Linear "Linear", LinearReLU "Linear_Relu";
- a quantized op quantizes its float input with scale 1 / inputs_scale[0] (a multiplier) and zero point
  inputs_zero_point[0] (default 0), as uint8 when inputs_uint8_used[0] else int8 (run as quint8 with the
  zero point moved by 128: the same grid); its weight is quantized symmetric int8 from the fp32 weight,
  per channel or per tensor as weight_granularity says (scale max|w| / 127.5); its output is quantized
  likewise with outputs_scale / outputs_zero_point / outputs_uint8_used, then dequantized;
- an op with quantized false runs in float.

usage: /usr/bin/python3 ipex_models.py generate   (into src/test/resources/fixtures/ipex/, or
       $QCHECKPOINT_FIXTURES_OUT), writing best_configure.json (one line, as LPOT's json.dump), fp32_sd.pt
       (the fused float model), input.pt, output.pt, case.json.
       /usr/bin/python3 ipex_models.py run DIR OUTPUT
       loads DIR's best_configure.json onto the fused float model with DIR's fp32_sd.pt, runs it on DIR's input.pt
       with this machine's kernels and torch.saves the output to OUTPUT (the tests' oracle: int8 results differ
       between CPUs with and without VNNI, so they compare with torch on the same machine).
"""
import collections
import json
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, '..', 'resources', 'fixtures', 'ipex')
warnings.filterwarnings('ignore')
torch.backends.quantized.engine = 'onednn'
NAMES = {nn.Conv2d: 'Convolution', torch.nn.intrinsic.ConvReLU2d: 'Convolution_Relu', nn.Linear: 'Linear',
         torch.nn.intrinsic.LinearReLU: 'Linear_Relu'}


class IpexNet(nn.Module):
    """conv1 Conv2d(3,8,3,p1)+relu1 (fused), conv2 Conv2d(8,8,3,p1), relu2, pool AdaptiveAvgPool2d(1), flatten,
    fc Linear(8,5); forward fc(flatten(pool(relu2(conv2(relu1(conv1(x))))))); input [2, 3, 8, 8]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x)))))))


def ordered_ops(model, x):
    """Paths of the quantizable modules in the order forward runs them, with their input and output ranges."""
    seen = []

    def hook(name):
        def record(_m, inputs, output):
            seen.append((name, inputs[0].min().item(), inputs[0].max().item(), output.min().item(), output.max().item()))
        return record

    ops = [n for n, m in model.named_modules() if type(m) in NAMES]
    # an op's own parts (the Conv2d inside a ConvReLU2d) are not ops
    ops = [n for n in ops if not any(n.startswith(o + '.') for o in ops)]
    handles = [model.get_submodule(n).register_forward_hook(hook(n)) for n in ops]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return seen


def multiplier(lo, hi):
    """IPEX's multiplier and whether uint8 is used: 255/max for non-negative data, else 127.5/max|x|."""
    if lo >= 0:
        return 255.0 / hi, True
    return 127.5 / max(abs(lo), abs(hi)), False


def calibration(model, batches):
    ranges = collections.OrderedDict()
    for x in batches:
        for name, ilo, ihi, olo, ohi in ordered_ops(model, x):
            r = ranges.setdefault(name, [ilo, ihi, olo, ohi])
            r[:] = [min(r[0], ilo), max(r[1], ihi), min(r[2], olo), max(r[3], ohi)]
    return ranges


def ipex_config(model, ranges, fp32_ops, granularity):
    ops = []
    modules = dict(model.named_modules())
    for i, (name, (ilo, ihi, olo, ohi)) in enumerate(ranges.items()):
        im, iu = multiplier(ilo, ihi)
        om, ou = multiplier(olo, ohi)
        ops.append(collections.OrderedDict([
            ('id', i), ('name', NAMES[type(modules[name])]), ('algorithm', 'min_max'),
            ('weight_granularity', granularity[name]), ('inputs_scale', [im]), ('outputs_scale', [om]),
            ('inputs_uint8_used', [iu]), ('outputs_uint8_used', [ou]), ('quantized', name not in fp32_ops)]))
    return ops


def as_quint8(scale, zp, uint8):
    return scale, zp if uint8 else zp + 128


class QuantizedOp(nn.Module):
    """quantize the input, run the int8 kernel, dequantize: the IPEX op semantics above."""

    def __init__(self, module, op):
        super().__init__()
        conv = module[0] if isinstance(module, nn.Sequential) else module
        relu = isinstance(module, nn.Sequential)
        w = conv.weight.detach()
        if op['weight_granularity'] == 'per_channel':
            amax = w.abs().flatten(1).max(dim=1).values.double()
            scales = torch.where(amax > 0, amax / 127.5, torch.ones_like(amax))
            wq = torch.quantize_per_channel(w, scales, torch.zeros(len(scales), dtype=torch.long), 0, torch.qint8)
        else:
            amax = w.abs().max().item()
            wq = torch.quantize_per_tensor(w, amax / 127.5 if amax > 0 else 1.0, 0, torch.qint8)
        b = None if conv.bias is None else conv.bias.detach()
        zp_in = (op.get('inputs_zero_point') or [0])[0]
        zp_out = (op.get('outputs_zero_point') or [0])[0]
        self.qin = as_quint8(1.0 / op['inputs_scale'][0], zp_in, op['inputs_uint8_used'][0])
        self.qout = as_quint8(1.0 / op['outputs_scale'][0], zp_out, op['outputs_uint8_used'][0])
        if isinstance(conv, nn.Conv2d):
            self.packed = torch.ops.quantized.conv2d_prepack(wq, b, list(conv.stride), list(conv.padding),
                                                             list(conv.dilation), conv.groups)
            self.op = torch.ops.quantized.conv2d_relu if relu else torch.ops.quantized.conv2d
        else:
            self.packed = torch.ops.quantized.linear_prepack(wq, b)
            self.op = torch.ops.quantized.linear_relu if relu else torch.ops.quantized.linear

    def forward(self, x):
        xq = torch.quantize_per_tensor(x, self.qin[0], self.qin[1], torch.quint8)
        return torch.dequantize(self.op(xq, self.packed, self.qout[0], self.qout[1]))


def ipex_load(model, ops, x):
    """The int8 model the JSON describes, built on a copy of the fused fp32 model."""
    import copy
    q = copy.deepcopy(model).eval()
    order = [r[0] for r in ordered_ops(q, x)]
    assert len(order) == len(ops), (order, ops)
    modules = dict(q.named_modules())
    for path, op in zip(order, ops):
        assert NAMES[type(modules[path])] == op['name'], (path, op['name'])
        if op['quantized']:
            parent = q.get_submodule(path.rsplit('.', 1)[0]) if '.' in path else q
            setattr(parent, path.rsplit('.', 1)[-1], QuantizedOp(modules[path], op))
    return q


def generate(out):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = tq.fuse_modules(IpexNet().eval(), [['conv1', 'relu1']])
    g = torch.Generator().manual_seed(5)
    batches = [torch.randn(2, 3, 8, 8, generator=g) for _ in range(8)]
    ranges = calibration(model, batches)
    ops = ipex_config(model, ranges, fp32_ops={'conv2'},
                      granularity={'conv1': 'per_channel', 'conv2': 'per_channel', 'fc': 'per_tensor'})
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        y = ipex_load(model, ops, x)(x)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'best_configure.json'), 'w') as f:
        json.dump(ops, f)
    torch.save(model.state_dict(), os.path.join(out, 'fp32_sd.pt'))
    torch.save(x, os.path.join(out, 'input.pt'))
    torch.save(y, os.path.join(out, 'output.pt'))
    steps = {op['name'] + str(op['id']): 1.0 / op['outputs_scale'][0] for op in ops}
    case = collections.OrderedDict([('model', 'IpexNet'), ('fused', [['conv1', 'relu1']]),
                                    ('input_shape', list(x.shape)), ('output_scale', 1.0 / ops[-1]['outputs_scale'][0]),
                                    ('op_output_scales', steps), ('torch_version', torch.__version__)])
    with open(os.path.join(out, 'case.json'), 'w') as f:
        f.write(json.dumps(case, indent=1) + '\n')


def run(checkpoint, output):
    torch.set_num_threads(1)
    model = tq.fuse_modules(IpexNet().eval(), [['conv1', 'relu1']])
    model.load_state_dict(torch.load(os.path.join(checkpoint, 'fp32_sd.pt')), strict=True)
    with open(os.path.join(checkpoint, 'best_configure.json')) as f:
        ops = json.load(f)
    x = torch.load(os.path.join(checkpoint, 'input.pt'))
    with torch.no_grad():
        torch.save(ipex_load(model, ops, x)(x), output)


if __name__ == '__main__':
    if sys.argv[1:] == ['generate']:
        generate(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or DEFAULT_OUT)
    elif len(sys.argv) == 4 and sys.argv[1] == 'run':
        run(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
