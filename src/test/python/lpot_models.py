"""LPOT / Intel Neural Compressor eager-mode PyTorch checkpoints, with real PyTorch 1.13 as the oracle: a faithful
re-implementation of LPOT's `load(checkpoint_dir, fp32_model)` (LPOT itself is not installed) plus the fixtures built
with it.

usage (from any directory):
    /usr/bin/python3 src/test/python/lpot_models.py generate
        writes the fixtures into src/test/resources/fixtures/lpot/ ($QCHECKPOINT_FIXTURES_OUT instead if set), one
        folder per case (see CASES):
            best_configure.yaml     the tune config (the three lpot15_* cases: LPOT v1.5's real file, copied byte for
                                    byte; the others: written here exactly the way LPOT dumps it, see dump_tune_cfg)
            best_model_weights.pt   the state dict of the quantized model (lpot15_*: LPOT's real file, copied)
            fp32_sd.pt              state dict of the fp32 model a user hands to load() (fused where the case fuses)
            input.pt                one seeded input tensor
            output.pt               the output, on input.pt, of the model lpot_load(folder, fp32 model) builds
            case.json               {"model", "approach", "fused", "input_shape", "output_shape", "engine",
                                     "output_scale", "output_zero_point" (qparams of the quantized tensor that enters
                                     the last DeQuantize run by forward; null when none, e.g. dynamic, or when an
                                     fp32 op runs after it, e.g. static_identity), "modules"
                                     (path -> class name, named_modules() of the loaded model), "keys" (state dict
                                     keys in order), "metadata" ({prefix: version} of the state dict's _metadata),
                                     "fp32_keys", "tune_config" (where it comes from), "note"}
        Deterministic: fixed seeds, one intra-op thread, deterministic algorithms; running it twice gives identical
        bytes.
    /usr/bin/python3 src/test/python/lpot_models.py check DIR MODEL INPUT OUTPUT [--fp32 FILE] [--engine ENGINE]
        loads the checkpoint in DIR the way LPOT does (DIR/best_configure.yaml + DIR/best_model_weights.pt; a folder
        with neither best_configure.yaml nor best_model_weights.pt but a best_model.pt is read as INC 1.11+ writes it:
        one state dict with a 'best_configure' entry) onto a fresh fp32 model of case MODEL (a case name below; the
        model is built, fused as the case fuses, and given the weights in FILE, default: the case's committed
        fp32_sd.pt, or the same seeded weights if that file is missing), runs it on the tensor in INPUT, torch.saves
        the output tensor to OUTPUT and prints one JSON line:
            {"keys": [...], "metadata": {prefix: version}, "modules": {path: class name},
             "config": the tune config as yaml.safe_load (+ LPOT's tuple constructor) reads it, tuple keys as
                       "name|type", "approach": ..., "input_shape": [...], "output_shape": [...]}
        load_state_dict is strict. ENGINE is torch.backends.quantized.engine for the run (default: onednn).
        Any failure exits 1 with one line "error: ..." on stderr.
    /usr/bin/python3 src/test/python/lpot_models.py ops MODEL APPROACH
        prints the ops LPOT lists for the (fused) model of case MODEL, as JSON [[name, type], ...]: torch 1.13's
        own mappings and LPOT's rules (see "How LPOT lists the ops" below).
    /usr/bin/python3 src/test/python/lpot_models.py tune-config MODEL APPROACH ALGORITHM [SAMPLING_SIZE BATCH_SIZE]
        prints the best_configure.yaml LPOT writes for a trial that quantizes every op it lists with ALGORITHM
        (minmax or kl; each op within its type's capability in LPOT's pytorch_cpu.yaml: QuantStub minmax only,
        Conv1d/2d/3d and Linear either, every other type kl only; dynamic ops minmax), calib_iteration as LPOT's
        strategy computes it (ceil(SAMPLING_SIZE / BATCH_SIZE) with a calibration loader, 1 without one).
    /usr/bin/python3 src/test/python/lpot_models.py quantize MODEL CONFIG BATCHES OUT RANGE --fp32 FILE
        LPOT's quantize(tune_cfg, model, dataloader) of the case's model with the weights in FILE, the config in
        CONFIG, calibrated on the list of tensors in BATCHES, with REDUCE_RANGE True (reduce_range, LPOT on a CPU
        without VNNI) or False (full_range), as RANGE says; torch.saves the quantized state dict to OUT.
    The models of the tuning cases (TUNING_CASES: dropout_net, relu_dropout_mlp, bn3d_net, op_types) serve ops,
    tune-config, quantize and check; they have no committed fixtures.

LPOT's load, as re-implemented here (neural_compressor/utils/pytorch.py `load`, neural_compressor/adaptor/pytorch.py
`_cfg_to_qconfig`, `_observer`, `_propagate_qconfig(_recursively)`, `_find_quantized_op_num`,
`_fallback_quantizable_ops_recursively`; INC v1.9+ rules, docs/formats.md 3.3):
  1. both files must exist ("tune configure file ... didn't exist", "weight file ... didn't exist");
     yaml.safe_load with a constructor for tag:yaml.org,2002:python/tuple; torch.load of the weights.
  2. q_model = copy.deepcopy(fp32_model.eval()): the caller's model is never changed.
  3. per-op qconfig keyed by op name (key[0]): fp32 when the weight dtype is fp32 (an op with a weight) or the
     activation dtype is fp32 (an op without one) -> None; otherwise QConfig(activation=_observer(activation),
     weight=_observer(weight) or default_per_channel_weight_observer when the op lists no weight). Dynamic: the
     activation observer is default_dynamic_quant_observer. Static and QAT both use the static observers (QAT
     checkpoints are rebuilt through the static path).
  4. propagation: every child first gets its parent's "son" qconfig (None at the root); a listed op gets its own and
     passes it on to its children; an unlisted DeQuantStub gets QConfig(MinMaxObserver(reduce_range=REDUCE_RANGE),
     default_per_channel_weight_observer).
  5. static/QAT only: each fp32 op is handled under its parent: the listed ops under the parent (QuantStub excluded,
     recursing below unlisted children) are counted; exactly one -> every QuantStub/DeQuantStub child of the parent
     becomes nn.Identity (if there is none, the op is wrapped); otherwise the op is wrapped in DequantQuantWrapper
     (children quant=QuantStub(qconfig), dequant=DeQuantStub, module=the op; forward quant(module(dequant(x))); its
     qconfig QConfig(activation=MinMaxObserver(per_tensor_symmetric, quint8), weight=PerChannelMinMaxObserver(
     per_channel_affine, qint8)), handed to quant and dequant, the op's own qconfig set to None).
  6. a warning when no module got a qconfig.
  7. static/QAT: torch.quantization.quantize.add_observer_(q_model), then convert(q_model, mapping=
     get_default_static_quant_module_mappings(), inplace=True) -- no calibration: the observers are empty, every
     scale, zero point and int8 weight comes from the state dict; dynamic: convert with
     get_default_dynamic_quant_module_mappings().
  8. q_model.load_state_dict(state_dict) (strict).
REDUCE_RANGE is LPOT's `False if CpuInfo().vnni else True`; False here (a VNNI CPU) except in `quantize`.
bf16 ops (INC 1.10+ bf16_ops_list) are not supported: a config with a bf16 op is refused.

How LPOT lists the ops of a model in a tune config (LPOT 1.x PyTorchAdaptor._get_quantizable_ops_recursively, used
here to write the configs of the generated cases): a depth-first walk of named_children(); a child whose exact type
is in torch's qconfig propagation list (static/QAT; minus LayerNorm, InstanceNorm3d, Embedding) or in the dynamic
mapping (dynamic), and is not Sequential or DeQuantStub, is listed as (path, op type) and not descended into; any
other child is descended into. op type = class name with fused types unified (ConvReLU2d, ConvBn2d, ConvBnReLU2d ->
Conv2d; ConvReLU3d -> Conv3d; LinearReLU -> Linear; ConvReLU1d stays ConvReLU1d). So QuantStub, FloatFunctional,
Dropout, BatchNorm2d/3d and ReLU6 are listed (static); nn.ReLU, pooling, Flatten, Identity and BatchNorm1d are not.
Per-op values (LPOT's pytorch_cpu.yaml capabilities for torch >= 1.7, CAPABILITY_ALGORITHMS): QuantStub has only
`activation` (minmax); every other listed op, FloatFunctional and Dropout included ('default' capability: kl only),
has `weight` and `activation`; an int8 weight carries `bit: 7.0` as in the real files; an fp32 op is
{weight: {dtype: fp32}, activation: {dtype: fp32}}.
"""
import collections
import copy
import json
import math
import os
import shutil
import sys
import types
import warnings

