"""Decoding pages whose charset declaration lies: never hand mojibake to extraction.

Scrapy decodes with what the page declares (HTTP header, then BOM, then ``<meta>``, then a guess).
When the result is full of U+FFFD replacement characters the declaration was wrong (a header that
says UTF-8 over windows-1251 bytes), or the page mixes encodings (a windows-1251 paragraph pasted
into a UTF-8 page). Then the bytes are decoded again: line by line (UTF-8, else windows-1251), and
whole as windows-1251 and KOI8-R; the first result that reads as Cyrillic text wins. Reading as
text: no replacement characters, Cyrillic letters mostly lower-case (a wrong single-byte codec
turns lower case into upper case: KOI8-R and windows-1251 swap the two halves), and none of the
«Р°», «С‚» pairs that UTF-8 read as windows-1251 produces. None when nothing reads: the page is
counted as undecodable rather than stored as mojibake. No settings are read.
"""

from __future__ import annotations

import re

REPLACEMENT_SHARE = 0.01  # the share of U+FFFD above which a decoding is wrong
CYRILLIC_LOWER = re.compile(r"[а-яёәғқңөұүһі]")
CYRILLIC = re.compile(r"[а-яёА-ЯЁәғқңөұүһіӘҒҚҢӨҰҮҺІ]")
# UTF-8 Cyrillic read as windows-1251: «Р» or «С» followed by a letter from the upper half.
UTF8_AS_CP1251 = re.compile(r"[РС][\u0400-\u040f\u0452-\u045f°±µ¶·‚„…†‡€‰‹‘’“”•–—™›]")
SINGLE_BYTE = ("cp1251", "koi8_r")


SAMPLE = 30_000  # characters of the page's body that are enough to judge a decoding


def reads_as_text(text: str) -> bool:
    """The text looks like correctly decoded Cyrillic (or Latin) prose."""
    if text.count("\ufffd") > max(3, len(text) * REPLACEMENT_SHARE):
        return False
    body = max(0, text.find("<body"))
    text = text[body : body + SAMPLE]
    letters = CYRILLIC.findall(text)
    if len(letters) < 20:
        return True  # too little Cyrillic to judge: Latin-script pages are judged by U+FFFD only
    if len(CYRILLIC_LOWER.findall(text)) < len(letters) * 0.6:
        return False
    return len(UTF8_AS_CP1251.findall(text)) < len(letters) * 0.02


def by_lines(body: bytes) -> str:
    """Each line as UTF-8 when it is valid UTF-8, else as windows-1251: mixed pages."""
    lines = []
    for line in body.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1251", errors="replace"))
    return "\n".join(lines)


def recover(body: bytes, decoded: str, encoding: str | None = None) -> tuple[str, str] | None:
    """(text, how it was decoded) for a page whose declared charset ``encoding`` gave ``decoded``."""
    if (encoding or "").lower().replace("-", "").replace("_", "") in (
        "utf8",
        "utf8sig",
    ) and "\ufffd" not in decoded:
        # Bytes that decode as UTF-8 without one error are UTF-8: no single-byte text does that.
        return decoded, "declared"
    if reads_as_text(decoded):
        return decoded, "declared"
    for name in ("utf-8+cp1251 by line", *SINGLE_BYTE):
        try:
            text = by_lines(body) if name.endswith("by line") else body.decode(name, errors="strict")
        except UnicodeDecodeError:
            continue
        if reads_as_text(text):
            return text, name
    return None
