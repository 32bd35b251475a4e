"""TorchScript files of torchvision's quantizable models, with LPOT-semantics checkpoints of them and torch 1.13's
outputs: the oracle of io.qcheckpoint.torchscript's tests.

usage:
    /usr/bin/python3 src/test/python/torchscript_models.py generate MODEL MODE OUT [ENGINE [OTHER_ENGINE]]
        MODEL one of MODELS below; MODE trace or script. Writes into the folder OUT:
            fp32.pt           torch.jit.save of torch.jit.trace(model, input) or torch.jit.script(model), where model is
                              torchvision 0.14's quantizable MODEL (quantize=False, seeded random weights, randomised
                              BatchNorm statistics, eval, fuse_model())
            input.pt          one seeded input tensor
            float_output.pt   the eager fp32 model's output on input.pt
            calibration.pt    the list of calibration batches
            checkpoint/       best_configure.yaml + best_model_weights.pt: LPOT's static int8 quantization of the
                              model (every listed op int8, minmax where offered), calibrated on seeded batches, as
                              lpot_models.py makes them
            int8_output.pt    the output, on input.pt, of lpot_models.lpot_load(checkpoint, fresh fp32 model)
            int8_hooked.pt    the list of the dequantized outputs of that model's modules at HOOKED[MODEL] (empty
                              for most), in that order
            case.json         {"model", "mode", "input_shape", "output_scale", "output_zero_point", "fp32_keys",
                               "int8_hooked", "torch_version", "engine"}
        ENGINE: torch.backends.quantized.engine for the int8 run (default: onednn, as lpot_models.py).
        OTHER_ENGINE: also writes int8_output_OTHER_ENGINE.pt, the checkpoint loaded and run as check does under
        OTHER_ENGINE (torch's own spread between engines, and its output under its default engine, onednn).
        Deterministic: fixed seeds, one intra-op thread.
    /usr/bin/python3 src/test/python/torchscript_models.py check DIR MODEL INPUT OUTPUT ENGINE
        loads the checkpoint in DIR as LPOT does (lpot_models.lpot_load) onto a fresh fp32 MODEL (built as generate
        builds it, so with the same weights), runs it under ENGINE on the tensor in INPUT and torch.saves the output
        to OUTPUT.
    /usr/bin/python3 src/test/python/torchscript_models.py layers DIR MODEL INPUT OUTPUT ENGINE
        as check, but torch.saves, for each quantized Conv2d and Linear module (fused ReLU included) in forward order,
        [path, input, input scale, input zero point, output, output scale], input and output dequantized: each
        layer's int8 result on the very input torch gave it.
Any failure exits 1 with one line "error: ..." on stderr.
"""
import collections
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lpot_models  # noqa: E402
from nn_models import randomize_batchnorms  # noqa: E402
from torchvision.models import quantization as tvq  # noqa: E402

OD = collections.OrderedDict
SEED = 1313

# name -> (constructor, input shape): small inputs keep the runs short
MODELS = OD([
    ('resnet18', (lambda: tvq.resnet18(weights=None, quantize=False), [1, 3, 32, 32])),
    ('resnet50', (lambda: tvq.resnet50(weights=None, quantize=False), [1, 3, 32, 32])),
    ('mobilenet_v2', (lambda: tvq.mobilenet_v2(weights=None, quantize=False), [1, 3, 32, 32])),
    ('mobilenet_v3_large', (lambda: tvq.mobilenet_v3_large(weights=None, quantize=False), [1, 3, 32, 32])),
    ('shufflenet_v2_x1_0', (lambda: tvq.shufflenet_v2_x1_0(weights=None, quantize=False), [1, 3, 32, 32])),
    ('googlenet', (lambda: tvq.googlenet(weights=None, quantize=False, init_weights=False, aux_logits=False),
                   [1, 3, 64, 64])),
    ('inception_v3', (lambda: tvq.inception_v3(weights=None, quantize=False, init_weights=False, aux_logits=False),
                      [1, 3, 75, 75])),
])


# name -> the modules whose int8 outputs are recorded too: MobileNetV3's own int8 output is all zeros under LPOT's load
# (its quantized Hardswish modules keep the qparams of convert's uncalibrated observers, scale 1 and zero point 0, as
# their qparams are attributes, not state dict entries), so its quantized Hardswish and Hardsigmoid are checked where
# they still see signal: the stem (conv, Hardswish) and the first squeeze-excitation (Hardsigmoid, FloatFunctional mul)
HOOKED = {'mobilenet_v3_large': ['features.0', 'features.4.block.2']}


def build(name):
    ctor, shape = MODELS[name]
    torch.manual_seed(SEED)
    m = ctor()
    randomize_batchnorms(m, SEED + 1)
    m.eval()
    m.fuse_model()
    return m, shape


