"""torch 1.13's own bytes for a value read from a file: torch.load(SRC) then torch.save(value, DST), for each pair.

usage: /usr/bin/python3 src/test/python/torch_resave.py SRC DST [SRC DST ...]

The oracle of the test that Java writes what torch writes: Java reads SRC and writes the same value to a file of the
same name as DST; both files must be equal byte for byte. torch names the zip's folder after DST's stem, so the two
sides must use the same file name. Any failure exits 1 with one line "error: ..." on stderr.
"""
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import torchdesc  # noqa: E402,F401  (puts fakes/ on sys.path, for files holding DotDicts)

import torch  # noqa: E402

warnings.filterwarnings('ignore')


def main(argv):
    if not argv or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    for src, dst in zip(argv[0::2], argv[1::2]):
        torch.save(torch.load(src, map_location='cpu'), dst)
    return 0


if __name__ == '__main__':
    import script_main
    script_main.run(main)
