"""LPOT tune configs (YAML) and IPEX calibration lists (JSON), written by PyYAML 6.0 and Python's json module
exactly as LPOT writes them: the oracle for io.qcheckpoint.config. Needs only /usr/bin/python3 with PyYAML.

usage (from any directory):
    /usr/bin/python3 src/test/python/config_fixtures.py generate
        writes the fixtures into src/test/resources/fixtures/config/ ($QCHECKPOINT_FIXTURES_OUT instead if set):
          tune_NN.yaml        seeded, varied tune configs dumped the way LPOT dumps best_configure.yaml
          ipex_NN.json        seeded IPEX calibration lists dumped the way LPOT dumps best_configure.json
          anchors.yaml        a config whose ops share one dict object, so PyYAML writes &id001 / *id001;
          anchors.expected.yaml  the same data without shared objects (what a writer without anchors gives)
          ilit_ordereddict.yaml  iLiT / LPOT 1.0-style: the op map as an OrderedDict dumped without LPOT's
                              representer (!!python/object/apply:collections.OrderedDict);
          ilit_ordereddict.expected.yaml  the same data as LPOT 1.2+ writes it
          lpot_dotdict.yaml   LPOT 1.0/1.1-style: per-op values (and an empty 'advance') as lpot.conf.dotdict.DotDict,
                              dumped by yaml.dump (!!python/object/new:lpot.conf.dotdict.DotDict with dictitems,
                              !!python/object:lpot.conf.dotdict.DotDict {} for the empty one);
          ilit_dotdict.yaml   iLiT-style: the whole config an ilit.conf.dotdict.DotDict (nested ones too);
          *_dotdict.expected.yaml  the data PyYAML's full loader reads from them (DotDicts as mappings, in file
                              order), as LPOT 1.2+ writes it
        Deterministic: running it twice gives byte-identical files.
    /usr/bin/python3 src/test/python/config_fixtures.py check DIR
        for every DIR/X.data.json (a value in the tagged encoding below, written by the Java test):
          if DIR/X.yaml exists: writes DIR/X.expected.yaml = LPOT's dump of the value, and checks that
            yaml.safe_load(DIR/X.yaml) (with LPOT's tuple constructor) equals the value;
          if DIR/X.json exists: writes DIR/X.expected.json = json.dumps(value), and checks that
            json.load(DIR/X.json) equals the value.
        "Equal" is strict: same types (tuple is not list, int is not float, bool is not int), floats bit for bit
        (NaN equals NaN), nested mappings in the same order (the top-level mapping in any order: LPOT's dump
        sorts it). Prints one line per file, "ok X.yaml" or "MISMATCH X.yaml: ...", and exits 0 either way.
    /usr/bin/python3 src/test/python/config_fixtures.py repr FILE
        FILE holds one double per line as 16 hex digits (its IEEE bits); prints repr(float) of each, one a line.

Tagged encoding (JSON), chosen so that nothing depends on the float formatting under test:
    null / true / false / "string"  as themselves
    {"i": "123"}   int (decimal digits)          {"f": "3ff0000000000000"}  float (IEEE bits, hex)
    {"l": [...]}   list                          {"t": [...]}               tuple
    {"m": [[key, value], ...]}  mapping, in order (the top level a dict, nested ones OrderedDicts)

How LPOT dumps (the reference files in fixtures/reference/lpot-v1.5 are reproduced byte for byte by it):
yaml.dump(cfg, default_flow_style=False) with the default (pure Python) Dumper, sort_keys on, where the
top-level config is a plain dict (so its keys come out sorted) and every nested mapping keeps its order (in LPOT
the op map and per-op dicts come from ordered containers; here: OrderedDicts with a representer that hands
PyYAML the items, which it does not sort). The IPEX list: json.dump(list, f), defaults (one line, ', ' and
': ', ensure_ascii, NaN/Infinity allowed), no newline at the end.
"""
import collections
import json
import math
import os
import random
import struct
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'fakes'))  # stand-ins for lpot.conf.dotdict and ilit.conf.dotdict
from ilit.conf.dotdict import DotDict as IlitDotDict  # noqa: E402
from lpot.conf.dotdict import DotDict as LpotDotDict  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DEFAULT_OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'config')

