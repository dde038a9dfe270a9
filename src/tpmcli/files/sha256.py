"""SHA-256 hex digests without importing hashlib.

Importing ``hashlib`` loads OpenSSL (about 3 ms), which a replayed ``tpm rank`` (about
85 ms in all) and the edit loop's run spend only to hash a few short strings: their
cache keys. CPython's own SHA-256 (``_sha256``; ``_sha2`` from Python 3.12), which
hashlib itself falls back to without OpenSSL, gives the same digest; hashlib is the
fallback where neither is built in. Not for anything a secret depends on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def _constructor() -> Callable[[bytes], Any]:
    for name in ("_sha2", "_sha256"):
        try:
            return importlib.import_module(name).sha256  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - a Python without its own SHA-256

    return hashlib.sha256  # pragma: no cover


_sha256 = _constructor()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` in hexadecimal (as ``hashlib.sha256``'s)."""
    return str(_sha256(data).hexdigest())
