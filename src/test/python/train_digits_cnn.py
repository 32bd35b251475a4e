"""Trains the demo's small digits CNN with PyTorch 1.13 and saves its float weights.

usage (from any directory):
    /usr/bin/python3 src/test/python/train_digits_cnn.py OUT_DIR
        trains DigitsCnn on the TRAIN split of src/main/resources/io/qcheckpoint/demo/digits.csv.gz, prints the
        fp32 test accuracy and writes OUT_DIR/digits_cnn.pt (the state_dict of the UNFUSED float model, torch.save
        zip format). The committed src/main/resources/io/qcheckpoint/demo/digits_cnn.pt is this file.

Data: the UCI hand-written digits as shipped by scikit-learn (see DIGITS.md beside the csv): 1,797 rows of 64 pixels
(0..16) then the label (0..9). Row i is in the TEST split when i % 5 == 0 (360 rows), otherwise in TRAIN (1437 rows);
the input is pixels / 16.0 as float32, shape (N, 1, 8, 8). io.qcheckpoint.demo.Digits applies the same rule.

The model's module tree is a contract: io.qcheckpoint.demo.DigitsCnn registers the same children under the same names
in the same order, and fuses [conv1, bn1, relu1], [conv2, bn2, relu2], [fc1, relu3].

Deterministic: torch.manual_seed(0), one intra-op thread, Adam, a fixed number of epochs and mini-batches in an order
drawn from a seeded generator. With the same torch build on the same kind of CPU, running it twice gives
byte-identical files (torch.save names the zip's root folder after the file, so the names inside are fixed too). On
another CPU torch takes other float kernels and the weights drift by up to about 10% over the twelve epochs; the
retrained model still predicts as the committed one (DigitsCnnTest checks accuracy and predictions, not bytes).
"""
import csv
import gzip
import os
import sys

import torch
import torch.nn as nn
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DEMO = os.path.join(ROOT, 'src', 'main', 'resources', 'io', 'qcheckpoint', 'demo')
DATA = os.path.join(DEMO, 'digits.csv.gz')
WEIGHTS = 'digits_cnn.pt'

EPOCHS = 12
BATCH = 32
LR = 1e-3


class DigitsCnn(nn.Module):
    """Two conv blocks, a max pool and two linear layers: (N, 1, 8, 8) -> (N, 10) logits."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(512, 64)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(64, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.relu2(self.bn2(self.conv2(x)))
        x = self.flatten(self.pool(x))
        x = self.relu3(self.fc1(x))
        return self.dequant(self.fc2(x))


FUSE_GROUPS = [['conv1', 'bn1', 'relu1'], ['conv2', 'bn2', 'relu2'], ['fc1', 'relu3']]


def load_digits(path=DATA):
    """Returns (images float32 (N, 1, 8, 8) scaled by 1/16, labels int64 (N,)) of every row, in file order."""
    pixels, labels = [], []
    with gzip.open(path, 'rt', newline='') as f:
        for row in csv.reader(f):
            if len(row) != 65:
                raise ValueError('row %d has %d fields, expected 65' % (len(pixels), len(row)))
            pixels.append([int(v) for v in row[:64]])
            labels.append(int(row[64]))
    x = torch.tensor(pixels, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
    return x, torch.tensor(labels, dtype=torch.int64)


def split(x, y):
    """Returns ((train_x, train_y), (test_x, test_y)): row i is a test row when i % 5 == 0."""
    idx = torch.arange(len(y))
    test = idx % 5 == 0
    return (x[~test], y[~test]), (x[test], y[test])


def correct(model, x, y):
    """Returns how many of x the model (in eval mode) classifies as y."""
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).sum().item()


def train():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    (train_x, train_y), (test_x, test_y) = split(*load_digits())
    model = DigitsCnn()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(1234)
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(train_y), generator=order)
        for start in range(0, len(perm), BATCH):
            b = perm[start:start + BATCH]
            opt.zero_grad()
            loss_fn(model(train_x[b]), train_y[b]).backward()
            opt.step()
    return model, correct(model, test_x, test_y), len(test_y)


def main(out_dir):
    model, right, total = train()
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, WEIGHTS), _use_new_zipfile_serialization=True)
    print('test accuracy %d/%d = %.4f' % (right, total, right / total))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: train_digits_cnn.py OUT_DIR')
    main(sys.argv[1])
