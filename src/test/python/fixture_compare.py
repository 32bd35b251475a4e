"""Compares freshly generated fixtures with the committed ones: exact where the math is exact,
within a stated tolerance where torch's float kernels decide the last bits.

usage: fixture_compare.py COMMITTED_DIR REGENERATED_DIR

Prints one JSON object {"files": N, "identical": N, "within_tolerance": N, "mismatches": [...],
"worst": {...}} and exits 0 when there are no mismatches, 1 otherwise.

Why tolerances at all: torch 1.13 picks its float kernels by CPU (ATEN_CPU_CAPABILITY default, avx2,
avx512; oneDNN's ISA for convolutions). Even torch.randn from a seeded generator differs in the last
bits between them (its vectorised Box-Muller uses other log/sin code), so every float a generator
draws or computes may differ from one machine to the next, and so may everything derived from it:
observed qparams, quantized weights, pickled Python floats. The rules, file by file:

- Files that are byte-identical pass as they are. Anything that is not a .pt or .json file (YAML tune
  configs, readmes) must be byte-identical: nothing float-computed goes into them.
- .pt files, both loaded with real torch: the same container (zip or legacy) and, for zips, the same
  record names in the same order with the same sizes; the same object tree (types, dict keys and
  their order, lengths, strings, ints, dtypes, shapes, strides, qschemes, axes); integer and bool
  tensors equal, except zero points (tensors or Python ints under a key ending in 'zero_point'),
  which come from observed float ranges and may move by one; float tensors within FLOAT_RTOL of the
  tensor's largest magnitude; Python floats within FLOAT_RTOL relative; quantized tensors with
  scales within FLOAT_RTOL relative, zero points within one, and integer representations within one
  step of each other.
- TorchScript archives (.pt zips with a constants.pkl record, from torch.jit.save, or files derived
  from one): the same record names in the same order, compressed alike; the code, pickles and other
  records byte-identical, except that a .debug_pkl record is not compared at all (torch writes the
  absolute path of the generating script into it, so it differs between checkouts; it only holds
  source ranges for torch's error messages), and a tensor storage (a record under data/) may
  differ as float32 values within FLOAT_RTOL of its largest magnitude (seeded draws differ between
  CPUs).
- .json files: the same tree, strings and integers equal, floats within FLOAT_RTOL relative, except
  a tensor's 'sha256' in a torchdesc description, which may differ only for float and quantized
  dtypes (their data is compared in the .pt file beside it, within the tolerances above).
- An output.pt beside a case.json is the output of a model run through int8 kernels. torch's oneDNN
  int8 convolutions give other results on CPUs without VNNI (AVX2, AVX-512 without VNNI, SSE4.1):
  they add products pairwise in saturating int16 (vpmaddubsw), which is why LPOT reduces the range
  on such CPUs. Measured between this machine's VNNI kernels and every other ISA oneDNN offers, on
  the committed cases: up to 6 output steps apart, 1.1 steps on average, and 8.2% of the largest
  magnitude for a float layer fed by int8 ones. So with an output scale in case.json, every element
  within INT8_MAX_STEPS steps and the mean within INT8_MEAN_STEPS; without one (an fp32 last layer),
  every element within INT8_FED_RTOL of the largest magnitude. A changed seed, op or checkpoint
  moves these outputs by tens of steps.

FLOAT_RTOL is 1e-4. The largest differences measured between this machine's AVX-512 kernels, ATen's
default kernels and oneDNN limited to AVX2, over every fixture: 1.9e-6 for seeded draws, 7.4e-6 for
model outputs, 1.3e-5 for a difference of two model outputs (nn-quant ops.json's
q_vs_float_max_abs_diff). 1e-4 leaves a margin of about eight over the worst, while any real change
(seed, shape, op) moves values by far more than 1e-3 relative.
"""
import json
import math
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchdesc  # noqa: E402,F401  (puts fakes/ on sys.path for pickled DotDicts)

import torch  # noqa: E402

FLOAT_RTOL = 1e-4
INT8_MAX_STEPS = 8
INT8_MEAN_STEPS = 2
INT8_FED_RTOL = 0.15
QUANTIZED_DTYPES = {torch.qint8, torch.quint8, torch.qint32, torch.quint4x2, torch.quint2x4}


class Mismatch(Exception):
    pass


