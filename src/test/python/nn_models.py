"""Eager-mode quantized PyTorch models for QCheckpoint's nn tests, with real PyTorch 1.13 as the oracle.

usage (from any directory):
    /usr/bin/python3 src/test/python/nn_models.py generate
        writes the fixtures into src/test/resources/fixtures/nn-quant/ ($QCHECKPOINT_FIXTURES_OUT instead if set)
    /usr/bin/python3 src/test/python/nn_models.py check MODEL STATE_DICT INPUT OUTPUT
        builds MODEL's quantized model exactly as `generate` does (same fusion, qconfig, prepare, calibration,
        convert), load_state_dict(torch.load(STATE_DICT), strict=True), runs it on the tensor in INPUT (a .pt
        holding one tensor), torch.saves the output tensor to OUTPUT and prints JSON to stdout:
        {"keys": [STATE_DICT's keys in order], "metadata": {prefix: version} of STATE_DICT's _metadata,
         "input_shape": [...], "output_shape": [...], "engine": ..., "entry_mismatches": [...]}.
        entry_mismatches lists entries whose kind (tensor dtype/shape/qscheme, or Python type) differs from the
        state_dict torch itself produces for that model: torch's load_state_dict accepts some of those (it
        converts scales with float(), copies into existing buffers) but a reader of the file might not.
        Any error (unknown model, load failure, missing/unexpected keys, non-tensor input or output) exits 1
        with "error: ..." on stderr.
    /usr/bin/python3 src/test/python/nn_models.py check-float MODEL STATE_DICT INPUT OUTPUT
        the same for the float model (unfused, not quantized, eval mode).
    /usr/bin/python3 src/test/python/nn_models.py bench-models OUTDIR
        writes the bigger bench_mlp and bench_cnn models into OUTDIR (not committed: several MB): for each
        m.float_sd.pt, m.q_sd.pt, m.input.pt, m.q_output.pt, m.json and m.ts.pt (torch.jit.script of the
        quantized model, checked to load back and give q_output exactly). The .ts.pt bytes can vary between runs
        (TorchScript writes a module's Final constants in set order); the other files do not.

Models (the module tree names are a contract: the Java side rebuilds the same trees): see the classes below.
Static models are calibrated on 8 seeded torch.randn batches of the input shape; every BatchNorm gets seeded
random weight/bias/running stats (and num_batches_tracked = 5) before model.eval(), fusion, prepare, convert.

For every model m, `generate` writes
    m.float_sd.pt      state_dict of the float, unfused model (eval mode), torch.save default (zip)
    m.q_sd.pt          state_dict of the converted quantized model
    m.input.pt         one seeded test input (not one of the calibration batches)
    m.float_output.pt  the float model's output on it
    m.q_output.pt      the quantized model's output on it (a float tensor)
    m.json             {"model", "engine", "input_shape", "output_shape", "output_scale", "output_zero_point",
                        "fused", "qconfig", "modules" (path -> class name, named_modules() of the quantized model),
                        "module_classes" (path -> module.qualname), "keys", "metadata", "entries" (key -> kind),
                        "other_engine" (the same q_sd loaded and run under the other engine), "note", ...}

Deterministic: fixed seeds, one intra-op thread, torch.use_deterministic_algorithms; running it twice gives
byte-identical files (torch.save names a zip's root folder after the file, so the names are fixed too).
"""
import collections
import copy
import json
import os
import sys
import warnings

import torch
import torch.nn as nn
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DEFAULT_OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'nn-quant')

warnings.filterwarnings('ignore')

# torch 1.13 bug: a quantized Embedding(Bag)'s unpacked weight (in its state_dict) reads its per-channel scales
# from the packed params' memory, which is freed with the module: the saved scales become garbage. None of these
# models has one, but every model stays alive here until the process ends all the same.
KEEP_ALIVE = []

FloatFunctional = nn.quantized.FloatFunctional


