"""Declarations both layers read: plain data, no numpy, no SymPy (see :mod:`catalogue.activations`)."""
