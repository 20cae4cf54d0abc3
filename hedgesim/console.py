"""Terminal output that never fails on the terminal's encoding.

With ``PYTHONIOENCODING=ascii``, ``LANG=C`` on an old system or output piped into a Latin-1 file, a
``±`` in the outcome table would raise :class:`UnicodeEncodeError` after the batch has finished.
:func:`tolerant_streams` gives stdout and stderr an error handler that writes the few non-ASCII
characters hedgesim prints as ASCII (``±`` as ``+/-``) and anything else as a backslash escape, so
output degrades instead of crashing. The standard library has no transliterating error handler, and
adding a package (``Unidecode``) for six characters is not worth it.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import sys

HANDLER = "hedgesim-ascii"
"""Name of the codec error handler registered by :func:`tolerant_streams`."""
ASCII: dict[str, str] = {
    "±": "+/-",
    "×": "x",
    "—": "--",
    "–": "-",
    "…": "...",
    "·": "-",
    "≤": "<=",
    "≥": ">=",
    "→": "->",
    "²": "^2",
    "§": "S",
}
"""ASCII spellings of the characters hedgesim prints."""


def _transliterate(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    out = "".join(
        ASCII.get(ch) or ch.encode("ascii", "backslashreplace").decode("ascii") for ch in text
    )
    return out, error.end


def tolerant_streams() -> None:
    """Make ``sys.stdout`` and ``sys.stderr`` write what their encoding cannot hold as ASCII."""
    try:
        codecs.lookup_error(HANDLER)
    except LookupError:
        codecs.register_error(HANDLER, _transliterate)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=HANDLER)