def setup_determinism():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# ----------------------------------------------------------------------------------------------
# qconfigs

def qconfig_per_tensor():
    return tq.QConfig(activation=tq.HistogramObserver.with_args(reduce_range=True),
                      weight=tq.MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric))


def qconfig_per_channel():
    return tq.QConfig(activation=tq.HistogramObserver.with_args(reduce_range=True),
                      weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8,
                                                                   qscheme=torch.per_channel_symmetric))


QCONFIG_TEXT = {
    'per_tensor': 'QConfig(activation=HistogramObserver(reduce_range=True) [quint8, per_tensor_affine, 0..127], '
                  'weight=MinMaxObserver(dtype=qint8, qscheme=per_tensor_symmetric))',
    'per_channel': 'QConfig(activation=HistogramObserver(reduce_range=True) [quint8, per_tensor_affine, 0..127], '
                   'weight=PerChannelMinMaxObserver(dtype=qint8, qscheme=per_channel_symmetric, ch_axis=0))',
    'dynamic': 'quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8): default_dynamic_qconfig = '
               'QConfig(activation=PlaceholderObserver(dtype=quint8, compute_dtype=quint8), '
               'weight=MinMaxObserver(dtype=qint8, qscheme=per_tensor_symmetric))',
}


# ----------------------------------------------------------------------------------------------
# Models

class MLP(nn.Module):
    """quant -> fc1(16,32) -> relu1 -> fc2(32,32) -> relu2 -> fc3(32,8) -> dequant; input [4, 16]."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.fc1 = nn.Linear(16, 32)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(32, 32)
        self.relu2 = nn.ReLU()
        self.fc3 = nn.Linear(32, 8)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc3(self.relu2(self.fc2(self.relu1(self.fc1(self.quant(x)))))))


class CNN(nn.Module):
    """Input [2, 3, 16, 16].

    x = quant(x); a = relu1(bn1(conv1(x))); b = bn2(conv2(a)); c = skip.add_relu(b, a); c = pool(c);
    d = relu3(conv3(c)); e = flatten(avgpool(d)); return dequant(fc(e))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.skip = FloatFunctional()
        self.pool = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2)
        self.relu3 = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a = self.relu1(self.bn1(self.conv1(x)))
        b = self.bn2(self.conv2(a))
        c = self.skip.add_relu(b, a)
        c = self.pool(c)
        d = self.relu3(self.conv3(c))
        e = self.flatten(self.avgpool(d))
        return self.dequant(self.fc(e))


class Ops(nn.Module):
    """Input [2, 4, 16].

    x = quant(x); a = relu(conv(x)); b = f_mul.mul(a, a); c = f_cat.cat([a, b], dim=1);
    d = f_adds.add_scalar(c, 0.5); e = f_muls.mul_scalar(d, 0.75); f = f_add.add(e, e); return dequant(f)
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv1d(4, 6, 3, stride=2, padding=1)
        self.relu = nn.ReLU()
        self.f_mul = FloatFunctional()
        self.f_cat = FloatFunctional()
        self.f_adds = FloatFunctional()
        self.f_muls = FloatFunctional()
        self.f_add = FloatFunctional()
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a = self.relu(self.conv(x))
        b = self.f_mul.mul(a, a)
        c = self.f_cat.cat([a, b], dim=1)
        d = self.f_adds.add_scalar(c, 0.5)
        e = self.f_muls.mul_scalar(d, 0.75)
        f = self.f_add.add(e, e)
        return self.dequant(f)


class Conv3dNet(nn.Module):
    """quant -> conv(Conv3d(2,4,3,padding=1)) -> relu -> conv2(Conv3d(4,4,(1,3,3),stride=(1,2,2))) -> dequant;
    input [1, 2, 4, 8, 8]."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv3d(2, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv3d(4, 4, (1, 3, 3), stride=(1, 2, 2))
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.conv2(self.relu(self.conv(self.quant(x)))))