import torch
import torch.nn as nn
import torch.ao.quantization as tq
import torch.nn.intrinsic as nni
import yaml
from torch.ao.quantization.quantization_mappings import (get_default_dynamic_quant_module_mappings,
                                                         get_default_qconfig_propagation_list,
                                                         get_default_static_quant_module_mappings)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_models import DynamicMLP, metadata_of, randomize_batchnorms, set_engine  # noqa: E402  (shared with nn_models)

try:  # torch 1.13 name; torch >= 2.0 calls it _add_observer_
    from torch.ao.quantization.quantize import add_observer_
except ImportError:  # pragma: no cover
    from torch.ao.quantization.quantize import _add_observer_ as add_observer_

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DEFAULT_OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'lpot')
REFERENCE = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'reference', 'lpot-v1.5')

# LPOT: REDUCE_RANGE = False if CpuInfo().vnni else True. False: a VNNI CPU (`quantize` sets it as asked).
REDUCE_RANGE = False

ENGINE = 'onednn'
CALIBRATION_BATCHES = 8
CALIBRATION_SEED = 1000
INPUT_SEED = 7777

STATIC = 'post_training_static_quant'
DYNAMIC = 'post_training_dynamic_quant'
QAT = 'quant_aware_training'
APPROACHES = (STATIC, DYNAMIC, QAT)

TUNE_CFG_FILE = 'best_configure.yaml'
WEIGHTS_FILE = 'best_model_weights.pt'
INC_MODEL_FILE = 'best_model.pt'

warnings.filterwarnings('ignore')

OD = collections.OrderedDict


def setup_determinism():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    set_engine(ENGINE)


# ----------------------------------------------------------------------------------------------
# The tune config: LPOT's reader and writer

class LpotLoader(yaml.SafeLoader):
    """yaml.safe_load plus LPOT's one extra constructor (neural_compressor/utils/pytorch.py)."""


LpotLoader.add_constructor('tag:yaml.org,2002:python/tuple',
                           lambda loader, node: tuple(loader.construct_sequence(node)))


class LpotDumper(yaml.Dumper):
    """yaml.Dumper (the one yaml.dump uses) where an OrderedDict is written in its own order: PyYAML's
    represent_mapping sorts only a mapping that has .items(); handed the items view it keeps their order. The top-level
    config is a plain dict (sorted); the op map and the per-op dicts are OrderedDicts (their insertion order)."""


LpotDumper.add_representer(OD, lambda dumper, data: dumper.represent_mapping('tag:yaml.org,2002:map', data.items()))


def read_tune_cfg_text(text):
    return yaml.load(text, Loader=LpotLoader)


def dump_tune_cfg(cfg):
    """What LPOT's `yaml.dump(tune_cfg, f, default_flow_style=False)` writes for cfg (a dict whose 'op' value and
    per-op values are OrderedDicts). Reproduces the three real LPOT v1.5 files byte for byte (see check_yaml_dump)."""
    return yaml.dump(cfg, Dumper=LpotDumper, default_flow_style=False)


def ordered(x):
    if isinstance(x, dict):
        return OD((k, ordered(v)) for k, v in x.items())
    return x


def check_yaml_dump():
    """dump_tune_cfg(file's own content) == the file, for every real LPOT v1.5 config."""
    out = []
    for name in sorted(os.listdir(REFERENCE)):
        if name.endswith('.yaml'):
            with open(os.path.join(REFERENCE, name), encoding='utf-8') as f:
                text = f.read()
            cfg = read_tune_cfg_text(text)
            cfg['op'] = ordered(cfg['op'])
            if dump_tune_cfg(cfg) != text:
                raise AssertionError('dump_tune_cfg does not reproduce %s' % name)
            out.append(name)
    return out


def config_to_json(x):
    """The tune config as JSON-able values: tuple keys as 'name|type', tuples as lists."""
    if isinstance(x, dict):
        d = OD()
        for k, v in x.items():
            if isinstance(k, tuple):
                k = '|'.join(str(p) for p in k)
            elif not isinstance(k, str):
                k = str(k)
            d[k] = config_to_json(v)
        return d
    if isinstance(x, (list, tuple)):
        return [config_to_json(v) for v in x]
    return x


# ----------------------------------------------------------------------------------------------
# LPOT's load, re-implemented

