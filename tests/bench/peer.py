#!/usr/bin/python3
"""Peer baseline for tests/bench/run.js: times scikit-learn / XGBoost on the same data, one thread.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 tests/bench/peer.py SPEC.json
SPEC names raw little-endian float32 files (row-major X, float32 y) written by run.js and the
models to fit; prints one JSON object {model: {seconds, cpu, quality}} on stdout (wall and
process CPU seconds of the fit alone, the fastest of spec.repeats fits).
"""
import json
import os
import sys
import time

for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(var, '1')

import numpy as np  # noqa: E402
from sklearn import metrics  # noqa: E402


def load(path, rows, cols):
    a = np.fromfile(path, dtype=np.float32)
    return a.reshape(rows, cols) if cols > 1 else a


def main():
    spec = json.load(open(sys.argv[1]))
    d = spec['nFeatures']
    sets = {}
    for task in ('classification', 'regression'):
        s = spec[task]
        Xtr, Xte = load(s['Xtr'], s['nTrain'], d), load(s['Xte'], s['nTest'], d)
        ytr, yte = load(s['ytr'], s['nTrain'], 1), load(s['yte'], s['nTest'], 1)
        if task == 'classification':
            ytr, yte = ytr.astype(np.int64), yte.astype(np.int64)
        else:
            ytr, yte = ytr.astype(np.float64), yte.astype(np.float64)
        sets[task] = (Xtr, ytr, Xte, yte)
    out = {}
    repeats = max(1, int(spec.get('repeats', 1)))
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        for m in spec['models']:
            est = build(m)
            if est is None:
                continue
            Xtr, ytr, Xte, yte = sets[m['task']]
            sec = cpu = float('inf')
            for _ in range(repeats):
                est = build(m)
                c0 = time.process_time()
                t0 = time.perf_counter()
                est.fit(Xtr, ytr)
                sec = min(sec, time.perf_counter() - t0)
                cpu = min(cpu, time.process_time() - c0)
            if m['metric'] == 'accuracy':
                q = metrics.accuracy_score(yte, est.predict(Xte))
            elif m['metric'] == 'r2':
                q = metrics.r2_score(yte, est.predict(Xte))
            else:
                q = float(est.inertia_)
            out[m['name']] = {'seconds': sec, 'cpu': cpu, 'quality': float(q), 'what': m['peer']}
            print(f"peer {m['name']}: {sec:.3f}s (cpu {cpu:.3f}s)", file=sys.stderr)
    json.dump(out, sys.stdout)


def build(m):
    import warnings
    warnings.filterwarnings('ignore')
    from sklearn import cluster, ensemble, linear_model, naive_bayes, neural_network, tree
    p = m['peer']
    env = {'linear_model': linear_model, 'naive_bayes': naive_bayes, 'cluster': cluster, 'tree': tree,
           'ensemble': ensemble, 'neural_network': neural_network}
    if p.startswith('xgboost.'):
        try:
            import xgboost
        except ImportError:
            return None
        env['xgboost'] = xgboost
    return eval(p, env)  # the expressions are written in run.js


if __name__ == '__main__':
    main()
