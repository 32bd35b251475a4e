"""torchvision's quantizable ResNet-18 and ResNet-50 as LPOT v1.5 checkpoints, and torch 1.13's side of `bench load`.

usage (from any directory; /usr/bin/python3 has torch 1.13 and torchvision 0.14):
    /usr/bin/python3 src/test/python/resnet_bench.py models OUTDIR [ARCH,...]
        for each ARCH (default resnet18,resnet50) writes OUTDIR/ARCH/ (not committed: about 120 MB for resnet18, 250 MB for resnet50):
            best_configure.yaml, best_model_weights.pt  the checkpoint, as LPOT v1.5 writes it (lpot_models.py):
                                every op LPOT lists int8 (minmax where the op type allows it), calibrated on
                                2 seeded batches, converted the way LPOT's quantize does
            fp32_sd.pt          the fp32 model's state dict: random weights (torchvision's init, seeded),
                                randomised BatchNorm stats, eval mode, fused by fuse_model() (LPOT's example fuses
                                before tuning and before load)
            input.pt            one seeded [1, 3, 224, 224] input
            fp32_traced.pt      the fused fp32 model traced on it (torch.jit.trace, then save)
            output.pt           the int8 model that LPOT's load rebuilds, run on it
            int8_ts.pt          that int8 model as TorchScript (nn_models.write_torchscript: torch.jit.script, checked
                                to load back and give output.pt exactly): `bench nn`'s torchscript reference
            output_qnnpack.pt   the same under torch 1.13's qnnpack engine
            case.json           {"arch", "engine", "ops", "output_scale", "output_zero_point", "torch_version",
                                "qnnpack_max_abs_diff", "qnnpack_mean_abs_diff" (the same checkpoint loaded and run
                                by torch 1.13 under qnnpack, against output.pt: how far two engines of one torch
                                disagree on this network), ...}
    /usr/bin/python3 src/test/python/resnet_bench.py warm DIR ARCH
        LPOT's load of DIR (read the yaml and the weights, deep copy, qconfig, propagate, prepare, convert,
        load_state_dict) on one fp32 model built first: one untimed load, then prints "ready"; then for every line
        read from stdin one timed load, printing its milliseconds; exits at the end of stdin. (The benchmark
        alternates these loads with its own, so that both sides see the same machine load.) A line "pack"
        instead packs the checkpoint's int8 weights alone, as the Java side's WeightPacking does (conv weights
        with stride 1, padding k // 2, dilation 1, one group and their bias; linear weights with theirs), and
        prints "MS COUNT": the milliseconds and how many weights it packed.
    /usr/bin/python3 src/test/python/resnet_bench.py fresh DIR ARCH
        the fresh-process protocol of `bench load`: imports torch and torchvision, prints "ready", reads a line
        from stdin, builds the fp32 model (fuse_model, fp32_sd.pt), prints "model", reads a line, loads DIR as
        LPOT does, runs input.pt through it, prints "done MODEL_MS LOAD_MS FORWARD_MS", reads a line from stdin
        and exits. The benchmark reads /proc/PID/status (and resets the peak resident set) between the lines.

The int8 engine is onednn, the one LPOT's checkpoints are tuned under with torch 1.13.
"""
import os
import sys
import time

import torch
import torchvision.models.quantization as tvq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lpot_models as lpot  # noqa: E402
from nn_models import randomize_batchnorms, set_engine, write_torchscript  # noqa: E402

ARCHS = {'resnet18': tvq.resnet18, 'resnet50': tvq.resnet50}
SEED = 1812
INPUT_SHAPE = (1, 3, 224, 224)
CALIBRATION_SHAPE = (2, 3, 224, 224)
CALIBRATION_BATCHES = 2
ENGINE = 'onednn'


def build_fp32(arch, fp32_sd=None):
    """The fp32 model a user hands to LPOT's load: eval mode, fused as before tuning."""
    torch.manual_seed(SEED)
    m = ARCHS[arch](weights=None, quantize=False)
    if fp32_sd is None:
        randomize_batchnorms(m, SEED + 1)
    m.eval()
    m.fuse_model()
    if fp32_sd is not None:
        m.load_state_dict(fp32_sd, strict=True)
    return m


