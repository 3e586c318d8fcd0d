"""A verify run confirms the library it ships: a wrong constant in numeric/ fails `python -m verify`.

Each test copies derivations/, numeric/ and verify/ to a temporary directory, applies one
change to the copy's library code (a constant 1% off, a wrong default), and runs
``python -m verify run <claims> --budget quick`` there in a subprocess: the run must exit
with 1 (a claim refuted).  Only the claims the change concerns run, one change at a time.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("derivations", "numeric", "verify")


def _run_changed(tmp_path, path: str, old: str, new: str, claims: str) -> subprocess.CompletedProcess:
    """``claims`` run at the quick budget in a copy of the packages where ``old`` became ``new`` in ``path``."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / path
    text = target.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    target.write_text(text.replace(old, new))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "verify", "run", claims, "--budget", "quick"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


DUAL_CHANGES = [
    ("numeric/activations.py", "dual *= 1.0 / (2.0 * np.pi)", "dual *= 1.01 / (2.0 * np.pi)", "dual.relu"),
    ("numeric/activations.py", "p *= -1.0 / (2.0 * np.pi)", "p *= -1.01 / (2.0 * np.pi)", "dual.step"),
    ("numeric/activations.py", "dual += cross * np.asarray(k12)", "dual += 1.01 * cross * np.asarray(k12)",
     "dual.abrelu"),
    ("numeric/activations.py", "deriv += cross\n", "deriv += 1.01 * cross\n", "dual.price"),
    ("numeric/activations.py", "return (2.0 / np.pi) * np.arcsin", "return (2.02 / np.pi) * np.arcsin",
     "dual.erf"),
    ("numeric/activations.py", "return (4.0 / np.pi) / np.sqrt(radicand)",
     "return (4.04 / np.pi) / np.sqrt(radicand)", "dual.erf_prime"),
    ("numeric/activations.py", "return -0.5 * np.sign(k12) * plus",
     "return -0.505 * np.sign(k12) * plus", "dual.trig"),
    ("numeric/activations.py", "+ 2.0 * np.square(k12)", "+ 2.02 * np.square(k12)", "dual.polynomial"),
    ("numeric/activations.py", "return np.exp(0.5 * (", "return np.exp(0.505 * (", "dual.polynomial"),
    ("numeric/quadrature.py", "DEFAULT_ORDER = 64", "DEFAULT_ORDER = 48", "dual.quadrature"),
    ("numeric/quadrature.py", "(float(\"inf\"), 128)", "(float(\"inf\"), 64)", "dual.quadrature"),
]
"""(file, text, changed text, claims that must fail): 1% changes of the closed-form duals'
constants (relu's 1/(2 pi), the step's, abrelu's cross term and its derivative's, erf's 2/pi,
erf''s 4/pi, sin's 1/2, quadratic's 2, exp's 1/2), a wrong default quadrature order, and
the order for the largest variances lowered to the default (accuracy lost at variance 1500)."""


KERNEL_CHANGES = [
    ("numeric/kernels.py", "gram *= self.weight_var / n0", "gram *= 1.01 * self.weight_var / n0",
     "kernel.nngp_recursion", "library-nngp"),
    ("numeric/kernels.py", "dual_deriv *= self.weight_var", "dual_deriv *= 1.01 * self.weight_var",
     "kernel.ntk_recursion", "library-ntk"),
    ("numeric/kernels.py", "dual += self.bias_var", "dual += 1.01 * self.bias_var", "kernel.nngp_recursion",
     "library-nngp"),
    ("numeric/kernels.py", "        theta += sigma\n", "\n", "kernel.ntk_recursion", "library-ntk"),
    ("numeric/kernels.py", "        theta += sigma\n", "\n", "kernel.relu_diagonal", "analytic-diagonal"),
    ("numeric/kernels.py", "sigma[same] = point_sigma[rows][same[0]]", "sigma[same] = point_sigma[rows][same[1]]",
     "kernel.nngp_recursion", "library-nngp"),
    ("numeric/kernels.py", 'diag_b = diag_a if symmetric else rec.diagonals(b, "x2")', "diag_b = diag_a",
     "kernel.nngp_recursion", "library-nngp"),
    ("numeric/networks.py",
     '"ntk":\n            return [(1.0, 1.0)] * self.depth\n        return [(self.weight_std / math.sqrt(n),',
     '"ntk":\n            return [(1.0, 1.0)] * self.depth\n        return [(self.weight_std / math.sqrt(n / 1.01),',
     "kernel.ntk_recursion", "standard-initial-variances"),
    ("numeric/networks.py", "c * c * signal_gram))", "1.01 * c * c * signal_gram))",
     "kernel.ntk_layer_decomposition", "finite-network-decomposition"),
]
"""(file, text, changed text, the claim whose library check must fail, that check): 1% changes
of the constants of numeric.kernels' recursion (σ_w² in Σ¹ and in the derivative dual, σ_b² in
the layer map), the Θ map's dropped Σ term (which also breaks the ReLU diagonal Θ = LΣ¹), a
wrong identical-inputs path (the per-point value of another point; the first argument's
diagonals used for the second), the standard parameterisation's initial weight variance 1%
off, and the biases' share of MLP.empirical_ntk 1% off. Each must fail that very check (the
run prints ``check <name>: refuted``), not merely some check of the claim."""

CHANGES = [change + (None,) for change in DUAL_CHANGES] + KERNEL_CHANGES


@pytest.mark.slow
@pytest.mark.parametrize("path,old,new,claims,check", CHANGES,
                         ids=[f"{c}:{n.strip()[:32]}" for _, _, n, c, _ in CHANGES])
def test_a_changed_library_fails_the_claim_that_confirms_it(tmp_path, path, old, new, claims, check):
    result = _run_changed(tmp_path, path, old, new, claims)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"check {check}: refuted" if check else "refuted") in result.stdout, result.stdout