class DequantQuantWrapper(nn.Module):
    """LPOT's fallback wrapper (a class local to _fallback_quantizable_ops_recursively there): dequantize, run the fp32
    module, quantize again. Children, in this order: quant (QuantStub), dequant (DeQuantStub), module."""

    def __init__(self, module, observer=None):
        super().__init__()
        if not module.qconfig and observer:
            weights_observer = observer('minmax', 'asym', 'per_channel', 'int8')
            activation_observer = observer('minmax', 'sym', 'per_tensor', 'uint8')
            module.qconfig = tq.QConfig(activation=activation_observer, weight=weights_observer)
        self.add_module('quant', tq.QuantStub(module.qconfig))
        self.add_module('dequant', tq.DeQuantStub())
        self.add_module('module', module)
        self.dequant.qconfig = module.qconfig  # torch >= 1.8
        module.qconfig = None
        self.train(module.training)

    def forward(self, X):
        X = self.dequant(X)
        X = self.module(X)
        return self.quant(X)

    def add(self, x, y):
        return self.quant(self.module.add(self.dequant(x), self.dequant(y)))

    def add_scalar(self, x, y):
        return self.quant(self.module.add_scalar(self.dequant(x), y))

    def mul(self, x, y):
        return self.quant(self.module.mul(self.dequant(x), self.dequant(y)))

    def mul_scalar(self, x, y):
        return self.quant(self.module.mul_scalar(self.dequant(x), y))

    def cat(self, x, dim=0):
        return self.quant(self.module.cat([self.dequant(x_) for x_ in x], dim))

    def add_relu(self, x, y):
        return self.quant(self.module.add_relu(self.dequant(x), self.dequant(y)))


def _observer(algorithm, scheme, granularity, dtype, observer_type=STATIC):
    if observer_type == DYNAMIC:
        return tq.default_dynamic_quant_observer
    dtypes = {'int8': torch.qint8, 'uint8': torch.quint8, 'fp32': torch.float}
    if dtype not in dtypes:
        raise ValueError('unsupported dtype %r' % (dtype,))
    torch_dtype = dtypes[dtype]
    if algorithm == 'placeholder' or torch_dtype == torch.float:
        return tq.PlaceholderObserver.with_args(dtype=torch_dtype)
    if algorithm == 'minmax':
        if granularity == 'per_channel':
            observer = tq.PerChannelMinMaxObserver
            if scheme == 'sym':
                qscheme = torch.per_channel_symmetric
            elif scheme == 'asym_float':
                qscheme = torch.per_channel_affine_float_qparams
            elif scheme == 'asym':
                qscheme = torch.per_channel_affine
            else:
                raise ValueError('unsupported scheme %r' % (scheme,))
        elif granularity == 'per_tensor':
            observer = tq.MinMaxObserver
            if scheme == 'sym':
                qscheme = torch.per_tensor_symmetric
            elif scheme == 'asym':
                qscheme = torch.per_tensor_affine
            else:
                raise ValueError('unsupported scheme %r for per_tensor' % (scheme,))
        else:
            raise ValueError('unsupported granularity %r' % (granularity,))
    elif algorithm == 'kl':
        observer = tq.HistogramObserver
        if granularity != 'per_tensor':
            raise ValueError('algorithm kl needs granularity per_tensor, not %r' % (granularity,))
        if scheme == 'sym':
            qscheme = torch.per_tensor_symmetric
        elif scheme == 'asym':
            qscheme = torch.per_tensor_affine
        else:
            raise ValueError('unsupported scheme %r for kl' % (scheme,))
    else:
        raise ValueError('unsupported algorithm %r' % (algorithm,))
    return observer.with_args(qscheme=qscheme, dtype=torch_dtype, reduce_range=(REDUCE_RANGE and scheme == 'asym'))


def _cfg_to_qconfig(tune_cfg, observer_type=STATIC):
    op_qcfgs = OD()
    for key, value in tune_cfg['op'].items():
        if not isinstance(value, dict) or 'activation' not in value:
            raise ValueError('op %r: no activation entry' % (key,))
        weight = value.get('weight')
        decider = weight if weight is not None else value['activation']
        if decider.get('dtype') == 'fp32':
            op_qcfgs[key[0]] = None
            continue
        if decider.get('dtype') == 'bf16':
            raise ValueError('op %r: bf16 ops are not supported by this oracle' % (key,))
        if weight is not None:
            weights_observer = _observer(weight['algorithm'], weight['scheme'], weight['granularity'], weight['dtype'])
        else:
            weights_observer = tq.default_per_channel_weight_observer
        act = value['activation']
        activation_observer = _observer(act.get('algorithm'), act.get('scheme'), act.get('granularity'),
                                        act.get('dtype'), observer_type)
        op_qcfgs[key[0]] = tq.QConfig(activation=activation_observer, weight=weights_observer)
    return op_qcfgs


def _propagate_qconfig_recursively(model, prefix, op_qcfgs, qconfig_parent=None):
    for name, child in model.named_children():
        op_name = prefix + name
        child.qconfig = qconfig_parent
        qconfig_son = None
        if op_name in op_qcfgs:
            child.qconfig = op_qcfgs[op_name]
            qconfig_son = child.qconfig  # children of fused modules
        elif type(child) == tq.DeQuantStub:
            child.qconfig = tq.QConfig(activation=tq.MinMaxObserver.with_args(reduce_range=REDUCE_RANGE),
                                       weight=tq.default_per_channel_weight_observer)
        _propagate_qconfig_recursively(child, op_name + '.', op_qcfgs, qconfig_son)


def _find_quantized_op_num(module, op_qcfgs, prefix='', op_count=0):
    for name_tmp, child_tmp in module.named_children():
        op_name = prefix + '.' + name_tmp if prefix != '' else name_tmp
        if op_name in op_qcfgs and type(child_tmp) != tq.QuantStub:
            op_count += 1
        else:
            op_count = _find_quantized_op_num(child_tmp, op_qcfgs, op_name, op_count)
    return op_count


def _fallback_quantizable_ops_recursively(model, prefix, fallback_ops, op_qcfgs):
    for name, child in model.named_children():
        op_name = prefix + '.' + name if prefix != '' else name
        if op_name in fallback_ops:
            child.qconfig = None
            quantize_op_num = _find_quantized_op_num(model, op_qcfgs, prefix=prefix)
            if quantize_op_num == 1:
                found = False
                for name_tmp, child_tmp in model.named_children():
                    if isinstance(child_tmp, (tq.QuantStub, tq.DeQuantStub)):
                        model._modules[name_tmp] = nn.Identity()
                        found = True
                if not found:
                    model._modules[name] = DequantQuantWrapper(child, observer=_observer)
            else:
                model._modules[name] = DequantQuantWrapper(child, observer=_observer)
        else:
            _fallback_quantizable_ops_recursively(child, op_name, fallback_ops, op_qcfgs)


