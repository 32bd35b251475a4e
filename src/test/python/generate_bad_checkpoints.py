#!/usr/bin/env python3
"""Writes src/test/resources/fixtures/bad-checkpoints/: checkpoint DIRECTORIES, each derived from a
committed good fixture (lpot/lpot15_static, ipex) by one damage, with torch 1.13 and PyYAML doing
the reading and writing (torch.load the weights, corrupt one entry, torch.save; yaml.safe_load the
config, change one value, yaml.dump), and manifest.json saying, per case, what QCheckpoint must
throw, which file the message must name, and why.

Hostile YAML that PyYAML cannot write (a 3000-part base-60 int, a 20000-digit int, a 16K line) is
written as text. Cases too large to commit (a 1M-digit int, a 15 MB scalar) and symbolic links are
made by the Java test at run time (BadCheckpointsTest).

Outcomes: "format" (CheckpointFormatException), "unsafe" (UnsafeCheckpointException), "mismatch"
(ModelMismatchException), "not-found" (CheckpointNotFoundException), "forward" (nn.ForwardException from
the model's forward). "command": "load" cases load the directory onto the fixture's float model;
"run" cases are `qcheckpoint run` on a damaged --input (input.pt in the case directory), and must
end in the bad-input exit with one line naming input.pt.

Run from the repository root: /usr/bin/python3 src/test/python/generate_bad_checkpoints.py
"""
import collections
import copy
import json
import math
import os
import shutil

import torch
import yaml

FIXTURES = os.path.join("src", "test", "resources", "fixtures")
OUT = os.path.join(FIXTURES, "bad-checkpoints")
LPOT = os.path.join(FIXTURES, "lpot", "lpot15_static")
IPEX = os.path.join(FIXTURES, "ipex")
YAML = "best_configure.yaml"
WEIGHTS = "best_model_weights.pt"
JSON = "best_configure.json"

CASES = []


def case(name, base, outcome, file, why, command="load"):
    """Registers a case: the decorated function damages the copied directory."""
    def register(damage):
        CASES.append(dict(case=name, base=base, outcome=outcome, file=file, why=why, command=command, damage=damage))
        return damage
    return register


# ---- tune config text (best_configure.yaml) ----

def yaml_text(d):
    with open(os.path.join(d, YAML), encoding="utf-8") as f:
        return f.read()