class BNNet(nn.Module):
    """quant -> conv(Conv2d(3,4,3)) -> bn(BatchNorm2d(4), not fused) -> relu -> dequant; input [2, 3, 8, 8]."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.relu(self.bn(self.conv(self.quant(x)))))


class DynamicMLP(nn.Module):
    """fc1(16,32) -> relu -> fc2(32,4), float in and out; input [3, 16]."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


class BenchMLP(nn.Module):
    """quant -> fc1(1024,1024) -> relu1 -> fc2(1024,1024) -> relu2 -> fc3(1024,1024) -> dequant; input [64, 1024]."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.fc1 = nn.Linear(1024, 1024)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(1024, 1024)
        self.relu2 = nn.ReLU()
        self.fc3 = nn.Linear(1024, 1024)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc3(self.relu2(self.fc2(self.relu1(self.fc1(self.quant(x)))))))


class BenchCNN(nn.Module):
    """A small ResNet-style CNN, one flat module (no nesting); input [8, 3, 64, 64]. Every conv has bias=False
    (ResNet style: the fused conv gets its bias from the folded BatchNorm).

    children, in order:
        quant       QuantStub()
        stem        Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        stem_bn     BatchNorm2d(64)
        stem_relu   ReLU()
        s1_conv1    Conv2d(64, 64, 3, stride=1, padding=1, bias=False)
        s1_bn1      BatchNorm2d(64)
        s1_relu1    ReLU()
        s1_conv2    Conv2d(64, 64, 3, stride=1, padding=1, bias=False)
        s1_bn2      BatchNorm2d(64)
        s1_add      FloatFunctional()
        s2_conv1    Conv2d(64, 128, 3, stride=2, padding=1, bias=False)
        s2_bn1      BatchNorm2d(128)
        s2_relu1    ReLU()
        s2_conv2    Conv2d(128, 128, 3, stride=1, padding=1, bias=False)
        s2_bn2      BatchNorm2d(128)
        s2_down     Conv2d(64, 128, 1, stride=2, bias=False)
        s2_down_bn  BatchNorm2d(128)
        s2_add      FloatFunctional()
        avgpool     AdaptiveAvgPool2d(1)
        flatten     Flatten()
        fc          Linear(128, 10)
        dequant     DeQuantStub()

    forward:
        x = quant(x)
        x = stem_relu(stem_bn(stem(x)))                      # [8, 64, 64, 64]
        y = s1_relu1(s1_bn1(s1_conv1(x)))
        y = s1_bn2(s1_conv2(y))
        x = s1_add.add_relu(y, x)                            # [8, 64, 64, 64]
        y = s2_relu1(s2_bn1(s2_conv1(x)))
        y = s2_bn2(s2_conv2(y))
        r = s2_down_bn(s2_down(x))
        x = s2_add.add_relu(y, r)                            # [8, 128, 32, 32]
        x = flatten(avgpool(x))                              # [8, 128]
        return dequant(fc(x))                                # [8, 10]

    fused: [stem, stem_bn, stem_relu], [s1_conv1, s1_bn1, s1_relu1], [s1_conv2, s1_bn2],
           [s2_conv1, s2_bn1, s2_relu1], [s2_conv2, s2_bn2], [s2_down, s2_down_bn]
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.stem = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(64)
        self.stem_relu = nn.ReLU()
        self.s1_conv1 = nn.Conv2d(64, 64, 3, stride=1, padding=1, bias=False)
        self.s1_bn1 = nn.BatchNorm2d(64)
        self.s1_relu1 = nn.ReLU()
        self.s1_conv2 = nn.Conv2d(64, 64, 3, stride=1, padding=1, bias=False)
        self.s1_bn2 = nn.BatchNorm2d(64)
        self.s1_add = FloatFunctional()
        self.s2_conv1 = nn.Conv2d(64, 128, 3, stride=2, padding=1, bias=False)
        self.s2_bn1 = nn.BatchNorm2d(128)
        self.s2_relu1 = nn.ReLU()
        self.s2_conv2 = nn.Conv2d(128, 128, 3, stride=1, padding=1, bias=False)
        self.s2_bn2 = nn.BatchNorm2d(128)
        self.s2_down = nn.Conv2d(64, 128, 1, stride=2, bias=False)
        self.s2_down_bn = nn.BatchNorm2d(128)
        self.s2_add = FloatFunctional()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(128, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.stem_relu(self.stem_bn(self.stem(x)))
        y = self.s1_relu1(self.s1_bn1(self.s1_conv1(x)))
        y = self.s1_bn2(self.s1_conv2(y))
        x = self.s1_add.add_relu(y, x)
        y = self.s2_relu1(self.s2_bn1(self.s2_conv1(x)))
        y = self.s2_bn2(self.s2_conv2(y))
        r = self.s2_down_bn(self.s2_down(x))
        x = self.s2_add.add_relu(y, r)
        x = self.flatten(self.avgpool(x))
        return self.dequant(self.fc(x))


Spec = collections.namedtuple('Spec', 'cls seed input_shape fuse qconfig engine note')

MODELS = collections.OrderedDict([
    ('mlp', Spec(MLP, 11, [4, 16], [['fc1', 'relu1'], ['fc2', 'relu2']], 'per_tensor', 'onednn',
                 'static quantized MLP: QuantStub, fused Linear+ReLU twice (LinearReLU), plain quantized Linear, '
                 'DeQuantStub; per-tensor symmetric qint8 weights, reduce_range activations')),
    ('cnn', Spec(CNN, 12, [2, 3, 16, 16], [['conv1', 'bn1', 'relu1'], ['conv2', 'bn2'], ['conv3', 'relu3']],
                 'per_channel', 'onednn',
                 'static quantized CNN: Conv2d+BatchNorm2d+ReLU folded into ConvReLU2d, Conv2d+BatchNorm2d folded '
                 'into Conv2d (the bn modules become Identity), QFunctional add_relu skip connection, quantized '
                 'MaxPool2d, grouped strided ConvReLU2d (groups=2), AdaptiveAvgPool2d, Flatten, Linear; '
                 'per-channel symmetric qint8 weights')),
    ('ops', Spec(Ops, 13, [2, 4, 16], [['conv', 'relu']], 'per_channel', 'onednn',
                 'QFunctional ops after a fused ConvReLU1d: mul (observed), cat (observed), add_scalar and '
                 'mul_scalar (NOT observed: their QFunctional keep scale=1.0/zero_point=0 in the state dict and '
                 'the quantized op derives the output qparams from the input\'s), add (observed)')),
    ('conv3d', Spec(Conv3dNet, 14, [1, 2, 4, 8, 8], [['conv', 'relu']], 'per_channel', 'onednn',
                    'quantized 3-d convolutions: fused ConvReLU3d (padding 1) then Conv3d with kernel (1,3,3), '
                    'stride (1,2,2)')),
    ('bn', Spec(BNNet, 15, [2, 3, 8, 8], [], 'per_tensor', 'onednn',
                'unfused BatchNorm2d after a quantized Conv2d: becomes torch\'s QuantizedBatchNorm2d (own '
                'scale/zero_point, weight/bias/running stats as float tensors), then nn.ReLU on the quantized '
                'tensor')),
    ('dynamic', Spec(DynamicMLP, 16, [3, 16], None, 'dynamic', 'onednn',
                     'quantize_dynamic(qint8) of Linear(16,32) -> ReLU -> Linear(32,4): DynamicQuantizedLinear '
                     'modules (float input and output, activations quantized per call), ReLU stays float')),
])

BENCH_MODELS = collections.OrderedDict([
    ('bench_mlp', Spec(BenchMLP, 21, [64, 1024], [['fc1', 'relu1'], ['fc2', 'relu2']], 'per_channel', 'onednn',
                       'benchmark MLP, 3 x Linear(1024,1024), fc+relu pairs fused')),
    ('bench_cnn', Spec(BenchCNN, 22, [8, 3, 64, 64],
                       [['stem', 'stem_bn', 'stem_relu'], ['s1_conv1', 's1_bn1', 's1_relu1'], ['s1_conv2', 's1_bn2'],
                        ['s2_conv1', 's2_bn1', 's2_relu1'], ['s2_conv2', 's2_bn2'], ['s2_down', 's2_down_bn']],
                       'per_channel', 'onednn', 'benchmark ResNet-style CNN (see BenchCNN)')),
])

ALL_MODELS = collections.OrderedDict(list(MODELS.items()) + list(BENCH_MODELS.items()))

CALIBRATION_BATCHES = 8
CALIBRATION_SEED = 1000
INPUT_SEED = 7777


def spec_of(name):
    if name not in ALL_MODELS:
        raise ValueError('unknown model %r (known: %s)' % (name, ', '.join(ALL_MODELS)))
    return ALL_MODELS[name]


def randomize_batchnorms(model, seed):
    """Seeded non-trivial weight, bias and running stats for every BatchNorm (num_batches_tracked = 5)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                n = m.num_features
                m.weight.copy_(0.5 + torch.rand(n, generator=g))
                m.bias.copy_(0.2 * torch.randn(n, generator=g))
                m.running_mean.copy_(0.2 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
                m.num_batches_tracked.fill_(5)


def build_float(name):
    """The float model (unfused, eval mode), seeded weights and BatchNorm stats."""
    spec = spec_of(name)
    torch.manual_seed(spec.seed)
    m = spec.cls()
    randomize_batchnorms(m, spec.seed + 100)
    m.eval()
    return m


def calibration_batches(spec):
    g = torch.Generator().manual_seed(CALIBRATION_SEED + spec.seed)
    return [torch.randn(spec.input_shape, generator=g) for _ in range(CALIBRATION_BATCHES)]


def test_input(spec):
    g = torch.Generator().manual_seed(INPUT_SEED + spec.seed)
    return torch.randn(spec.input_shape, generator=g)


def set_engine(engine):
    if engine not in torch.backends.quantized.supported_engines:
        raise RuntimeError('quantized engine %s not in this torch (%s)'
                           % (engine, torch.backends.quantized.supported_engines))
    torch.backends.quantized.engine = engine


def quantize(name, float_model, engine=None):
    """The quantized model built from (a deep copy of) float_model: fuse, qconfig, prepare, calibrate, convert."""
    spec = spec_of(name)
    set_engine(engine or spec.engine)
    m = copy.deepcopy(float_model).eval()
    if spec.qconfig == 'dynamic':
        q = tq.quantize_dynamic(m, {nn.Linear}, dtype=torch.qint8)
        KEEP_ALIVE.append(q)
        return q
    if spec.fuse:
        tq.fuse_modules(m, spec.fuse, inplace=True)
    m.qconfig = qconfig_per_tensor() if spec.qconfig == 'per_tensor' else qconfig_per_channel()
    tq.prepare(m, inplace=True)
    with torch.no_grad():
        for batch in calibration_batches(spec):
            m(batch)
    tq.convert(m, inplace=True)
    KEEP_ALIVE.append(m)
    return m


def build_quantized(name, engine=None):
    return quantize(name, build_float(name), engine)


# ----------------------------------------------------------------------------------------------
# Descriptions

def metadata_of(sd):
    md = getattr(sd, '_metadata', None) or {}
    return collections.OrderedDict((k, (v or {}).get('version')) for k, v in md.items())


def entry_kind(v):
    """A short, comparable description of one state_dict entry."""
    if isinstance(v, torch.Tensor):
        d = {'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape)}
        if v.is_quantized:
            d['qscheme'] = str(v.qscheme()).replace('torch.', '')
            if v.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric,
                               torch.per_channel_affine_float_qparams):
                d['axis'] = v.q_per_channel_axis()
        return d
    if isinstance(v, (tuple, list)):
        return {'type': type(v).__name__, 'items': [entry_kind(x) for x in v]}
    if v is None:
        return {'type': 'None'}
    if isinstance(v, torch.dtype):
        return {'type': 'torch.dtype', 'value': str(v)}
    return {'type': type(v).__name__}


def entry_mismatches(reference_sd, loaded_sd):
    out = []
    for k, ref in reference_sd.items():
        if k in loaded_sd:
            a, b = entry_kind(ref), entry_kind(loaded_sd[k])
            if a != b:
                out.append({'key': k, 'expected': a, 'found': b})
    return out


def module_tables(model):
    short, qualified = collections.OrderedDict(), collections.OrderedDict()
    for path, mod in model.named_modules():
        short[path] = type(mod).__name__
        module = type(mod).__module__
        qualified[path] = '%s.%s' % ('nn_models' if module == '__main__' else module, type(mod).__qualname__)
    return short, qualified


def dequant_input_qparams(model, x):
    """(scale, zero_point) of the quantized tensor that enters the model's DeQuantStub (None, None if none)."""
    target = getattr(model, 'dequant', None)
    if target is None:
        return None, None
    seen = {}

    def hook(_mod, inputs):
        t = inputs[0]
        if isinstance(t, torch.Tensor) and t.is_quantized:
            seen['q'] = (float(t.q_scale()), int(t.q_zero_point()))

    h = target.register_forward_pre_hook(hook)
    try:
        with torch.no_grad():
            model(x)
    finally:
        h.remove()
    return seen.get('q', (None, None))


def dynamic_reduce_range(qmodel, x):
    """What the dynamic Linear modules pass as reduce_range, and whether this engine's op honours it."""
    mods = [m for m in qmodel.modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)]
    versions = sorted({getattr(m, 'version', None) for m in mods})
    fc1 = qmodel.fc1
    with torch.no_grad():
        packed = fc1._packed_params._packed_params
        y_true = torch.ops.quantized.linear_dynamic(x, packed, reduce_range=True)
        y_false = torch.ops.quantized.linear_dynamic(x, packed, reduce_range=False)
        y_mod = fc1(x)
    return {
        'module_versions': versions,
        'module_passes_reduce_range': True if all(v is not None and v >= 4 for v in versions) else None,
        'fc1_equals_op_reduce_range_true': bool(torch.equal(y_mod, y_true)),
        'fc1_equals_op_reduce_range_false': bool(torch.equal(y_mod, y_false)),
        'engine_honours_reduce_range': not bool(torch.equal(y_true, y_false)),
        'explanation': 'torch 1.13 DynamicQuantizedLinear (version 4) calls quantized::linear_dynamic(x, packed, '
                       'reduce_range=True) for qint8; the default_dynamic_qconfig activation observer is a '
                       'PlaceholderObserver (no reduce_range), the input qparams are chosen per call by the op. '
                       'engine_honours_reduce_range says whether the 0..127 (True) and 0..255 (False) input '
                       'ranges give different results on this engine.',
    }