def _propagate_qconfig(model, op_qcfgs, approach=STATIC):
    _propagate_qconfig_recursively(model, '', op_qcfgs)
    if approach != DYNAMIC:
        fallback_ops = [k for k, v in op_qcfgs.items() if v is None]
        if fallback_ops:
            _fallback_quantizable_ops_recursively(model, '', fallback_ops, op_qcfgs)


NO_QCONFIG_WARNING = ('None of the submodule got qconfig applied. Make sure you passed correct configuration through '
                      '`qconfig_dict` or by assigning the `.qconfig` attribute directly on submodules')


def prepare_like_lpot(fp32_model, tune_cfg):
    """Steps 2 to 6 and, for static/QAT, add_observer_: the model right before convert (observers empty)."""
    approach = tune_cfg.get('approach')
    if approach not in APPROACHES:
        raise ValueError('unsupported approach %r' % (approach,))
    if not isinstance(tune_cfg.get('op'), dict):
        raise ValueError('the tune config has no op map')
    q_model = copy.deepcopy(fp32_model.eval())
    op_cfgs = _cfg_to_qconfig(tune_cfg, DYNAMIC if approach == DYNAMIC else STATIC)
    _propagate_qconfig(q_model, op_cfgs, approach=approach)
    if not any(getattr(m, 'qconfig', None) for m in q_model.modules()):
        print('warning: ' + NO_QCONFIG_WARNING, file=sys.stderr)
    if approach != DYNAMIC:
        add_observer_(q_model)
    return q_model


def convert_like_lpot(q_model, tune_cfg):
    mapping = (get_default_dynamic_quant_module_mappings() if tune_cfg['approach'] == DYNAMIC
               else get_default_static_quant_module_mappings())
    return tq.convert(q_model, mapping=mapping, inplace=True)


def _fake_dotdict_modules():
    """INC 1.11+ pickles per-op values as neural_compressor.conf.dotdict.DotDict (lpot.conf.dotdict.DotDict before):
    read them as plain dicts."""
    class DotDict(dict):
        pass
    added = []
    for pkg in ('neural_compressor', 'lpot'):
        for name in (pkg, pkg + '.conf', pkg + '.conf.dotdict'):
            if name not in sys.modules:
                sys.modules[name] = types.ModuleType(name)
                added.append(name)
        sys.modules[pkg + '.conf.dotdict'].DotDict = DotDict
    return added


def read_checkpoint(checkpoint_dir):
    """(tune_cfg, state_dict) of an LPOT checkpoint folder."""
    base = os.path.abspath(os.path.expanduser(checkpoint_dir))
    tune_cfg_file = os.path.join(base, TUNE_CFG_FILE)
    weights_file = os.path.join(base, WEIGHTS_FILE)
    inc_file = os.path.join(base, INC_MODEL_FILE)
    if not os.path.exists(tune_cfg_file) and not os.path.exists(weights_file) and os.path.isfile(inc_file):
        added = _fake_dotdict_modules()
        try:
            stat_dict = torch.load(inc_file, map_location='cpu')
        finally:
            for name in added:
                sys.modules.pop(name, None)
        if not isinstance(stat_dict, dict) or 'best_configure' not in stat_dict:
            raise ValueError('No best_configure found in the model file, please use the int8 model file generated '
                             'by INC.')
        tune_cfg = stat_dict.pop('best_configure')
        tune_cfg = {k: (ordered(v) if k == 'op' else v) for k, v in dict(tune_cfg).items()}
        return tune_cfg, stat_dict
    if not os.path.exists(tune_cfg_file):
        raise FileNotFoundError("tune configure file %s didn't exist" % tune_cfg_file)
    if not os.path.exists(weights_file):
        raise FileNotFoundError("weight file %s didn't exist" % weights_file)
    with open(tune_cfg_file, 'r', encoding='utf-8') as f:
        tune_cfg = read_tune_cfg_text(f.read())
    if not isinstance(tune_cfg, dict):
        raise ValueError('%s does not hold a mapping' % tune_cfg_file)
    stat_dict = torch.load(weights_file, map_location='cpu')
    if not isinstance(stat_dict, dict):
        raise ValueError('%s holds a %s, not a state dict' % (weights_file, type(stat_dict).__name__))
    return tune_cfg, stat_dict


def lpot_load(checkpoint_dir, fp32_model):
    """LPOT's load(checkpoint_dir, model): (quantized model, tune_cfg as read, state_dict as read)."""
    tune_cfg, stat_dict = read_checkpoint(checkpoint_dir)
    as_read = copy.deepcopy(tune_cfg)
    q_model = convert_like_lpot(prepare_like_lpot(fp32_model, tune_cfg), tune_cfg)
    try:
        q_model.load_state_dict(stat_dict)  # strict
    except Exception as e:  # noqa: BLE001
        first = ' '.join(str(e).split())
        raise RuntimeError('load_state_dict(%s) failed: %s: %s'
                           % (os.path.join(checkpoint_dir, WEIGHTS_FILE), type(e).__name__, first[:600])) from e
    return q_model, as_read, stat_dict


# ----------------------------------------------------------------------------------------------
# How LPOT lists a model's ops, and the tune configs of the generated cases

UNIFY_OP_TYPE = {'ConvReLU2d': 'Conv2d', 'ConvReLU3d': 'Conv3d', 'LinearReLU': 'Linear', 'ConvBn2d': 'Conv2d',
                 'ConvBnReLU2d': 'Conv2d'}


def quantizable_ops(model, approach):
    """LPOT 1.x PyTorchAdaptor._get_quantizable_ops_recursively: [(op_name, op_type)] in model order."""
    if approach == DYNAMIC:
        white_list = set(get_default_dynamic_quant_module_mappings().keys())
    else:
        white_list = get_default_qconfig_propagation_list() - {nn.LayerNorm, nn.InstanceNorm3d, nn.Embedding}
    ops = []

    def walk(m, prefix):
        for name, child in m.named_children():
            op_name = prefix + '.' + name if prefix != '' else name
            if type(child) in white_list and type(child) != nn.Sequential and type(child) != tq.DeQuantStub:
                cls = type(child).__name__
                ops.append((op_name, UNIFY_OP_TYPE.get(cls, cls)))
            else:
                walk(child, op_name)
    walk(model, '')
    return ops


