"""What each family of claims is about: its title, a short introduction and its sources.

A claim module declares its family with a module-level ``FAMILY = (title,
introduction)`` or ``(title, introduction, sources)``: text with inline ``$...$``
math, sources as a ``;``-separated citation text or bibliography keys
(:func:`verify.bibliography.resolve`).  :func:`declarations` reads these for the
claims of a run; a family whose module declares nothing gets the entry of
:data:`BUILT_IN` for its id prefix, or a generic one, so a new family needs no edit
anywhere else.
"""
from __future__ import annotations

import sys
from typing import Iterable

__all__ = ["declarations", "BUILT_IN", "Family"]

Family = tuple[str, str, str, str]
"""(id prefix, title, introduction, sources)."""

BUILT_IN: dict[str, tuple[str, str, str]] = {
    "dual": ("Dual activations",
             "Everything about an infinitely wide network reduces to Gaussian expectations "
             r"$\mathbb{E}[\sigma(u)\sigma(v)]$ over a pair $(u, v)$ with covariance "
             r"$\bigl[\begin{smallmatrix} k_{11} & k_{12}\\ k_{12} & k_{22}\end{smallmatrix}\bigr]$, the "
             "dual of the activation. This family derives the closed forms: the derivative dual by direct "
             "Gaussian integration, the dual itself from Price's theorem (differentiate in $k_{12}$) and its "
             "value at $k_{12} = 0$. The kernels of the next family are built from these duals.",
             "Cho & Saul 2009; Williams 1997; Price 1958; Daniely, Frostig & Singer 2016"),
    "kernel": ("Infinite-width kernels",
               "At initialisation the outputs of a wide network are a Gaussian process with covariance "
               r"$\Sigma^L$ (the NNGP kernel), and its empirical tangent kernel converges to the NTK "
               r"$\Theta^L$; both follow a layer recursion whose only nonlinear ingredient is a dual "
               "activation. This family derives the recursion from the network itself, measures the width "
               "limits on finite networks, and establishes when the NTK is positive definite.",
               "Jacot, Gabriel & Hongler 2018; Lee et al. 2018; Neal 1996; Arora et al. 2019"),
    "flow": ("Training dynamics",
             "Gradient flow on the parameters moves the network function by kernel gradient descent with "
             "the tangent kernel. With a constant kernel the training residual solves a linear ODE, decays "
             "along the kernel's eigenvectors, and training ends at kernel regression; wide networks follow "
             "this linear dynamics because their tangent kernel barely moves.",
             "Jacot, Gabriel & Hongler 2018; Lee et al. 2019; odenotes; rajatvd2019"),
    "lazy": ("Lazy training",
             r"A model scaled by $\alpha$ trains in the lazy regime when its inverse relative scale "
             r"$\kappa_\alpha$ is small: the model then stays close to its linearisation, whose kernel is "
             "the empirical NTK. This family derives how $\\kappa$ scales with $\\alpha$ and with the width, "
             "and checks the toy model of the blog post.",
             "Chizat, Oyallon & Bach 2019; rajatvd2019"),
    "rkhs": ("Kernel foundations: reproducing kernels",
             "A positive definite kernel defines a reproducing kernel Hilbert space, in which evaluation is "
             "an inner product and functional derivatives are kernel sections. These identities are the "
             "language in which kernel gradient descent is written.",
             "eai2023; ntknotes2023; Schoenberg 1942"),
    "features": ("Kernel foundations: random features",
                 "A kernel is an expectation over random features; averaging $P$ features gives an unbiased "
                 "estimate that fluctuates like $P^{-1/2}$, and gradient descent on the linear model of the "
                 "features is kernel gradient descent with their kernel.",
                 "Rahimi & Recht 2007; eai2023; ntknotes2023"),
}


def _declared(claim_ids: set[str]) -> dict[str, tuple]:
    """FAMILY of every loaded module whose CLAIMS hold one of ``claim_ids``, by id prefix."""
    found: dict[str, tuple] = {}
    for name in sorted(sys.modules):
        module = sys.modules[name]
        family = getattr(module, "FAMILY", None)
        members = getattr(module, "CLAIMS", None)
        if not (isinstance(family, tuple) and 2 <= len(family) <= 3 and isinstance(members, tuple)):
            continue
        for claim in members:
            if getattr(claim, "id", None) in claim_ids:
                found.setdefault(claim.id.split(".", 1)[0], family)
    return found


def declarations(claims: Iterable) -> tuple[Family, ...]:
    """(prefix, title, introduction, sources) of each family of ``claims``, in order of appearance."""
    ids = [claim.id for claim in claims]
    declared = _declared(set(ids))
    out: list[Family] = []
    for prefix in dict.fromkeys(i.split(".", 1)[0] for i in ids):
        title, intro, *sources = declared.get(prefix) or BUILT_IN.get(prefix) or (
            f"Claims {prefix}", f"The claims whose ids begin with {prefix}.")
        out.append((prefix, str(title), str(intro), str(sources[0]) if sources else ""))
    return tuple(out)
