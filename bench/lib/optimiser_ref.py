"""bench/optimiser: product passes of L-BFGS vs truncated Newton (Newton-CG) on the mixing fits' problem.

The probe's objective (mean logistic loss + 1e-3 ||w||^2, bias unpenalised) on bench/core's data, stopped at
||grad||_inf <= 1e-6 as our fits are. A pass is one product of the rows with a vector each way (a gradient or a
Hessian-vector product: both read the rows twice); the mixing fits' cost is the number of such rounds.
L-BFGS: scipy L-BFGS-B, 10 pairs, ftol 0 (stops on the gradient only), counted by function evaluations.
Newton-CG: the truncated Newton of LIBLINEAR/TRON's family: CG on the Newton system to a relative residual
min(0.5, sqrt(||g||)) (Eisenstat-Walker), Armijo backtracking from the unit step.
Usage: python3 optimiser_ref.py DIR (weak.npy, strong.npy, labels.npy, split.npy as bench/core writes them)."""
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from core_ref import L2, objective  # noqa: E402  (the probe's objective, as bench/core's reference has it)

TOL = 1e-6


def lbfgs(X, y):
    res = minimize(objective(X, y), np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B",
                   options={"maxiter": 1000, "gtol": TOL, "ftol": 0.0, "maxcor": 10})
    return res.x, int(res.nfev)


def newton_cg(X, y):
    n, d = X.shape
    f = objective(X, y)
    th = np.zeros(d + 1)
    F, g = f(th)
    passes, outer, cg = 1, 0, 0
    while np.max(np.abs(g)) > TOL and outer < 50:
        z = X @ th[:d] + th[d]
        p = 1 / (1 + np.exp(-z))
        s = p * (1 - p) / n

        def hv(v):
            u = s * (X @ v[:d] + v[d])
            out = np.empty(d + 1)
            out[:d] = X.T @ u + 2 * L2 * v[:d]
            out[d] = u.sum()
            return out
        gn = np.linalg.norm(g)
        eta = min(0.5, np.sqrt(gn))
        x = np.zeros(d + 1)
        r = -g.copy()
        q = r.copy()
        rr = r @ r
        while np.sqrt(rr) > eta * gn and cg < 5000:
            Aq = hv(q)
            passes += 1
            cg += 1
            a = rr / (q @ Aq)
            x += a * q
            r -= a * Aq
            rr2 = r @ r
            q = r + (rr2 / rr) * q
            rr = rr2
        t = 1.0
        while True:
            F2, g2 = f(th + t * x)
            passes += 1
            if F2 <= F + 1e-4 * t * (g @ x) or t < 1e-8:
                break
            t *= 0.5
        th = th + t * x
        F, g = F2, g2
        outer += 1
    return th, passes, outer, cg


def main():
    d = sys.argv[1]
    weak = np.load(f"{d}/weak.npy").astype(np.float64)
    strong = np.load(f"{d}/strong.npy")
    y = np.load(f"{d}/labels.npy").astype(np.float64)
    split = np.load(f"{d}/split.npy")
    wt, w2, _ = (np.where(split == k)[0] for k in range(3))
    wm, _ = lbfgs(weak[wt], y[wt])
    targets = 1 / (1 + np.exp(-(weak[w2] @ wm[:-1] + wm[-1])))  # the W2S pseudo-labels (soft)
    Xs = strong[w2].astype(np.float64)
    rng = np.random.default_rng(0)
    rows = []
    # all W2S-train rows (the strong and W2S probes), and subsets of the mixing fits' sizes at both detectors
    for m in (len(w2), 1605, 1165):
        sel = np.arange(len(w2)) if m == len(w2) else rng.choice(len(w2), m, replace=False)
        X, t = Xs[sel], targets[sel]
        a, lb = lbfgs(X, t)
        b, nc, outer, cg = newton_cg(X, t)
        rows.append({"rows": int(m), "lbfgs": lb, "newton_cg": nc, "newton_steps": outer, "cg": cg,
                     "max_weight_diff": float(np.max(np.abs(a - b)))})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