def op_entry(op_type, choice, approach):
    """One op's tune config value. choice: 'fp32', or the activation algorithm ('minmax' / 'kl')."""
    if choice == 'fp32':
        return OD([('weight', OD([('dtype', 'fp32')])), ('activation', OD([('dtype', 'fp32')]))])
    activation = OD([('dtype', 'uint8'), ('scheme', 'asym'), ('granularity', 'per_tensor'), ('algorithm', choice)])
    if op_type == 'QuantStub':
        return OD([('activation', activation)])
    weight = OD([('dtype', 'int8'), ('scheme', 'sym'), ('granularity', 'per_channel'), ('algorithm', 'minmax'),
                 ('bit', 7.0)])
    return OD([('weight', weight), ('activation', activation)])


def make_tune_cfg(fp32_model, approach, choices, calib_iteration=CALIBRATION_BATCHES):
    ops = quantizable_ops(fp32_model, approach)
    names = [n for n, _ in ops]
    if sorted(names) != sorted(choices):
        raise AssertionError('op choices %s do not match the listed ops %s' % (sorted(choices), names))
    op = OD(((n, t), op_entry(t, choices[n], approach)) for n, t in ops)
    return {'advance': None, 'approach': approach, 'calib_iteration': calib_iteration, 'framework': 'pytorch',
            'op': op}


# LPOT 1.5's pytorch_cpu.yaml, capabilities for torch >= 1.7: the activation algorithms each op type may use, the
# 'default' entry for every type it does not name. int8 serves the static and QAT approaches.
CAPABILITY_ALGORITHMS = {
    STATIC: {'Conv1d': ['kl', 'minmax'], 'Linear': ['kl', 'minmax'], 'Conv2d': ['kl', 'minmax'],
             'Conv3d': ['kl', 'minmax'], 'QuantStub': ['minmax'], 'default': ['kl']},
    DYNAMIC: {'Linear': ['minmax'], 'default': ['minmax']},
}


def all_int8_choices(ops, approach, algorithm):
    """Each op's activation algorithm in a trial that quantizes every op with `algorithm`: that algorithm where the
    op type's capability offers it, else the capability's one choice (the default capability: kl only)."""
    caps = CAPABILITY_ALGORITHMS[DYNAMIC if approach == DYNAMIC else STATIC]
    choices = OD()
    for name, op_type in ops:
        allowed = caps.get(op_type, caps['default'])
        choices[name] = algorithm if algorithm in allowed else allowed[0]
    return choices


def lpot_calib_iteration(sampling_size=None, batch_size=None):
    """LPOT 1.5 TuneStrategy.__init__: math.ceil(sampling_size / q_dataloader.batch_size) with a calibration
    dataloader, whatever the approach; 1 without one."""
    if batch_size is None:
        return 1
    return math.ceil(int(sampling_size) / batch_size)


# ----------------------------------------------------------------------------------------------
# Models (the module trees are a contract: the Java side rebuilds them)

class RefNet(nn.Module):
    """The model of the real LPOT v1.5 files; input [N, 3, 8, 8].

    quant QuantStub; conv Conv2d(3,4,3); relu ReLU; conv2 Conv2d(4,4,1); pool AdaptiveAvgPool2d(1); fc Linear(4,10);
    dequant DeQuantStub.  forward: dequant(fc(torch.flatten(pool(conv2(relu(conv(quant(x))))), 1)))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(3, 4, 3)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc(torch.flatten(self.pool(self.conv2(self.relu(self.conv(self.quant(x))))), 1)))


class WrapNet(nn.Module):
    """Input [2, 3, 8, 8].

    quant QuantStub; conv1 Conv2d(3,8,3,padding=1); relu1 ReLU; conv2 Conv2d(8,8,3,padding=1); relu2 ReLU;
    pool AdaptiveAvgPool2d(1); flatten Flatten(); fc Linear(8,5); dequant DeQuantStub.
    forward: dequant(fc(flatten(pool(relu2(conv2(relu1(conv1(quant(x)))))))))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 5)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.relu1(self.conv1(self.quant(x)))
        x = self.relu2(self.conv2(x))
        return self.dequant(self.fc(self.flatten(self.pool(x))))


class Block(nn.Module):
    """quant QuantStub; fc Linear(8,5); dequant DeQuantStub.  forward: dequant(fc(quant(x)))"""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.fc = nn.Linear(8, 5)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc(self.quant(x)))


class IdentityNet(nn.Module):
    """Input [2, 3, 8, 8].

    quant QuantStub; conv Conv2d(3,8,3); relu ReLU; pool AdaptiveAvgPool2d(1); flatten Flatten(); dequant DeQuantStub;
    block Block.  forward: block(dequant(flatten(pool(relu(conv(quant(x)))))))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(3, 8, 3)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dequant = tq.DeQuantStub()
        self.block = Block()

    def forward(self, x):
        x = self.dequant(self.flatten(self.pool(self.relu(self.conv(self.quant(x))))))
        return self.block(x)


class FusedCNN(nn.Module):
    """Input [2, 3, 16, 16].

    quant QuantStub; conv1 Conv2d(3,8,3,padding=1); bn1 BatchNorm2d(8); relu1 ReLU; conv2 Conv2d(8,8,3,padding=1);
    bn2 BatchNorm2d(8); skip FloatFunctional; pool MaxPool2d(2); avgpool AdaptiveAvgPool2d(1); flatten Flatten();
    fc Linear(8,10); dequant DeQuantStub.
    forward: x = quant(x); a = relu1(bn1(conv1(x))); b = bn2(conv2(a)); c = skip.add(b, a); c = pool(c);
             return dequant(fc(flatten(avgpool(c))))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.skip = nn.quantized.FloatFunctional()
        self.pool = nn.MaxPool2d(2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a = self.relu1(self.bn1(self.conv1(x)))
        b = self.bn2(self.conv2(a))
        c = self.pool(self.skip.add(b, a))
        return self.dequant(self.fc(self.flatten(self.avgpool(c))))


class DropoutNet(nn.Module):
    """Input [2, 3, 8, 8].

    quant QuantStub; conv Conv2d(3,8,3); relu ReLU; drop Dropout(0.25); pool AdaptiveAvgPool2d(1); flatten Flatten();
    fc Linear(8,5); dequant DeQuantStub.  forward: dequant(fc(flatten(pool(drop(relu(conv(quant(x))))))))
    """

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv2d(3, 8, 3)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(0.25)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 5)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc(self.flatten(self.pool(self.drop(self.relu(self.conv(self.quant(x))))))))


