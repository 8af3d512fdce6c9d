"""Bytes to text: encodings, byte-order marks, line endings, and mojibake repair.

Mojibake is UTF-8 that some tool once decoded as another encoding and saved again. Two kinds are
common in documents passed around by hand: Mac Roman ("‚úÖ" for "✅", "Musk‚Äôs") and
Windows-1252 ("âœ…", "itâ€™s"). Both are repaired line by line, so that a file only partly garbled
(one correct ✅ added to a garbled file) is repaired where it needs it; correct text in any
language passes untouched.
"""

import re

import ftfy

from .errors import DocumentError

MAX_DOCUMENT_BYTES = 2_000_000

# Runs of characters that all have a Mac Roman byte: the candidates for a Mac Roman repair.
_MAC_ROMAN_HIGH = re.escape(bytes(range(0x80, 0x100)).decode("mac_roman"))
_MAC_ROMAN_RUN = re.compile(f"[{_MAC_ROMAN_HIGH}]+(?:[\\x00-\\x7f]+[{_MAC_ROMAN_HIGH}]+)*")


def _mac_roman_repair(run):
    try:
        repaired = run.encode("mac_roman").decode("utf-8")
    except UnicodeError:
        return run
    # A correct text can pass by accident ("—à" is the bytes of "ш", "“É" of a combining
    # mark); such accidents make letters of other scripts or marks, which the repairs of these
    # documents (emoji, symbols, punctuation, Latin letters) never do.
    return run if any(map(_unlikely, set(repaired) - set(run))) else repaired


# What genuine repairs of these documents produce: Latin-1 and Latin Extended-A (é, ü, ß, œ),
# typographic punctuation (’ – …), currency, symbols, dingbats and emoji (✅ 🤝), and the
# joiners and selectors emoji use. Anything else (Armenian, Cyrillic, N'Ko…) is an accident.
PLAUSIBLE = [
    ("\u00a0", "\u017f"),
    ("\u2000", "\u2bff"),
    ("\ufe00", "\ufe0f"),
    ("\U0001f000", "\U0001faff"),
]


def _unlikely(char):
    """True for a character no genuine repair produces (see PLAUSIBLE)."""
    return not char.isascii() and not any(low <= char <= high for low, high in PLAUSIBLE)


def _repair_line(line):
    if line.isascii():
        return line
    line = _MAC_ROMAN_RUN.sub(lambda match: _mac_roman_repair(match.group()), line)
    # ftfy undoes Windows-1252 (and Latin-1) mojibake and is careful to leave correct text
    # alone; its other fixes (quotes, ligatures…) are off: they would change correct text. The
    # same plausibility check as above keeps it from "repairing" rare but correct pairs.
    fixed = ftfy.fix_encoding(line)
    return line if any(map(_unlikely, set(fixed) - set(line))) else fixed


def repair_mojibake(text):
    """Text with every garbled line repaired; correct lines unchanged."""
    return "\n".join(_repair_line(line) for line in text.split("\n"))


def decode(name, data):
    """The document's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, line endings
    made "\\n" (CRLF and old Mac CR alike), mojibake repaired. Raises DocumentError for bytes
    that are not text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            name, None, f"the file is {len(data):,} bytes; at most {MAX_DOCUMENT_BYTES:,}"
        )
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(name, line, "this is not UTF-8 text (undecodable bytes)") from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentError(name, line, "this is not text (it contains NUL bytes)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return repair_mojibake(text)
