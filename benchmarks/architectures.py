"""Benchmark of the CNN and residual-MLP kernels against plain numpy recursions.

Run: ``python benchmarks/architectures.py [--repeats R] [--cores C]``.

(a) CNTK with global average pooling: N = 128 images of 8 × 8 × 3, depth 4 (3 × 3
    circular convolutions, ReLU, W_std 1.4, b_std 0.1, then GlobalAvgPool and Dense),
    NNGP and NTK together, float64, symmetric. Baseline (:func:`plain_cntk`): one image
    pair at a time, its 64 × 64 position kernel carried through the layers with np.roll
    for the patch sums.
(b) Residual MLP: N = 4000 inputs in R^16, 10 blocks of one ReLU dense layer
    (α = 1/√10, W_std 1, b_std 0.1). Baseline (:func:`plain_resnet`): full N × N arrays,
    one layer at a time.

Both run R times, interleaved, in this process; the figures are the best of R (CPU
seconds of the process, and wall seconds), the ratios are taken between them, and the largest elementwise relative difference of the
results, each entry relative to √(K(x_i, x_i) K(x_j, x_j)), is printed beside them
(target ≤ 1e-12). Peak memory of each, from one more
untimed run under tracemalloc. ``--cores 1`` pins the process to one core (the
library's threads then run serially), the setting of the neural-tangents figures the
targets refer to (≈ 32 s and ≈ 12–13 s on one core here; targets ≤ 6.4 s and ≤ 2.5 s).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from kernels import _peak_traced
from numeric.conv import CNN
from numeric.resnet import ResMLP

__all__ = ["plain_cntk", "plain_resnet", "main"]

CNTK = dict(in_channels=3, channels=1, depth=4, filter_size=3, padding="circular", readout="gap",
            weight_std=1.4, bias_std=0.1)
RESNET = dict(in_dim=16, width=1, depth=10, weight_std=1.0, bias_std=0.1, alpha=1 / np.sqrt(10))


def _relu_duals(k11, k22, k12):
    """E[relu relu] and E[relu' relu'] (Cho & Saul 2009), textbook form."""
    norm = np.sqrt(k11 * k22)
    c = np.clip(k12 / norm, -1.0, 1.0)
    angle = np.arccos(c)
    return norm * (np.sin(angle) + (np.pi - angle) * c) / (2 * np.pi), (np.pi - angle) / (2 * np.pi)


def plain_cntk(x, depth=4, weight_std=1.4, bias_std=0.1):
    """(NNGP, NTK) of the circular 3 × 3 ReLU CNN with GAP, pair by pair (x: (N, H, W, C))."""
    n, H, W, C = x.shape
    w, b = weight_std**2, bias_std**2

    def patch_mean(F):                                    # F: (H, W, H, W)
        total = np.zeros_like(F)
        for o1 in (-1, 0, 1):
            for o2 in (-1, 0, 1):
                total += np.roll(F, (-o1, -o2, -o1, -o2), axis=(0, 1, 2, 3))
        return total / 9

    def layers(u, v):
        k = w * patch_mean(np.einsum("abc,dec->abde", u, v) / C) + b
        return k, k.copy()

    diag = []
    for i in range(n):
        k, _ = layers(x[i], x[i])
        per_layer = [np.einsum("abab->ab", k).copy()]
        for _ in range(depth - 1):
            d = per_layer[-1]
            k = w * patch_mean(_relu_duals(d[:, :, None, None], d[None, None], k)[0]) + b
            per_layer.append(np.einsum("abab->ab", k).copy())
        diag.append(per_layer)
    nngp, ntk = np.empty((n, n)), np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            k, t = layers(x[i], x[j])
            for level in range(depth):
                e, ed = _relu_duals(diag[i][level][:, :, None, None], diag[j][level][None, None], k)
                if level + 1 < depth:
                    k, t = w * patch_mean(e) + b, w * patch_mean(e) + b + w * patch_mean(ed * t)
            nngp[i, j] = nngp[j, i] = w * e.mean() + b
            ntk[i, j] = ntk[j, i] = w * e.mean() + b + w * (ed * t).mean()
    return nngp, ntk


def plain_resnet(x, depth=10, weight_std=1.0, bias_std=0.1, alpha=1 / np.sqrt(10)):
    """(NNGP, NTK) of the residual ReLU MLP (one dense layer per branch), full arrays."""
    w, b, a2 = weight_std**2, bias_std**2, alpha**2
    sigma = w * (x @ x.T) / x.shape[1] + b
    theta = sigma.copy()
    for _ in range(depth):
        diag = np.diag(sigma).copy()
        e, ed = _relu_duals(diag[:, None], diag[None, :], sigma)
        sigma, theta = sigma + a2 * (w * e + b), theta + a2 * (w * e + b + w * ed * theta)
    return w * sigma + b, w * sigma + b + w * theta


def _difference(result, reference) -> float:
    """max |a − b| / √(K_ii K_jj) over both kernels: each entry against its natural scale
    (Cauchy–Schwarz), since entries of signed kernels may cancel to ~0."""
    gaps = []
    for a, b in zip(result, reference):
        scale = np.sqrt(np.abs(np.outer(np.diag(b), np.diag(b))))
        gaps.append(float(np.max(np.abs(a - b) / scale)))
    return max(gaps)


def _timed(run) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result) of ``run()``: on a shared machine
    the CPU seconds of a one-core run are the figure that does not count other work."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _compare(label, fast, plain, repeats):
    fast_times, plain_times = [], []
    for _ in range(repeats):
        *seconds, reference = _timed(plain)
        plain_times.append(seconds)
        *seconds, result = _timed(fast)
        fast_times.append(seconds)
    difference = _difference(result, reference)
    peak_fast, peak_plain = _peak_traced(fast), _peak_traced(plain)
    outputs = sum(r.nbytes for r in result)
    (pw, pc), (fw, fc) = (min(t, key=lambda s: s[1]) for t in (plain_times, fast_times))
    print(f"{label}: plain numpy {pc:7.2f} s CPU ({pw:.2f} s wall), library {fc:6.2f} s CPU ({fw:.2f} s wall), "
          f"ratio {pc / fc:5.1f}x (CPU) {pw / fw:5.1f}x (wall), max difference {difference:.1e} of √(K_ii K_jj)")
    print(f"{'':{len(label) + 2}}peak memory: plain {peak_plain / 2**20:7.1f} MiB, library "
          f"{peak_fast / 2**20:6.1f} MiB (outputs {outputs / 2**20:.1f} MiB; tracemalloc, separate run)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cores", type=int, default=None, help="pin the process to this many cores")
    args = parser.parse_args(argv)
    if args.cores:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:args.cores])
    print(f"float64, NNGP + NTK, best of {args.repeats} (interleaved), "
          f"{len(os.sched_getaffinity(0))} core(s)")
    images = np.random.default_rng(0).standard_normal((128, 8, 8, 3))
    cnn = CNN(**CNTK)
    _compare("CNTK, GAP, N = 128, 8x8x3, depth 4", lambda: cnn.nngp_and_ntk(images),
             lambda: plain_cntk(images), args.repeats)
    points = np.random.default_rng(0).standard_normal((4000, 16))
    res = ResMLP(**RESNET)
    _compare("ResMLP, N = 4000, d = 16, 10 blocks", lambda: res.nngp_and_ntk(points),
             lambda: plain_resnet(points), args.repeats)


if __name__ == "__main__":
    main()