def cmd_models(out, archs):
    for arch in archs:
        folder = os.path.join(out, arch)
        os.makedirs(folder, exist_ok=True)
        fp32 = build_fp32(arch)
        cfg = lpot.make_tune_cfg(fp32, lpot.STATIC, lpot.all_int8_choices(lpot.quantizable_ops(fp32, lpot.STATIC),
                                                                           lpot.STATIC, 'minmax'),
                                 calib_iteration=CALIBRATION_BATCHES)
        with open(os.path.join(folder, lpot.TUNE_CFG_FILE), 'w', encoding='utf-8', newline='\n') as f:
            f.write(lpot.dump_tune_cfg(cfg))
        g = torch.Generator().manual_seed(SEED + 2)
        batches = [torch.randn(CALIBRATION_SHAPE, generator=g) for _ in range(CALIBRATION_BATCHES)]
        q = lpot.quantize_like_lpot(fp32, cfg, batches)
        torch.save(q.state_dict(), os.path.join(folder, lpot.WEIGHTS_FILE))
        torch.save(fp32.state_dict(), os.path.join(folder, 'fp32_sd.pt'))
        x = torch.randn(INPUT_SHAPE, generator=torch.Generator().manual_seed(SEED + 3))
        torch.save(x, os.path.join(folder, 'input.pt'))
        with torch.no_grad():
            # the same fused fp32 model as a TorchScript file: what a service without Java model code holds
            torch.jit.trace(build_fp32(arch, fp32.state_dict()), x).save(os.path.join(folder, 'fp32_traced.pt'))
        loaded, _, _ = lpot.lpot_load(folder, build_fp32(arch, torch.load(os.path.join(folder, 'fp32_sd.pt'))))
        with torch.no_grad():
            y = loaded(x)
            if not torch.equal(y, q(x)):
                raise AssertionError('%s: the loaded model does not reproduce the quantized model' % arch)
        torch.save(y, os.path.join(folder, 'output.pt'))
        int8_ts = write_torchscript(loaded, x, y, os.path.join(folder, 'int8_ts.pt'))
        scale, zp = lpot.last_dequant_qparams(loaded, x)
        set_engine('qnnpack')
        try:
            with torch.no_grad():
                other = lpot.lpot_load(folder, build_fp32(arch, fp32.state_dict()))[0](x)
        finally:
            set_engine(ENGINE)
        torch.save(other, os.path.join(folder, 'output_qnnpack.pt'))
        spread = (other - y).abs()
        d = {'arch': arch, 'engine': ENGINE, 'torch_version': torch.__version__, 'ops': len(cfg['op']),
             'input_shape': list(INPUT_SHAPE), 'output_shape': list(y.shape), 'output_scale': scale,
             'output_zero_point': zp, 'seed': SEED, 'qnnpack_max_abs_diff': spread.max().item(),
             'qnnpack_mean_abs_diff': spread.mean().item(), 'int8_ts': int8_ts,
             'calibration': '%d batches torch.randn(%s) from torch.Generator().manual_seed(%d)'
                            % (CALIBRATION_BATCHES, CALIBRATION_SHAPE, SEED + 2)}
        with open(os.path.join(folder, 'case.json'), 'w', encoding='utf-8', newline='\n') as f:
            f.write(lpot.to_json_text(d))
        print(folder)


def load_like_lpot(folder, fp32):
    """LPOT's load: read both files, deep copy, qconfig, prepare, convert, load_state_dict (strict)."""
    cfg, sd = lpot.read_checkpoint(folder)
    q = lpot.convert_like_lpot(lpot.prepare_like_lpot(fp32, cfg), cfg)
    q.load_state_dict(sd)
    return q


def weight_packers(sd):
    """One function per int8 conv and linear weight of a quantized state dict that packs it (WeightPacking.java)."""
    packers = []
    for key, value in sd.items():
        if isinstance(value, torch.Tensor) and value.dtype == torch.qint8 and value.dim() >= 3 \
                and key.endswith('.weight'):
            spatial = value.dim() - 2
            bias = sd.get(key[:-len('weight')] + 'bias')
            prepack = {1: torch.ops.quantized.conv1d_prepack, 2: torch.ops.quantized.conv2d_prepack,
                       3: torch.ops.quantized.conv3d_prepack}[spatial]
            padding = [k // 2 for k in value.shape[2:]]
            packers.append(lambda w=value, b=bias, f=prepack, p=padding, n=spatial: f(w, b, [1] * n, p, [1] * n, 1))
        elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], torch.Tensor) \
                and value[0].dtype == torch.qint8 and value[0].dim() == 2:
            packers.append(lambda w=value[0], b=value[1]: torch.ops.quantized.linear_prepack(w, b))
    return packers


def cmd_warm(folder, arch):
    fp32 = build_fp32(arch, torch.load(os.path.join(folder, 'fp32_sd.pt')))
    load_like_lpot(folder, fp32)
    packers = weight_packers(lpot.read_checkpoint(folder)[1])
    print('ready', flush=True)
    for line in sys.stdin:
        t0 = time.perf_counter()
        if line.strip() == 'pack':
            packed = [pack() for pack in packers]
            print('%.3f %d' % ((time.perf_counter() - t0) * 1e3, len(packed)), flush=True)
            continue
        load_like_lpot(folder, fp32)
        print('%.3f' % ((time.perf_counter() - t0) * 1e3), flush=True)


def cmd_fresh(folder, arch):
    print('ready', flush=True)
    sys.stdin.readline()
    t0 = time.perf_counter()
    fp32 = build_fp32(arch, torch.load(os.path.join(folder, 'fp32_sd.pt')))
    print('model', flush=True)
    sys.stdin.readline()
    t1 = time.perf_counter()
    q = load_like_lpot(folder, fp32)
    t2 = time.perf_counter()
    with torch.no_grad():
        q(torch.load(os.path.join(folder, 'input.pt')))
    t3 = time.perf_counter()
    print('done %.3f %.3f %.3f' % ((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3), flush=True)
    sys.stdin.readline()


def main(argv):
    set_engine(ENGINE)
    if len(argv) in (2, 3) and argv[0] == 'models':
        archs = argv[2].split(',') if len(argv) == 3 else list(ARCHS)
        unknown = [a for a in archs if a not in ARCHS]
        if unknown:
            raise ValueError('unknown architectures %s (known: %s)' % (unknown, ', '.join(ARCHS)))
        cmd_models(argv[1], archs)
    elif len(argv) == 3 and argv[0] == 'warm':
        cmd_warm(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == 'fresh':
        cmd_fresh(argv[1], argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    import script_main
    script_main.run(main)