def to_json_text(d):
    return json.dumps(d, sort_keys=True, indent=1, allow_nan=False) + '\n'


# ----------------------------------------------------------------------------------------------
# Writing

def save(obj, out, fname):
    path = os.path.join(out, fname)
    torch.save(obj, path)
    return path


def other_engine_run(name, spec, q_sd, x, q_out):
    """q_sd loaded into the same model built under the other engine, run on x, compared with q_out."""
    other = 'qnnpack' if spec.engine == 'onednn' else 'onednn'
    if other not in torch.backends.quantized.supported_engines:
        return {'engine': other, 'error': 'not in this torch'}
    try:
        q2 = build_quantized(name, engine=other)
        q2.load_state_dict(q_sd, strict=True)
        with torch.no_grad():
            y = q2(x)
        diff = (y - q_out).abs()
        res = {'engine': other, 'equal': bool(torch.equal(y, q_out)), 'max_abs_diff': float(diff.max()),
               'elements_differing': int((diff != 0).sum()), 'elements': int(y.numel())}
    except Exception as e:  # noqa: BLE001
        res = {'engine': other, 'error': '%s: %s' % (type(e).__name__, str(e).splitlines()[0] if str(e) else '')}
    finally:
        set_engine(spec.engine)
    return res


def write_model(name, out, bench=False):
    spec = spec_of(name)
    fm = build_float(name)
    KEEP_ALIVE.append(fm)
    qm = quantize(name, fm)
    x = test_input(spec)
    with torch.no_grad():
        f_out = fm(x)
        q_out = qm(x)
    f_sd, q_sd = fm.state_dict(), qm.state_dict()
    files = [save(f_sd, out, name + '.float_sd.pt'), save(q_sd, out, name + '.q_sd.pt'),
             save(x, out, name + '.input.pt'), save(q_out.detach().clone(), out, name + '.q_output.pt')]
    if not bench:
        files.append(save(f_out.detach().clone(), out, name + '.float_output.pt'))
    scale, zp = dequant_input_qparams(qm, x) if spec.qconfig != 'dynamic' else (None, None)
    short, qualified = module_tables(qm)
    d = collections.OrderedDict()
    d['model'] = name
    d['engine'] = spec.engine
    d['torch_version'] = torch.__version__
    d['input_shape'] = list(spec.input_shape)
    d['output_shape'] = list(q_out.shape)
    d['output_scale'] = scale
    d['output_zero_point'] = zp
    d['fused'] = spec.fuse
    d['qconfig'] = QCONFIG_TEXT[spec.qconfig]
    d['calibration'] = ('none (dynamic)' if spec.qconfig == 'dynamic' else
                        '%d batches torch.randn(%s) from torch.Generator().manual_seed(%d)'
                        % (CALIBRATION_BATCHES, spec.input_shape, CALIBRATION_SEED + spec.seed))
    d['input'] = 'torch.randn(%s) from torch.Generator().manual_seed(%d)' % (spec.input_shape, INPUT_SEED + spec.seed)
    d['modules'] = short
    d['module_classes'] = qualified
    d['float_keys'] = list(f_sd.keys())
    d['keys'] = list(q_sd.keys())
    d['metadata'] = metadata_of(q_sd)
    d['entries'] = collections.OrderedDict((k, entry_kind(v)) for k, v in q_sd.items())
    d['q_vs_float_max_abs_diff'] = float((q_out - f_out).abs().max())
    if spec.qconfig == 'dynamic':
        d['dynamic_reduce_range'] = dynamic_reduce_range(qm, x)
    d['other_engine'] = other_engine_run(name, spec, q_sd, x, q_out)
    d['note'] = spec.note
    if bench:
        d['ts'] = write_torchscript(qm, x, q_out, os.path.join(out, name + '.ts.pt'))
        files.append(os.path.join(out, name + '.ts.pt'))
    path = os.path.join(out, name + '.json')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(to_json_text(d))
    files.append(path)
    return files, d


