"""Float torch.nn modules, fused modules and fuse_modules, with real PyTorch 1.13 as the oracle for QCheckpoint's
float nn tests (io.qcheckpoint.nn / io.qcheckpoint.quantization).

usage (from any directory):
    /usr/bin/python3 src/test/python/float_oracle.py generate
        writes the fixtures into src/test/resources/fixtures/nn-float/ ($QCHECKPOINT_FIXTURES_OUT instead if set)
    /usr/bin/python3 src/test/python/float_oracle.py check DIR CASE...
        for each CASE: builds the case's torch model exactly as `generate` does, load_state_dict(torch.load(
        DIR/CASE.sd.pt), strict=True), puts it in eval mode, runs it on the case's committed input and prints one JSON
        object {CASE: {"keys": [...], "metadata": {prefix: version}, "shape": [...], "output": [flat floats]}}.
        Any error (unknown case, missing/unexpected keys, wrong shapes) exits 1 with "error: ..." on stderr.

Cases (the module trees are a contract: the Java tests rebuild the same trees under the same names):
    module cases      one module or model each; CASE.sd.pt = state_dict(), CASE.io.pt = {"input", "output"} in eval
                      mode (BatchNorm cases first get seeded random weight/bias/running stats).
    bn training cases CASE.sd.pt before; CASE.io.pt = {"input", "output", "input2", "output2", "running_mean",
                      "running_var", "num_batches_tracked"}: two forwards in training mode, the buffers after both.
    quantized cases   q_*: a parameterless module run on torch.quantize_per_tensor(input, scale, zero_point, quint8);
                      CASE.io.pt = {"input", "scale", "zero_point", "output" (dequantized), "output_scale",
                      "output_zero_point"}; no state dict.
    quantized module cases
                      qm_*: a torch.ao.nn.quantized module with its own output qparams, run on a quint8 input;
                      CASE.io.pt = {"input" (the dequantized input), "scale", "zero_point", "output" (dequantized),
                      "output_scale", "output_zero_point"}; no state dict (its qparams are attributes).
    fusion cases      fuse_*: CASE.sd.pt = the unfused model's state_dict, CASE.fused.sd.pt = the state_dict of
                      torch.ao.quantization.fuse_modules(model, groups) (fuse_modules_qat for *_qat cases),
                      CASE.io.pt = {"input", "output" (unfused), "fused_output"} (eval mode; training mode for qat).
    manifest.json     per case: "modules" = named_modules() as [path, class name, training], "groups" and
                      "fused_modules" for fusion cases.

Deterministic: fixed seeds, one intra-op thread; running it twice gives byte-identical files (torch.save names a
zip's root folder after the file, so the names are fixed too).
"""
import collections
import json
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.ao.quantization as tq
import torch.ao.nn.quantized as nnq
from torch.ao.nn.quantized import FloatFunctional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'nn-float')

warnings.filterwarnings('ignore')
torch.set_num_threads(1)


# ----------------------------------------------------------------------------------------------
# Models with named children (the Java tests define the same trees).

class FuncNet(nn.Module):
    """Every FloatFunctional op."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        self.f_add = FloatFunctional()
        self.f_add_relu = FloatFunctional()
        self.f_mul = FloatFunctional()
        self.f_scalar = FloatFunctional()
        self.f_cat = FloatFunctional()

    def forward(self, x):
        y = self.conv(x)
        a = self.f_add.add(x, y)
        b = self.f_add_relu.add_relu(a, x)
        c = self.f_mul.mul(b, y)
        d = self.f_scalar.mul_scalar(self.f_scalar.add_scalar(c, 0.5), -1.5)
        return self.f_cat.cat([a, d], dim=1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.inner = nn.Sequential(nn.Conv2d(4, 4, 1), nn.ReLU6())
        self.skip = FloatFunctional()

    def forward(self, x):
        return self.skip.add(self.inner(self.relu(self.bn1(self.conv1(x)))), x)


class Nested(nn.Module):
    """A nested tree: named_modules() order, keys and _metadata through several levels."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.block = Block()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(4, 3))
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.head(self.pool(self.block(self.stem(self.quant(x))))))