class Comparison:
    """Compares two object trees, recording the worst tolerated differences."""

    def __init__(self):
        self.worst = {'float_rel': 0.0, 'int_repr_steps': 0, 'zero_point_steps': 0, 'int8_output_steps': 0.0,
                      'int8_output_mean_steps': 0.0, 'int8_fed_rel': 0.0}

    def note(self, key, value):
        self.worst[key] = max(self.worst[key], value)

    def close(self, a, b, scale, where):
        """Floats a and b within FLOAT_RTOL of scale (NaN matches NaN, infinities must be equal)."""
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
            if not (a == b or (math.isnan(a) and math.isnan(b))):
                raise Mismatch('%s: %r != %r' % (where, a, b))
            return
        rel = abs(a - b) / scale if scale > 0 else abs(a - b)
        self.note('float_rel', rel)
        if rel > FLOAT_RTOL:
            raise Mismatch('%s: %r and %r differ by %.3g relative (tolerance %g)' % (where, a, b, rel, FLOAT_RTOL))

    def zero_point(self, a, b, where):
        steps = abs(int(a) - int(b))
        self.note('zero_point_steps', steps)
        if steps > 1:
            raise Mismatch('%s: zero point %s != %s' % (where, a, b))

    def tensor(self, a, b, where, key):
        for attr in ('dtype', 'shape', 'layout'):
            if getattr(a, attr) != getattr(b, attr):
                raise Mismatch('%s: %s %s != %s' % (where, attr, getattr(a, attr), getattr(b, attr)))
        if a.layout == torch.strided and (a.stride() != b.stride() or a.storage_offset() != b.storage_offset()):
            raise Mismatch('%s: strides or offset differ' % where)
        if a.requires_grad != b.requires_grad:
            raise Mismatch('%s: requires_grad differs' % where)
        a, b = a.detach(), b.detach()
        if a.dtype in QUANTIZED_DTYPES:
            self.quantized(a, b, where)
        elif a.dtype.is_floating_point or a.dtype.is_complex:
            self.floats(torch.view_as_real(a) if a.is_complex() else a,
                        torch.view_as_real(b) if b.is_complex() else b, where)
        elif key.endswith('zero_point'):
            diff = (a.long() - b.long()).abs()
            self.zero_point(diff.max().item() if diff.numel() else 0, 0, where)
        elif not torch.equal(a, b):
            raise Mismatch('%s: %s values differ' % (where, a.dtype))

    def floats(self, a, b, where):
        a64, b64 = a.double(), b.double()
        if a64.numel() == 0:
            return
        if not torch.equal(torch.isnan(a64), torch.isnan(b64)) or not torch.equal(a64.isinf(), b64.isinf()) \
                or not torch.equal(a64[a64.isinf()], b64[b64.isinf()]):
            raise Mismatch('%s: NaN or infinity positions differ' % where)
        finite = a64.isfinite()
        if not finite.any():
            return
        scale = a64[finite].abs().max().item()
        diff = (a64[finite] - b64[finite]).abs().max().item()
        self.close(0.0, diff, scale, where + ' (largest difference against the largest magnitude)')

    def quantized(self, a, b, where):
        if a.qscheme() != b.qscheme():
            raise Mismatch('%s: qscheme %s != %s' % (where, a.qscheme(), b.qscheme()))
        if a.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            self.close(a.q_scale(), b.q_scale(), abs(a.q_scale()), where + ' scale')
            self.zero_point(a.q_zero_point(), b.q_zero_point(), where)
        else:
            if a.q_per_channel_axis() != b.q_per_channel_axis():
                raise Mismatch('%s: axis differs' % where)
            sa, sb = a.q_per_channel_scales().double(), b.q_per_channel_scales().double()
            for i in range(sa.numel()):
                self.close(sa[i].item(), sb[i].item(), abs(sa[i].item()), '%s scale[%d]' % (where, i))
            za, zb = a.q_per_channel_zero_points(), b.q_per_channel_zero_points()
            self.zero_point((za - zb).abs().max().item() if za.numel() else 0, 0, where)
        if a.numel():
            steps = (a.int_repr().long() - b.int_repr().long()).abs().max().item()
            self.note('int_repr_steps', steps)
            if steps > 1:
                raise Mismatch('%s: integer representations differ by %d steps' % (where, steps))

    def tree(self, a, b, where='', key=''):
        if type(a) is not type(b):
            raise Mismatch('%s: type %s != %s' % (where or 'root', type(a).__name__, type(b).__name__))
        if isinstance(a, torch.Tensor):
            self.tensor(a, b, where, key)
        elif isinstance(a, dict):
            if list(a.keys()) != list(b.keys()):
                raise Mismatch('%s: keys %s != %s' % (where or 'root', list(a.keys())[:8], list(b.keys())[:8]))
            for k in a:
                self.tree(a[k], b[k], '%s/%s' % (where, k), str(k))
            self.tree(getattr(a, '_metadata', None), getattr(b, '_metadata', None), where + '/_metadata', '')
        elif isinstance(a, (list, tuple)):
            if len(a) != len(b):
                raise Mismatch('%s: length %d != %d' % (where, len(a), len(b)))
            for i, (x, y) in enumerate(zip(a, b)):
                self.tree(x, y, '%s/%d' % (where, i), key if isinstance(a, tuple) else '')
        elif isinstance(a, float):
            self.close(a, b, abs(a), where)
        elif isinstance(a, int) and not isinstance(a, bool) and key.endswith('zero_point'):
            self.zero_point(a, b, where)
        elif isinstance(a, torch.nn.Module):
            self.tree(a.state_dict(), b.state_dict(), where, key)
        elif a != b:
            raise Mismatch('%s: %r != %r' % (where, a, b))

    def json_tree(self, a, b, where=''):
        if isinstance(a, bool) or isinstance(b, bool) or a is None or isinstance(a, str):
            if a != b:
                raise Mismatch('%s: %r != %r' % (where or 'root', a, b))
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if isinstance(a, int) and isinstance(b, int):
                if a != b and not where.endswith('zero_point'):
                    raise Mismatch('%s: %r != %r' % (where, a, b))
                if a != b:
                    self.zero_point(a, b, where)
            else:
                self.close(float(a), float(b), abs(float(a)), where)
        elif isinstance(a, dict) and isinstance(b, dict):
            if list(a.keys()) != list(b.keys()):
                raise Mismatch('%s: keys differ' % (where or 'root'))
            computed = str(a.get('dtype', '')).startswith(('float', 'complex', 'q')) and 'sha256' in a
            for k in a:
                if k == 'sha256' and computed:
                    continue
                self.json_tree(a[k], b[k], '%s/%s' % (where, k))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                raise Mismatch('%s: length %d != %d' % (where, len(a), len(b)))
            for i, (x, y) in enumerate(zip(a, b)):
                self.json_tree(x, y, '%s/%d' % (where, i))
        else:
            raise Mismatch('%s: %r != %r' % (where or 'root', a, b))


