#!/usr/bin/python3
"""SpotTune speed: gbmsweep (C++) against the reference PyTorch implementation.

For batch 2, depth 50, each shape and thread count: one full training step (agent, policy,
main network, BCE, backward, both Adam steps; median of --steps after a warm-up) and the
evaluation of --samples Gumbel samples per image (gbmsweep: one prefix-shared pass; reference:
one forward pass per sample under no_grad). Prints a table and writes JSON lines to --out.

  /usr/bin/python3 bench/models/compare.py --exe build/src/cli/gbmsweep [--shapes 24,28,28 ...]

On a machine shared with other jobs, run with OMP_WAIT_POLICY=PASSIVE (both sides inherit it):
spinning OpenMP threads made 2-thread steps 5x slower there. Wall and process-CPU times are
both reported; CPU time is the steadier measure under contention.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_spottune import SpotTune3D, gumbel_softmax  # noqa: E402


def timed(fn, steps):
    """Median wall, min wall, median process CPU time (all threads) of `steps` calls."""
    fn()  # warm-up
    t, c = [], []
    for _ in range(steps):
        a, b = time.perf_counter(), time.process_time()
        fn()
        c.append(time.process_time() - b)
        t.append(time.perf_counter() - a)
    return statistics.median(t), min(t), statistics.median(c)


def reference(shape, threads, steps, samples, eval_passes, strict):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = SpotTune3D(strict=strict)
    main = torch.optim.Adam(net.main_parameters(), lr=1e-5, weight_decay=1e-8)
    agent = torch.optim.Adam(net.agent_parameters(), lr=1e-4, weight_decay=1e-8)
    x = torch.rand(2, 1, *shape)
    y = torch.tensor([1.0, 0.0])

    def step():
        net.train()
        main.zero_grad()
        agent.zero_grad()
        policy = gumbel_softmax(net.agent_logits(x), 100.0)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x, policy), y)
        loss.backward()
        main.step()
        agent.step()

    step_med, step_min, step_cpu = timed(step, steps)

    def one_pass():
        with torch.no_grad():
            policy = gumbel_softmax(net.agent_logits(x), 100.0)
            torch.sigmoid(net(x, policy))

    net.eval()
    # Time `eval_passes` single passes and scale to `samples` (all passes cost the same).
    pass_med, _, pass_cpu = timed(one_pass, eval_passes)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {'step_median_s': step_med, 'step_min_s': step_min, 'step_cpu_s': step_cpu,
            'eval_s': pass_med * samples, 'eval_cpu_s': pass_cpu * samples,
            'eval_pass_s': pass_med, 'peak_rss_mb': rss}


def ours(exe, shape, threads, steps, samples):
    common = ['--depth', '50', '--batch', '2', '--shape', ','.join(map(str, shape)),
              '--threads', str(threads), '--steps', str(steps)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    step = json.loads(subprocess.check_output(
        [exe, 'bench', 'train-step', '--model', 'spottune'] + common, env=env))
    ev = json.loads(subprocess.check_output(
        [exe, 'bench', 'eval-samples', '--samples', str(samples)] + common, env=env))
    return step, ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--exe', default='build/src/cli/gbmsweep')
    ap.add_argument('--shapes', nargs='+', default=['24,28,28', '35,43,43'])
    ap.add_argument('--threads', nargs='+', type=int, default=[1, 2])
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--samples', type=int, default=100)
    ap.add_argument('--eval-passes', type=int, default=5,
                    help='reference passes timed, scaled to --samples')
    ap.add_argument('--strict-reference', action='store_true',
                    help='reference sets requires_grad=False on the frozen copy and stem')
    ap.add_argument('--out', default='bench_models.jsonl')
    ap.add_argument('--repeat', type=int, default=1,
                    help='rounds over all cells, ours and the reference back to back in each; '
                         'the summary gives the median ratio per cell (steadier on a shared '
                         'machine than one long run of each)')
    a = ap.parse_args()
    rows = []
    cells = [([int(v) for v in s.split(',')], t) for s in a.shapes for t in a.threads]
    for _ in range(a.repeat):
        for shape, t in cells:
            step, ev = ours(a.exe, shape, t, a.steps, a.samples)
            ref = reference(shape, t, a.steps, a.samples, a.eval_passes, a.strict_reference)
            row = {'shape': shape, 'threads': t, 'strict_reference': a.strict_reference,
                   'ours_step_s': step['median_s'],
                   'ref_step_s': ref['step_median_s'],
                   'step_ratio': step['median_s'] / ref['step_median_s'],
                   'ours_step_cpu_s': step['median_cpu_s'], 'ref_step_cpu_s': ref['step_cpu_s'],
                   'step_cpu_ratio': step['median_cpu_s'] / ref['step_cpu_s'],
                   'ours_eval_s': ev['median_s'], 'ref_eval_s': ref['eval_s'],
                   'eval_ratio': ev['median_s'] / ref['eval_s'],
                   'ours_eval_cpu_s': ev['median_cpu_s'], 'ref_eval_cpu_s': ref['eval_cpu_s'],
                   'eval_cpu_ratio': ev['median_cpu_s'] / ref['eval_cpu_s'],
                   'ours_step_rss_mb': step['peak_rss_mb'], 'ref_rss_mb': ref['peak_rss_mb']}
            rows.append(row)
            print(json.dumps(row), flush=True)
    with open(a.out, 'w') as f:
        for r in rows:
            f.write(json.dumps(r) + '\n')
    if a.repeat > 1:
        summary = []
        for shape, t in cells:
            runs = [r for r in rows if r['shape'] == shape and r['threads'] == t]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]
                   if isinstance(runs[0][k], float)}
            summary.append(dict(med, shape=shape, threads=t, runs=len(runs)))
        print(f"median over {a.repeat} rounds:")
        rows = summary
    print(f"{'shape':>10} {'thr':>3} | step wall: {'ours':>7} {'ref':>7} {'ratio':>5} | "
          f"step cpu: {'ratio':>5} | eval wall: {'ours':>7} {'ref':>8} {'ratio':>5} | "
          f"eval cpu: {'ratio':>5}")
    for r in rows:
        print(f"{'x'.join(map(str, r['shape'])):>10} {r['threads']:>3} | "
              f"{'':>11}{r['ours_step_s']:>7.3f} {r['ref_step_s']:>7.3f} {r['step_ratio']:>5.2f} | "
              f"{'':>10}{r['step_cpu_ratio']:>5.2f} | "
              f"{'':>11}{r['ours_eval_s']:>7.3f} {r['ref_eval_s']:>8.3f} {r['eval_ratio']:>5.2f} | "
              f"{'':>10}{r['eval_cpu_ratio']:>5.2f}")


if __name__ == '__main__':
    main()
