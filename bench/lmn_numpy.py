"""LMN peer for bench/lmn.ts: the same computation in numpy (float64), two ways.

Reads JSON {x: [m][d], w1, b1, w2, b2} on stdin (weights [out][in]); prints JSON with the LMN and
the best-of-5 wall times of (a) a per-pair loop (21 points × full MLP per pair, as a reference
implementation would be written) and (b) all pairs' points in one batched matmul.
"""
import json, sys, time
import numpy as np

d = json.load(sys.stdin)
x = np.array(d["x"], dtype=np.float64)
w1 = np.array(d["w1"]); b1 = np.array(d["b1"]); w2 = np.array(d["w2"]); b2 = np.array(d["b2"])
P = 21
t = np.linspace(0, 1, P)
tc = t - t.mean()
m = x.shape[0]

def f(z):
    return np.maximum(z @ w1.T + b1, 0) @ w2.T + b2

def r2(vals):  # vals: (..., P, K)
    v = vals - vals.mean(axis=-2, keepdims=True)
    syy = (v * v).sum(axis=-2)
    sxy = np.einsum("p,...pk->...k", tc, vals)
    stt = (tc * tc).sum()
    out = np.where(syy > 0, sxy * sxy / (stt * np.where(syy > 0, syy, 1)), 1.0)
    return out.mean(axis=-1)

def lmn_from(L):
    ev = np.abs(np.linalg.eigvalsh(L))
    ev = ev[ev > 1e-12 * ev.max()]
    p = ev / ev.sum()
    return float(2 ** (-(p * np.log2(p)).sum()))

def per_pair():
    L = np.eye(m)
    for i in range(m):
        for j in range(i + 1, m):
            pts = x[i] + t[:, None] * (x[j] - x[i])
            L[i, j] = L[j, i] = r2(f(pts))
    return lmn_from(L)

iu = np.triu_indices(m, 1)
def batched():
    xi = x[iu[0]]; xj = x[iu[1]]
    pts = xi[:, None, :] + t[None, :, None] * (xj - xi)[:, None, :]
    vals = f(pts.reshape(-1, x.shape[1])).reshape(len(iu[0]), P, -1)
    L = np.eye(m)
    r = r2(vals)
    L[iu] = r; L[(iu[1], iu[0])] = r
    return lmn_from(L)

def best(fn, reps=5):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); v = fn(); ts.append(time.perf_counter() - t0)
    return v, min(ts)

a, ta = best(per_pair)
b, tb = best(batched)
print(json.dumps({"lmnPerPair": a, "lmnBatched": b, "perPairSeconds": ta, "batchedSeconds": tb, "numpy": np.__version__}))
