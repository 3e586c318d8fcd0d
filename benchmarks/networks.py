"""Benchmarks of numeric.networks / numeric.ensembles against the machine's GEMM speed.

Run: ``python benchmarks/networks.py [--repeats R]``.  Prints seconds (best of R runs),
GFLOP/s by an analytic count of the floating-point work, and the GFLOP/s of a large
float64 matrix product timed in the same run.

(a) empirical NTK, N = 256 inputs in R^16, widths [16, 1024, 1024, 1024, 1] (3 hidden
    ReLU layers), float64; target ≤ 0.06 s (neural-tangents: 10 s here).
(b) NNGP Monte Carlo by the Gaussian shortcut: 10,000 networks, depth L = 3
    (widths [16, 1024, 1024, 1]), ReLU, N = 16 inputs in R^16; target ≤ 10 s.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from numeric.ensembles import sample_outputs
from numeric.networks import MLP

__all__ = ["gemm_gflops", "normals_per_second", "ntk_flops", "shortcut_flops", "shortcut_normals", "main"]


def _best_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def gemm_gflops(n: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of an n × n by n × n float64 product (2n³ flops), best of ``repeats``."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    return 2 * n**3 / _best_seconds(lambda: a @ b, repeats) / 1e9


def normals_per_second(repeats: int = 5, size: int = 1 << 24) -> float:
    """Rate of ``Generator.standard_normal`` (float64, PCG64), the bound of benchmark (b)."""
    rng = np.random.default_rng(0)
    return size / _best_seconds(lambda: rng.standard_normal(size), repeats)


def shortcut_normals(widths, n_points: int, n_networks: int) -> int:
    """Normals drawn by the shortcut: N·n_{ℓ+1} per layer (factor rank N), per network."""
    return n_networks * sum(min(n_points, n) * m for n, m in zip(widths, widths[1:]))


def ntk_flops(widths, n_points: int) -> float:
    """Multiply-adds ×2 of the layer-wise NTK: forward, backward, and the symmetric Grams.

    Forward 2N n_ℓ n_{ℓ+1} per layer; backward the same for ℓ ≥ 1; per layer the Grams
    H^ℓ H^ℓᵀ and Δ^{ℓ+1} Δ^{ℓ+1}ᵀ as symmetric rank-k updates, N² n each.
    """
    pairs = list(zip(widths, widths[1:]))
    forward = sum(2 * n_points * n * m for n, m in pairs)
    backward = sum(2 * n_points * n * m for n, m in pairs[1:])
    grams = sum(n_points**2 * (n + m) for n, m in pairs)
    return forward + backward + grams


def shortcut_flops(widths, n_points: int, n_networks: int) -> float:
    """Per network: F ξ (2N r m per layer), and per hidden layer the N × N covariance
    (2N² n, batched products do not exploit symmetry) and its Cholesky factor (N³/3)."""
    per_network = 0
    for l, (n, m) in enumerate(zip(widths, widths[1:])):
        rank = min(n_points, n)  # σ_b = 0 in benchmark (b)
        per_network += 2 * n_points * rank * m
        if l > 0:
            per_network += 2 * n_points**2 * n + n_points**3 / 3
    return n_networks * per_network


def _sphere(rng, n_points: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n_points, dim))
    return np.sqrt(dim) * x / np.linalg.norm(x, axis=1, keepdims=True)


def bench_ntk(repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    widths, n_points = [16, 1024, 1024, 1024, 1], 256
    net = MLP(widths, "relu", weight_std=np.sqrt(2.0))
    params, x = net.init(rng), _sphere(rng, n_points, widths[0])
    seconds = _best_seconds(lambda: net.empirical_ntk(params, x), repeats)
    return seconds, ntk_flops(widths, n_points) / seconds / 1e9


def bench_shortcut(repeats: int) -> tuple[float, float, float]:
    """(seconds, GFLOP/s, normals drawn per second)."""
    widths, n_points, n_networks = [16, 1024, 1024, 1], 16, 10_000
    x = _sphere(np.random.default_rng(0), n_points, widths[0])

    def run():
        sample_outputs(widths, "relu", x, n_networks, np.random.default_rng(1), np.sqrt(2.0))

    seconds = _best_seconds(run, repeats)
    flops = shortcut_flops(widths, n_points, n_networks)
    return seconds, flops / seconds / 1e9, shortcut_normals(widths, n_points, n_networks) / seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure; the best is kept")
    repeats = parser.parse_args(argv).repeats
    print(f"GEMM 2048² float64:                   {gemm_gflops(repeats=repeats):7.1f} GFLOP/s")
    seconds, gflops = bench_ntk(2 * repeats)
    print(f"(a) empirical NTK N=256 width 1024 L=4: {seconds:7.4f} s  {gflops:6.1f} GFLOP/s  (target ≤ 0.06 s)")
    seconds, gflops, normals = bench_shortcut(max(1, repeats // 2))
    print(f"(b) 10,000 networks N=16 width 1024 L=3: {seconds:7.3f} s  {gflops:6.1f} GFLOP/s  (target ≤ 10 s)")
    print(f"    normals: {normals / 1e6:6.1f} M/s overall; standard_normal alone {normals_per_second() / 1e6:6.1f} M/s")
    print(f"GEMM 2048² float64 (again):           {gemm_gflops(repeats=repeats):7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