class ReluDropoutMLP(nn.Module):
    """Input [3, 16], float in and out.  fc1 Linear(16,32); relu ReLU; drop Dropout(0.1); fc2 Linear(32,4).
    forward: fc2(drop(relu(fc1(x))))"""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.relu = nn.ReLU()
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(self.drop(self.relu(self.fc1(x))))


class BatchNorm3dNet(nn.Module):
    """Input [2, 2, 3, 4, 4].  quant QuantStub; conv Conv3d(2,4,1); bn BatchNorm3d(4); dequant DeQuantStub.
    forward: dequant(bn(conv(quant(x))))"""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv = nn.Conv3d(2, 4, 1)
        self.bn = nn.BatchNorm3d(4)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.bn(self.conv(self.quant(x))))


class Inner(nn.Module):
    """quant QuantStub; fc Linear(2,2); drop Dropout; ff FloatFunctional; dequant DeQuantStub (listing only)."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.fc = nn.Linear(2, 2)
        self.drop = nn.Dropout()
        self.ff = nn.quantized.FloatFunctional()
        self.dequant = tq.DeQuantStub()


class OpTypesNet(nn.Module):
    """Every module type the Java library has, at the root, in Sequentials and in a submodule; for listing the ops
    only (no forward). The tree (names -> types) is a contract with LpotModels.OpTypesNet."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv1d(2, 2, 1)
        self.conv2 = nn.Conv2d(2, 2, 1)
        self.conv3 = nn.Conv3d(2, 2, 1)
        self.bn1 = nn.BatchNorm1d(2)
        self.bn2 = nn.BatchNorm2d(2)
        self.bn3 = nn.BatchNorm3d(2)
        self.relu = nn.ReLU()
        self.relu6 = nn.ReLU6()
        self.drop = nn.Dropout()
        self.ff = nn.quantized.FloatFunctional()
        self.maxpool = nn.MaxPool2d(2)
        self.avgpool = nn.AvgPool2d(2)
        self.apool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.ident = nn.Identity()
        self.fc = nn.Linear(2, 2)
        self.cr1 = nni.ConvReLU1d(nn.Conv1d(2, 2, 1), nn.ReLU())
        self.cr2 = nni.ConvReLU2d(nn.Conv2d(2, 2, 1), nn.ReLU())
        self.cr3 = nni.ConvReLU3d(nn.Conv3d(2, 2, 1), nn.ReLU())
        self.lr = nni.LinearReLU(nn.Linear(2, 2), nn.ReLU())
        self.cb = nni.ConvBn2d(nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2))
        self.cbr = nni.ConvBnReLU2d(nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2), nn.ReLU())
        self.seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sequential(nn.Conv2d(2, 2, 1), nn.Dropout()),
                                 nni.LinearReLU(nn.Linear(2, 2), nn.ReLU()))
        self.inner = Inner()
        self.dequant = tq.DeQuantStub()


# reference: the real LPOT v1.5 file prefix this case copies; choices: the per-op choice of a generated config
Case = collections.namedtuple('Case', 'cls seed input_shape fuse approach reference choices note')

CASES = OD([
    ('lpot15_static', Case(RefNet, 31, [2, 3, 8, 8], [['conv', 'relu']], STATIC, 'post_training_static_quant', None,
                           'the real LPOT v1.5 post_training_static_quant checkpoint (yaml + weights copied byte for '
                           'byte). conv2 is fp32: 3 listed non-QuantStub ops under the root, so it is wrapped in a '
                           'DequantQuantWrapper; its fp32 weights come from the checkpoint (conv2.module.*), not '
                           'from fp32_sd.pt, whose values therefore do not matter.')),
    ('lpot15_qat', Case(RefNet, 31, [2, 3, 8, 8], [['conv', 'relu']], QAT, 'quant_aware_training', None,
                        'the real LPOT v1.5 quant_aware_training checkpoint, rebuilt through the static path '
                        '(same tree and keys as lpot15_static)')),
    ('lpot15_dynamic', Case(RefNet, 31, [2, 3, 8, 8], None, DYNAMIC, 'post_training_dynamic_quant', None,
                            'the real LPOT v1.5 post_training_dynamic_quant checkpoint: only fc is dynamic; quant and '
                            'dequant stay stubs (not in the dynamic mapping), conv/conv2 stay float with the '
                            'checkpoint\'s float weights; fc._metadata version 4 (reduce_range=True in forward)')),
    ('static_wrap', Case(WrapNet, 41, [2, 3, 8, 8], [['conv1', 'relu1']], STATIC, None,
                         OD([('quant', 'minmax'), ('conv1', 'kl'), ('conv2', 'fp32'), ('fc', 'minmax')]),
                         'static, conv1+relu1 fused; conv2 fp32 among 3 listed ops -> DequantQuantWrapper (keys '
                         'conv2.quant.scale/zero_point, conv2.module.weight/bias); relu2 (nn.ReLU, not listed) runs '
                         'on the re-quantized tensor; calibrated with 8 seeded batches through the same LPOT path')),
    ('static_identity', Case(IdentityNet, 42, [2, 3, 8, 8], [['conv', 'relu']], STATIC, None,
                             OD([('quant', 'minmax'), ('conv', 'kl'), ('block.quant', 'minmax'), ('block.fc', 'fp32')]),
                             'static; block.fc is fp32 and the only listed non-QuantStub op under block, so '
                             'block.quant and block.dequant become nn.Identity and block runs in fp32 (keys '
                             'block.fc.weight/bias, float); the root dequantizes before block')),
    ('dynamic_mlp', Case(DynamicMLP, 43, [3, 16], None, DYNAMIC, None, OD([('fc1', 'minmax'), ('fc2', 'fp32')]),
                         'dynamic; fc1 dynamic quantized (per-channel weight), fc2 fp32 (qconfig None: stays '
                         'nn.Linear, no fallback wrapping in dynamic)')),
    ('fused_cnn', Case(FusedCNN, 44, [2, 3, 16, 16], [['conv1', 'bn1', 'relu1'], ['conv2', 'bn2']], STATIC, None,
                       OD([('quant', 'minmax'), ('conv1', 'minmax'), ('conv2', 'kl'), ('skip', 'kl'), ('fc', 'minmax')]),
                       'static; conv1+bn1+relu1 folded into ConvReLU2d, conv2+bn2 folded into Conv2d (bn/relu become '
                       'Identity), FloatFunctional skip listed as (skip, FloatFunctional) with weight+activation '
                       '(LPOT\'s default capability) -> QFunctional add, quantized MaxPool2d, AdaptiveAvgPool2d, '
                       'Flatten, Linear; per-channel symmetric int8 weights')),
])


