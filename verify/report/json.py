"""The JSON reporter: the whole run as one document, written atomically at the end.

Timings are the only fields that differ between two runs with the same seed; they
are all named ``seconds``.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile

from ..results import RunResult

__all__ = ["JsonReporter", "to_jsonable", "write_atomically", "check_writable"]


def to_jsonable(value):
    """Plain JSON values: records become dicts, with the derived figures their class
    names in ``JSON_EXTRAS``; inf/nan become text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in getattr(type(value), "JSON_EXTRAS", ()):
            out[name] = to_jsonable(getattr(value, name))
        return out
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if hasattr(value, "tolist"):
        return to_jsonable(value.tolist())
    return value


def check_writable(path: str) -> None:
    """Raise ValueError unless a file can be created at ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"--json {path!r} is a directory; give a file path")
    if not os.path.isdir(folder):
        raise ValueError(f"--json {path!r}: folder {folder!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"--json {path!r}: folder {folder!r} is not writable")


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class JsonReporter:
    """Writes the run to ``path`` when it stops; nothing is written half-way."""

    def __init__(self, path: str):
        check_writable(path)
        self.path = path

    def start(self, run: RunResult, count: int) -> None:
        pass

    def handle(self, result, index: int, total: int) -> None:
        pass

    def stop(self, run: RunResult) -> None:
        write_atomically(self.path, json.dumps(to_jsonable(run), indent=1) + "\n")
