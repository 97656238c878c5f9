"""Reference implementation of the analysis on cached activations in numpy/scipy, for bench/core.js.

The same steps as src/core/experiment/analyze.ts: weak probe (weak-train), strong probe and W2S probe (W2S-train,
soft pseudo-labels; softmax probes when labels.npy has more than two classes, confidence = top-1 minus top-2), Binseg change point (l2, jump 5, min size 2) twice, dot-max alignment, the mixing curve over
11 proportions x seeds plus the random baseline. Probes: mean logistic loss + l2 ||w||^2 with an unpenalised bias,
minimised by scipy's L-BFGS-B to a gradient inf-norm of 1e-6 with ftol disabled (our solver stops on the same rule).
With ALIGN = residual (the product's default detector, src/core/detect/residual.ts): stage 1 on the log scale
(log(c + 1e-6), threshold = the confidence at the breakpoint), stage 2 scores every non-hard row by its leave-one-out
residual norm under the ridge map weak -> strong (intercept, one lambda by GCV over 37 multiples of the mean
eigenvalue of Xc^T Xc, eigh of the smaller Gram matrix) times its max |cos| to the hard rows; the scores go to
the JSON (null for hard rows, W2S-train rows in index order) for bench/core.ts to compare with ours.
The weak probe gets exact Newton steps after L-BFGS-B (newton_polish; CORE_REF_POLISH=0 turns them off), as ours
gets Newton-CG: the partition is then the optimum's on both sides (issue 14, item 5).
Both sides start from the same input: the Float32 arrays of the .npy files, in memory. The timed steps begin with
the Float64 copies of the rows each step uses (stage "input": all weak rows, the W2S-train and test strong rows),
as ours makes its own, and end with the result's 2-D map (stage "map", pca_map: the first two principal components
of the W2S-train strong rows by the same block power iteration as ours, src/core/linalg/pca.ts: at most 25 steps,
stop at 1 - |cos| < 1e-6, Rayleigh-Ritz, signs fixed by each axis's largest entry; timed, not compared: on the
synthetic data the top eigenvalues are within 4% of each other, so neither side's 25 steps converge to one answer).
Usage: python3 core_ref.py DIR SEEDS [ALIGN]  (DIR holds weak.npy strong.npy labels.npy split.npy; ALIGN dot-max
(default) or residual; weak-probe: bench/polish's weak-probe fits on DIR/x.npy y.npy xw2.npy); prints JSON, with the BLAS kernel that ran (bench/core.ts pins OpenBLAS's kernel with
OPENBLAS_CORETYPE, see there).
"""
import json
import os
import sys
import time

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize

L2 = 1e-3
# CORE_REF_POLISH=0: the weak probe as L-BFGS-B leaves it (before issue 14 item 5), for comparison
POLISH = os.environ.get("CORE_REF_POLISH", "1") != "0"
# every probe: gradient inf-norm <= 1e-6, ftol off (see fit_logistic), 10 pairs of memory, as ours
LBFGS_OPTIONS = {"maxiter": 1000, "gtol": 1e-6, "ftol": 0.0, "maxcor": 10}


def objective(X, y):
    """The probe's objective: mean logistic loss + L2 ||w||^2 (bias unpenalised), and its gradient."""
    n, d = X.shape

    def f(theta):
        w, b = theta[:d], theta[d]
        z = X @ w + b
        loss = np.mean(np.logaddexp(0, z) - y * z) + L2 * w @ w
        r = (1 / (1 + np.exp(-z)) - y) / n
        g = np.empty(d + 1)
        g[:d] = X.T @ r + 2 * L2 * w
        g[d] = r.sum()
        return loss, g
    return f


def newton_steps(f, theta, step, tol=1e-12, max_steps=6):
    """Newton steps theta + step(theta, g) until ||g||_inf <= tol, a step taken only when it lowers the gradient
    norm (near the optimum f is flat to rounding). Returns (theta, steps)."""
    _, g = f(theta)
    steps = 0
    while np.max(np.abs(g)) > tol and steps < max_steps:
        trial = theta + step(theta, g)
        steps += 1
        _, gt = f(trial)
        if not np.max(np.abs(gt)) < np.max(np.abs(g)):
            break
        theta, g = trial, gt
    return theta, steps


