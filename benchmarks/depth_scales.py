"""Benchmark of numeric.depth.depth_scales: a 100 × 100 (σ_w, σ_b) grid per activation.

Run: ``python benchmarks/depth_scales.py [--repeats R] [--size N]``.

For every activation of ``numeric.activations.names()``, one vectorised call on the
grid σ_w ∈ [0.5, 3] × σ_b ∈ [0, 1] (N × N points, default 100 × 100), best of R
(default 3) wall-clock seconds, with the share of the grid in the chaotic phase
(χ₁ > 1, where the correlation map's fixed point c* < 1 is solved for) and where the
length map has a finite fixed point; the last line is the sum over activations. Target
(issue 15): ≤ 2 s in total. The machine has 2 cores shared with other work: run it when
the machine is quiet (the load average is printed). The first line names the numeric.depth
measured: run from the checkout with ``PYTHONPATH=.`` when the package is installed
non-editable, or the installed copy is timed.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from numeric import activations, depth

__all__ = ["grid", "main"]


def grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """(σ_w, σ_b) meshgrids of ``size`` × ``size`` points."""
    return np.meshgrid(np.linspace(0.5, 3.0, size), np.linspace(0.0, 1.0, size))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=100)
    args = parser.parse_args(argv)
    weight_std, bias_std = grid(args.size)
    total = 0.0
    print(f"numeric.depth from {depth.__file__}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'activation':12s} {'best s':>8s} {'finite q*':>10s} {'chaotic':>8s}")
    for name in activations.names():
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            scales = depth.depth_scales(name, weight_std, bias_std)
            times.append(time.perf_counter() - start)
        total += min(times)
        finite = np.isfinite(scales.q_star)
        print(f"{name:12s} {min(times):8.3f} {finite.mean():10.2f} {(scales.chi_1 > 1).mean():8.2f}")
    print(f"{'all':12s} {total:8.3f}")


if __name__ == "__main__":
    main()
