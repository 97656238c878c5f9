"""numpy reference of the stage-2 alignment kernel for bench/align: max over keys of |cos(q, k)| (abs-cosine) or
q . k (dot), with the argmax, as one float32 matrix product (BLAS) + abs + row max. Usage:
  align_ref.py DIR MODE[,MODE] REPS   (DIR holds query.npy and keys.npy, float32 [rows, d])
Prints JSON: {"blas": ..., "threads": ..., "<mode>": {"seconds": [...], "max": [...], "argmax": [...]}}."""
import json
import os
import sys
import time

import numpy as np


def kernel(q, k, mode):
    if mode == "abs-cosine":
        q = q / np.sqrt(np.maximum((q * q).sum(axis=1, keepdims=True), 1e-30))
        k = k / np.sqrt(np.maximum((k * k).sum(axis=1, keepdims=True), 1e-30))
        s = np.abs(q @ k.T)
    else:
        s = q @ k.T
    arg = s.argmax(axis=1)
    return s[np.arange(s.shape[0]), arg], arg


def blas_name():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if ".so" in line}
        hits = sorted(os.path.basename(p) for p in libs if "blas" in p.lower() or "lapack" in p.lower())
        return ", ".join(hits) or "?"
    except OSError:
        return "?"


def main():
    folder, modes, reps = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    q = np.load(os.path.join(folder, "query.npy"))
    k = np.load(os.path.join(folder, "keys.npy"))
    assert q.dtype == np.float32 and k.dtype == np.float32
    out = {"numpy": np.__version__, "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    for mode in modes:
        kernel(q[:64], k[:64], mode)  # warm-up: BLAS thread start
        secs = []
        for _ in range(reps):
            t0 = time.perf_counter()
            mx, arg = kernel(q, k, mode)
            secs.append(time.perf_counter() - t0)
        out[mode] = {"seconds": secs, "max": mx.astype(float).tolist(), "argmax": arg.astype(int).tolist()}
    out["blas"] = blas_name()
    print(json.dumps(out))


main()