# LPOT's reader: yaml.safe_load plus this one constructor (lpot/utils/pytorch.py).
yaml.SafeLoader.add_constructor('tag:yaml.org,2002:python/tuple',
                                lambda loader, node: tuple(loader.construct_sequence(node)))


class LpotDumper(yaml.Dumper):
    """yaml.Dumper with ordered nested mappings: PyYAML sorts a mapping only when it is given one with .items()."""


LpotDumper.add_representer(collections.OrderedDict, lambda dumper, data: dumper.represent_dict(data.items()))


def lpot_dump(cfg):
    return yaml.dump(cfg, Dumper=LpotDumper, default_flow_style=False)


def ipex_dump(lst):
    return json.dumps(lst)  # what json.dump(lst, f) writes


OD = collections.OrderedDict


# ----------------------------------------------------------------------------------------------
# Tagged values

def decode(v, top=True):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, dict) and len(v) == 1:
        (k, x), = v.items()
        if k == 'i':
            return int(x)
        if k == 'f':
            return struct.unpack('>d', bytes.fromhex(x))[0]
        if k == 'l':
            return [decode(e, False) for e in x]
        if k == 't':
            return tuple(decode(e, False) for e in x)
        if k == 'm':
            items = [(decode(a, False), decode(b, False)) for a, b in x]
            return dict(items) if top else OD(items)
    raise ValueError('not a tagged value: %r' % (v,))


def same(a, b, path='', ordered=True):
    """None when a and b are strictly equal, else where they differ."""
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return '%s: %s %r vs %s %r' % (path or 'value', type(a).__name__, a, type(b).__name__, b)
    if isinstance(a, float):
        if struct.pack('>d', a) == struct.pack('>d', b) or (math.isnan(a) and math.isnan(b)):
            return None
        return '%s: %r vs %r' % (path, a, b)
    if isinstance(a, dict):
        ka, kb = list(a.keys()), list(b.keys())
        if (ka if ordered else sorted(map(repr, ka))) != (kb if ordered else sorted(map(repr, kb))):
            return '%s: keys %r vs %r' % (path, ka, kb)
        for k in ka:
            kk = [x for x in kb if x == k][0]
            d = same(k, kk, '%s[key %r]' % (path, k)) or same(a[k], b[kk], '%s[%r]' % (path, k))
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return '%s: length %d vs %d' % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    return None if a == b else '%s: %r vs %r' % (path, a, b)


def cmd_check(d):
    for name in sorted(os.listdir(d)):
        if not name.endswith('.data.json'):
            continue
        stem = name[:-len('.data.json')]
        with open(os.path.join(d, name), encoding='utf-8') as f:
            value = decode(json.load(f))
        yaml_path = os.path.join(d, stem + '.yaml')
        json_path = os.path.join(d, stem + '.json')
        if os.path.exists(yaml_path):
            with open(os.path.join(d, stem + '.expected.yaml'), 'w', encoding='utf-8', newline='') as f:
                f.write(lpot_dump(value))
            try:
                with open(yaml_path, encoding='utf-8') as f:
                    loaded = yaml.safe_load(f)
                diff = same(value, loaded, ordered=False)
            except Exception as e:  # noqa: BLE001
                diff = 'safe_load failed: %s' % e
            print(('MISMATCH %s.yaml: %s' % (stem, diff)) if diff else ('ok %s.yaml' % stem))
        if os.path.exists(json_path):
            with open(os.path.join(d, stem + '.expected.json'), 'w', encoding='utf-8', newline='') as f:
                f.write(ipex_dump(value))
            try:
                with open(json_path, encoding='utf-8') as f:
                    loaded = json.load(f, object_pairs_hook=OD)
                diff = same(value, loaded)
            except Exception as e:  # noqa: BLE001
                diff = 'json.load failed: %s' % e
            print(('MISMATCH %s.json: %s' % (stem, diff)) if diff else ('ok %s.json' % stem))