def newton_polish(X, y, theta):
    """Exact Newton steps (Hessian X^T S X / n + 2 L2 I, bias unpenalised, Cholesky) to ||g||_inf <= 1e-12. The L-BFGS
    stop at 1e-6 leaves the weak confidences up to ~1e-3 from the optimum, which moves rows across the stage-1
    threshold; both implementations polish the weak probe so that the comparison is between optima (issue 14, item
    5). Returns (theta, steps)."""
    n, d = X.shape

    def step(theta, g):
        z = X @ theta[:d] + theta[d]
        p = 1 / (1 + np.exp(-z))
        s = p * (1 - p) / n
        H = np.empty((d + 1, d + 1))
        H[:d, :d] = (X * s[:, None]).T @ X + 2 * L2 * np.eye(d)
        H[:d, d] = H[d, :d] = X.T @ s
        H[d, d] = s.sum()
        return cho_solve(cho_factor(H), -g)
    return newton_steps(objective(X, y), theta, step)


def fit_logistic(X, y, polish=False):
    """(w, b, L-BFGS iterations, Newton steps); polish: Newton steps after L-BFGS (the weak probe)."""
    d = X.shape[1]
    # ftol=0: stop on the gradient alone (inf-norm <= 1e-6), the criterion our L-BFGS uses; scipy's default
    # ftol=2.2e-9 would stop earlier on a small relative decrease, i.e. do less work than the product does.
    res = minimize(objective(X, y), np.zeros(d + 1), jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS)
    theta, steps = newton_polish(X, y, res.x) if polish else (res.x, 0)
    return theta[:d], theta[d], res.nit, steps


def proba(model, X):
    w, b = model[0], model[1]
    return 1 / (1 + np.exp(-(X @ w + b)))


def softmax_objective(X, Y):
    """More than two classes (src/core/probe/softmax.ts): mean cross-entropy of softmax(X W^T + b) against the soft
    targets Y (n x C) + L2 ||W||_F^2, biases unpenalised; parameters [W (C x d, row-major), b (C)]. Returns f, H v."""
    n, d = X.shape
    C = Y.shape[1]
    sy = Y.sum(axis=1)

    def probs(theta):
        Z = X @ theta[:C * d].reshape(C, d).T + theta[C * d:]
        m = Z.max(axis=1, keepdims=True)
        E = np.exp(Z - m)
        S = E.sum(axis=1, keepdims=True)
        return Z, E / S, (m + np.log(S))[:, 0]

    def f(theta):
        W = theta[:C * d].reshape(C, d)
        Z, P, lse = probs(theta)
        loss = np.mean(sy * lse - (Y * Z).sum(axis=1)) + L2 * np.sum(W * W)
        R = (P * sy[:, None] - Y) / n
        g = np.empty(C * d + C)
        g[:C * d] = (R.T @ X + 2 * L2 * W).ravel()
        g[C * d:] = R.sum(axis=0)
        return loss, g

    def hessp(theta, v):
        _, P, _ = probs(theta)
        V = v[:C * d].reshape(C, d)
        U = X @ V.T + v[C * d:]
        Rv = sy[:, None] * P * (U - (P * U).sum(axis=1, keepdims=True)) / n
        out = np.empty(C * d + C)
        out[:C * d] = (Rv.T @ X + 2 * L2 * V).ravel()
        out[C * d:] = Rv.sum(axis=0)
        return out
    return f, hessp


def softmax_polish(f, hessp, theta):
    """Newton-CG steps (CG on H s = -g to a relative residual min(1e-2, ||g||_2), as ours: src/core/probe/newton.ts)
    to ||g||_inf <= 1e-12. Returns (theta, steps)."""
    def step(theta, g):
        s = np.zeros_like(theta)
        r = -g.copy()
        p = r.copy()
        rr = r @ r
        stop = min(1e-2, np.sqrt(g @ g)) * np.sqrt(g @ g)
        for _ in range(250):
            if np.sqrt(rr) <= stop:
                break
            hp = hessp(theta, p)
            a = rr / (p @ hp)
            s += a * p
            r -= a * hp
            rr, rr_old = r @ r, rr
            p = r + (rr / rr_old) * p
        return s
    return newton_steps(f, theta, step)


