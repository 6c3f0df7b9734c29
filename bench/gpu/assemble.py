#!/usr/bin/env python3
"""Folds bench/gpu/check.sh's per-step outputs into one JSON ($OUT/gpu_check.json).

Per step: exit code, seconds, the tail of its output; tests: the rel_err lines the device
cases print, Boost.Test's verdict and skip messages; benchmarks: the JSON line and the peak
GPU memory nvidia-smi saw (whole process, context included). Then the issue-15 targets:
ours / reference per model, ResNet50 bf16 <= 60 ms, SpotTune bf16 <= 100 ms, eval <= 0.3x;
ours' TFLOP/s from its own FLOP count (the bench's JSON) and from the reference's FLOP count
of the same model, shape and batch (torch.utils.flop_counter).
Standard library only (runs under any python3).
"""
import argparse
import json
import os
import re


def read(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def last_json(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith('{') and line.endswith('}'):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def peak_mem(path):
    vals = [int(v) for v in re.findall(r'^\s*(\d+)\s*$', read(path), re.M)]
    return max(vals) if vals else None


def test_summary(text):
    out = {'rel_err': [], 'skipped': [], 'verdict': None}
    for m in re.finditer(r'rel_err (\S+) (\S+) logits (\S+) grads (\S+) params (\S+)', text):
        out['rel_err'].append({'case': m.group(1), 'precision': m.group(2),
                               'logits': float(m.group(3)), 'grads': float(m.group(4)),
                               'params': float(m.group(5))})
    # training_steps_on_cuda_do_not_wait_for_the_gpu: the host's waits it counted.
    out['host_waits'] = [m.group(0) for m in re.finditer(r'host waits: [^\n]*', text)]
    out['skipped'] = sorted(set(re.findall(r'(?:CUDA half )?skipped: [^\n]*', text)))
    # --report_level=short: one line per process (2 under mpirun -np 2).
    out['verdict'] = re.findall(r'Test module "[^"]*" has (?:passed|failed)[^\n]*|'
                                r'\*\*\* No errors detected|\*\*\* \d+ failures? (?:are|is) '
                                r'detected[^\n]*', text) or None
    out['failures'] = re.findall(r'error: in "[^\n]*', text)[:20]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True)
    ap.add_argument('--steps', required=True)
    ap.add_argument('--device', required=True)
    ap.add_argument('--budget', type=int)
    ap.add_argument('--elapsed', type=int)
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    w = a.work
    steps = [json.loads(l) for l in read(a.steps).splitlines() if l.strip()]
    doc = {'device': a.device, 'budget_s': a.budget, 'elapsed_s': a.elapsed,
           'gpu': read(os.path.join(w, 'gpu.txt')).strip() or None,
           'torch': last_json(read(os.path.join(w, 'torch.json'))),
           'build': read(os.path.join(w, 'version.txt')).strip() or None,
           'steps': {}, 'bench': {}, 'targets': {}}
    for s in steps:
        name = s['step']
        text = read(os.path.join(w, name + '.out'))
        entry = dict(s, ok=(s.get('rc') == 0), tail=text.splitlines()[-15:])
        if name in ('configure', 'build'):  # the first errors, not only the tail
            entry['errors'] = [l for l in text.splitlines()
                               if re.search(r'CMake Error|FAILED:|error:|Could NOT', l)][:30]
        if name.startswith(('a_', 'b_')):
            entry['tests'] = test_summary(text)
        if name.startswith('c_'):
            j = last_json(text)
            if j is not None:
                j['peak_gpu_mem_nvsmi_mb'] = peak_mem(os.path.join(w, name + '.mem'))
                if 'median_s' in j and j['median_s']:
                    j.setdefault('ms_per_step', j['median_s'] * 1e3)
                    j.setdefault('volumes_per_s', j['batch'] / j['median_s'])
                doc['bench'][name[2:]] = j
        doc['steps'][name] = entry

    b = doc['bench']
    t = doc['targets']
    for model, limit in (('resnet', 60.0), ('spottune', 100.0)):
        ref = b.get('ref_%s_fp32' % model)
        for p in ('fp32', 'tf32', 'bf16'):
            ours = b.get('ours_%s_%s' % (model, p))
            if not ours:
                continue
            # Ours prints its own count (gflop_per_call, tflops); the reference's
            # torch.utils.flop_counter count of its model gives a second TFLOP/s.
            if ref and ref.get('flops_per_call'):
                ours['tflops_by_reference_count'] = ref['flops_per_call'] / ours['median_s'] / 1e12
                ours['flops_per_call_from_reference'] = ref['flops_per_call']
            if ref:
                r = ours['median_s'] / ref['median_s']
                t['%s_%s_over_ref_fp32' % (model, p)] = {'ratio': r, 'target': 0.5,
                                                         'met': r <= 0.5}
            if p == 'bf16':
                ms = ours['ms_per_step']
                t['%s_bf16_ms' % model] = {'ms': ms, 'target_ms': limit, 'met': ms <= limit}
    ref_e = b.get('ref_eval_fp32')
    for p in ('fp32', 'bf16'):
        ours = b.get('ours_eval_%s' % p)
        if ours and ref_e:
            r = ours['median_s'] / ref_e['median_s']
            t['eval_%s_over_ref_fp32' % p] = {'ratio': r, 'target': 0.3, 'met': r <= 0.3}
    doc['all_steps_ok'] = all(e['ok'] for e in doc['steps'].values())
    with open(a.out, 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    print('steps: ' + ', '.join('%s=%s' % (n, e.get('rc')) for n, e in doc['steps'].items()))
    for k, v in sorted(t.items()):
        print(k, json.dumps(v))


if __name__ == '__main__':
    main()