class FuseNet(nn.Module):
    """Every 2-d and linear fusion pattern, with and without conv bias."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, groups=2)
        self.bn2 = nn.BatchNorm2d(4, eps=1e-3)
        self.conv3 = nn.Conv2d(4, 4, 1)
        self.relu3 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten()
        self.fc1 = nn.Linear(4, 6)
        self.bn_fc = nn.BatchNorm1d(6)
        self.fc2 = nn.Linear(6, 3)
        self.relu_fc = nn.ReLU()

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.relu3(self.conv3(self.bn2(self.conv2(x))))
        x = self.bn_fc(self.fc1(self.flat(self.pool(x))))
        return self.relu_fc(self.fc2(x))


class QatNet(nn.Module):
    """The QAT fusion patterns (2-d)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(4)
        self.conv3 = nn.Conv2d(4, 2, 1)
        self.relu3 = nn.ReLU()
        self.flat = nn.Flatten()
        self.fc = nn.Linear(2 * 4 * 4, 3)
        self.relu_fc = nn.ReLU()

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.relu3(self.conv3(self.bn2(self.conv2(x))))
        return self.relu_fc(self.fc(self.flat(x)))


def fuse_1d():
    return nn.Sequential(nn.Sequential(nn.Conv1d(2, 3, 3, padding=1), nn.BatchNorm1d(3), nn.ReLU()),
                         nn.Conv1d(3, 4, 2, stride=2, bias=False), nn.BatchNorm1d(4, eps=1e-2), nn.Conv1d(4, 4, 1),
                         nn.ReLU())


def fuse_3d():
    return nn.Sequential(nn.Conv3d(2, 4, 3, padding=1, bias=False), nn.BatchNorm3d(4), nn.ReLU(),
                         nn.Conv3d(4, 2, (1, 2, 2), stride=(1, 2, 2)), nn.BatchNorm3d(2), nn.Conv3d(2, 2, 1),
                         nn.ReLU())


# ----------------------------------------------------------------------------------------------
# The cases: name -> (model factory, input shape).

MODULE_CASES = collections.OrderedDict([
    ('linear', (lambda: nn.Linear(5, 3), (4, 5))),
    ('linear_nobias', (lambda: nn.Linear(5, 3, bias=False), (2, 3, 5))),
    ('conv1d', (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=2, dilation=2), (2, 3, 11))),
    ('conv2d', (lambda: nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False), (2, 4, 9, 9))),
    ('conv2d_rect', (lambda: nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0)), (1, 3, 7, 6))),
    ('conv2d_unbatched', (lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 5, 4))),
    ('conv3d', (lambda: nn.Conv3d(2, 4, (2, 3, 3), stride=(1, 2, 2), padding=1, groups=2), (1, 2, 4, 6, 6))),
    ('bn1d', (lambda: nn.BatchNorm1d(4, eps=1e-3, momentum=0.3), (5, 4))),
    ('bn1d_3d', (lambda: nn.BatchNorm1d(4), (2, 4, 6))),
    ('bn2d', (lambda: nn.BatchNorm2d(3), (2, 3, 4, 5))),
    ('bn2d_noaffine', (lambda: nn.BatchNorm2d(3, affine=False), (2, 3, 4, 5))),
    ('bn2d_notrack', (lambda: nn.BatchNorm2d(3, track_running_stats=False), (2, 3, 4, 5))),
    ('bn3d', (lambda: nn.BatchNorm3d(2), (1, 2, 3, 4, 5))),
    ('relu', (lambda: nn.ReLU(), (3, 7))),
    ('relu6', (lambda: nn.ReLU6(), (3, 7))),
    ('hardswish', (lambda: nn.Hardswish(), (4, 25))),
    ('hardsigmoid', (lambda: nn.Hardsigmoid(), (4, 25))),
    ('identity', (lambda: nn.Identity(), (2, 3))),
    ('dropout', (lambda: nn.Dropout(0.3), (4, 5))),
    ('flatten', (lambda: nn.Flatten(), (2, 3, 4, 5))),
    ('flatten_mid', (lambda: nn.Flatten(1, 2), (2, 3, 4, 5))),
    ('maxpool', (lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 9, 10))),
    ('maxpool_default', (lambda: nn.MaxPool2d(2), (1, 2, 5, 7))),
    ('maxpool_dilated', (lambda: nn.MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True), (1, 2, 11, 12))),
    ('maxpool_dilated_rect', (lambda: nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1)),
                              (2, 6, 7))),
    ('avgpool', (lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                 (2, 3, 9, 10))),
    ('avgpool_pad', (lambda: nn.AvgPool2d(3, stride=2, padding=1), (1, 2, 7, 8))),
    ('avgpool_default', (lambda: nn.AvgPool2d(2), (1, 2, 5, 6))),
    ('adaptive', (lambda: nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8))),
    ('adaptive_1', (lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 5, 5))),
    ('adaptive_unbatched', (lambda: nn.AdaptiveAvgPool2d((3, 2)), (3, 7, 5))),
    ('sequential', (lambda: nn.Sequential(tq.QuantStub(), nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 5), nn.ReLU6(), nn.Dropout(0.2),
                                          tq.DeQuantStub()), (2, 3, 8, 8))),
    ('functional', (FuncNet, (2, 3, 4, 4))),
    ('nested', (Nested, (2, 3, 8, 8))),
])

