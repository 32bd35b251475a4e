"""Writes hostile and damaged checkpoints under src/test/resources/fixtures/bad/, plus bad/manifest.json.

usage: /usr/bin/python3 src/test/python/generate_bad_fixtures.py   (from any directory)

manifest.json is a list of
    {"file": "<name>.pt", "expect": "unsafe" | "format", "global": "<module> <name>" | null, "why": "...",
     "torch": "loaded" | "error: ..." | "timeout"}          ("torch" only for the format cases)
"unsafe": a reader must refuse the file before anything in it runs; "global" names the global it must refuse
by name, when there is one (null where the file's globals are all allowlisted and the abuse is elsewhere).
"format": a damaged or malformed file; "torch" is what torch.load(weights_only=False) of this torch did with
it, run in a subprocess with a 20 s limit.

Every unsafe pickle is written here by hand, as bytes; this script never unpickles one, and never hands one to
torch. Each one that calls something would, if Python's pickle ran it, create /tmp/qcheckpoint-pwned-<case>
(the case name is the file name without .pt), so a test can check that no such file appeared.

Files are torch-style zips (archive/data.pkl, archive/data/<key>, archive/version = "3\\n", STORED, 64-byte
aligned, data descriptors, ZIP64 end record) unless the case is about the container. Deterministic.
"""
import collections
import io
import json
import os
import pickle
import random
import struct
import subprocess
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_pt_fixtures as gen  # noqa: E402  (zip writer, legacy helpers)

import torch  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
OUT = os.path.join(ROOT, 'src', 'test', 'resources', 'fixtures', 'bad')
MARKER = '/tmp/qcheckpoint-pwned-'


# ----------------------------------------------------------------------------------------------
# Pickle opcodes, written by hand

PROTO2 = b'\x80\x02'
MARK, STOP, TUPLE, TUPLE1, EMPTY_TUPLE = b'(', b'.', b't', b'\x85', b')'
EMPTY_DICT, SETITEM, SETITEMS, EMPTY_LIST, APPENDS = b'}', b's', b'u', b']', b'e'
REDUCE, BUILD, NEWOBJ, BINPERSID, NONE, NEWFALSE = b'R', b'b', b'\x81', b'Q', b'N', b'\x89'


def u(s):
    """BINUNICODE."""
    b = s.encode('utf-8')
    return b'X' + struct.pack('<I', len(b)) + b


def glob(module, name):
    """GLOBAL module name."""
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'


def i(n):
    """The smallest int opcode for n (BININT1, BININT2, BININT, LONG1)."""
    if 0 <= n < 256:
        return b'K' + bytes([n])
    if 0 <= n < 65536:
        return b'M' + struct.pack('<H', n)
    if -2 ** 31 <= n < 2 ** 31:
        return b'J' + struct.pack('<i', n)
    nbytes = (n.bit_length() + 8) // 8
    return b'\x8a' + bytes([nbytes]) + n.to_bytes(nbytes, 'little', signed=True)


def tup(*items):
    return MARK + b''.join(items) + TUPLE