def zip_layout(path):
    if not zipfile.is_zipfile(path):
        return 'legacy'
    with zipfile.ZipFile(path) as z:
        return [(i.filename, i.compress_type, i.file_size) for i in z.infolist()]


def compare_int8_output(cmp, a, b, case):
    """a and b, float outputs of a model run through int8 kernels, within the INT8_* bounds."""
    if a.shape != b.shape or a.dtype != b.dtype:
        raise Mismatch('shape or dtype differs')
    diff = (a.double() - b.double()).abs()
    scale = case.get('output_scale')
    if scale is None:
        rel = diff.max().item() / a.abs().max().item()
        cmp.note('int8_fed_rel', rel)
        if rel > INT8_FED_RTOL:
            raise Mismatch('an fp32 output fed by int8 layers moved by %.3g relative (tolerance %g)' % (rel, INT8_FED_RTOL))
        return
    steps, mean = diff.max().item() / scale, diff.mean().item() / scale
    cmp.note('int8_output_steps', steps)
    cmp.note('int8_output_mean_steps', mean)
    if steps > INT8_MAX_STEPS + 1e-3 or mean > INT8_MEAN_STEPS:
        raise Mismatch('int8 outputs moved by up to %.2f steps, %.2f on average (tolerance %d, %d)'
                       % (steps, mean, INT8_MAX_STEPS, INT8_MEAN_STEPS))


def is_torchscript(path):
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any(n.endswith('/constants.pkl') for n in z.namelist())


def compare_torchscript(cmp, a, b):
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        layout = [(i.filename, i.compress_type) for i in za.infolist()]
        if layout != [(i.filename, i.compress_type) for i in zb.infolist()]:
            raise Mismatch('the archives differ (record names, order or compression)')
        for name, _ in layout:
            if name.endswith('.debug_pkl'):
                continue
            ra, rb = za.read(name), zb.read(name)
            if ra == rb:
                continue
            if '/data/' not in name or len(ra) != len(rb) or len(ra) % 4:
                raise Mismatch('record %s differs' % name)
            cmp.floats(torch.frombuffer(bytearray(ra), dtype=torch.float32),
                       torch.frombuffer(bytearray(rb), dtype=torch.float32), name)


def compare_pt(cmp, a, b):
    if is_torchscript(a):
        compare_torchscript(cmp, a, b)
        return
    if zip_layout(a) != zip_layout(b):
        raise Mismatch('the containers differ (record names, order, compression or sizes)')
    ta, tb = torch.load(a, map_location='cpu'), torch.load(b, map_location='cpu')
    case = os.path.join(os.path.dirname(a), 'case.json')
    if os.path.basename(a) == 'output.pt' and os.path.exists(case) and isinstance(ta, torch.Tensor):
        with open(case) as f:
            compare_int8_output(cmp, ta, tb, json.load(f))
    else:
        cmp.tree(ta, tb)


def compare_json(cmp, a, b):
    with open(a) as fa, open(b) as fb:
        cmp.json_tree(json.load(fa), json.load(fb))


def files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return sorted(out)


def main(committed, regenerated):
    names = files(committed)
    report = {'files': len(names), 'identical': 0, 'within_tolerance': 0, 'mismatches': []}
    if names != files(regenerated):
        report['mismatches'].append('the file lists differ: %s vs %s' % (names, files(regenerated)))
        names = []
    cmp = Comparison()
    for name in names:
        a, b = os.path.join(committed, name), os.path.join(regenerated, name)
        with open(a, 'rb') as fa, open(b, 'rb') as fb:
            if fa.read() == fb.read():
                report['identical'] += 1
                continue
        try:
            if name.endswith('.pt'):
                compare_pt(cmp, a, b)
            elif name.endswith('.json'):
                compare_json(cmp, a, b)
            else:
                raise Mismatch('differs, and must be byte-identical')
            report['within_tolerance'] += 1
        except Mismatch as e:
            report['mismatches'].append('%s: %s' % (name, e))
    report['worst'] = cmp.worst
    sys.stdout.write(json.dumps(report, sort_keys=True) + '\n')
    return 1 if report['mismatches'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
