"""Small TorchScript files for io.qcheckpoint.torchscript's tests, made by torch 1.13: a tiny quantizable CNN traced
and scripted (with its input and float output), and hostile archives.

usage: /usr/bin/python3 src/test/python/torchscript_fixtures.py generate
    writes into src/test/resources/fixtures/torchscript/ ($QCHECKPOINT_FIXTURES_OUT instead if set):
        tiny_trace.pt, tiny_script.pt   TinyNet (QuantStub, fused ConvReLU2d, Conv2d, FloatFunctional add_relu, ReLU6,
                                        MaxPool2d, AdaptiveAvgPool2d, Flatten, Dropout, Linear, DeQuantStub) with
                                        seeded weights, traced on input.pt / scripted
        input.pt, float_output.pt       its input [2, 3, 8, 8] and torch's output
        hostile_global.pt               tiny_trace.pt whose data.pkl names os.system instead of
                                        torch._utils._rebuild_tensor_v2
        hostile_truncated.pt            tiny_trace.pt whose first storage record is 8 bytes short of its tensor
        hostile_op.pt                   a scripted model calling torch.cumsum, which the op table lacks
        hostile_loop.pt                 a scripted model with a for loop
        hostile_stub.pt                 a traced model whose QuantStub acts first in a submodule with two inputs
        expected.json                   {file: what the test expects}
        tiny_ops.json                   the ops LPOT lists for TinyNet, static approach: [[name, type], ...]
        refnet_trace.pt                 the serving example's model (lpot_models.RefNet, conv + relu fused, the
                                        lpot15_static fixture's fp32_sd.pt) traced on that fixture's input.pt;
                                        examples/serve-lpot-checkpoint/fp32.pt is a copy
Deterministic: fixed seeds, PYTHONHASHSEED=0 (the script restarts itself with it), fixed zip record dates; running
it twice gives identical bytes.
"""
import json
import os
import sys
import zipfile

import torch
from torch import nn
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, '..', 'resources', 'fixtures', 'torchscript')


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=False)
        self.skip = nn.quantized.FloatFunctional()
        self.act = nn.ReLU6()
        self.pool = nn.MaxPool2d(2, stride=2)
        self.avg = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(8, 5)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        y = self.relu1(self.conv1(x))
        y = self.skip.add_relu(self.conv2(y), y)
        y = self.avg(self.pool(self.act(y)))
        return self.dequant(self.fc(self.drop(self.flatten(y))))


class CumsumNet(nn.Module):
    def forward(self, x):
        return torch.cumsum(x, 1)


class LoopNet(nn.Module):
    def forward(self, x):
        for _ in range(2):
            x = x + 1
        return x


class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()

    def forward(self, a, b):
        a = self.quant(a)
        return a + b


class PairNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.pair = Pair()

    def forward(self, x):
        return self.pair(x, x * 2)


def tiny():
    torch.manual_seed(2024)
    m = TinyNet().eval()
    tq.fuse_modules(m, [['conv1', 'relu1']], inplace=True)
    return m


def rewrite(src, dst, change):
    """Copies the zip src to dst, passing each record's (name, bytes) through change."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            # torch's own record date, not today's: the files come out the same on every run
            out = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zout.writestr(out, change(info.filename, zin.read(info.filename)))


def refnet_trace(lpot_models, path):
    """The serving example's float model, traced: RefNet fused as LPOT v1.5 tuned it, with its float weights."""
    case = os.path.join(HERE, '..', 'resources', 'fixtures', 'lpot', 'lpot15_static')
    model = lpot_models.RefNet()
    tq.fuse_modules(model.eval(), [['conv', 'relu']], inplace=True)
    model.load_state_dict(torch.load(os.path.join(case, 'fp32_sd.pt')))
    with torch.no_grad():
        torch.jit.trace(model, torch.load(os.path.join(case, 'input.pt'))).save(path)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    m = tiny()
    x = torch.randn([2, 3, 8, 8], generator=torch.Generator().manual_seed(77))
    with torch.no_grad():
        y = m(x)
        torch.jit.trace(m, x).save(os.path.join(out, 'tiny_trace.pt'))
        torch.jit.script(m).save(os.path.join(out, 'tiny_script.pt'))
        torch.jit.script(CumsumNet()).save(os.path.join(out, 'hostile_op.pt'))
        torch.jit.script(LoopNet()).save(os.path.join(out, 'hostile_loop.pt'))
        torch.jit.trace(PairNet().eval(), x).save(os.path.join(out, 'hostile_stub.pt'))
    torch.save(x, os.path.join(out, 'input.pt'))
    sys.path.insert(0, HERE)
    import lpot_models
    with open(os.path.join(out, 'tiny_ops.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps([list(op) for op in lpot_models.quantizable_ops(m, lpot_models.STATIC)]) + '\n')
    torch.save(y, os.path.join(out, 'float_output.pt'))
    refnet_trace(lpot_models, os.path.join(out, 'refnet_trace.pt'))

    def global_os(name, data):
        if not name.endswith('/data.pkl'):
            return data
        old = b'ctorch._utils\n_rebuild_tensor_v2\n'
        assert old in data
        return data.replace(old, b'cos\nsystem\n', 1)
    rewrite(os.path.join(out, 'tiny_trace.pt'), os.path.join(out, 'hostile_global.pt'), global_os)

    def truncate(name, data):
        return data[:-8] if name.endswith('/data/0') else data
    rewrite(os.path.join(out, 'tiny_trace.pt'), os.path.join(out, 'hostile_truncated.pt'), truncate)

    expected = {
        'hostile_global.pt': "global 'os.system' is not on the allowlist",
        'hostile_truncated.pt': 'storage 0 declares',
        'hostile_op.pt': "operation 'torch.cumsum' is not supported",
        'hostile_loop.pt': "'for' statements are not supported",
        'hostile_stub.pt': 'QuantStub quant is called before any statement of a method with 2 inputs',
    }
    with open(os.path.join(out, 'expected.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(expected, indent=1, sort_keys=True) + '\n')


if __name__ == '__main__':
    if sys.argv[1:] != ['generate']:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    if os.environ.get('PYTHONHASHSEED') != '0':
        # the TorchScript compiler's class numbering (___torch_mangle_N) follows string hashes
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED='0'))
    main(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or DEFAULT_OUT)