def fit_probe(X, T, polish=False):
    """A probe on soft targets T (n x C): the logistic objective for two classes (fit_logistic on T[:, 1]), softmax
    for more. Returns (model, L-BFGS iterations, Newton steps); probs(model, X) gives n x C class probabilities."""
    C = T.shape[1]
    if C == 2:
        w, b, nit, steps = fit_logistic(X, T[:, 1], polish)
        return (w, b), nit, steps
    d = X.shape[1]
    f, hessp = softmax_objective(X, T)
    res = minimize(f, np.zeros(C * d + C), jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS)
    theta, steps = softmax_polish(f, hessp, res.x) if polish else (res.x, 0)
    return (theta[:C * d].reshape(C, d), theta[C * d:]), res.nit, steps


def probs(model, X):
    """n x C class probabilities of a fit_probe model."""
    W, b = model
    if W.ndim == 1:
        p = proba(model, X)
        return np.stack([1 - p, p], axis=1)
    Z = X @ W.T + b
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def margin(P):
    """The weak confidence: top-1 minus top-2 probability (2 |p - 1/2| for two classes), as ours."""
    top = np.sort(P, axis=1)
    return top[:, -1] - top[:, -2]


def changepoint(values, jump=5, min_size=2):
    return changepoint_at(values, jump, min_size)[0]


def changepoint_at(values, jump=5, min_size=2):
    """(threshold, breakpoint index into the sorted values or None for the median fallback)."""
    s = np.sort(values)
    n = len(s)
    if n < 7:
        return float(np.median(s)), None
    c = np.concatenate([[0.0], np.cumsum(s)])
    b = np.arange(jump, n - min_size + 1, jump)
    b = b[b >= min_size]
    gain = b * (n - b) / n * (c[b] / b - (c[n] - c[b]) / (n - b)) ** 2
    best = b[len(gain) - 1 - np.argmax(gain[::-1])]  # ties -> the largest b
    return float(s[best]), int(best)


GCV_FACTORS = 10.0 ** (-6 + np.arange(37) / 4)


def ridge_loo_norms(X, Y):
    """Leave-one-out residual norms of the ridge map X -> Y (intercept unpenalised, lambda by GCV) on its rows."""
    n, dx = X.shape
    Xc = X - X.mean(axis=0)
    Yc = Y - Y.mean(axis=0)
    tss = float(np.einsum("ij,ij->", Yc, Yc))
    if n <= dx:  # dual: eigh of the n x n Gram matrix
        e, U = np.linalg.eigh(Xc @ Xc.T)
        e = np.maximum(e, 0)
        P = U.T @ Yc
        q2 = e * np.einsum("ij,ij->i", P, P)
    else:  # primal: eigh of the dx x dx Gram matrix
        e, V = np.linalg.eigh(Xc.T @ Xc)
        e = np.maximum(e, 0)
        Q = V.T @ (Xc.T @ Yc)
        q2 = np.einsum("ij,ij->i", Q, Q)

    def gcv(lam):
        s = e + lam
        ok = s > 0
        df = 1 + np.sum(e[ok] / s[ok])
        rss = max(0.0, tss - np.sum(q2[ok] * (e[ok] + 2 * lam) / s[ok] ** 2))
        return rss / n / (1 - df / n) ** 2 if n - df > 1e-9 * n else np.inf

    scale = e.sum() / dx
    if scale > 0:
        lams = scale * GCV_FACTORS
        scores = [gcv(lam) for lam in lams]
        lam = lams[int(np.argmin(scores))]  # first minimum, as ours
    else:
        lam = 1.0
    s = e + lam
    f = np.where(s > 0, e / np.where(s > 0, s, 1), 0)
    if n <= dx:
        R = Yc - U @ (f[:, None] * P)
        h = 1 / n + (U * U) @ f
    else:
        B = V @ (Q / np.where(s > 0, s, np.inf)[:, None])
        R = Yc - Xc @ B
        Z = Xc @ V
        h = 1 / n + (Z * Z) @ np.where(s > 0, 1 / np.where(s > 0, s, 1), 0)
    norms = np.sqrt(np.einsum("ij,ij->i", R, R))
    loo = h < 1 - 1e-12
    norms[loo] /= 1 - h[loo]
    return norms, float(lam)


