"""Oracle for the over-2-GiB storage test: writes and checks a uint8 tensor of 2**31 + 2**20 bytes.

usage: large_tensor.py write FILE   -> saves {'big': t, 'tail': t[2**31:2**31+16]} and prints sha256(big)
       large_tensor.py check FILE   -> prints sha256(big), tail values, and whether tail shares big's storage
"""
import hashlib
import json
import sys

import torch

N = 2 ** 31 + 2 ** 20
OFF = 2 ** 31


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == 'write':
        big = torch.arange(256, dtype=torch.uint8).repeat(N // 256)
        big[OFF + 3] = 7  # a marker past the 2 GiB boundary
        torch.save({'big': big, 'tail': big[OFF:OFF + 16]}, path)
    d = torch.load(path)
    big, tail = d['big'], d['tail']
    print(json.dumps({
        'numel': big.numel(),
        'sha256': hashlib.sha256(big.numpy().tobytes()).hexdigest(),
        'tail': tail.tolist(),
        'tail_offset': tail.storage_offset(),
        'shared': tail.storage().data_ptr() == big.storage().data_ptr(),
    }))


if __name__ == '__main__':
    main()
