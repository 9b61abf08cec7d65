"""Text from a bundle made safe to show: no control characters, escape sequences or bidi tricks.

A name, an id or a file name can carry ANSI or OSC escape sequences (which recolour, retitle or
rewrite a terminal, or plant a hyperlink), C1 controls, or Unicode bidi overrides that show
``exe.txt`` as ``txt.exe``. Whatever shows bundle text (the terminal, report.html) passes it
through :func:`printable` first; HTML or Rich escaping then handles markup.
"""

from __future__ import annotations

import re

# ESC-introduced sequences first (CSI ... final byte, OSC ... BEL/ST, two-byte escapes), so
# their parameters go with them, then any remaining C0 (but tab and newline), DEL, C1, and the
# bidi embedding, override and isolate marks.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST (or cut short)
    r"|\x1b[P^_][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences, control characters (but tab, and newline unless
    ``keep_newlines`` is false) and bidi controls."""
    out = _CONTROLS.sub("", _SEQUENCES.sub("", text))
    return out if keep_newlines else out.replace("\n", " ")