# Models the Java tuner is run on (no committed fixtures): their tune configs come from `tune-config`, their
# checkpoints are checked with `check --fp32`.
TUNING_CASES = OD([
    ('dropout_net', Case(DropoutNet, 45, [2, 3, 8, 8], [['conv', 'relu']], STATIC, None, None,
                         'static; Dropout is in torch 1.13\'s static mapping: LPOT lists (drop, Dropout) with the '
                         'default capability (kl activation, weight) and convert makes an nn.quantized.Dropout')),
    ('relu_dropout_mlp', Case(ReluDropoutMLP, 46, [3, 16], [['fc1', 'relu']], DYNAMIC, None, None,
                              'dynamic; fc1+relu fused into LinearReLU, listed as (fc1, Linear) and converted to the '
                              'dynamic LinearReLU; Dropout is not in the dynamic mapping')),
    ('bn3d_net', Case(BatchNorm3dNet, 48, [2, 2, 3, 4, 4], None, STATIC, None, None,
                      'static; an unfused BatchNorm3d is an op (default capability) and converts to '
                      'nn.quantized.BatchNorm3d')),
    ('op_types', Case(OpTypesNet, 47, None, None, STATIC, None, None, 'every module type, for listing only')),
])


def case_of(name):
    if name in CASES:
        return CASES[name]
    if name in TUNING_CASES:
        return TUNING_CASES[name]
    raise ValueError('unknown model %r (known: %s)' % (name, ', '.join(list(CASES) + list(TUNING_CASES))))


def build_fp32(name, fp32_sd=None):
    """The fp32 model a user hands to load(): seeded weights (or fp32_sd's), eval mode, fused as the case fuses."""
    case = case_of(name)
    torch.manual_seed(case.seed)
    m = case.cls()
    randomize_batchnorms(m, case.seed + 100)
    m.eval()
    if case.fuse:
        tq.fuse_modules(m, case.fuse, inplace=True)
    if fp32_sd is not None:
        m.load_state_dict(fp32_sd, strict=True)
    return m


def test_input(case):
    g = torch.Generator().manual_seed(INPUT_SEED + case.seed)
    return torch.randn(case.input_shape, generator=g)


def calibration_batches(case):
    g = torch.Generator().manual_seed(CALIBRATION_SEED + case.seed)
    return [torch.randn(case.input_shape, generator=g) for _ in range(CALIBRATION_BATCHES)]


def quantize_like_lpot(fp32_model, tune_cfg, batches):
    """LPOT's own quantization of a model for a tune config (adaptor quantize(), v1.9 rules): the same propagation
    and fallback as load, observers, calibration (static), convert."""
    q = prepare_like_lpot(fp32_model, tune_cfg)
    if tune_cfg['approach'] != DYNAMIC:
        with torch.no_grad():
            for b in batches:
                q(b)
    return convert_like_lpot(q, tune_cfg)


# ----------------------------------------------------------------------------------------------
# Descriptions

def modules_of(model):
    return OD((path, type(m).__name__) for path, m in model.named_modules())


def last_dequant_qparams(model, x):
    """(scale, zero_point) of the quantized tensor entering the last DeQuantize that forward runs."""
    seen = {}

    def hook(_mod, inputs, output):
        t = inputs[0]
        if isinstance(t, torch.Tensor) and t.is_quantized:
            seen['q'] = (float(t.q_scale()), int(t.q_zero_point()))
            seen['out'] = output
        else:
            seen.pop('q', None)

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, torch.ao.nn.quantized.DeQuantize)]
    try:
        with torch.no_grad():
            y = model(x)
    finally:
        for h in handles:
            h.remove()
    # qparams only bound the error when the model's output is that DeQuantize's output; an fp32 op after it
    # (static_identity's block) computes in float, so there are none to give
    if seen.get('out') is not y:
        return None, None
    return seen.get('q', (None, None))


def to_json_text(d):
    return json.dumps(d, indent=1, allow_nan=False) + '\n'


# ----------------------------------------------------------------------------------------------
# generate

