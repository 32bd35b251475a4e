"""The committed digits CNN run by PyTorch 1.13: the oracle of io.qcheckpoint.demo.DigitsCnnTest.

usage: /usr/bin/python3 digits_oracle.py
Reads src/main/resources/io/qcheckpoint/demo/digits.csv.gz and digits_cnn.pt, loads the weights into
train_digits_cnn.DigitsCnn (strict), puts it in eval mode, runs it on the TEST split (row i with i % 5 == 0) and prints
JSON: {"sha256": of the csv.gz, "test_size", "test_labels": [...], "logits": {"shape": [40, 10], "bits": float32
logits of the first 40 test images as IEEE bits (struct '<f' -> uint32), row-major}, "correct": test images classified
right, "accuracy": correct / test_size}.
"""
import hashlib
import json
import os
import struct
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_digits_cnn as tdc  # noqa: E402

import torch  # noqa: E402

FIRST = 40


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', v))[0] for v in t.flatten().tolist()]


def main():
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    with open(tdc.DATA, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    _, (x, y) = tdc.split(*tdc.load_digits())
    model = tdc.DigitsCnn()
    model.load_state_dict(torch.load(os.path.join(tdc.DEMO, tdc.WEIGHTS)), strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    correct = (logits.argmax(1) == y).sum().item()
    json.dump({'sha256': sha, 'test_size': len(y), 'test_labels': y.tolist(),
               'logits': {'shape': list(logits[:FIRST].shape), 'bits': bits(logits[:FIRST])},
               'correct': correct, 'accuracy': correct / len(y)}, sys.stdout)


if __name__ == '__main__':
    main()