def set_yaml_text(d, text):
    with open(os.path.join(d, YAML), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def replace_line(key, value):
    """Replaces the top-level line 'key: ...' with 'key: value' (text, as a hostile writer would)."""
    def damage(d):
        lines = yaml_text(d).split("\n")
        out = [key + ": " + value if l.startswith(key + ":") else l for l in lines]
        assert out != lines, key
        set_yaml_text(d, "\n".join(out))
    return damage


def yaml_value(key, value):
    """Loads the config with PyYAML, sets a top-level key, dumps it as LPOT does."""
    def damage(d):
        cfg = yaml.load(yaml_text(d), Loader=yaml.FullLoader)
        cfg[key] = value
        set_yaml_text(d, yaml.dump(cfg, default_flow_style=False))
    return damage


YAML_TEXT_CASES = [
    ("yaml-sexagesimal-int-3000-parts", "calib_iteration", "1" + ":59" * 3000, "format",
     "a base-60 int of 3000 parts: Java's regex recursion on PyYAML's int pattern overflowed the stack"),
    ("yaml-sexagesimal-float-3000-parts", "calib_iteration", "1" + ":59" * 3000 + ".5", "format",
     "a base-60 float of 3000 parts, the float pattern's recursion"),
    ("yaml-sexagesimal-int-1300-parts", "calib_iteration", "1" + ":59" * 1300, "format",
     "under the 4096-character scalar cap, still deep enough to overflow the regex engine's stack"),
    ("yaml-int-20000-digits", "calib_iteration", "9" * 20000, "format", "an int no LPOT writes: BigInteger work and a long message"),
    ("yaml-int-101-digits", "calib_iteration", "1" * 101, "format", "one digit over the 100-character number cap"),
    ("yaml-hex-int-5000-digits", "calib_iteration", "0x" + "f" * 5000, "format", "a hex int of 5000 digits"),
    ("yaml-binary-int-5000-digits", "calib_iteration", "0b" + "1" * 5000, "format", "a binary int of 5000 digits"),
    ("yaml-octal-int-5000-digits", "calib_iteration", "0" + "7" * 5000, "format", "an octal int of 5000 digits"),
    ("yaml-float-5000-digits", "calib_iteration", "1." + "5" * 5000, "format", "a float of 5000 digits"),
    ("yaml-tagged-int-5000-digits", "calib_iteration", "!!int '" + "9" * 5000 + "'", "format",
     "an explicitly tagged, quoted int: the resolver is skipped, the constructor's cap still applies"),
    ("yaml-plain-scalar-100k", "framework", "a" * 100000, "format", "one 100 KB line: the scanner is quadratic in line length"),
    ("yaml-quoted-scalar-100k", "framework", '"' + "a" * 100000 + '"', "format", "a 100 KB double-quoted line"),
    ("yaml-folded-scalar-8k", "framework", "\n".join("  " + "b" * 70 for _ in range(120)).lstrip(), "format",
     "a plain scalar over short lines, 8.5K characters: over the 4096-character scalar cap"),
    ("yaml-control-characters", "calib_iteration", '"root:x:0:0:root:/root:/bin/bash\\n\\x1b[31mdaemon:x:1:1\\u2028"', "format",
     "a wrong-typed value with control characters: the message repeats 40 characters, escaped"),
    ("yaml-python-object-apply", "calib_iteration", "!!python/object/apply:os.system ['true']", "unsafe",
     "a tag that would run code"),
    ("yaml-python-name", "calib_iteration", "!!python/name:os.system", "unsafe", "a tag naming a function"),
    ("yaml-python-object-new", "calib_iteration", "!!python/object/new:subprocess.Popen [['true']]", "unsafe",
     "a tag that would build an object"),
    ("yaml-timestamp", "calib_iteration", "2001-12-14", "format", "a value PyYAML reads as a date, which a tune config cannot hold"),
    ("yaml-deep-nesting", "calib_iteration", "[" * 200 + "]" * 200, "format", "200 levels of flow sequences, over the nesting limit"),
]


def register_yaml_text_cases():
    for name, key, value, outcome, why in YAML_TEXT_CASES:
        case(name, "lpot15_static", outcome, YAML, why)(replace_line(key, value))


register_yaml_text_cases()


@case("yaml-alias-bomb", "lpot15_static", "format", YAML, "a billion-laughs document: aliases to collections over the limit")
def alias_bomb(d):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += ["a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)) for i in range(1, 9)]
    set_yaml_text(d, "\n".join(lines) + "\n" + yaml_text(d))


@case("yaml-recursive-alias", "lpot15_static", "format", YAML, "an alias inside the node it names (a recursive list)")
def recursive_alias(d):
    set_yaml_text(d, "loop: &l [*l]\n" + yaml_text(d))


@case("yaml-not-utf8", "lpot15_static", "format", YAML, "Latin-1 bytes where UTF-8 is required")
def not_utf8(d):
    with open(os.path.join(d, YAML), "ab") as f:
        f.write(b"comment: caf\xe9\n")


@case("yaml-truncated", "lpot15_static", "format", YAML, "the file cut in the middle of a flow mapping")
def truncated(d):
    set_yaml_text(d, yaml_text(d) + "extra: {a: [1, 2\n")


@case("yaml-empty", "lpot15_static", "format", YAML, "an empty file: no document")
def empty(d):
    set_yaml_text(d, "")


@case("yaml-calib-iteration-string", "lpot15_static", "format", YAML, "calib_iteration a str, written by PyYAML")
def calib_string(d):
    yaml_value("calib_iteration", "x" * 300)(d)


@case("yaml-op-list", "lpot15_static", "format", YAML, "op a list rather than a mapping, written by PyYAML")
def op_list(d):
    yaml_value("op", [1, 2, 3])(d)


@case("missing-weights", "lpot15_static", "not-found", WEIGHTS, "the config without its weights")
def missing_weights(d):
    os.remove(os.path.join(d, WEIGHTS))


# ---- quantized weights (best_model_weights.pt) ----

def weights(mutate):
    """torch.load the weights, let mutate change the state dict, torch.save it back."""
    def damage(d):
        path = os.path.join(d, WEIGHTS)
        sd = torch.load(path)
        mutate(sd)
        torch.save(sd, path)
    return damage


def per_channel(key, scales=None, zero_points=None, index=0):
    """Rebuilds the per-channel qint8 tensor at key with one scale or zero point changed."""
    def mutate(sd):
        w = sd[key]
        s = w.q_per_channel_scales().clone()
        z = w.q_per_channel_zero_points().clone()
        if scales is not None:
            s[index] = scales
        if zero_points is not None:
            z[index] = zero_points
        sd[key] = torch._make_per_channel_quantized_tensor(w.int_repr(), s, z, w.q_per_channel_axis())
    return mutate


def packed_per_channel(scales=None, zero_points=None):
    """As per_channel, for the Linear's packed (weight, bias) tuple."""
    key = "fc._packed_params._packed_params"

    def mutate(sd):
        w, b = sd[key]
        tmp = {"w": w}
        per_channel("w", scales, zero_points, 1)(tmp)
        sd[key] = (tmp["w"], b)
    return mutate


def per_tensor(key, scale, zero_point):
    """Replaces the per-channel tensor at key by a per-tensor one with the given qparams."""
    def mutate(sd):
        sd[key] = torch._make_per_tensor_quantized_tensor(sd[key].int_repr(), scale, zero_point)
    return mutate


def entry(key, value):
    def mutate(sd):
        sd[key] = value(sd[key])
    return mutate


NAN, INF = float("nan"), float("inf")
WEIGHT_CASES = [
    ("weights-per-channel-scale-nan", per_channel("conv.weight", scales=NAN), "a conv weight's per-channel scale NaN (ran, outputs off)"),
    ("weights-per-channel-scale-zero", per_channel("conv.weight", scales=0.0), "a per-channel scale 0"),
    ("weights-per-channel-scale-negative", per_channel("conv.weight", scales=-0.01), "a negative per-channel scale"),
    ("weights-per-channel-scale-inf", per_channel("conv.weight", scales=INF), "an infinite per-channel scale"),
    ("weights-per-channel-zero-point-1000", per_channel("conv.weight", zero_points=1000), "a qint8 zero point of 1000"),
    ("weights-per-channel-zero-point-minus-200", per_channel("conv.weight", zero_points=-200), "a qint8 zero point of -200"),
    ("weights-per-tensor-scale-nan", per_tensor("conv.weight", NAN, 0), "a per-tensor weight scale NaN"),
    ("weights-per-tensor-scale-zero", per_tensor("conv.weight", 0.0, 0), "a per-tensor weight scale 0"),
    ("weights-per-tensor-zero-point-1000", per_tensor("conv.weight", 0.01, 1000), "a per-tensor qint8 zero point of 1000"),
    ("weights-linear-scale-nan", packed_per_channel(scales=NAN), "the Linear's packed weight with a NaN scale"),
    ("weights-linear-scale-zero", packed_per_channel(scales=0.0), "the Linear's packed weight with a zero scale"),
    ("weights-linear-zero-point-1000", packed_per_channel(zero_points=1000), "the Linear's packed weight with a zero point of 1000"),
    ("weights-output-zero-point-1000", entry("conv.zero_point", lambda t: torch.tensor(1000)), "a quint8 output zero point of 1000"),
    ("weights-output-zero-point-negative", entry("fc.zero_point", lambda t: torch.tensor(-5)), "a quint8 output zero point of -5"),
    ("weights-quant-zero-point-1000", entry("quant.zero_point", lambda t: torch.tensor([1000])), "the input QuantStub's zero point 1000"),
    ("weights-quant-scale-nan", entry("quant.scale", lambda t: torch.tensor([NAN])), "the input QuantStub's scale NaN"),
    ("weights-output-scale-zero", entry("conv.scale", lambda t: torch.tensor(0.0)), "an output scale 0"),
    ("weights-float-weight-complex64", entry("conv2.module.weight", lambda t: t.to(torch.complex64)),
     "complex64 weights of an fp32 fallback conv, where float32 is expected"),
    ("weights-bias-complex64", entry("conv.bias", lambda t: t.detach().to(torch.complex64)), "a complex64 bias of a quantized conv"),
    ("weights-per-channel-scales-short", entry("conv.weight", lambda w: torch._make_per_channel_quantized_tensor(
        w.int_repr()[:3], w.q_per_channel_scales()[:3], w.q_per_channel_zero_points()[:3], 0)),
     "a conv weight with three channels where the model has four"),
]


def register_weight_cases():
    for name, mutate, why in WEIGHT_CASES:
        case(name, "lpot15_static", "mismatch", WEIGHTS, why)(weights(mutate))


register_weight_cases()


# ---- the float model's input for `qcheckpoint run` ----

def run_input(convert):
    def damage(d):
        x = torch.load(os.path.join(LPOT, "input.pt"))
        torch.save(convert(x), os.path.join(d, "input.pt"))
    return damage


for _name, _convert, _outcome, _why in [
        ("run-input-float64", lambda x: x.double(), "forward",
         "a float64 input to a static model (the TorchScript interpreter's error before)"),
        ("run-input-int64", lambda x: x.long(), "forward", "an int64 input"),
        ("run-input-complex64", lambda x: x.to(torch.complex64), "format", "a complex64 input, which DJL cannot hold")]:
    case(_name, "lpot15_static", _outcome, "input.pt", _why, command="run")(run_input(_convert))


# ---- IPEX calibration list (best_configure.json) ----

def ipex(mutate):
    """json.load the list, let mutate change it, json.dump it back as LPOT does."""
    def damage(d):
        path = os.path.join(d, JSON)
        with open(path) as f:
            ops = json.load(f)
        mutate(ops)
        with open(path, "w") as f:
            json.dump(ops, f)
    return damage


def ipex_set(index, key, value):
    def mutate(ops):
        ops[index][key] = value
    return mutate


IPEX_CASES = [
    ("ipex-inputs-scale-zero", ipex_set(0, "inputs_scale", [0]), "a multiplier 0 (scale 1/0): the message said 'not Infinity'"),
    ("ipex-inputs-scale-empty", ipex_set(0, "inputs_scale", []), "no input multiplier (ArrayIndexOutOfBoundsException before)"),
    ("ipex-outputs-scale-inf", ipex_set(2, "outputs_scale", [INF]), "an infinite multiplier (scale 0): the message said 'not 0.0'"),
    ("ipex-outputs-scale-nan", ipex_set(0, "outputs_scale", [NAN]), "a NaN multiplier"),
    ("ipex-inputs-scale-negative", ipex_set(2, "inputs_scale", [-5.0]), "a negative multiplier"),
    ("ipex-outputs-scale-empty", ipex_set(2, "outputs_scale", []), "no output multiplier"),
    ("ipex-inputs-zero-point-1000", ipex_set(0, "inputs_zero_point", [1000]), "a zero point of 1000"),
    ("ipex-outputs-zero-point-minus-1000", ipex_set(0, "outputs_zero_point", [-1000]), "a zero point of -1000"),
    ("ipex-uint8-zero-point-300", ipex_set(2, "inputs_zero_point", [300]), "a uint8 zero point of 300"),
    ("ipex-fallback-op-scale-zero", ipex_set(1, "inputs_scale", [0.0]), "a zero multiplier on an op left in fp32"),
    ("ipex-scale-string", ipex_set(0, "inputs_scale", ["x" * 200]), "a 200-character string where a number is expected"),
    ("ipex-not-a-list", lambda ops: ops.__setitem__(0, "x" * 200), "an op that is a long string"),
]

for _name, _mutate, _why in IPEX_CASES:
    case(_name, "ipex", "format", JSON, _why)(ipex(_mutate))


def json_text(text):
    """Writes text as the list: JSON that json.dump would not write."""
    def damage(d):
        with open(os.path.join(d, JSON), "w") as f:
            f.write(text)
    return damage


for _name, _text, _why in [
        ("json-long-bad-token", "[" + "x" * 20000 + "]", "a 20000-character bare word: the parser's message quotes it"),
        ("json-id-5000-digits", '[{"id": ' + "9" * 5000 + "}]", "an id of 5000 digits"),
        ("json-control-characters", '[{"id": 0, "name": "a\u0000\u001b[31m\n' + "b" * 100 + '"}]',
         "raw NUL and ESC characters inside a string, which JSON forbids")]:
    case(_name, "ipex", "format", JSON, _why)(json_text(_text))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    manifest = []
    for c in CASES:
        d = os.path.join(OUT, c["case"])
        os.makedirs(d)
        src = LPOT if c["base"] == "lpot15_static" else IPEX
        for name in ([YAML, WEIGHTS] if c["base"] == "lpot15_static" else [JSON]):
            shutil.copy(os.path.join(src, name), os.path.join(d, name))
        c["damage"](d)
        manifest.append({k: c[k] for k in ("case", "base", "outcome", "file", "command", "why")})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("%d cases in %s" % (len(manifest), OUT))


if __name__ == "__main__":
    main()