def write_torchscript(qm, x, q_out, path):
    try:
        ts = torch.jit.script(qm)
        how = 'torch.jit.script'
    except Exception as e:  # noqa: BLE001
        print('torch.jit.script failed (%s), tracing' % e, file=sys.stderr)
        with torch.no_grad():
            ts = torch.jit.trace(qm, x)
        how = 'torch.jit.trace'
    torch.jit.save(ts, path)
    loaded = torch.jit.load(path, map_location='cpu')
    with torch.no_grad():
        y = loaded(x)
    same = bool(torch.equal(y, q_out))
    if not same:
        raise RuntimeError('%s: the TorchScript archive gives another output (max abs diff %g)'
                           % (path, float((y - q_out).abs().max())))
    return {'method': how, 'reloaded_output_equal': same}


def cmd_generate(out):
    os.makedirs(out, exist_ok=True)
    for name in MODELS:
        files, d = write_model(name, out)
        for p in files:
            print(os.path.relpath(p, ROOT) if p.startswith(ROOT) else p)
        extra = {k: d[k] for k in ('other_engine', 'dynamic_reduce_range') if k in d}
        if 'dynamic_reduce_range' in extra:
            extra['dynamic_reduce_range'] = {k: v for k, v in extra['dynamic_reduce_range'].items() if k != 'explanation'}
        print('%s: engine %s, output scale %s zp %s; %s' % (name, d['engine'], d['output_scale'],
                                                           d['output_zero_point'], json.dumps(extra, sort_keys=True)),
              file=sys.stderr)