def pca_map(X, max_iter=25, tol=1e-6):
    """(x, y): the rows of X projected on its first two principal axes, as src/core/linalg/pca.ts computes them."""
    n, d = X.shape
    mean = X.mean(axis=0)
    rng = np.random.default_rng(1)
    V, _ = np.linalg.qr(rng.random((d, 2)) - 0.5)

    def cov_times(V):
        S = X @ V - mean @ V
        return (X.T @ S - np.outer(mean, S.sum(axis=0))) / n

    for _ in range(max_iter):
        W, _ = np.linalg.qr(cov_times(V))
        moved = max(1 - abs(W[:, 0] @ V[:, 0]), 1 - abs(W[:, 1] @ V[:, 1]))
        V = W
        if moved < tol:
            break
    H = V.T @ cov_times(V)
    _, R = np.linalg.eigh(H)
    A = V @ R[:, ::-1]
    for k in range(2):
        if A[np.argmax(np.abs(A[:, k])), k] < 0:
            A[:, k] = -A[:, k]
    P = X @ A - mean @ A
    return P[:, 0], P[:, 1]


def max_abs_cosine(Q, K):
    """max_h |cos(q, k_h)| per row of Q (0 for a zero row)."""
    qn = np.linalg.norm(Q, axis=1)
    kn = np.linalg.norm(K, axis=1)
    Qs = Q / np.where(qn > 0, qn, 1)[:, None]
    Ks = K / np.where(kn > 0, kn, 1)[:, None]
    return np.abs(Qs @ Ks.T).max(axis=1)


def main():
    d = sys.argv[1]
    seeds = int(sys.argv[2])
    align = sys.argv[3] if len(sys.argv) > 3 else "dot-max"
    if align == "weak-probe":
        return weak_probe(d)
    if align == "precond-probe":
        return precond_probe(d)
    if align not in ("dot-max", "residual"):
        sys.exit(f"core_ref.py: ALIGN must be dot-max or residual, got {align}")
    weak32 = np.load(f"{d}/weak.npy")
    strong32 = np.load(f"{d}/strong.npy")
    y = np.load(f"{d}/labels.npy").astype(np.float64)
    split = np.load(f"{d}/split.npy")
    wt, w2, te = (np.where(split == k)[0] for k in range(3))
    t_input = time.perf_counter()
    weak = weak32.astype(np.float64)
    Xs, Xt = strong32[w2].astype(np.float64), strong32[te].astype(np.float64)
    t_input = time.perf_counter() - t_input
    t0 = time.perf_counter()
    C = int(y.max()) + 1
    onehot = np.eye(C)[y.astype(int)]
    acc = (lambda P: float(np.mean(np.argmax(P, axis=1) == y[te])))
    weak_m, weak_nit, weak_newton = fit_probe(weak[wt], onehot[wt], polish=POLISH)
    p_w2 = probs(weak_m, weak[w2])
    weak_acc = acc(probs(weak_m, weak[te]))
    strong_m, strong_nit, _ = fit_probe(Xs, onehot[w2])
    strong_acc = acc(probs(strong_m, Xt))
    w2s_m, w2s_nit, _ = fit_probe(Xs, p_w2)
    w2s_acc = acc(probs(w2s_m, Xt))
    t_protocol = time.perf_counter() - t0
    t1 = time.perf_counter()
    conf = margin(p_w2)
    lam = None
    norms = None
    t_ridge = None
    if align == "residual":
        _, b1 = changepoint_at(np.log(conf + 1e-6))
        th1 = float(np.sort(conf)[b1]) if b1 is not None else changepoint(conf)
    else:
        th1, b1 = changepoint_at(conf)
    hard = conf < th1
    rest = np.where(~hard)[0]
    if not hard.any():
        scores = np.zeros(len(rest))
    elif align == "residual":
        t_ridge = time.perf_counter()
        norms, lam = ridge_loo_norms(weak[w2], Xs)
        t_ridge = time.perf_counter() - t_ridge
        scores = norms[rest] * max_abs_cosine(Xs[rest], Xs[hard])
    else:
        scores = (Xs[rest] @ Xs[hard].T).max(axis=1)
    th2, b2 = changepoint_at(scores)
    overlap = rest[scores >= th2]
    non = np.setdiff1d(np.arange(len(w2)), overlap)
    t_detect = time.perf_counter() - t1
    t2 = time.perf_counter()
    m = min(len(overlap), len(non))
    curve = []
    rng = np.random.default_rng(0)
    for s in range(seeds):
        row = []
        for p in np.linspace(0, 1, 11):
            sel = np.concatenate([rng.choice(overlap, int(np.floor(m * p + 1e-9)), replace=False),
                                  rng.choice(non, int(np.floor(m * (1 - p) + 1e-9)), replace=False)])
            mdl = fit_probe(Xs[sel], p_w2[sel])[0]
            row.append(acc(probs(mdl, Xt)))
        sel = rng.choice(len(w2), m, replace=False)
        fit_probe(Xs[sel], p_w2[sel])
        curve.append(row)
    t_mixing = time.perf_counter() - t2
    t3 = time.perf_counter()
    pca_map(Xs)  # timed only: on bench/core's data the top eigenvalues are nearly equal, so 25 steps of either side
    # stop short of a unique answer (ours and this one land on different, equally valid, axes)
    t_map = time.perf_counter() - t3
    per_row = [None] * len(w2)
    for k, i in enumerate(rest):
        per_row[i] = float(scores[k])
    print(json.dumps({
        "align": align, "lambda": lam, "scores": per_row, "ridge_seconds": t_ridge,
        "norms": None if norms is None else [float(v) for v in norms],
        "accuracy": {"weak": weak_acc, "strong": strong_acc, "w2s": w2s_acc},
        "iterations": {"weak": int(weak_nit), "strong": int(strong_nit), "w2s": int(w2s_nit)}, "classes": C,
        "counts": {"hard": int(hard.sum()), "overlap": int(len(overlap))},
        "confidence": [float(v) for v in conf], "overlap": [int(i) for i in overlap], "newton": int(weak_newton),
        "breakpoints": {"confidence": b1, "align": b2},
        "seconds": {"input": t_input, "protocol": t_protocol, "detection": t_detect, "mixing": t_mixing, "map": t_map,
                    "total": t_input + t_protocol + t_detect + t_mixing + t_map},
        "blas": blas_kernel(),
    }))


