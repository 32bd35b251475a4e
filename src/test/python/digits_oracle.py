"""The committed digits CNN run by PyTorch 1.13: the oracle of io.qcheckpoint.demo.DigitsCnnTest.

usage: /usr/bin/python3 digits_oracle.py
Reads src/main/resources/io/qcheckpoint/demo/digits.csv.gz and digits_cnn.pt, loads the weights into
train_digits_cnn.DigitsCnn (strict), puts it in eval mode, runs it on the TEST split (row i with i % 5 == 0) and prints
JSON: {"sha256": of the csv.gz, "test_size", "test_labels": [...], "logits": {"shape": [40, 10], "bits": float32
logits of the first 40 test images as IEEE bits (struct '<f' -> uint32), row-major}, "correct": test images classified
right, "accuracy": correct / test_size}.

usage: /usr/bin/python3 digits_oracle.py compare OTHER_WEIGHTS.pt
Runs the committed weights and OTHER_WEIGHTS.pt (a retraining by train_digits_cnn.py) on the TEST split and prints
JSON: {"test_size", "committed_correct", "other_correct", "agree": test images both predict alike}.
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


def model_with(weights):
    model = tdc.DigitsCnn()
    model.load_state_dict(torch.load(weights), strict=True)
    model.eval()
    return model


def compare(other):
    _, (x, y) = tdc.split(*tdc.load_digits())
    with torch.no_grad():
        committed = model_with(os.path.join(tdc.DEMO, tdc.WEIGHTS))(x).argmax(1)
        retrained = model_with(other)(x).argmax(1)
    json.dump({'test_size': len(y), 'committed_correct': (committed == y).sum().item(),
               'other_correct': (retrained == y).sum().item(), 'agree': (committed == retrained).sum().item()},
              sys.stdout)


def main():
    with open(tdc.DATA, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    _, (x, y) = tdc.split(*tdc.load_digits())
    model = model_with(os.path.join(tdc.DEMO, tdc.WEIGHTS))
    with torch.no_grad():
        logits = model(x)
    correct = (logits.argmax(1) == y).sum().item()
    json.dump({'sha256': sha, 'test_size': len(y), 'test_labels': y.tolist(),
               'logits': {'shape': list(logits[:FIRST].shape), 'bits': bits(logits[:FIRST])},
               'correct': correct, 'accuracy': correct / len(y)}, sys.stdout)


if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    if len(sys.argv) == 3 and sys.argv[1] == 'compare':
        compare(sys.argv[2])
    elif len(sys.argv) == 1:
        main()
    else:
        sys.exit('usage: digits_oracle.py [compare OTHER_WEIGHTS.pt]')