BN_TRAIN_CASES = collections.OrderedDict([
    ('bn2d_train', (lambda: nn.BatchNorm2d(3, momentum=0.2), (4, 3, 3, 5))),
    ('bn1d_train_cma', (lambda: nn.BatchNorm1d(3, momentum=None), (6, 3))),
])

# (base module case, scale, zero point)
QUANTIZED_CASES = collections.OrderedDict([
    ('q_relu', ('relu', 0.05, 64)),
    ('q_hardsigmoid', ('hardsigmoid', 0.05, 128)),
    ('q_identity', ('identity', 0.05, 64)),
    ('q_dropout', ('dropout', 0.05, 64)),
    ('q_flatten', ('flatten', 0.05, 64)),
    ('q_maxpool', ('maxpool', 0.03, 100)),
    ('q_avgpool', ('avgpool', 0.03, 100)),
    ('q_avgpool_pad', ('avgpool_pad', 0.03, 100)),
    ('q_adaptive', ('adaptive', 0.03, 100)),
    ('q_adaptive_1', ('adaptive_1', 0.03, 100)),
])

# quantized modules with output qparams of their own: (module, base module case for the input's shape, input scale,
# input zero point)
QUANTIZED_MODULE_CASES = collections.OrderedDict([
    ('qm_hardswish', (lambda: nnq.Hardswish(0.04, 100), 'hardswish', 0.05, 128)),
])

FUSION_CASES = collections.OrderedDict([
    ('fuse_2d', (FuseNet, (2, 3, 8, 8),
                 [['conv1', 'bn1', 'relu1'], ['conv2', 'bn2'], ['conv3', 'relu3'], ['fc1', 'bn_fc'], ['fc2', 'relu_fc']],
                 False)),
    ('fuse_1d', (fuse_1d, (2, 2, 8), [['0.0', '0.1', '0.2'], ['1', '2'], ['3', '4']], False)),
    ('fuse_3d', (fuse_3d, (1, 2, 4, 6, 6), [['0', '1', '2'], ['3', '4'], ['5', '6']], False)),
    ('fuse_qat', (QatNet, (3, 3, 6, 6),
                  [['conv1', 'bn1', 'relu1'], ['conv2', 'bn2'], ['conv3', 'relu3'], ['fc', 'relu_fc']], True)),
])


def seed_for(name):
    return sum(ord(c) * (i + 1) for i, c in enumerate(name))


def randomize_batch_norms(model, gen):
    """Seeded non-trivial weight/bias/running stats, so that normalization and folding are really exercised."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                if m.affine:
                    m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                    m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.5)
                if m.track_running_stats:
                    m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.3)
                    m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.4)
                    m.num_batches_tracked.fill_(5)


def build(name, factory):
    """The case's model: seeded parameters, seeded batch norms. Same on every call."""
    torch.manual_seed(seed_for(name))
    model = factory()
    randomize_batch_norms(model, torch.Generator().manual_seed(seed_for(name) + 1))
    return model


def case_input(name, shape, offset=2):
    gen = torch.Generator().manual_seed(seed_for(name) + offset)
    return torch.randn(*shape, generator=gen) * 2


def described_modules(model):
    return [[path, type(m).__name__, m.training] for path, m in model.named_modules()]


def metadata(sd):
    return {k: v.get('version') for k, v in sd._metadata.items()}


