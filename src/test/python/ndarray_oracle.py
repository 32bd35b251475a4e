"""Oracle for the tensor -> NDArray conversion: what each tensor of a file becomes in a DJL-held type.

usage: ndarray_oracle.py FILE -> one JSON object {key: {"dtype", "shape", "sha256"}} for every plain
(non-quantized) tensor reachable from the root; the elements are converted by torch itself
(bfloat16 -> float32, int16 -> int32) and hashed contiguous, little-endian. Types DJL cannot hold
without loss (complex, ...) map to {"dtype": null}.
"""
import hashlib
import json
import sys

import torch

DJL_HOLDS = {torch.float32, torch.float64, torch.float16, torch.uint8, torch.int8, torch.int32, torch.int64, torch.bool}
WIDEN = {torch.bfloat16: torch.float32, torch.int16: torch.int32}


def walk(obj, key, out):
    if isinstance(obj, torch.Tensor):
        if obj.is_quantized:
            return
        target = obj.dtype if obj.dtype in DJL_HOLDS else WIDEN.get(obj.dtype)
        if target is None:
            out[key] = {'dtype': None}
            return
        t = obj.to(target).contiguous()
        out[key] = {'dtype': str(target)[6:], 'shape': list(t.shape),
                    'sha256': hashlib.sha256(t.view(-1).numpy().tobytes() if t.dim() else t.reshape(1).numpy().tobytes()).hexdigest()}
    elif isinstance(obj, dict):
        for k, v in obj.items():
            walk(v, (key + '.' if key else '') + str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            walk(v, (key + '.' if key else '') + str(i), out)


def main():
    out = {}
    walk(torch.load(sys.argv[1], map_location='cpu'), '', out)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