def cmd_repr(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(repr(struct.unpack('>d', bytes.fromhex(line))[0]))
    sys.stdout.write('\n'.join(out) + '\n')


# ----------------------------------------------------------------------------------------------
# Generated tune configs

APPROACHES = ['post_training_static_quant', 'post_training_dynamic_quant', 'quant_aware_training']
OP_TYPES = ['Conv2d', 'Linear', 'Conv1d', 'Conv3d', 'Embedding', 'LSTM', 'add', 'ReLU']
# Strings that PyYAML must quote (they would read back as null, bool, int, float, timestamp, merge, value...)
# or that exercise its other rules (indicators, spaces, breaks, non-ASCII escapes, line folding).
AWKWARD = ['null', 'Null', '~', '', 'yes', 'No', 'on', 'OFF', 'true', '1.5', '1e5', '1.0e+5', '.inf', '-.INF',
           '.nan', '0x1F', '0o17', '017', '0b101', '1_000', '190:20:30', '2021-01-01', '2001-12-14 21:59:43.10 -5',
           '<<', '=', '- a', '-a', ': b', 'a:b', 'a: b', '#c', 'a #b', 'a# b', '? q', '?q', '!tag', '&anchor',
           '*alias', '|', '>', "'", '"', '%', '@', '`', '[x]', '{y}', 'a, b', ' lead', 'trail ', 'two  spaces',
           "it's", 'say "hi"', 'multi\nline', 'ends\n', '\nstarts', 'a\n\nb', 'tab\there', 'cr\rlf', 'ünïcödé',
           '€uro', '\U0001F600 smile', 'ctl\x01', 'del\x7f', 'nbsp\xa0', 'nel\x85', 'ls\u2028', 'bom\ufeff', '---',
           '...', '--- x', 'x ---', 'word ' * 25, 'long-' * 30, 'k' * 130]
FLOATS = [0.0, -0.0, 1.0, 7.0, 0.1, 1e-05, 1e-4, 0.00011, 1e20, 1e16, 9999999999999998.0, 1e15, 123456789.0,
          5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, float('inf'), float('-inf'), float('nan'),
          1 / 3, 2 / 3, 0.30000000000000004, 1.5e300, -2.5e-300, 100.0, 0.5]


def rfloat(r):
    c = r.random()
    if c < 0.4:
        return r.choice(FLOATS)
    if c < 0.7:
        return struct.unpack('>d', struct.pack('>Q', r.getrandbits(64)))[0]
    if c < 0.85:
        return struct.unpack('>f', struct.pack('>I', r.getrandbits(32)))[0] if r.random() < 0.5 else r.uniform(-1e3, 1e3)
    return float(r.randint(-10 ** 6, 10 ** 6)) * 10.0 ** r.randint(-20, 20)


def rscalar(r):
    c = r.random()
    if c < 0.35:
        return r.choice(AWKWARD)
    if c < 0.55:
        return rfloat(r)
    if c < 0.7:
        return r.choice([0, 1, -1, 7, 255, -128, 2 ** 31, -2 ** 63, 2 ** 64 + 5, r.randint(-10 ** 9, 10 ** 9)])
    if c < 0.8:
        return r.choice([True, False, None])
    return ''.join(r.choice('abcXYZ019 _-.:#,') for _ in range(r.randint(1, 12)))


def rvalue(r, depth=0):
    c = r.random()
    if depth > 2 or c < 0.55:
        return rscalar(r)
    if c < 0.7:
        return [rvalue(r, depth + 1) for _ in range(r.randint(0, 3))]
    if c < 0.8:
        return tuple(rvalue(r, depth + 1) for _ in range(r.randint(0, 3)))
    m = OD()
    for _ in range(r.randint(0, 3)):
        k = r.choice([rscalar(r), rscalar(r), (r.choice(AWKWARD), r.choice(OP_TYPES))])
        if isinstance(k, float) and math.isnan(k):
            k = 'nan-key'
        m[k] = rvalue(r, depth + 1)
    return m


def tensor(r, dtype, weight):
    t = OD(dtype=dtype)
    if dtype in ('int8', 'uint8'):
        t['scheme'] = r.choice(['sym', 'asym', 'asym_float']) if weight else r.choice(['asym', 'sym'])
        t['granularity'] = r.choice(['per_channel', 'per_tensor']) if weight else 'per_tensor'
        t['algorithm'] = r.choice(['minmax', 'kl', 'placeholder'])
        if weight and r.random() < 0.6:
            t['bit'] = r.choice([7.0, 8.0, 8, 4.0])
    if not weight and dtype != 'fp32' and r.random() < 0.3:
        t['compute_dtype'] = r.choice(['uint8', 'int8', None])
        t['quant_mode'] = r.choice(['static', 'dynamic'])
        t['scale'] = rfloat(r)
        t['zero_point'] = r.randint(0, 255)
    if dtype == 'fp32' and r.random() < 0.3:  # leftovers beside fp32 (LPOT's fallback only flips dtype)
        t['scheme'] = 'sym'
        t['granularity'] = 'per_channel'
    if r.random() < 0.1:
        t[r.choice(AWKWARD)] = rvalue(r)
    return t


def tune_config(r, i):
    ops = OD()
    names = set()
    if r.random() < 0.7:
        ops[('quant', 'QuantStub')] = OD(activation=OD(dtype='uint8', scheme='asym', granularity='per_tensor',
                                                       algorithm='minmax'))
    for j in range(r.randint(1, 10)):
        name = r.choice(['conv', 'fc', 'layer%d.%d.conv%d' % (j, j % 2, j % 3), 'features.%d' % j, r.choice(AWKWARD)])
        if name in names:
            name = '%s_%d' % (name, j)
        names.add(name)
        kind = r.random()
        if kind < 0.2:
            op = OD(weight=OD(dtype='fp32'), activation=OD(dtype='fp32'))
            if r.random() < 0.3:
                op['weight']['scheme'] = 'sym'
        elif kind < 0.3:
            op = OD(weight=OD(dtype='bf16'), activation=OD(dtype='bf16'))
        else:
            op = OD(weight=tensor(r, r.choice(['int8', 'int8', 'uint8', 'fp32']), True),
                    activation=tensor(r, r.choice(['uint8', 'uint8', 'int8', 'fp32']), False))
        if r.random() < 0.15:  # activation before weight, as a sort_keys dump (iLiT) would have it
            op = OD([('activation', op['activation']), ('weight', op['weight'])])
        if r.random() < 0.1:
            op['extra'] = rvalue(r)
        ops[(name, r.choice(OP_TYPES))] = op
    cfg = {'approach': r.choice(APPROACHES), 'op': ops}
    if r.random() < 0.9:
        cfg['framework'] = r.choice(['pytorch', 'pytorch', 'pytorch_fx'])
    if r.random() < 0.9:
        cfg['calib_iteration'] = r.choice([1, 100, r.randint(0, 10 ** 6)])
    if r.random() < 0.8:
        cfg['advance'] = None if r.random() < 0.8 else rvalue(r)
    if r.random() < 0.5:
        cfg['calib_sampling_size'] = r.choice([100, [100, 200], 32])
    if r.random() < 0.5:
        cfg['reduce_range'] = r.choice([True, False, None])
    if r.random() < 0.5:
        cfg['bf16_ops_list'] = [(n, t) for (n, t) in list(ops)[:r.randint(0, 3)]]
    if r.random() < 0.5:
        cfg['recipe_cfgs'] = OD([('smooth_quant', r.choice([True, False])), ('smooth_quant_args', OD(alpha=rfloat(r))),
                                 ('fast_bias_correction', False), ('weight_correction', False), ('layer_wise_quant', False),
                                 ('first_conv_or_matmul_quantization', True), ('last_conv_or_matmul_quantization', True)])
    for _ in range(r.randint(0, 3)):
        cfg[r.choice(['x_', 'extra_', 'zz_']) + r.choice(AWKWARD)] = rvalue(r)
    if i == 0:  # every awkward string once as a key and once as a value, every float once
        cfg['strings'] = OD((s, s) for s in AWKWARD)
        cfg['floats'] = list(FLOATS)
    return cfg


def fresh(v):
    """A copy without shared objects (copy.deepcopy would keep the sharing)."""
    if isinstance(v, dict):
        items = [(fresh(k), fresh(x)) for k, x in v.items()]
        return OD(items) if isinstance(v, OD) else dict(items)
    if isinstance(v, list):
        return [fresh(x) for x in v]
    if isinstance(v, tuple):
        return tuple([fresh(x) for x in v])
    return v


# ----------------------------------------------------------------------------------------------
# Generated IPEX lists

IPEX_NAMES = ['Convolution', 'Convolution_Relu', 'Convolution_Sum_Relu', 'Convolution_BatchNorm', 'Linear',
              'Linear_Relu', 'Relu', 'MaxPool2d', 'AdaptiveAvgPool2d', 'Add']


def ipex_multiplier(r):
    c = r.random()
    if c < 0.5:  # IPEX computes in float32: 127.5 / max(|min|, |max|) or 255 / (max - min)
        m = struct.unpack('>f', struct.pack('>f', 127.5 / r.uniform(1e-3, 50)))[0]
        return m
    if c < 0.8:
        return 127.5 / r.uniform(1e-6, 1e3)
    return r.choice(FLOATS[:-3] + [1e-05, 1e22, 12.0])


def ipex_list(r, i):
    out = []
    for k in range(r.randint(1, 8)):
        n_in, n_out = r.randint(1, 2), r.randint(1, 2)
        e = OD()
        e['id'] = k
        e['name'] = r.choice(IPEX_NAMES)
        e['algorithm'] = 'min_max'
        e['weight_granularity'] = r.choice(['per_channel', 'per_tensor'])
        e['inputs_scale'] = [ipex_multiplier(r) for _ in range(n_in)]
        e['outputs_scale'] = [ipex_multiplier(r) for _ in range(n_out)]
        if i % 2 == 1:  # IPEX 1.8/1.9 add zero points
            e['inputs_zero_point'] = [r.choice([0, 0, 128, r.randint(0, 255)]) for _ in range(n_in)]
            e['outputs_zero_point'] = [r.choice([0, 0, 128, r.randint(0, 255)]) for _ in range(n_out)]
        e['inputs_uint8_used'] = [r.random() < 0.5 for _ in range(n_in)]
        e['outputs_uint8_used'] = [r.random() < 0.5 for _ in range(n_out)]
        e['quantized'] = r.random() < 0.8
        out.append(e)
    if i == 2:
        out[0]['inputs_scale'] = [float('inf'), float('-inf'), float('nan'), -0.0, 5e-324]
        out[0]['inputs_uint8_used'] = [True, False, True, False, True]
        out[0]['name'] = 'Odd "name"\\ \u00e9\u20ac\U0001F600\x01\x7f\n\t'
    if i == 3:
        out[0]['extra_key'] = OD([('nested', [1, 2.5, None, 'x']), ('flag', True)])
    return out


# ----------------------------------------------------------------------------------------------

def write(out, name, text):
    with open(os.path.join(out, name), 'w', encoding='utf-8', newline='') as f:
        f.write(text)
    print(name)


def cmd_generate(out):
    os.makedirs(out, exist_ok=True)
    r = random.Random(20240611)
    for i in range(24):
        write(out, 'tune_%02d.yaml' % i, lpot_dump(tune_config(r, i)))
    for i in range(8):
        write(out, 'ipex_%02d.json' % i, ipex_dump(ipex_list(r, i)))

    act = OD(dtype='uint8', scheme='asym', granularity='per_tensor', algorithm='minmax')
    shared = {'approach': 'post_training_static_quant', 'framework': 'pytorch', 'calib_iteration': 1, 'advance': None,
              'op': OD([(('quant', 'QuantStub'), OD(activation=act)),
                        (('fc', 'Linear'), OD(weight=OD(dtype='int8', scheme='sym', granularity='per_channel',
                                                        algorithm='minmax', bit=7.0), activation=act))])}
    text = lpot_dump(shared)
    assert '&id001' in text, 'the shared dict should have been written with an anchor'
    write(out, 'anchors.yaml', text)
    write(out, 'anchors.expected.yaml', lpot_dump(fresh(shared)))

    ilit = {'approach': 'post_training_static_quant', 'calib_iteration': 10, 'framework': 'pytorch',
            'op': OD([(('conv1', 'Conv2d'), OD(weight=OD(dtype='int8', scheme='sym', granularity='per_channel',
                                                         algorithm='minmax'),
                                               activation=OD(dtype='uint8', scheme='asym', granularity='per_tensor',
                                                             algorithm='kl'))),
                      (('fc', 'Linear'), OD(weight=OD(dtype='fp32'), activation=OD(dtype='fp32')))])}
    text = yaml.dump(ilit, default_flow_style=False)  # no LPOT representer: OrderedDicts keep their python tag
    assert '!!python/object/apply:collections.OrderedDict' in text
    write(out, 'ilit_ordereddict.yaml', text)
    write(out, 'ilit_ordereddict.expected.yaml', lpot_dump(ilit))

    for name, text in dotdict_configs().items():
        write(out, name + '.yaml', text)
        write(out, name + '.expected.yaml', lpot_dump(as_read(yaml.unsafe_load(text))))


def dotdict_configs():
    """LPOT 1.0/1.1 and iLiT best_configure.yaml with DotDict values, as yaml.dump(cfg, default_flow_style=False)
    writes them: {name: text}."""
    weight = {'dtype': 'int8', 'scheme': 'sym', 'granularity': 'per_channel', 'algorithm': 'minmax'}
    act = {'dtype': 'uint8', 'scheme': 'asym', 'granularity': 'per_tensor', 'algorithm': 'kl'}
    fp32 = {'weight': {'dtype': 'fp32'}, 'activation': {'dtype': 'fp32'}}
    lpot = {'approach': 'post_training_static_quant', 'calib_iteration': 4, 'framework': 'pytorch',
            'advance': LpotDotDict(),
            'op': OD([(('conv1', 'Conv2d'), LpotDotDict({'weight': weight, 'activation': act})),
                      (('fc', 'Linear'), LpotDotDict(fp32))])}
    ilit = IlitDotDict({'approach': 'post_training_dynamic_quant', 'calib_iteration': 1, 'framework': 'pytorch',
                        'op': {('fc', 'Linear'): {'weight': weight, 'activation': dict(act, algorithm='minmax')},
                               ('fc2', 'Linear'): fp32}})
    texts = OD()
    texts['lpot_dotdict'] = yaml.dump(lpot, default_flow_style=False)
    texts['ilit_dotdict'] = yaml.dump(ilit, default_flow_style=False)
    assert '!!python/object/new:lpot.conf.dotdict.DotDict' in texts['lpot_dotdict']
    assert '!!python/object:lpot.conf.dotdict.DotDict {}' in texts['lpot_dotdict']
    assert texts['ilit_dotdict'].startswith('!!python/object/new:ilit.conf.dotdict.DotDict\ndictitems:')
    return texts


def as_read(v, top=True):
    """A value PyYAML's full loader built (DotDicts, OrderedDicts) as plain data in the same order: the top level a
    dict (LPOT's dump sorts it), nested mappings OrderedDicts."""
    if isinstance(v, dict):
        items = [(k, as_read(x, False)) for k, x in v.items()]
        return dict(items) if top else OD(items)
    if isinstance(v, list):
        return [as_read(x, False) for x in v]
    return v


def main():
    if len(sys.argv) == 2 and sys.argv[1] == 'generate':
        cmd_generate(os.environ.get('QCHECKPOINT_FIXTURES_OUT') or DEFAULT_OUT)
    elif len(sys.argv) == 3 and sys.argv[1] == 'check':
        cmd_check(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == 'repr':
        cmd_repr(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