def generate(out):
    os.makedirs(out, exist_ok=True)
    manifest = collections.OrderedDict()
    with torch.no_grad():
        for name, (factory, shape) in MODULE_CASES.items():
            model = build(name, factory).eval()
            x = case_input(name, shape)
            torch.save(model.state_dict(), os.path.join(out, name + '.sd.pt'))
            torch.save({'input': x, 'output': model(x)}, os.path.join(out, name + '.io.pt'))
            manifest[name] = {'modules': described_modules(model)}

        for name, (factory, shape) in BN_TRAIN_CASES.items():
            model = build(name, factory).train()
            torch.save(model.state_dict(), os.path.join(out, name + '.sd.pt'))
            x, x2 = case_input(name, shape), case_input(name, shape, 3)
            io = {'input': x, 'output': model(x), 'input2': x2, 'output2': model(x2),
                  'running_mean': model.running_mean, 'running_var': model.running_var,
                  'num_batches_tracked': model.num_batches_tracked}
            torch.save(io, os.path.join(out, name + '.io.pt'))
            manifest[name] = {'modules': described_modules(model)}

        for name, (base, scale, zero_point) in QUANTIZED_CASES.items():
            factory, shape = MODULE_CASES[base]
            model = build(base, factory).eval()
            x = case_input(name, shape)
            q = torch.quantize_per_tensor(x, scale, zero_point, torch.quint8)
            y = model(q)
            assert y.is_quantized, name
            torch.save({'input': x, 'scale': scale, 'zero_point': zero_point, 'output': y.dequantize(),
                        'output_scale': y.q_scale(), 'output_zero_point': y.q_zero_point()},
                       os.path.join(out, name + '.io.pt'))
            manifest[name] = {'base': base}

        for name, (factory, base, scale, zero_point) in QUANTIZED_MODULE_CASES.items():
            model = build(name, factory).eval()
            q = torch.quantize_per_tensor(case_input(name, MODULE_CASES[base][1]), scale, zero_point, torch.quint8)
            y = model(q)
            torch.save({'input': q.dequantize(), 'scale': scale, 'zero_point': zero_point, 'output': y.dequantize(),
                        'output_scale': y.q_scale(), 'output_zero_point': y.q_zero_point()},
                       os.path.join(out, name + '.io.pt'))
            manifest[name] = {'modules': described_modules(model), 'base': base}

    for name, (factory, shape, groups, qat) in FUSION_CASES.items():
        model = build(name, factory).train(qat)
        x = case_input(name, shape)
        fused = (tq.fuse_modules_qat if qat else tq.fuse_modules)(model, groups)
        torch.save(model.state_dict(), os.path.join(out, name + '.sd.pt'))
        torch.save(fused.state_dict(), os.path.join(out, name + '.fused.sd.pt'))
        with torch.no_grad():
            # both forwards in the same mode; in training mode each updates only its own model's running stats
            io = {'input': x, 'output': model(x), 'fused_output': fused(x)}
        torch.save(io, os.path.join(out, name + '.io.pt'))
        manifest[name] = {'modules': described_modules(model), 'groups': groups, 'qat': qat,
                          'fused_modules': described_modules(fused)}

    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        f.write('{\n' + ',\n'.join(json.dumps(k) + ': ' + json.dumps(v) for k, v in manifest.items()) + '\n}\n')


def check(directory, names):
    fixtures = os.environ.get('QCHECKPOINT_FIXTURES_OUT') or FIXTURES
    result = collections.OrderedDict()
    for name in names:
        if name in MODULE_CASES:
            factory, _ = MODULE_CASES[name]
        elif name in BN_TRAIN_CASES:
            factory, _ = BN_TRAIN_CASES[name]
        else:
            raise ValueError('unknown case ' + name)
        model = build(name, factory)
        sd = torch.load(os.path.join(directory, name + '.sd.pt'))
        model.load_state_dict(sd, strict=True)
        model.eval()
        x = torch.load(os.path.join(fixtures, name + '.io.pt'))['input']
        with torch.no_grad():
            y = model(x)
        result[name] = {'keys': list(sd.keys()), 'metadata': metadata(sd), 'shape': list(y.shape),
                        'output': [float(v) for v in y.reshape(-1).tolist()]}
    print(json.dumps(result))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == 'generate':
        generate(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or FIXTURES)
    elif len(sys.argv) >= 4 and sys.argv[1] == 'check':
        try:
            check(sys.argv[2], sys.argv[3:])
        except Exception as e:  # noqa: BLE001 (any failure is the answer)
            print('error: %s: %s' % (type(e).__name__, e), file=sys.stderr)
            sys.exit(1)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
