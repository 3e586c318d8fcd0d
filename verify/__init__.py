"""The verifier, where the symbolic and numeric layers meet.

Entry points: ``python -m verify`` (:mod:`verify.cli`), :mod:`verify.authoring` (the API for
writing a claim of one's own), :mod:`verify.pytest_plugin` (claims as pytest items) and
:mod:`verify.runner` (``evaluate`` one claim or mutant).  The built-in claims live in
:mod:`verify.claims`, one module per family; reporters in :mod:`verify.report` only read results.
"""