def odict():
    """collections.OrderedDict() the way torch writes it."""
    return glob('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE


def persid(storage_class, key, numel, storage_global=None):
    """BINPERSID ('storage', <storage class>, key, 'cpu', numel)."""
    cls = storage_global if storage_global is not None else glob('torch', storage_class)
    return tup(u('storage'), cls, u(key), u('cpu'), i(numel)) + BINPERSID


def tensor(storage_class, key, numel, offset, size, stride, offset_op=None, storage_global=None):
    """torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    return (glob('torch._utils', '_rebuild_tensor_v2')
            + tup(persid(storage_class, key, numel, storage_global),
                  offset_op if offset_op is not None else i(offset),
                  tup(*[i(n) for n in size]), tup(*[i(n) for n in stride]), NEWFALSE, odict())
            + REDUCE)


def call(module, name, *args):
    """GLOBAL module name, args, REDUCE: module.name(*args)."""
    return glob(module, name) + tup(*args) + REDUCE


def dict_of(*pairs):
    return EMPTY_DICT + MARK + b''.join(k + v for k, v in pairs) + SETITEMS


def marker(case):
    return MARKER + case


def touch_cmd(case):
    return 'touch ' + marker(case)


# ----------------------------------------------------------------------------------------------
# A valid base: {'w': float32 2x3, 'b': int64 [3]}

W_DATA = struct.pack('<6f', 1.0, -2.0, 3.5, 0.25, -0.0, 100.0)
B_DATA = struct.pack('<3q', 1, -2, 2 ** 40)


def w_tensor(**kw):
    args = dict(storage_class='FloatStorage', key='0', numel=6, offset=0, size=(2, 3), stride=(3, 1))
    args.update(kw)
    return tensor(**args)


def b_tensor(**kw):
    args = dict(storage_class='LongStorage', key='1', numel=3, offset=0, size=(3,), stride=(1,))
    args.update(kw)
    return tensor(**args)


def state_dict_pickle(w=None, b=None, extra=()):
    """OrderedDict([('w', w), ('b', b), *extra]) as torch writes a state dict (no _metadata)."""
    items = [(u('w'), w if w is not None else w_tensor()), (u('b'), b if b is not None else b_tensor())] + list(extra)
    return PROTO2 + odict() + MARK + b''.join(k + v for k, v in items) + SETITEMS + STOP


def torch_zip(pkl, data=(('0', W_DATA), ('1', B_DATA)), version=True, root='archive', **zip_kw):
    records = [(root + '/data.pkl', pkl)] + [(root + '/data/' + k, d) for k, d in data]
    if version:
        records.append((root + '/version', b'3\n'))
    return gen.build_zip(records, **zip_kw)


def legacy_base():
    """A real legacy-container file of {'w': float32 2x3, 'b': int64 [3]}, made deterministic."""
    buf = io.BytesIO()
    w = torch.tensor(struct.unpack('<6f', W_DATA)).reshape(2, 3)
    b = torch.tensor(struct.unpack('<3q', B_DATA))
    torch.save(collections.OrderedDict([('w', w), ('b', b)]), buf, _use_new_zipfile_serialization=False)
    return gen.stabilize_legacy(buf.getvalue())


# ----------------------------------------------------------------------------------------------
# Unsafe cases: name -> (bytes, global or None, why)

def unsafe_cases():
    cases = []

    def add(name, raw, global_, why):
        cases.append((name, raw, global_, why))

    def zipped(pkl):
        # data records only where the pickle refers to storages ('0' and '1' of the base state dict)
        return torch_zip(pkl, data=(('0', W_DATA), ('1', B_DATA)) if u('storage') in pkl else ())

    n = 'unsafe_os_system'
    add(n, zipped(PROTO2 + call('os', 'system', u(touch_cmd(n))) + STOP), 'os system',
        'GLOBAL os system + REDUCE: the classic payload')
    n = 'unsafe_posix_system'
    add(n, zipped(PROTO2 + call('posix', 'system', u(touch_cmd(n))) + STOP), 'posix system',
        "GLOBAL posix system + REDUCE (os.system's real module on Linux)")
    n = 'unsafe_builtins_eval'
    add(n, zipped(PROTO2 + call('builtins', 'eval', u("__import__('os').system('%s')" % touch_cmd(n))) + STOP),
        'builtins eval', 'GLOBAL builtins eval + REDUCE of Python source')
    n = 'unsafe_builtins_exec'
    add(n, zipped(PROTO2 + call('builtins', 'exec', u("import os\nos.system('%s')" % touch_cmd(n))) + STOP),
        'builtins exec', 'GLOBAL builtins exec + REDUCE of Python source')
    n = 'unsafe_py2_builtin_eval'
    add(n, zipped(PROTO2 + call('__builtin__', 'eval', u("__import__('os').system('%s')" % touch_cmd(n))) + STOP),
        '__builtin__ eval', "GLOBAL __builtin__ eval (the Python 2 name; Python 3's pickle maps it to builtins "
                            "for protocol < 3) + REDUCE")
    n = 'unsafe_popen_reduce'
    add(n, zipped(PROTO2 + glob('subprocess', 'Popen') + tup(EMPTY_LIST + MARK + u('touch') + u(marker(n)) + APPENDS)
                  + REDUCE + STOP), 'subprocess Popen', "GLOBAL subprocess Popen + REDUCE with (['touch', marker],)")
    n = 'unsafe_popen_newobj'
    add(n, zipped(PROTO2 + glob('subprocess', 'Popen') + tup(EMPTY_LIST + MARK + u('touch') + u(marker(n)) + APPENDS)
                  + NEWOBJ + STOP), 'subprocess Popen',
        "GLOBAL subprocess Popen + NEWOBJ with (['touch', marker],). CPython's NEWOBJ only calls Popen.__new__, "
        "so even Python would not start the process, but a reader that treats NEWOBJ as 'construct' would")
    n = 'unsafe_stack_global'
    body = (b'\x8c\x02os' + b'\x94' + b'\x8c\x06system' + b'\x94' + b'\x93' + b'\x94'
            + b'\x8c' + bytes([len(touch_cmd(n))]) + touch_cmd(n).encode() + b'\x94' + TUPLE1 + b'\x94' + REDUCE
            + b'\x94' + STOP)
    add(n, zipped(b'\x80\x04\x95' + struct.pack('<Q', len(body)) + body), 'os system',
        'protocol 4: FRAME, SHORT_BINUNICODE os, SHORT_BINUNICODE system, STACK_GLOBAL, MEMOIZE, TUPLE1, REDUCE')
    n = 'unsafe_inst'
    add(n, zipped(PROTO2 + MARK + u(touch_cmd(n)) + b'ios\nsystem\n' + STOP), 'os system',
        "INST opcode ('i' os\\nsystem\\n): calls os.system(*args since MARK)")
    n = 'unsafe_obj'
    add(n, zipped(PROTO2 + MARK + glob('os', 'system') + u(touch_cmd(n)) + b'o' + STOP), 'os system',
        'OBJ opcode: MARK, GLOBAL os system, args, OBJ calls os.system(*args)')
    n = 'unsafe_build_on_global'
    patched = (glob('torch._utils', '_rebuild_tensor_v2')
               + tup(NONE, dict_of((u('__defaults__'), tup(NONE)), (u('__qualname__'), u('pwned')))) + BUILD)
    add(n, zipped(state_dict_pickle(extra=[(u('patched'), patched), (u('after'), b_tensor())])), None,
        'a state dict whose entry \'patched\' is BUILD applied to the allowlisted function '
        "torch._utils._rebuild_tensor_v2 itself, with slot state {'__defaults__': (None,), '__qualname__': 'pwned'}: "
        "CPython would setattr these on torch's own function, which the next entry then calls (the loader is "
        'patched for this and every later load). Only allowlisted globals; the reader must refuse BUILD on a global')
    n = 'unsafe_build_on_tensor'
    add(n, zipped(state_dict_pickle(w=w_tensor() + tup(persid('FloatStorage', '0', 6), i(0), tup(i(1 << 20)), tup(i(1)))
                                    + BUILD)), None,
        'a valid tensor followed by BUILD with a 4-tuple (storage, 0, (2**20,), (1,)): Tensor.__setstate__ would '
        'call set_() with those attacker-chosen sizes on a 6-element storage. Only allowlisted globals')
    n = 'unsafe_nested_deep'
    add(n, zipped(state_dict_pickle(extra=[(u('meta'), EMPTY_LIST + MARK + tup(i(1), u('x'), call('os', 'system', u(touch_cmd(n)))) + APPENDS)])),
        'os system', "an otherwise valid state dict whose entry 'meta' is [(1, 'x', os.system(...))]: the call sits "
                     'inside a tuple inside a list, after two real tensors')
    n = 'unsafe_dict_key'
    add(n, zipped(PROTO2 + EMPTY_DICT + call('os', 'system', u(touch_cmd(n))) + i(1) + SETITEM + STOP), 'os system',
        'os.system(...) REDUCE used as a dict KEY')
    n = 'unsafe_persid_storage_type'
    add(n, zipped(state_dict_pickle(w=w_tensor(storage_global=glob('os', 'system')))), 'os system',
        "GLOBAL os system in the storage-type slot of the persistent id ('storage', os.system, '0', 'cpu', 6). "
        "(Python's pickle alone would not call it: torch's persistent_load would only read .dtype from it)")
    n = 'unsafe_persid_module'
    add(n, zipped(PROTO2 + tup(u('module'), u('os.system'), u('x.py'), u('source')) + BINPERSID + STOP), None,
        "a persistent id that is not a storage: ('module', 'os.system', 'x.py', 'source') (the legacy loader's "
        "'module' kind returns data[0])")
    n = 'unsafe_text_persid'
    add(n, zipped(PROTO2 + b'Pstorage\n' + STOP), None,
        "a persistent id given by text PERSID ('P' storage\\n): a str, not the ('storage', ...) tuple")
    n = 'unsafe_ext1'
    add(n, zipped(PROTO2 + b'\x82\x01' + STOP), None,
        'EXT1 opcode: looks up copyreg extension code 1, a global named by the process-wide extension registry')
    n = 'unsafe_reduce_dtype'
    add(n, zipped(PROTO2 + glob('torch', 'float32') + EMPTY_TUPLE + REDUCE + STOP), None,
        'REDUCE whose callable is the allowlisted constant torch.float32 (a dtype, not a rebuild function)')
    n = 'unsafe_torch_load'
    add(n, zipped(PROTO2 + call('torch', 'load', u(marker(n) + '.pt')) + STOP), 'torch load',
        'GLOBAL torch load (a torch global that is not on the allowlist) + REDUCE: would load another file')
    n = 'unsafe_rebuild_malicious_arg'
    add(n, zipped(state_dict_pickle(w=w_tensor(offset_op=call('os', 'system', u(touch_cmd(n)))))), 'os system',
        '_rebuild_tensor_v2 called with os.system(...) as its storage_offset argument (os.system returns 0, so '
        'under Python the tensor would even load correctly)')
    n = 'unsafe_legacy_sysinfo'
    raw = (pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(1001, protocol=2)
           + PROTO2 + call('os', 'system', u(touch_cmd(n))) + STOP)
    add(n, raw, 'os system', 'legacy container: magic number pickle, protocol 1001 pickle, then the sys_info pickle '
                             'is os.system(...) REDUCE (torch unpickles sys_info before anything else)')
    return cases


# ----------------------------------------------------------------------------------------------
# Format cases: name -> (bytes, why)

def patch(raw, offset, fmt, *values):
    b = bytearray(raw)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


def eocd_offsets(raw):
    """(EOCD offset, ZIP64 EOCD offset or None)."""
    e = raw.rfind(b'PK\x05\x06')
    z = raw.rfind(b'PK\x06\x06', 0, e)
    return e, (z if z >= 0 else None)


def format_cases():
    cases = []

    def add(name, raw, why):
        cases.append((name, raw, why))

    add('fmt_storage_numel_too_big', torch_zip(state_dict_pickle(w=w_tensor(numel=1000, size=(1000,), stride=(1,)))),
        "the persistent id says FloatStorage numel 1000 (4000 bytes) and tensor 'w' is (1000,), but the record "
        "'data/0' holds 24 bytes. (torch 1.13 loads it anyway: it allocates 4000 bytes, copies the 24 and leaves "
        'the rest garbage)')
    add('fmt_storage_numel_mismatch', torch_zip(state_dict_pickle(w=w_tensor(numel=1000))),
        "the persistent id says FloatStorage numel 1000 (4000 bytes) but the record 'data/0' holds 24 bytes; tensor "
        "'w' (2, 3) fits in those 24 bytes. torch 1.13 sizes the storage from the record and loads it; a strict "
        'reader reports the mismatch')
    add('fmt_data_record_missing', torch_zip(state_dict_pickle(), data=(('0', W_DATA),)),
        "the pickle refers to storage '1' but there is no record archive/data/1")
    add('fmt_binunicode_huge', torch_zip(PROTO2 + b'X' + struct.pack('<I', 0x7fffffff) + b'abc' + STOP, data=()),
        'BINUNICODE with length 0x7fffffff and 4 bytes after it')
    add('fmt_long4_huge', torch_zip(PROTO2 + b'\x8b' + struct.pack('<i', 0x7fffffff) + b'\x01\x02' + STOP, data=()),
        'LONG4 with length 0x7fffffff and 3 bytes after it')
    add('fmt_short_binstring_past_end', torch_zip(PROTO2 + b'U' + bytes([200]) + b'abc', data=()),
        'SHORT_BINSTRING of length 200 with 3 bytes left in data.pkl')
    add('fmt_size_huge', torch_zip(state_dict_pickle(w=w_tensor(size=(2 ** 40, 2 ** 40), stride=(2 ** 40, 1)))),
        "tensor 'w' claims size (2**40, 2**40) (2**80 elements) on a 6-element storage")
    add('fmt_size_negative', torch_zip(state_dict_pickle(w=w_tensor(size=(-2, 3)))),
        "tensor 'w' has size (-2, 3)")
    add('fmt_offset_past_storage', torch_zip(state_dict_pickle(w=w_tensor(offset=100))),
        "tensor 'w' has storage_offset 100 on a 6-element storage")

    layout = []
    good = torch_zip(state_dict_pickle(), out_layout=layout)
    pkl_rec = layout[0]
    add('fmt_cd_offset_past_eof', patch(good, pkl_rec.central_offset + 42, '<I', len(good) + 1000),
        "the central directory entry of data.pkl gives a local header offset 1000 bytes past the end of the file")
    data0 = layout[1]
    add('fmt_local_header_nonsense', patch(good, data0.central_offset + 42, '<I', pkl_rec.data_offset + 5),
        "the central directory entry of data/0 points into the middle of data.pkl's bytes (no local header there)")
    e, z = eocd_offsets(good)
    bomb64 = patch(good, z + 24, '<QQ', 2 ** 60, 2 ** 60)
    bomb64 = patch(bomb64, e + 8, '<HH', 0xffff, 0xffff)
    add('fmt_zip64_eocd_huge_count', bomb64,
        'the ZIP64 end record claims 2**60 entries (on this disk and in total); the plain end record says 0xFFFF '
        '(defer to ZIP64)')

    layout = []
    defl = torch_zip(state_dict_pickle(), method=zipfile.ZIP_DEFLATED, descriptor=False, align=0, out_layout=layout)
    rec = layout[0]
    defl = patch(defl, rec.header_offset + 22, '<I', 0xFFFFFFF0)
    defl = patch(defl, rec.central_offset + 24, '<I', 0xFFFFFFF0)
    add('fmt_deflated_size_lie', defl,
        'DEFLATED data.pkl (about 300 bytes inflated) whose local and central headers declare an uncompressed size '
        'of 0xFFFFFFF0: a reader must not allocate the declared size up front, and must notice the mismatch')

    zeros = bytes(200 * 1000 * 1000)
    bomb = gen.build_zip([('archive/data.pkl', zeros), ('archive/version', b'3\n')],
                         method=zipfile.ZIP_DEFLATED, descriptor=False, align=0)
    add('fmt_zip_bomb', bomb,
        'zip bomb: DEFLATED data.pkl of 200,000,000 zero bytes (sizes declared truthfully, ~1000:1) in a ~200 KB '
        'file; a zero byte is not a pickle opcode. The reader must refuse the declared size or bound what it '
        'inflates, and fail with a format error without inflating it all')

    add('fmt_empty_file', b'', 'an empty file')
    add('fmt_pk_only', b'PK\x03\x04', 'a file that is just a local file header signature PK\\x03\\x04')
    add('fmt_pickle_no_stop', torch_zip(state_dict_pickle()[:-1]), 'data.pkl of a valid state dict without its STOP')
    add('fmt_pickle_stack_underflow', torch_zip(PROTO2 + TUPLE1 + STOP, data=()),
        'data.pkl pops from an empty stack (TUPLE1 first)')
    add('fmt_mark_unclosed', torch_zip(PROTO2 + EMPTY_DICT + MARK + u('a') + i(1) + STOP, data=()),
        "a MARK that is never closed: EMPTY_DICT, MARK, 'a', 1, STOP (no SETITEMS). CPython ignores the open "
        'mark and returns the 1 on top; a strict reader rejects it')
    add('fmt_binget_unknown', torch_zip(PROTO2 + b'h\x05' + STOP, data=()),
        'BINGET 5 with nothing memoized')

    leg = legacy_base()
    starts, data_start = gen.legacy_pickle_starts(leg)
    add('fmt_legacy_count_huge', patch(leg, data_start, '<q', 2 ** 60),
        'legacy container whose first storage element count says 2**60')
    add('fmt_legacy_truncated', leg[:data_start + 8 + 12],
        'legacy container cut in the middle of the first storage (12 of its 24 bytes)')

    add('fmt_version_missing', torch_zip(state_dict_pickle(), version=False),
        "a valid state dict zip without the 'archive/version' record")
    return cases


# ----------------------------------------------------------------------------------------------
# Bounded work: tiny files whose values nest, share or grow without bound (issue 11). Each must be
# refused as a format error within the test's time and heap limits.

APPEND, BINPUT, BINGET, LONG_BINPUT, LONG_BINGET = b'a', b'q', b'h', b'r', b'j'


def put(n):
    return LONG_BINPUT + struct.pack('<I', n)


def get(n):
    return LONG_BINGET + struct.pack('<I', n)


def with_state_dict(key, value):
    """A valid state dict zip with one more entry, key -> value (pickle bytes)."""
    return torch_zip(state_dict_pickle(extra=[(u(key), value)]))


def memo_dag(levels):
    """x0 = 'leaf'; x(k+1) = [xk, xk]: 'levels' lists that unfold into 2 ** levels leaves."""
    out = u('leaf') + put(0) + b'0'  # POP
    for k in range(levels):
        out += EMPTY_LIST + MARK + get(k) + get(k) + APPENDS + put(k + 1) + b'0'  # POP
    return out + get(levels)


def nested_lists(depth):
    return EMPTY_LIST * depth + APPEND * (depth - 1)


def nested_tuples(depth):
    return u('k') + TUPLE1 * depth


def nested_dicts_sharing_key(depth, key_len):
    """{k: {k: ... {}}} 'depth' levels, every k the same key_len-character string through the memo."""
    out = u('k' * key_len) + put(0) + b'0'
    for _ in range(depth):
        out += EMPTY_DICT + get(0)
    out += EMPTY_DICT
    return out + SETITEM * depth


EMPTY_SET, ADDITEMS, FROZENSET, TUPLE2, DICT, LIST = b'\x8f', b'\x90', b'\x91', b'\x86', b'd', b'l'


def memo_dag_of(levels, make_pair):
    """x0 = 'leaf'; x(k+1) = make_pair(get(k)): a DAG that unfolds into 2 ** levels leaves."""
    out = u('leaf') + put(0) + b'0'
    for k in range(levels):
        out += make_pair(get(k)) + put(k + 1) + b'0'
    return out + get(levels)


def more_bounds_cases(add, pkl):
    """Variations of each bounded-work class: other containers, other opcodes, other places."""
    dags = {'dict': lambda x: EMPTY_DICT + MARK + u('a') + x + u('b') + x + SETITEMS,
            'tuple': lambda x: x + x + TUPLE2,
            'list_opcode': lambda x: MARK + x + x + LIST,
            'dict_opcode': lambda x: MARK + u('a') + x + u('b') + x + DICT,
            'odict': lambda x: glob('collections', 'OrderedDict') + EMPTY_TUPLE + REDUCE + MARK + u('a') + x + u('b') + x
            + SETITEMS}
    for name, pair in dags.items():
        add('bounds_memo_dag_%s_2_40' % name, with_state_dict('advance', memo_dag_of(40, pair)),
            "a DAG of %s nodes through the memo, 40 levels: 2^40 leaves as a tree" % name)
    add('bounds_memo_dag_as_key_tuple', with_state_dict('advance', EMPTY_DICT + memo_dag_of(40, dags['tuple']) + i(1)
                                                          + SETITEM),
        "a dict key that is a tuple DAG of 2^40 leaves (hashing it as a tree never ends)")
    add('bounds_memo_dag_in_metadata', torch_zip(odict() + MARK + u('w') + w_tensor() + u('b') + b_tensor() + SETITEMS
                                                 + dict_of((u('_metadata'), memo_dag_of(40, dags['dict'])))
                                                 + BUILD + STOP),
        "a state dict whose _metadata attribute holds a dict DAG of 2^40 leaves")
    add('bounds_memo_dag_2_23', with_state_dict('advance', memo_dag(23)),
        "a list DAG of 23 levels: 8M leaves, twice the element budget")
    for depth, opcode in ((1001, 'lists'), (5000, 'lists'), (1001, 'dicts'), (100000, 'dicts')):
        value = nested_lists(depth) if opcode == 'lists' else EMPTY_DICT * depth + (u('k') + SETITEM) * 0
        if opcode == 'dicts':
            value = EMPTY_DICT + (u('k') + EMPTY_DICT) * (depth - 1) + SETITEM * (depth - 1)
        add('bounds_nested_%s_%d' % (opcode, depth), with_state_dict('advance', value),
            "%d nested %s" % (depth, opcode))
    add('bounds_nested_tuples_5000', with_state_dict('advance', u('k') + TUPLE1 * 5000), "5,000 nested tuples")
    add('bounds_self_tuple_list', with_state_dict('advance', EMPTY_LIST + put(0) + get(0) + TUPLE1 + APPEND),
        "L = [(L,)]: a list that contains itself through a tuple")
    add('bounds_self_odict', with_state_dict('advance', odict() + put(0) + u('me') + get(0) + SETITEM),
        "d = OrderedDict(me=d): an ordered dict that contains itself")
    add('bounds_self_metadata', torch_zip(odict() + put(0) + MARK + u('w') + w_tensor() + u('b') + b_tensor() + SETITEMS
                                          + dict_of((u('_metadata'), get(0))) + BUILD + STOP),
        "a state dict whose _metadata attribute is the state dict itself")
    add('bounds_self_list_deep', with_state_dict('advance', EMPTY_LIST + put(0) + EMPTY_LIST + EMPTY_LIST + get(0)
                                                   + APPEND + APPEND + APPEND),
        "L = [[[L]]]: a cycle three levels long")
    add('bounds_wide_dict_shared_key_value', with_state_dict('advance', u('v' * 100000) + put(0) + b'0' + EMPTY_DICT + MARK
                                                               + b''.join(u('k%d' % k) + get(0) for k in range(1000))
                                                               + SETITEMS),
        "a dict of 1,000 entries that all hold one 100 KB string: 100 MB of content unfolded")
    add('bounds_wide_bytes_shared', with_state_dict('advance', b'B' + struct.pack('<I', 100000) + b'\0' * 100000 + put(0)
                                                      + b'0' + EMPTY_LIST + MARK + get(0) * 1000 + APPENDS),
        "a list of 1,000 references to one 100 KB bytes object: 100 MB unfolded")
    for digits in (4302, 10000):
        add('bounds_long_text_%d' % digits, with_state_dict('advance', b'L' + b'1' * digits + b'L\n'),
            "a LONG literal of %d digits inside a state dict" % digits)
        add('bounds_int_text_%d' % digits, with_state_dict('advance', b'I' + b'1' * digits + b'\n'),
            "an INT literal of %d digits inside a state dict" % digits)
    add('bounds_long4_2000', with_state_dict('advance', b'\x8b' + struct.pack('<i', 2000) + b'\x7f' * 2000),
        "a LONG4 integer of 2,000 bytes (about 4,800 digits)")
    add('bounds_long1_as_storage_size', torch_zip(state_dict_pickle(w=w_tensor(numel=2 ** 80))),
        "a storage of 2^80 elements (a LONG1 that fits no long)")
    for name, key in (('list', EMPTY_LIST), ('dict', EMPTY_DICT), ('set', EMPTY_SET),
                      ('tuple_of_list', EMPTY_LIST + TUPLE1)):
        add('bounds_unhashable_key_%s' % name, with_state_dict('advance', EMPTY_DICT + key + i(1) + SETITEM),
            "a dict key that is a %s (Python: TypeError, unhashable)" % name.replace('_', ' '))
    add('bounds_unhashable_set_item', with_state_dict('advance', EMPTY_SET + MARK + EMPTY_LIST + ADDITEMS),
        "a set holding a list (Python: TypeError, unhashable)")
    add('bounds_unhashable_frozenset_item', with_state_dict('advance', MARK + EMPTY_DICT + FROZENSET),
        "a frozenset holding a dict (Python: TypeError, unhashable)")
    add('bounds_odict_pair_not_a_pair', torch_zip(glob('collections', 'OrderedDict') + tup(EMPTY_LIST + MARK + i(1)
                                                                                           + APPENDS) + REDUCE + STOP,
                                                   data=()),
        "OrderedDict([1]): an item that is not a pair (Python: TypeError)")
    add('bounds_codecs_latin1_emoji', with_state_dict('advance', call('_codecs', 'encode', u('\U0001f600'), u('latin1'))),
        "_codecs.encode of an emoji as latin1 (Python: UnicodeEncodeError)")
    add('bounds_size_of_floats', torch_zip(state_dict_pickle(extra=[(u('size'), call('torch', 'Size',
                                                                                    tup(b'G' + struct.pack('>d', 1.5))))])),
        "torch.Size((1.5,)): a size of floats")
    e, z = eocd_offsets(torch_zip(pkl))
    add('zip64_locator_negative', patch(torch_zip(pkl), e - 12, '<q', -56),
        'the ZIP64 end locator gives a negative record offset')
    add('zip_duplicate_storage', gen.build_zip([('archive/data.pkl', pkl), ('archive/data/0', W_DATA),
                                                ('archive/data/0', bytes(24)), ('archive/data/1', B_DATA),
                                                ('archive/version', b'3\n')]),
        "two records named archive/data/0 (different bytes): which one a reader takes depends on it")
    add('zip_duplicate_version', gen.build_zip([('archive/data.pkl', pkl), ('archive/data/0', W_DATA),
                                                ('archive/data/1', B_DATA), ('archive/version', b'3\n'),
                                                ('archive/version', b'2\n')]),
        "two archive/version records that disagree")
    layout = []
    good = torch_zip(pkl, out_layout=layout)
    add('zip_local_method_disagrees', patch(good, layout[1].header_offset + 8, '<H', 8),
        "data/0's local header says deflated where the central directory says stored")
    add('zip_cd_offset_into_cd', patch(good, layout[1].central_offset + 42, '<I', layout[0].central_offset),
        "data/0's directory entry points into the central directory itself")


# Cases whose reading must allocate far less than the generic bound (file size x 1100 + 16 MiB).
MAX_ALLOCATION = {'zip_deflate_claims_100mb': 32 << 20}


def bounds_cases():
    cases = []

    def add(name, raw, why):
        cases.append((name, raw, why))

    add('bounds_memo_dag_2_40', with_state_dict('advance', memo_dag(40)),
        "a list of two references to a list of two references ... 40 levels through the memo: 2^40 leaves "
        "for anything that walks it as a tree (a few hundred bytes)")
    add('bounds_memo_dag_2_24', with_state_dict('advance', memo_dag(24)),
        "the same memo DAG 24 levels deep: 16M leaves, beyond the 4M-element budget")
    add('bounds_self_list', with_state_dict('advance', EMPTY_LIST + put(0) + get(0) + APPEND),
        "L = [L]: a list that contains itself")
    add('bounds_self_dict', with_state_dict('advance', EMPTY_DICT + put(0) + u('me') + get(0) + SETITEM),
        "d = {'me': d}: a dict that contains itself")
    add('bounds_nested_lists_100k', with_state_dict('advance', nested_lists(100000)),
        "100,000 nested lists (0.3 MB)")
    add('bounds_nested_lists_1001', with_state_dict('advance', nested_lists(1001)),
        "1,001 nested lists, one more level than the documented limit")
    add('bounds_nested_tuple_keys', with_state_dict('advance', EMPTY_DICT + nested_tuples(100000) + i(1) + SETITEM),
        "a dict key of 100,000 nested tuples")
    add('bounds_odict_key_self_list', torch_zip(glob('collections', 'OrderedDict')
                                                 + tup(EMPTY_LIST + MARK + MARK + EMPTY_LIST + put(0) + get(0) + APPEND
                                                       + i(1) + TUPLE + APPENDS) + REDUCE + STOP, data=()),
        "OrderedDict([(L, 1)]) with L = [L]: an unhashable key that contains itself (Python: TypeError)")
    add('bounds_odict_key_list', torch_zip(glob('collections', 'OrderedDict')
                                            + tup(EMPTY_LIST + MARK + MARK + EMPTY_LIST + i(1) + TUPLE + APPENDS) + REDUCE
                                            + STOP, data=()),
        "OrderedDict([([], 1)]): a list as a key (Python: TypeError, unhashable type: 'list')")
    add('bounds_nested_dicts_shared_key', with_state_dict('advance', nested_dicts_sharing_key(900, 200000)),
        "900 nested dicts, each keyed by one 200 KB string through the memo")
    add('bounds_wide_dicts_shared_key', with_state_dict('advance', EMPTY_LIST + MARK
                                                          + u('k' * 100000) + put(0)
                                                          + get(0) * 2000 + APPENDS),
        "a list of 2,000 references to one 100 KB string: 200 MB of content unfolded, over the 64 MiB budget")
    add('bounds_long_text_1m', torch_zip(PROTO2 + b'L' + b'7' * 1000000 + b'L\n' + STOP, data=()),
        "a LONG literal of a million digits (Python refuses more than 4,300 digits too)")
    add('bounds_long4_1mb', torch_zip(PROTO2 + b'\x8b' + struct.pack('<i', 1000000) + b'\x01' * 1000000 + STOP,
                                      data=()),
        "a LONG4 binary integer of a million bytes (2.4M decimal digits)")
    add('bounds_int_text_5k', torch_zip(PROTO2 + b'I' + b'9' * 5000 + b'\n' + STOP, data=()),
        "an INT literal of 5,000 digits, past Python's 4,300")
    add('bounds_codecs_not_latin1', with_state_dict('advance', call('_codecs', 'encode', u('\u4e2d\u6587'),
                                                                      u('latin1'))),
        "_codecs.encode of characters outside latin1 (Python: UnicodeEncodeError)")
    # Parser differentials: two readers must never see different files.
    pkl = state_dict_pickle()
    other = PROTO2 + dict_of((u('x'), i(1))) + STOP
    add('zip_duplicate_data_pkl', gen.build_zip([('archive/data.pkl', pkl), ('archive/data.pkl', other),
                                                  ('archive/data/0', W_DATA), ('archive/data/1', B_DATA),
                                                  ('archive/version', b'3\n')]),
        "two records named archive/data.pkl (a state dict, then {'x': 1}): which one a reader takes depends on it")
    layout = []
    good = torch_zip(pkl, out_layout=layout)
    data0, data1 = layout[1], layout[2]
    add('zip_cd_names_other_local_header', patch(good, data1.central_offset + 42, '<I', data0.header_offset),
        "the central directory entry of data/1 points at data/0's local header (same size): the local header's "
        "name disagrees with the directory's")
    name = b'archive/data/1'
    fake = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0x0800, 0, 0, 0x21, zlib.crc32(B_DATA), len(B_DATA),
                       len(B_DATA), len(name), 0) + name + B_DATA
    layout = []
    padded = gen.build_zip([('archive/data.pkl', pkl), ('archive/pad', fake), ('archive/data/0', W_DATA),
                            ('archive/data/1', B_DATA), ('archive/version', b'3\n')], out_layout=layout)
    add('zip_overlapping_records', patch(padded, layout[3].central_offset + 42, '<I', layout[1].data_offset),
        "data/1's directory entry points at a complete local header for data/1 inside the record archive/pad: two "
        "records share bytes")
    noise = random.Random(11).randbytes(100000)  # incompressible: the claim stays within deflate's ratio
    layout = []
    lie = gen.build_zip([('archive/data.pkl', noise), ('archive/version', b'3\n')], method=zipfile.ZIP_DEFLATED,
                        descriptor=False, align=0, out_layout=layout)
    claim = 100 * 1000 * 1000
    lie = patch(lie, layout[0].header_offset + 22, '<I', claim)
    lie = patch(lie, layout[0].central_offset + 24, '<I', claim)
    add('zip_deflate_claims_100mb', lie,
        'DEFLATED data.pkl of 100 KB that declares 100,000,000 inflated bytes (within deflate\'s 1032:1): a reader '
        'must allocate as bytes really arrive, not the claim (max_allocation)')
    e, z = eocd_offsets(good)
    add('zip64_locator_near_2_63', patch(good, e - 12, '<Q', 2 ** 63 - 20),
        'the ZIP64 end locator gives its record offset as 2^63 - 20: offset + record size overflows a signed long')
    add('bounds_size_huge_product', torch_zip(state_dict_pickle(w=w_tensor(size=(2 ** 62, 4), stride=(4, 1)))),
        "tensor 'w' has size (2^62, 4): its element count overflows 64 bits")
    more_bounds_cases(add, pkl)
    add('bounds_unicode_bad_escape', with_state_dict('advance', b'V' + b'\\uZZZZ' + b'\n'),
        "a protocol-0 UNICODE string with the escape \\uZZZZ (Python: truncated \\uXXXX escape)")
    add('bounds_unicode_escape_past_unicode', with_state_dict('advance', b'V' + b'\\UFFFFFFFF' + b'\n'),
        "a protocol-0 UNICODE string with the escape \\UFFFFFFFF, past the last code point")
    add('bounds_size_of_strings', torch_zip(state_dict_pickle(extra=[(u('size'), call('torch', 'Size',
                                                                                      tup(u('a'), NONE)))])),
        "torch.Size(('a', None)): a size of non-integers")
    return cases


# ----------------------------------------------------------------------------------------------

TORCH_PROBE = r'''
import sys, warnings
warnings.filterwarnings('ignore')
import torch
try:
    torch.load(sys.argv[1], map_location='cpu', weights_only=False)
except BaseException as e:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ''
    print('error: %s: %s' % (type(e).__name__, msg[:300]))
else:
    print('loaded')
'''


def torch_outcome(path):
    """What torch.load(weights_only=False) does with path, in a subprocess (format cases only)."""
    try:
        p = subprocess.run([sys.executable, '-c', TORCH_PROBE, os.path.basename(path)], cwd=os.path.dirname(path),
                           capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return 'timeout (20 s)'
    out = p.stdout.strip()
    if p.returncode != 0 or not out:
        return 'crashed: exit %d: %s' % (p.returncode, (p.stderr.strip().splitlines() or [''])[-1][:300])
    return out


def check_base():
    """The undamaged base zip and legacy file must load in torch to the expected values."""
    expect_w = torch.tensor(struct.unpack('<6f', W_DATA)).reshape(2, 3)
    expect_b = torch.tensor(struct.unpack('<3q', B_DATA))
    for raw in (torch_zip(state_dict_pickle()), legacy_base()):
        sd = torch.load(io.BytesIO(raw))
        assert list(sd) == ['w', 'b'] and torch.equal(sd['w'], expect_w) and torch.equal(sd['b'], expect_b), sd


def main():
    check_base()
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith('.pt'):
            os.remove(os.path.join(OUT, f))
    manifest = []
    for name, raw, global_, why in unsafe_cases():
        with open(os.path.join(OUT, name + '.pt'), 'wb') as f:
            f.write(raw)
        manifest.append(collections.OrderedDict([('file', name + '.pt'), ('expect', 'unsafe'), ('global', global_),
                                                 ('why', why)]))
    dropped = []
    for name, raw, why in format_cases() + bounds_cases():
        path = os.path.join(OUT, name + '.pt')
        with open(path, 'wb') as f:
            f.write(raw)
        outcome = torch_outcome(path)
        if name == 'fmt_version_missing' and outcome == 'loaded':
            os.remove(path)  # torch accepts it: not a bad file
            dropped.append('%s: torch %s loads it, so it is not a bad case' % (name, torch.__version__))
            continue
        entry = collections.OrderedDict([('file', name + '.pt'), ('expect', 'format'), ('global', None),
                                         ('why', why), ('torch', outcome)])
        if name in MAX_ALLOCATION:
            entry['max_allocation'] = MAX_ALLOCATION[name]
        manifest.append(entry)
    with open(os.path.join(OUT, 'manifest.json'), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    for m in manifest:
        print('%-34s %-7s %s' % (m['file'], m['expect'], m.get('torch', m['global'])))
    for d in dropped:
        print('dropped', d, file=sys.stderr)


if __name__ == '__main__':
    main()
