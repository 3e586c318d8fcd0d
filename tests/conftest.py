"""Shared fixtures: extra claim modules loaded through NTK_VERIFY_CLAIMS, JSON without timings."""
import pytest

from verify import registry


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


@pytest.fixture
def strip_timings():
    """A JSON report less its timings: what must be identical between equal runs."""
    return _strip


@pytest.fixture
def extra_claims(monkeypatch):
    """Register the claims of a test module (and of every worker process)."""
    def load(module: str):
        monkeypatch.setenv(registry.ENVIRONMENT, module)
        registry.claims.cache_clear()
    yield load
    registry.claims.cache_clear()