def weak_probe(d):
    """bench/polish: the weak probe on DIR/x.npy, y.npy unpolished and polished, confidences on DIR/xw2.npy."""
    X = np.load(f"{d}/x.npy").astype(np.float64)
    y = np.load(f"{d}/y.npy").astype(np.float64)
    Xw2 = np.load(f"{d}/xw2.npy").astype(np.float64)
    fits = []
    for name, polish in (("L-BFGS-B to 1e-6", False), ("L-BFGS-B to 1e-6 + exact Newton", True)):
        t = time.perf_counter()
        m = fit_logistic(X, y, polish=polish)
        t = time.perf_counter() - t
        _, g = objective(X, y)(np.append(m[0], m[1]))
        fits.append({"name": name, "seconds": t, "iterations": int(m[2]), "newton": int(m[3]),
                     "grad": float(np.max(np.abs(g))), "conf": [float(v) for v in 2 * np.abs(proba(m, Xw2) - 0.5)]})
    print(json.dumps({"fits": fits, "blas": blas_kernel()}))


def precond_probe(d):
    """bench/outliers: the logistic probe on DIR/x.npy, y.npy by L-BFGS-B in the coordinates v = w / P, where
    P_j = sqrt(median_k m_k / m_j) and m_j is the mean square of column j (1 for the bias): a diagonal preconditioner
    from the columns' scales, the same objective and optimum. It stops when the gradient in the original coordinates,
    checked after the run, is at most 1e-6: the v-space stop is 1e-6 min(P), which implies it."""
    X = np.load(f"{d}/x.npy").astype(np.float64)
    y = np.load(f"{d}/y.npy").astype(np.float64)
    f = objective(X, y)
    m2 = np.append((X ** 2).mean(axis=0), 1.0)
    P = np.sqrt(np.median(m2) / m2)
    t = time.perf_counter()
    res = minimize(lambda v: (lambda fg: (fg[0], P * fg[1]))(f(P * v)), np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B",
                   options={**LBFGS_OPTIONS, "gtol": 1e-6 * float(P.min())})
    t = time.perf_counter() - t
    _, g = f(P * res.x)
    print(json.dumps({"seconds": t, "iterations": int(res.nit), "grad": float(np.max(np.abs(g)))}))


def blas_kernel():
    """The BLAS numpy runs and its kernel ("openblas 0.3.21 Zen"), from threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        libs = np.__config__.blas_opt_info.get("libraries", ["?"]) if hasattr(np.__config__, "blas_opt_info") else ["?"]
        return ",".join(libs) + " (kernel unknown: no threadpoolctl)"
    parts = [" ".join(str(i.get(k)) for k in ("internal_api", "version", "architecture") if i.get(k))
             for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(parts) or "?"



if __name__ == "__main__":
    main()
