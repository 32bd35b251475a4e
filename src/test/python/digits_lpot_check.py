"""Loads a digits CNN checkpoint the way LPOT does, in PyTorch 1.13: the oracle of DemoCommandTest.

usage: /usr/bin/python3 digits_lpot_check.py CHECKPOINT_DIR
Builds train_digits_cnn.DigitsCnn with the committed float weights, eval mode, fused as the demo fuses it
(torch.ao.quantization.fuse_modules with FUSE_GROUPS), loads CHECKPOINT_DIR onto it with lpot_models.lpot_load
(LPOT 1.x's load(checkpoint_dir, model): config, qconfig propagation, fallback, convert, load_state_dict strict),
runs it on the TEST split and prints JSON: {"predictions": [argmax per test image], "labels": [...],
"accuracy": float, "approach": the config's approach, "fp32_ops": [names of ops the config keeps in fp32],
"quantizable_ops": [[name, type], ...] as LPOT lists them for the fused model and the config's approach}.
"""
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lpot_models  # noqa: E402
import train_digits_cnn as tdc  # noqa: E402

import torch  # noqa: E402
import torch.ao.quantization as tq  # noqa: E402


def main(checkpoint_dir):
    warnings.filterwarnings('ignore')
    lpot_models.setup_determinism()
    model = tdc.DigitsCnn()
    model.load_state_dict(torch.load(os.path.join(tdc.DEMO, tdc.WEIGHTS)), strict=True)
    model.eval()
    fused = tq.fuse_modules(model, tdc.FUSE_GROUPS)
    listed = lpot_models.quantizable_ops(fused, lpot_models.read_checkpoint(checkpoint_dir)[0]['approach'])
    q_model, tune_cfg, _ = lpot_models.lpot_load(checkpoint_dir, fused)
    _, (x, y) = tdc.split(*tdc.load_digits())
    with torch.no_grad():
        predictions = q_model(x).argmax(1)
    fp32_ops = [name for (name, _), cfg in tune_cfg['op'].items() if cfg['activation']['dtype'] == 'fp32']
    json.dump({'predictions': predictions.tolist(), 'labels': y.tolist(),
               'accuracy': (predictions == y).sum().item() / len(y), 'approach': tune_cfg['approach'],
               'fp32_ops': fp32_ops, 'quantizable_ops': [list(op) for op in listed]}, sys.stdout)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: digits_lpot_check.py CHECKPOINT_DIR')
    main(sys.argv[1])
