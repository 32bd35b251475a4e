"""Oracle for io.qcheckpoint.torchscript's op table: torch 1.13's results of the operations imported code calls, on
seeded tensors, for the cases whose semantics are easy to get wrong (negative and clamped slice bounds, steps,
negative dimensions, dtype codes, alpha, approximations).

usage: /usr/bin/python3 src/test/python/aten_ops_oracle.py OUT
    torch.saves to OUT a list of [name, args, result]: name as torch's code printer writes it (torch.slice), args the
    positional arguments (tensors, ints, floats, strings, None, lists), result what torch computed.
Any failure exits 1 with one line "error: ..." on stderr.
"""
import sys

import torch
import torch.nn.functional as F


def cases():
    g = torch.Generator().manual_seed(4242)
    x = torch.randn(2, 5, 6, generator=g)
    y = torch.randn(2, 5, 6, generator=g)
    ids = torch.randint(0, 7, (2, 3), generator=g)
    w = torch.randn(7, 4, generator=g)
    gamma = torch.randn(6, generator=g)
    beta = torch.randn(6, generator=g)
    return [
        ['torch.slice', [x, 1, -4, 100, 2], x[:, -4:100:2]],
        ['torch.slice', [x, -1, None, -2, 1], x[..., :-2]],
        ['torch.slice', [x, 0, 0, 9223372036854775807, 1], x[0:]],
        ['torch.slice', [x, 2, 5, 1, 1], x[:, :, 5:1]],
        ['torch.select', [x, -2, -1], x.select(-2, -1)],
        ['torch.select', [x, 0, 1], x.select(0, 1)],
        ['torch.unsqueeze', [x, -1], x.unsqueeze(-1)],
        ['torch.unsqueeze', [x, 1], x.unsqueeze(1)],
        ['torch.to', [ids, 6], ids.to(torch.float32)],
        ['torch.to', [x, 4], x.to(torch.int64)],
        ['torch.rsub', [x, 1.5, 2], torch.rsub(x, 1.5, alpha=2)],
        ['torch.rsub', [x, y], torch.rsub(x, y)],
        ['torch.zeros_like', [ids, 6], torch.zeros_like(ids, dtype=torch.float32)],
        ['torch.ones_like', [x], torch.ones_like(x)],
        ['torch.embedding', [w, ids, 0], torch.embedding(w, ids, 0)],
        ['torch.embedding', [w, ids], torch.embedding(w, ids)],
        ['torch.layer_norm', [x, [6], gamma, beta, 1e-5], F.layer_norm(x, [6], gamma, beta, 1e-5)],
        ['torch.layer_norm', [x, [5, 6], torch.ones(5, 6), torch.zeros(5, 6), 1e-12],
         F.layer_norm(x, [5, 6], torch.ones(5, 6), torch.zeros(5, 6), 1e-12)],
        ['torch.gelu', [x], F.gelu(x)],
        ['torch.gelu', [x, 'tanh'], F.gelu(x, approximate='tanh')],
    ]


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    # contiguous copies: torch.save keeps a view's whole storage, the reader would too
    out = [[n, a, r.contiguous().clone()] for n, a, r in cases()]
    torch.save(out, argv[0])
    return 0


if __name__ == '__main__':
    import script_main
    script_main.run(main)