def cmd_bench(out):
    os.makedirs(out, exist_ok=True)
    for name in BENCH_MODELS:
        files, d = write_model(name, out, bench=True)
        for p in files:
            print(p)
        print('%s: engine %s, torchscript %s; other engine %s' % (name, d['engine'], json.dumps(d['ts']),
                                                                  json.dumps(d['other_engine'], sort_keys=True)),
              file=sys.stderr)


def cmd_check(name, sd_path, input_path, output_path, quantized):
    spec = spec_of(name)
    model = build_quantized(name) if quantized else build_float(name)
    KEEP_ALIVE.append(model)
    reference_sd = model.state_dict()
    sd = torch.load(sd_path, map_location='cpu')
    if not isinstance(sd, dict):
        raise ValueError('%s holds a %s, not a state dict' % (sd_path, type(sd).__name__))
    missing = [k for k in reference_sd if k not in sd]
    unexpected = [k for k in sd if k not in reference_sd]
    if missing or unexpected:  # (quantized modules raise a bare KeyError for some missing keys)
        raise ValueError('%s does not fit the %s %s model: missing keys %s, unexpected keys %s'
                         % (sd_path, 'quantized' if quantized else 'float', name, missing, unexpected))
    try:
        model.load_state_dict(sd, strict=True)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError('load_state_dict(%s) into the %s %s model failed: %s: %s'
                           % (sd_path, 'quantized' if quantized else 'float', name, type(e).__name__, e)) from e
    x = torch.load(input_path, map_location='cpu')
    if not isinstance(x, torch.Tensor):
        raise ValueError('%s holds a %s, not one tensor' % (input_path, type(x).__name__))
    try:
        with torch.no_grad():
            y = model(x)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError('running the %s model on %s (shape %s) failed: %s: %s'
                           % (name, input_path, list(x.shape), type(e).__name__, e)) from e
    if not isinstance(y, torch.Tensor):
        raise ValueError('the model returned a %s, not a tensor' % type(y).__name__)
    torch.save(y.detach().clone(), output_path)
    result = collections.OrderedDict()
    result['keys'] = list(sd.keys())
    result['metadata'] = metadata_of(sd)
    result['input_shape'] = list(x.shape)
    result['output_shape'] = list(y.shape)
    result['engine'] = spec.engine if quantized else None
    result['entry_mismatches'] = entry_mismatches(reference_sd, sd)
    sys.stdout.write(json.dumps(result, sort_keys=True) + '\n')


def main(argv):
    setup_determinism()
    if len(argv) == 1 and argv[0] == 'generate':
        cmd_generate(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or DEFAULT_OUT)
    elif len(argv) == 2 and argv[0] == 'bench-models':
        cmd_bench(argv[1])
    elif len(argv) == 5 and argv[0] in ('check', 'check-float'):
        cmd_check(argv[1], argv[2], argv[3], argv[4], quantized=argv[0] == 'check')
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    try:
        rc = main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001
        # the first lines only: torch's dispatcher errors go on with a long list of backends
        text = '\n'.join(str(e).splitlines()[:3])
        print('error: %s: %s' % (type(e).__name__, text), file=sys.stderr)
        rc = 1
    sys.exit(rc)
