"""The numeric layer: numpy and scipy only, never SymPy.

Public modules: :mod:`numeric.kernels` (NNGP and NTK in closed form or by quadrature, the depth
scales), :mod:`numeric.networks` (finite MLPs, their empirical NTK and Jacobians),
:mod:`numeric.activations` (σ, σ' and their duals, built from ``catalogue.activations``),
:mod:`numeric.conv` and :mod:`numeric.resnet` (one description, finite network and kernels),
:mod:`numeric.depth`, :mod:`numeric.hermite` and :mod:`numeric.design` (depth scales, Hermite
expansions, activations designed for a kernel), and :mod:`numeric.stats` (the z-tests, standard
errors and minimal detectable effects every check reports).  Conventions are stated in each
module's docstring.
"""
