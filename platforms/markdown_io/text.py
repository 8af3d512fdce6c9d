"""Bytes to text (see decode), with mojibake (UTF-8 read as Mac Roman, "‚úÖ" for "✅", or as
Windows-1252, "itâ€™s") repaired line by line, where needed: correct text in any language stays."""

import re

import ftfy

from .errors import DocumentError

MAX_DOCUMENT_BYTES = 2_000_000

# Runs of characters that all have a Mac Roman byte: the candidates for a Mac Roman repair.
_MAC_ROMAN_HIGH = re.escape(bytes(range(0x80, 0x100)).decode("mac_roman"))
_MAC_ROMAN_RUN = re.compile(f"[{_MAC_ROMAN_HIGH}]+(?:[\\x00-\\x7f]+[{_MAC_ROMAN_HIGH}]+)*")
# What genuine repairs of these documents produce: ASCII, Latin-1 and Latin Extended-A (é, ü,
# ß, œ), typographic punctuation (’ – …), currency, symbols, dingbats and emoji (✅ 🤝), and the
# joiners and selectors emoji use. Anything else (Armenian, Cyrillic, N'Ko…) is an accident: a
# correct text can pass a repair by chance ("—à" is the bytes of "ш", "“É" of a combining mark).
_IMPLAUSIBLE = re.compile(
    "[^\x00-\x7f\u00a0-\u017f\u2000-\u2bff\ufe00-\ufe0f\U0001f000-\U0001faff]"
)


def _plausible(text, repaired):
    """The repair, unless it makes a character no genuine repair makes."""
    return text if _IMPLAUSIBLE.search("".join(set(repaired) - set(text))) else repaired


def _mac_roman_repair(match):
    try:
        return _plausible(match[0], match[0].encode("mac_roman").decode("utf-8"))
    except UnicodeError:
        return match[0]


def repair_mojibake(text):
    """Text with every garbled line repaired; correct lines unchanged."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if not line.isascii():
            line = _MAC_ROMAN_RUN.sub(_mac_roman_repair, line)
            # ftfy undoes Windows-1252 (and Latin-1) mojibake and leaves correct text alone;
            # its other fixes (quotes, ligatures…) are off: they would change correct text.
            lines[number] = _plausible(line, ftfy.fix_encoding(line))
    return "\n".join(lines)


def decode(name, data):
    """The document's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, line endings
    made "\\n", mojibake repaired. Raises DocumentError for bytes that are not text."""
    if len(data) > MAX_DOCUMENT_BYTES:
        message = f"the file is {len(data):,} bytes; at most {MAX_DOCUMENT_BYTES:,}"
        raise DocumentError(name, None, message)
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(name, line, "this is not UTF-8 text (undecodable bytes)") from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentError(name, line, "this is not text (it contains NUL bytes)")
    return repair_mojibake(text.replace("\r\n", "\n").replace("\r", "\n"))
