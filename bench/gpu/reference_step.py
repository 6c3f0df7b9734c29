#!/usr/bin/env python3
"""The reference for `gbmsweep bench`: the same step of the same model in Python PyTorch eager.

As the authors' code runs it (shared/docs/METHODS.md, study A): MedicalNet's 3D ResNet50
(bench/models/medicalnet_resnet.py) or SpotTune3D (bench/models/reference_spottune.py: both
block copies run for every image, the Gumbel policy masks one), BCE-with-logits, Adam (main lr
1e-5, agent lr 1e-4, weight decay 1e-8), eager mode, fp32 with TF32 off (PyTorch's defaults
for a 2021 script are TF32 on for cuDNN; --tf32 turns it on for a second reference).

  train-step: one full training step (zero_grad, agent + policy, forward, loss, backward, both
              Adam steps); ms/step = median over --steps after --warmup steps.
  eval-samples: --samples Gumbel samples of one test image, one no-grad forward pass each
              (the reference evaluates 100 samples per image this way).

Prints one JSON line: times, FLOPs of one call (torch.utils.flop_counter where this torch has
it, else null), achieved TFLOP/s, peak GPU memory (torch's allocator), the device name.
Used by bench/gpu/check.sh; not part of gbmsweep.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'models'))
from medicalnet_resnet import ResNet  # noqa: E402
from reference_spottune import SpotTune3D, gumbel_softmax  # noqa: E402


class ResNetClassifier(nn.Module):
    """ResNet50 with random init, all trainable, one logit (the paper's 'Random init' baseline)."""

    def __init__(self, depth):
        super().__init__()
        self.backbone = ResNet(depth)
        del self.backbone.conv_seg  # the segmentation head is never used for classification
        self.fc = nn.Linear(512 * (4 if depth >= 50 else 1), 1)

    def forward(self, x):
        return self.fc(self.backbone.features(x)).squeeze(1)


def build(model, depth, device):
    torch.manual_seed(0)
    if model == 'resnet':
        net = ResNetClassifier(depth).to(device)
        opts = [torch.optim.Adam(net.parameters(), lr=1e-5, weight_decay=1e-8)]
    else:
        net = SpotTune3D(depth=depth).to(device)
        opts = [torch.optim.Adam(net.main_parameters(), lr=1e-5, weight_decay=1e-8),
                torch.optim.Adam(net.agent_parameters(), lr=1e-4, weight_decay=1e-8)]
    return net, opts


def make_step(model, net, opts, x, y):
    def step():
        net.train()
        for o in opts:
            o.zero_grad()
        if model == 'resnet':
            logits = net(x)
        else:
            logits = net(x, gumbel_softmax(net.agent_logits(x), 100.0))
        F.binary_cross_entropy_with_logits(logits, y).backward()
        for o in opts:
            o.step()
    return step


def make_eval(net, x, samples):
    def evaluate():
        net.eval()
        with torch.no_grad():
            for _ in range(samples):
                torch.sigmoid(net(x, gumbel_softmax(net.agent_logits(x), 100.0)))
    return evaluate


def count_flops(fn):
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:  # torch < 2.1
        return None
    mode = FlopCounterMode(display=False)
    with mode:
        fn()
    return int(mode.get_total_flops())


def timed(fn, steps, warmup, cuda):
    def call():
        fn()
        if cuda:
            torch.cuda.synchronize()
    for _ in range(warmup):
        call()
    t = []
    for _ in range(steps):
        a = time.perf_counter()
        call()
        t.append(time.perf_counter() - a)
    return statistics.median(t), min(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('bench', choices=['train-step', 'eval-samples'])
    ap.add_argument('--model', choices=['resnet', 'spottune'], default='resnet')
    ap.add_argument('--depth', type=int, default=50)
    ap.add_argument('--shape', default='70,86,86')
    ap.add_argument('--batch', type=int, default=12)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--samples', type=int, default=100)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads (0: torch default)')
    ap.add_argument('--tf32', action='store_true', help='TF32 on (default off: plain fp32)')
    a = ap.parse_args()
    cuda = a.device.startswith('cuda')
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if cuda:
        torch.backends.cudnn.allow_tf32 = a.tf32
        torch.backends.cuda.matmul.allow_tf32 = a.tf32
        torch.backends.cudnn.benchmark = True  # fixed shapes, as gbmsweep runs
    shape = [int(v) for v in a.shape.split(',')]
    model = 'spottune' if a.bench == 'eval-samples' else a.model
    net, opts = build(model, a.depth, a.device)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(a.batch, 1, *shape, generator=g).to(a.device)
    y = (torch.arange(a.batch) % 2 == 0).float().to(a.device)
    fn = make_step(model, net, opts, x, y) if a.bench == 'train-step' else make_eval(net, x,
                                                                                    a.samples)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    med, mn = timed(fn, a.steps, a.warmup, cuda)
    peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else None
    # FLOPs after timing (the counter's dispatch overhead must not reach the timed calls).
    flops = count_flops(fn) if a.bench == 'train-step' else count_flops(make_eval(net, x, 1))
    if flops is not None and a.bench == 'eval-samples':
        flops *= a.samples
    out = {'bench': a.bench, 'impl': 'pytorch-eager', 'model': model, 'depth': a.depth,
           'shape': shape, 'batch': a.batch, 'device': a.device,
           'device_name': torch.cuda.get_device_name() if cuda else 'cpu',
           'precision': 'tf32' if (a.tf32 and cuda) else 'fp32', 'torch': torch.__version__,
           'steps': a.steps, 'warmup': a.warmup, 'median_s': med, 'min_s': mn,
           'ms_per_step': med * 1e3, 'volumes_per_s': a.batch / med,
           'flops_per_call': flops,
           'tflops': (flops / med / 1e12) if flops else None,
           'peak_gpu_alloc_mb': peak}
    if a.bench == 'eval-samples':
        out['samples'] = a.samples
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
