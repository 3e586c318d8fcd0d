"""The symbolic layer: SymPy only, never numpy-based numerics or the verifier.

A claim's statement is a :class:`derivations.core.Statement` of relations between SymPy
expressions; its derivation is a sequence of :class:`derivations.core.Step` that
:mod:`derivations.engine` checks (proved, checked numerically, cited, refuted or unsupported,
:mod:`derivations.status`).  One module per family holds the statements and derivations;
:mod:`derivations.asymptotics` computes the rates a numeric check tests.
"""
