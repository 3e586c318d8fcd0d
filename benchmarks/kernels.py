"""Benchmark of numeric.kernels.nngp_and_ntk against a textbook numpy recursion.

Run: ``python benchmarks/kernels.py [--repeats R] [--skip-memory]``.

(a) Speed: ReLU, inputs in R^16, NNGP and NTK together in float64, symmetric
    (x2 = None), at (N = 2000, L = 5) and (N = 4000, L = 10). The baseline
    (:func:`textbook`) keeps full N × N arrays and goes one layer at a time, with no
    symmetry and no blocking. Both run R times, interleaved, in this process; the
    figures are the best of R, the ratio is taken between them, and the largest
    elementwise relative difference of the results is printed beside them. The issue's
    target is a ratio ≥ 3.5 and a difference ≤ 1e-12. Peak memory of each, from one
    more untimed run under tracemalloc.
(b) Memory: N = 20000, L = 3 in a fresh subprocess; peak resident memory during the
    call (VmHWM, reset just before it) minus the resident memory before it, against
    the size of the two outputs (2 N² × 8 bytes). Target ≤ 1.3×.

The machine has 2 cores shared with other work: run it when the machine is quiet.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from numeric import kernels

__all__ = ["textbook", "speed", "memory", "main"]

SIZES = ((2000, 5), (4000, 10))
MEMORY_SIZE = (20000, 3)
FEATURES = 16


def textbook(x, depth: int, weight_std: float = 1.0, bias_std: float = 0.0):
    """(NNGP, NTK) of a ReLU network by the textbook recursion (docs/conventions.md), literally.

    Full N × N arrays, one layer at a time: c = Σ/√(Σ_ii Σ_jj), θ = arccos c,
    E[relu relu] = √(Σ_ii Σ_jj)(sin θ + (π − θ)c)/(2π), E[relu' relu'] = (π − θ)/(2π).
    """
    w, b = weight_std**2, bias_std**2
    sigma = w * (x @ x.T) / x.shape[1] + b
    theta = sigma.copy()
    for _ in range(depth - 1):
        diag = np.diag(sigma)
        norm = np.sqrt(np.outer(diag, diag))
        c = np.clip(sigma / norm, -1.0, 1.0)
        angle = np.arccos(c)
        sigma = w * norm * (np.sin(angle) + (np.pi - angle) * c) / (2 * np.pi) + b
        theta = sigma + w * (np.pi - angle) / (2 * np.pi) * theta
    return sigma, theta


def _seconds(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _relative_difference(a, b) -> float:
    return float(np.max(np.abs(a - b) / np.abs(b)))


def speed(n: int, depth: int, repeats: int) -> dict:
    """Best-of-``repeats`` seconds of both implementations, their ratio and difference."""
    x = np.random.default_rng(0).standard_normal((n, FEATURES))
    fast, base = [], []
    for _ in range(repeats):
        seconds, (sigma_b, theta_b) = _seconds(lambda: textbook(x, depth))
        base.append(seconds)
        seconds, (sigma_f, theta_f) = _seconds(lambda: kernels.nngp_and_ntk(x, depth=depth))
        fast.append(seconds)
    return {
        "baseline": min(base), "fast": min(fast), "ratio": min(base) / min(fast),
        "difference": max(_relative_difference(sigma_f, sigma_b),
                          _relative_difference(theta_f, theta_b)),
        "baseline_peak": _peak_traced(lambda: textbook(x, depth)),
        "fast_peak": _peak_traced(lambda: kernels.nngp_and_ntk(x, depth=depth)),
        "outputs": 2 * n * n * 8,
    }


def _peak_traced(run) -> int:
    """Peak bytes allocated during ``run()`` as seen by tracemalloc (numpy reports its
    array buffers to it); a separate, untimed run."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _status_bytes(field: str) -> int:
    """A memory field of /proc/self/status (VmRSS, VmHWM), in bytes."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))


def _memory_child(n: int, depth: int) -> None:
    """In the subprocess: print resident memory before the call, its peak during the
    call, and seconds.

    The peak is VmHWM, reset to the current resident set just before the call (writing
    5 to /proc/self/clear_refs). Not ru_maxrss: exec folds the parent's high-water
    mark into the child's, so after the speed runs it starts at the parent's ~1.6 GB.
    """
    x = np.random.default_rng(0).standard_normal((n, FEATURES))
    kernels.nngp_and_ntk(x[:4], depth=depth)  # imports and thread pool warmed up
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    before = _status_bytes("VmRSS")
    seconds, _ = _seconds(lambda: kernels.nngp_and_ntk(x, depth=depth))
    print(before, _status_bytes("VmHWM"), seconds)


def memory(n: int, depth: int) -> dict:
    """Peak resident memory growth of one call in a fresh process, relative to the size
    of the outputs."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(n), str(depth)],
                         check=True, capture_output=True, text=True).stdout.split()
    before, peak, seconds = int(out[0]), int(out[1]), float(out[2])
    outputs = 2 * n * n * 8
    return {"outputs": outputs, "growth": peak - before, "ratio": (peak - before) / outputs,
            "seconds": seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(*args.memory_child)
        return
    print(f"ReLU, d = {FEATURES}, NNGP + NTK, float64, best of {args.repeats} (interleaved)")
    for n, depth in SIZES:
        r = speed(n, depth, args.repeats)
        print(f"N = {n:5d}, L = {depth:2d}: textbook {r['baseline']:7.3f} s, "
              f"nngp_and_ntk {r['fast']:7.3f} s, ratio {r['ratio']:5.1f}x (target >= 3.5), "
              f"max relative difference {r['difference']:.1e} (target <= 1e-12)")
        print(f"{'':18}peak memory: textbook {r['baseline_peak'] / 2**20:6.0f} MiB, "
              f"nngp_and_ntk {r['fast_peak'] / 2**20:6.0f} MiB "
              f"(outputs {r['outputs'] / 2**20:.0f} MiB; tracemalloc, separate run)")
    if not args.skip_memory:
        n, depth = MEMORY_SIZE
        r = memory(n, depth)
        print(f"N = {n}, L = {depth}: peak RSS growth {r['growth'] / 2**30:.2f} GiB for "
              f"outputs of {r['outputs'] / 2**30:.2f} GiB, ratio {r['ratio']:.3f} "
              f"(target <= 1.3), {r['seconds']:.1f} s")


if __name__ == "__main__":
    main()