def seeded(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def generate(name, mode, out):
    os.makedirs(out, exist_ok=True)
    model, shape = build(name)
    x = seeded(shape, lpot_models.INPUT_SEED)
    with torch.no_grad():
        y = model(x)
        ts = torch.jit.trace(model, x) if mode == 'trace' else torch.jit.script(model)
    ts.save(os.path.join(out, 'fp32.pt'))
    torch.save(x, os.path.join(out, 'input.pt'))
    torch.save(y, os.path.join(out, 'float_output.pt'))

    ops = lpot_models.quantizable_ops(model, lpot_models.STATIC)
    tune_cfg = lpot_models.make_tune_cfg(model, lpot_models.STATIC,
                                         lpot_models.all_int8_choices(ops, lpot_models.STATIC, 'minmax'))
    batches = [seeded(shape, lpot_models.CALIBRATION_SEED + i) for i in range(lpot_models.CALIBRATION_BATCHES)]
    torch.save(batches, os.path.join(out, 'calibration.pt'))
    qm = lpot_models.quantize_like_lpot(model, tune_cfg, batches)
    ckpt = os.path.join(out, 'checkpoint')
    os.makedirs(ckpt, exist_ok=True)
    with open(os.path.join(ckpt, lpot_models.TUNE_CFG_FILE), 'w', encoding='utf-8', newline='\n') as f:
        f.write(lpot_models.dump_tune_cfg(tune_cfg))
    torch.save(qm.state_dict(), os.path.join(ckpt, lpot_models.WEIGHTS_FILE))

    loaded = lpot_loaded(ckpt, name)
    with torch.no_grad():
        q = loaded(x)
    torch.save(q, os.path.join(out, 'int8_output.pt'))
    hooked = HOOKED.get(name, [])
    torch.save(int8_outputs(loaded, hooked, x), os.path.join(out, 'int8_hooked.pt'))
    scale, zp = lpot_models.last_dequant_qparams(loaded, x)
    info = OD([('model', name), ('mode', mode), ('input_shape', shape), ('output_scale', scale),
               ('output_zero_point', zp), ('fp32_keys', list(model.state_dict().keys())),
               ('int8_hooked', hooked), ('torch_version', torch.__version__), ('engine', lpot_models.ENGINE)])
    with open(os.path.join(out, 'case.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(info, indent=1) + '\n')


def int8_outputs(model, paths, x):
    """The dequantized outputs of the modules at paths in one forward of model on x, in the order of paths."""
    outputs = {}
    modules = dict(model.named_modules())
    handles = [modules[p].register_forward_hook(lambda m, i, o, p=p: outputs.__setitem__(p, o.dequantize()))
               for p in paths]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return [outputs[p] for p in paths]


def lpot_loaded(ckpt, name):
    """LPOT's load of the checkpoint in ckpt onto a fresh fp32 MODEL."""
    loaded, _, _ = lpot_models.lpot_load(ckpt, build(name)[0])
    return loaded


def check(ckpt, name, input_path, output_path):
    """LPOT's load of the checkpoint in ckpt onto a fresh fp32 MODEL, run on the tensor in input_path."""
    with torch.no_grad():
        torch.save(lpot_loaded(ckpt, name)(torch.load(input_path)), output_path)


def int8_layers(model, x):
    """[path, input, in scale, in zero point, output, out scale] of each quantized conv and linear, in forward order."""
    seen = []

    def record(path):
        return lambda m, i, o: seen.append([path, i[0].dequantize(), i[0].q_scale(), i[0].q_zero_point(),
                                            o.dequantize(), o.q_scale()])
    handles = [m.register_forward_hook(record(p)) for p, m in model.named_modules()
               if isinstance(m, (torch.nn.quantized.Conv2d, torch.nn.quantized.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return seen


def main(argv):
    if len(argv) in (4, 5, 6) and argv[0] == 'generate' and argv[1] in MODELS and argv[2] in ('trace', 'script'):
        if len(argv) >= 5:
            lpot_models.ENGINE = argv[4]
        lpot_models.setup_determinism()
        generate(argv[1], argv[2], argv[3])
        if len(argv) == 6:
            lpot_models.set_engine(argv[5])
            out = argv[3]
            check(os.path.join(out, 'checkpoint'), argv[1], os.path.join(out, 'input.pt'),
                  os.path.join(out, 'int8_output_%s.pt' % argv[5]))
        return 0
    if len(argv) == 6 and argv[0] == 'check' and argv[2] in MODELS:
        lpot_models.ENGINE = argv[5]
        lpot_models.setup_determinism()
        check(argv[1], argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 6 and argv[0] == 'layers' and argv[2] in MODELS:
        lpot_models.ENGINE = argv[5]
        lpot_models.setup_determinism()
        torch.save(int8_layers(lpot_loaded(argv[1], argv[2]), torch.load(argv[3])), argv[4])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    import script_main
    script_main.run(main)