def write_case(name, out):
    case = case_of(name)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    fp32 = build_fp32(name)
    if case.reference:
        for suffix in (TUNE_CFG_FILE, WEIGHTS_FILE):
            shutil.copyfile(os.path.join(REFERENCE, '%s.%s' % (case.reference, suffix)), os.path.join(folder, suffix))
        source = 'LPOT v1.5 (real file, copied from fixtures/reference/lpot-v1.5/%s.*)' % case.reference
        calibrated_out = None
    else:
        tune_cfg = make_tune_cfg(fp32, case.approach, case.choices)
        text = dump_tune_cfg(tune_cfg)
        with open(os.path.join(folder, TUNE_CFG_FILE), 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
        qm = quantize_like_lpot(fp32, tune_cfg, calibration_batches(case))
        torch.save(qm.state_dict(), os.path.join(folder, WEIGHTS_FILE))
        with torch.no_grad():
            calibrated_out = qm(test_input(case))
        source = 'written by lpot_models.py the way LPOT dumps it; the model quantized through the same LPOT path'
    fp32_sd = fp32.state_dict()
    torch.save(fp32_sd, os.path.join(folder, 'fp32_sd.pt'))
    x = test_input(case)
    torch.save(x, os.path.join(folder, 'input.pt'))

    # the model LPOT's load builds from the folder, on a fresh fp32 model with the saved weights
    fresh = build_fp32(name, torch.load(os.path.join(folder, 'fp32_sd.pt')))
    loaded, tune_cfg_read, sd = lpot_load(folder, fresh)
    with torch.no_grad():
        y = loaded(x)
    if calibrated_out is not None and not torch.equal(y, calibrated_out):
        raise AssertionError('%s: the loaded model does not reproduce the quantized model\'s output' % name)
    torch.save(y.detach().clone(), os.path.join(folder, 'output.pt'))
    scale, zp = last_dequant_qparams(loaded, x)
    d = OD()
    d['model'] = case.cls.__name__
    d['approach'] = case.approach
    d['fused'] = case.fuse
    d['input_shape'] = list(case.input_shape)
    d['output_shape'] = list(y.shape)
    d['engine'] = ENGINE
    d['torch_version'] = torch.__version__
    d['output_scale'] = scale
    d['output_zero_point'] = zp
    d['modules'] = modules_of(loaded)
    d['keys'] = list(sd.keys())
    d['metadata'] = metadata_of(sd)
    d['fp32_keys'] = list(fp32_sd.keys())
    d['tune_config'] = source
    d['calibration'] = (None if case.reference or case.approach == DYNAMIC else
                        '%d batches torch.randn(%s) from torch.Generator().manual_seed(%d)'
                        % (CALIBRATION_BATCHES, case.input_shape, CALIBRATION_SEED + case.seed))
    d['input'] = 'torch.randn(%s) from torch.Generator().manual_seed(%d)' % (case.input_shape, INPUT_SEED + case.seed)
    d['reduce_range'] = REDUCE_RANGE
    d['note'] = case.note
    with open(os.path.join(folder, 'case.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(to_json_text(d))
    return folder, d


def cmd_generate(out):
    check_yaml_dump()
    os.makedirs(out, exist_ok=True)
    for name in CASES:
        folder, d = write_case(name, out)
        for fname in sorted(os.listdir(folder)):
            p = os.path.join(folder, fname)
            print(os.path.relpath(p, ROOT) if p.startswith(ROOT) else p)
        print('%s: %s, output scale %s zp %s, %d keys' % (name, d['approach'], d['output_scale'],
                                                          d['output_zero_point'], len(d['keys'])), file=sys.stderr)


# ----------------------------------------------------------------------------------------------
# check

def cmd_check(checkpoint_dir, name, input_path, output_path, fp32_path=None):
    case_of(name)
    if not os.path.isdir(checkpoint_dir):
        raise FileNotFoundError('checkpoint folder %s does not exist' % checkpoint_dir)
    if fp32_path is None:
        committed = os.path.join(DEFAULT_OUT, name, 'fp32_sd.pt')
        fp32_path = committed if os.path.isfile(committed) else None
    fp32_sd = torch.load(fp32_path, map_location='cpu') if fp32_path else None
    if fp32_sd is not None and not isinstance(fp32_sd, dict):
        raise ValueError('%s holds a %s, not a state dict' % (fp32_path, type(fp32_sd).__name__))
    try:
        fp32 = build_fp32(name, fp32_sd)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError('the fp32 weights %s do not fit the %s fp32 model: %s'
                           % (fp32_path, name, ' '.join(str(e).split())[:400])) from e
    model, tune_cfg, sd = lpot_load(checkpoint_dir, fp32)
    x = torch.load(input_path, map_location='cpu')
    if not isinstance(x, torch.Tensor):
        raise ValueError('%s holds a %s, not one tensor' % (input_path, type(x).__name__))
    try:
        with torch.no_grad():
            y = model(x)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError('running the loaded %s model on %s (shape %s) failed: %s: %s'
                           % (name, input_path, list(x.shape), type(e).__name__, str(e).splitlines()[0])) from e
    if not isinstance(y, torch.Tensor):
        raise ValueError('the model returned a %s, not a tensor' % type(y).__name__)
    torch.save(y.detach().clone(), output_path)
    result = OD()
    result['keys'] = list(sd.keys())
    result['metadata'] = metadata_of(sd)
    result['modules'] = modules_of(model)
    result['config'] = config_to_json(tune_cfg)
    result['approach'] = tune_cfg.get('approach')
    result['input_shape'] = list(x.shape)
    result['output_shape'] = list(y.shape)
    sys.stdout.write(json.dumps(result) + '\n')


# ----------------------------------------------------------------------------------------------
# ops, tune-config

def cmd_ops(name, approach):
    """The ops LPOT lists for the (fused) model, as JSON [[name, type], ...]."""
    sys.stdout.write(json.dumps([list(op) for op in quantizable_ops(build_fp32(name), approach)]) + '\n')


def cmd_tune_config(name, approach, algorithm, sampling_size=None, batch_size=None):
    """The tune config of a trial that quantizes every op LPOT lists with `algorithm` (within each op type's
    capability), calib_iteration as LPOT computes it, dumped as LPOT dumps it."""
    model = build_fp32(name)
    ops = quantizable_ops(model, approach)
    cfg = make_tune_cfg(model, approach, all_int8_choices(ops, approach, algorithm),
                        lpot_calib_iteration(sampling_size, None if batch_size is None else int(batch_size)))
    sys.stdout.write(dump_tune_cfg(cfg))


def cmd_quantize(name, cfg_path, batches_path, out_path, fp32_path, reduce_range):
    """LPOT's quantize(tune_cfg, model, dataloader) with REDUCE_RANGE as given (LPOT: not CpuInfo().vnni), on the
    model with the weights in fp32_path, calibrated on the tensors in batches_path; saves the state dict."""
    global REDUCE_RANGE
    REDUCE_RANGE = reduce_range
    model = build_fp32(name, torch.load(fp32_path, map_location='cpu'))
    with open(cfg_path, encoding='utf-8') as f:
        tune_cfg = read_tune_cfg_text(f.read())
    batches = torch.load(batches_path, map_location='cpu')
    torch.save(quantize_like_lpot(model, tune_cfg, batches).state_dict(), out_path)


def take_option(args, name, default=None):
    """Removes `name VALUE` from args and returns VALUE (default if absent); ValueError if VALUE is missing."""
    if name not in args:
        return default
    i = args.index(name)
    if i + 1 >= len(args):
        raise ValueError(name + ' needs a value')
    value = args[i + 1]
    del args[i:i + 2]
    return value


def main(argv):
    global ENGINE
    args = list(argv)
    try:
        ENGINE = take_option(args, '--engine', ENGINE)
        fp32_path = take_option(args, '--fp32')
    except ValueError:
        print(__doc__, file=sys.stderr)
        return 2
    setup_determinism()
    if args == ['generate'] and fp32_path is None:
        cmd_generate(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or DEFAULT_OUT)
    elif len(args) == 5 and args[0] == 'check':
        cmd_check(args[1], args[2], args[3], args[4], fp32_path)
    elif len(args) == 6 and args[0] == 'quantize' and fp32_path and args[5] in ('reduce_range', 'full_range'):
        cmd_quantize(args[1], args[2], args[3], args[4], fp32_path, args[5] == 'reduce_range')
    elif len(args) == 3 and args[0] == 'ops' and args[2] in APPROACHES:
        cmd_ops(args[1], args[2])
    elif len(args) in (4, 6) and args[0] == 'tune-config' and args[2] in APPROACHES and args[3] in ('minmax', 'kl'):
        cmd_tune_config(*args[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    try:
        rc = main(sys.argv[1:])
    except Exception as e:  # noqa: BLE001
        text = ' '.join(str(e).split())
        print('error: %s: %s' % (type(e).__name__, text[:800]), file=sys.stderr)
        rc = 1
    sys.exit(rc)
