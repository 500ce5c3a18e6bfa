"""The outlets registry: news outlets and institutional sources that Kazakhstani news cite.

Loads ``pipelines/data/outlets.toml`` (read its header for the conventions) into a ``Registry`` with
indexes built once: by id, by domain (subdomains and ``www.`` resolve to the parent entry), and by
alias (normalised token tuples). ``Registry.lookup(name)`` resolves a name as written in an article;
``Registry.match_at`` / ``Registry.match_ending_at`` / ``Registry.match_span`` find the longest alias
starting at / ending at / exactly covering a position of a token list made by ``tokenize`` and return
the span with its character offsets; a caller may pass its own ``resolve`` (the attribution detector,
``pipelines.attribution``, the main user, also accepts «пресс-служба X» for X and the like).

Matching rules:
- names are compared normalised: case-folded, ё -> е, every quote mark («»"“”„‘’'‹›) unified, every
  dash unified, spaces collapsed, trailing punctuation dropped;
- quoted aliases («Курсив») match only quoted text, bare aliases only bare text (a bare alias does not
  match a name wrapped in quotes), so ordinary words listed only in quotes never match running text;
- the exact form is tried first, then the last word without a regular Kazakh case suffix
  (ҚазАқпаратқа, Ulysmedia.kz-ке, Қазгидрометтің), then, for Latin one-word names of 7+ letters, a
  single typo (Kazinfrom -> Kazinform);
- aliases ending in a national qualifier (РК, Казахстана, of Kazakhstan, ҚР ...) also match without
  it, unless that shorter form belongs to another entry.

No settings are read.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "outlets.toml"

MEDIA_KINDS = frozenset({"news_agency", "newspaper", "tv", "radio", "online_outlet", "foreign_outlet"})

QUOTE_CHARS = "«»\"“”„‘’'‹›‚‟"
DASH_CHARS = "-‐‑‒–—―−"
QUOTE = '"'  # the normalised form of every quote mark

# Regular Kazakh case suffixes (plus the accusative and instrumental), longest first so that -ның is
# tried before -ың. Possessive forms (министрлігіне) are listed in the registry itself.
KAZAKH_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "ке",
            "ге",
            "қа",
            "ға",
            "на",
            "не",
            "а",
            "е",
            "тың",
            "тің",
            "ның",
            "нің",
            "дың",
            "дің",
            "ың",
            "ің",
            "ден",
            "дан",
            "тан",
            "тен",
            "нан",
            "нен",
            "да",
            "де",
            "та",
            "те",
            "нда",
            "нде",
            "ны",
            "ні",
            "ды",
            "ді",
            "ты",
            "ті",
            "мен",
            "бен",
            "пен",
        },
        key=len,
        reverse=True,
    )
)
# A stem shorter than this is not a name: stripping would turn ordinary words into abbreviations.
MIN_STEM = 3
# The typo fallback only for Latin one-word names this long: short names are too close to each other.
TYPO_MIN_LEN = 7

# How much longer than the longest alias a span may be when the caller resolves variants of aliases.
EXTRA_TOKENS = 3

# National qualifiers that Kazakhstani news often leave out («Минздрав» for «Минздрав РК»).
_QUALIFIER_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("рк",),
    ("казахстана",),
    ("республики", "казахстан"),
    ("of", "kazakhstan"),
    ("of", "the", "republic", "of", "kazakhstan"),
)
_QUALIFIER_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("қр",),
    ("kazakh",),
    ("kazakhstan's",),
    ("қазақстан", "республикасы"),
)

_WORD = r"[^\W_]+(?:[.\-‐‑‒–'’][^\W_]+)*"
_TOKEN_RE = re.compile(rf"(?P<word>{_WORD})|(?P<nl>\n)|(?P<other>\S)")
_LATIN_RE = re.compile(r"[a-z]")
_CYRILLIC_RE = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_UNIFY = str.maketrans({"ё": "е", "’": "'", **dict.fromkeys(DASH_CHARS[1:], "-")})


Resolver = Callable[[tuple[str, ...]], "tuple[Outlet, str] | None"]


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a text: its text as written, normalised form, kind and character offsets."""

    text: str
    norm: str
    kind: str  # "word", "quote", "dash", "punct", "newline"
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.kind == "word"

    @property
    def is_capitalised(self) -> bool:
        return self.kind == "word" and self.text[:1].isupper()


@dataclass(frozen=True)
class Outlet:
    """One registry entry."""

    id: str
    name: str
    kind: str
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS


@dataclass(frozen=True, slots=True)
class Match:
    """An alias found in a token list: tokens [start, end) and characters [char_start, char_end)."""

    outlet: Outlet
    start: int
    end: int
    char_start: int
    char_end: int
    method: str  # "exact", "suffix", "qualifier", "typo"


@functools.lru_cache(maxsize=65536)
def normalise_word(word: str) -> str:
    """Case-fold one token and unify ё, quotes, dashes; drop invisible characters (cached: words repeat)."""
    if len(word) == 1 and word in QUOTE_CHARS:
        return QUOTE
    word = unicodedata.normalize("NFC", word.translate(_INVISIBLE)).casefold()
    return word.translate(_UNIFY)


def tokenize(text: str) -> list[Token]:
    """Split text into words (with inner dots, hyphens, apostrophes), quotes, dashes, punctuation."""
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        if m.lastgroup == "word":
            tokens.extend(_split_glued(m.group(), m.start()))
        elif m.lastgroup == "nl":
            tokens.append(Token("\n", "\n", "newline", m.start(), m.end()))
        else:
            ch = m.group()
            kind = "quote" if ch in QUOTE_CHARS else "dash" if ch in DASH_CHARS else "punct"
            tokens.append(Token(ch, normalise_word(ch), kind, m.start(), m.end()))
    return tokens


def _split_glued(word: str, offset: int) -> list[Token]:
    """Split «Vecher.kz.со» at the dot where Latin turns to Cyrillic: a missing space, not a domain."""
    if "." not in word:
        return [Token(word, normalise_word(word), "word", offset, offset + len(word))]
    parts = word.split(".")
    if len(parts) < 3 and not (len(parts) == 2 and _switches_script(parts[0], parts[1])):
        return [Token(word, normalise_word(word), "word", offset, offset + len(word))]
    out: list[Token] = []
    start = 0
    pos = len(parts[0])
    for prev, part in itertools.pairwise(parts):
        if _switches_script(prev, part):
            piece = word[start:pos]
            out.append(Token(piece, normalise_word(piece), "word", offset + start, offset + pos))
            out.append(Token(".", ".", "punct", offset + pos, offset + pos + 1))
            start = pos + 1
        pos += 1 + len(part)
    piece = word[start:]
    out.append(Token(piece, normalise_word(piece), "word", offset + start, offset + len(word)))
    return out


def _switches_script(before: str, after: str) -> bool:
    return bool(_LATIN_RE.search(before.casefold())) and bool(after) and bool(_CYRILLIC_RE.match(after))


def normalise_name(name: str) -> tuple[str, ...]:
    """The lookup key of a name: normalised tokens without trailing punctuation."""
    key = [t.norm for t in tokenize(name) if t.kind != "newline"]
    while key and len(key[-1]) == 1 and key[-1] in ".,;:!?)(-":
        key.pop()
    while key and key[0] in "-,;:(":
        key.pop(0)
    return tuple(key)


@functools.lru_cache(maxsize=65536)
def strip_kazakh_suffix(word: str) -> tuple[str, ...]:
    """Stems of a normalised word without one regular Kazakh case suffix (hyphenated or glued)."""
    stems: list[str] = []
    for suffix in KAZAKH_SUFFIXES:
        if word.endswith("-" + suffix) and len(word) - len(suffix) - 1 >= MIN_STEM - 1:
            stems.append(word[: -len(suffix) - 1])
        elif word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            stems.append(word[: -len(suffix)])
    return tuple(stems)


def damerau1(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or transposition."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    longer, shorter = (a, b) if la > lb else (b, a)
    return longer[i + 1 :] == shorter[i:]


def deletions(word: str) -> set[str]:
    """Every string made from word by deleting one character (the symmetric-delete typo index)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(eq=False)  # compared and hashed by identity: caches key on the registry object
class Registry:
    """Outlets with indexes by id, domain and alias; build it with ``Registry.from_outlets``."""

    outlets: tuple[Outlet, ...]
    _by_id: dict[str, Outlet] = field(default_factory=dict, repr=False)
    _by_domain: dict[str, Outlet] = field(default_factory=dict, repr=False)
    _aliases: dict[tuple[str, ...], Outlet] = field(default_factory=dict, repr=False)
    _derived: dict[tuple[str, ...], Outlet] = field(default_factory=dict, repr=False)
    _first_words: set[str] = field(default_factory=set, repr=False)
    _last_words: set[str] = field(default_factory=set, repr=False)
    _typo_index: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _max_len: int = 1

    @classmethod
    def from_outlets(cls, outlets: Iterable[Outlet]) -> Registry:
        registry = cls(tuple(outlets))
        registry._build()
        return registry

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        for outlet in self.outlets:
            if outlet.id in self._by_id:
                raise ValueError(f"outlets registry: duplicate id {outlet.id!r}")
            self._by_id[outlet.id] = outlet
            for domain in outlet.domains:
                self._by_domain.setdefault(_clean_host(domain), outlet)
            for alias in outlet.aliases:
                self._add_alias(alias, outlet)
        for outlet in self.outlets:
            for alias in outlet.aliases:
                for variant in _without_qualifier(normalise_name(alias)):
                    if variant not in self._aliases:
                        self._derived.setdefault(variant, outlet)
        for key in (*self._aliases, *self._derived):
            self._first_words.add(key[0])
            self._last_words.add(key[-1])
            self._max_len = max(self._max_len, len(key))
            if len(key) == 1 and _is_latin_word(key[0]) and len(key[0]) >= TYPO_MIN_LEN:
                for deleted in {key[0], *deletions(key[0])}:
                    self._typo_index.setdefault(deleted, set()).add(key[0])

    def _add_alias(self, alias: str, outlet: Outlet) -> None:
        key = normalise_name(alias)
        if not key:
            raise ValueError(f"outlets registry: empty alias in {outlet.id}")
        other = self._aliases.get(key)
        if other is not None and other.id != outlet.id:
            raise ValueError(f"outlets registry: alias {alias!r} of {outlet.id} is also {other.id}'s")
        self._aliases[key] = outlet

    # -- lookups ----------------------------------------------------------------------------------

    def by_id(self, outlet_id: str) -> Outlet | None:
        """The entry with this id, or None."""
        return self._by_id.get(outlet_id)

    def __len__(self) -> int:
        return len(self.outlets)

    def __iter__(self) -> Iterator[Outlet]:
        return iter(self.outlets)

    def by_domain(self, host: str) -> Outlet | None:
        """The entry for a host or URL: exact domain, else the nearest registered parent domain."""
        host = _clean_host(host)
        while host:
            outlet = self._by_domain.get(host)
            if outlet is not None:
                return outlet
            if "." not in host:
                return None
            host = host.split(".", 1)[1]
        return None

    def lookup(self, name: str) -> Outlet | None:
        """Resolve a name as written (any case, quotes, Kazakh case ending, one typo) to an entry."""
        key = normalise_name(name)
        if not key:
            return None
        found = self.lookup_key(key)
        return found[0] if found else None

    def lookup_key(self, key: Sequence[str]) -> tuple[Outlet, str] | None:
        """Resolve normalised tokens; returns the entry and how it matched, or None."""
        key = tuple(key)
        outlet = self._aliases.get(key)
        if outlet is not None:
            return outlet, "exact"
        outlet = self._derived.get(key)
        if outlet is not None:
            return outlet, "qualifier"
        for stem in strip_kazakh_suffix(key[-1]):
            stemmed = (*key[:-1], stem)
            outlet = self._aliases.get(stemmed) or self._derived.get(stemmed)
            if outlet is not None:
                return outlet, "suffix"
        if len(key) == 1:
            outlet = self._typo(key[0])
            if outlet is not None:
                return outlet, "typo"
        return None

    def _typo(self, word: str) -> Outlet | None:
        if len(word) < TYPO_MIN_LEN or not _is_latin_word(word):
            return None
        candidates: set[str] = set()
        for variant in {word, *deletions(word)}:
            candidates |= self._typo_index.get(variant, set())
        hits = {self._aliases.get((c,)) or self._derived.get((c,)) for c in candidates if damerau1(word, c)}
        hits.discard(None)
        return hits.pop() if len(hits) == 1 else None

    # -- scanning token lists -----------------------------------------------------------------------

    def match_at(
        self, tokens: Sequence[Token], start: int, stop: int | None = None, *, resolve: Resolver | None = None
    ) -> Match | None:
        """The longest alias that starts at tokens[start] and ends before ``stop``.

        ``resolve`` replaces ``lookup_key`` (a caller that also accepts variants of aliases, such as
        «пресс-служба X» for X, passes its own); it then sees spans up to ``EXTRA_TOKENS`` longer."""
        stop = len(tokens) if stop is None else min(stop, len(tokens))
        if start >= stop or (resolve is None and not self._could_start(tokens[start].norm)):
            return None
        longest = self._max_len + (EXTRA_TOKENS if resolve else 0)
        for end in range(min(stop, start + longest), start, -1):
            match = self.match_span(tokens, start, end, resolve)
            if match is not None:
                return match
        return None

    def match_ending_at(
        self, tokens: Sequence[Token], end: int, floor: int = 0, *, resolve: Resolver | None = None
    ) -> Match | None:
        """The longest alias that ends just before tokens[end] and starts at or after ``floor``."""
        if end <= floor or end > len(tokens):
            return None
        if resolve is None and not self._could_end(tokens[end - 1].norm):
            return None
        longest = self._max_len + (EXTRA_TOKENS if resolve else 0)
        for start in range(max(floor, end - longest), end):
            match = self.match_span(tokens, start, end, resolve)
            if match is not None:
                return match
        return None

    def _could_start(self, first: str) -> bool:
        if first in self._first_words:
            return True
        if any(s in self._first_words for s in strip_kazakh_suffix(first)):
            return True
        return len(first) >= TYPO_MIN_LEN and _is_latin_word(first)

    def _could_end(self, last: str) -> bool:
        if last in self._last_words or any(s in self._last_words for s in strip_kazakh_suffix(last)):
            return True
        return self._typo(last) is not None

    def match_span(
        self, tokens: Sequence[Token], start: int, end: int, resolve: Resolver | None = None
    ) -> Match | None:
        """tokens[start:end] as one name, or None (a bare alias does not match quoted text)."""
        if start >= end or end > len(tokens):
            return None
        if tokens[start].norm != QUOTE and _wrapped_in_quotes(tokens, start, end):
            return None  # a bare alias does not match quoted text
        found = (resolve or self.lookup_key)(tuple(t.norm for t in tokens[start:end]))
        if found is None:
            return None
        outlet, method = found
        return Match(outlet, start, end, tokens[start].start, tokens[end - 1].end, method)


def _wrapped_in_quotes(tokens: Sequence[Token], start: int, end: int) -> bool:
    return start > 0 and end < len(tokens) and tokens[start - 1].norm == QUOTE and tokens[end].norm == QUOTE


def _without_qualifier(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    variants: list[tuple[str, ...]] = []
    for suffix in _QUALIFIER_SUFFIXES:
        if len(key) > len(suffix) and key[-len(suffix) :] == suffix:
            variants.append(key[: -len(suffix)])
    for prefix in _QUALIFIER_PREFIXES:
        if len(key) > len(prefix) and key[: len(prefix)] == prefix:
            variants.append(key[len(prefix) :])
    return variants


def _is_latin_word(word: str) -> bool:
    return bool(word) and word.isascii() and any(c.isalpha() for c in word)


def _clean_host(host: str) -> str:
    host = host.strip().casefold()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    host = host.split("/", 1)[0].split(":", 1)[0].strip(".")
    return host.removeprefix("www.")


def _outlet_from_table(table: dict[str, object]) -> Outlet:
    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"outlets registry: {key} of {table.get('id')!r} must be a list of strings")
        return tuple(value)

    for key in ("id", "name", "kind"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise ValueError(f"outlets registry: entry {table.get('id')!r} has no {key}")
    return Outlet(
        id=str(table["id"]),
        name=str(table["name"]),
        kind=str(table["kind"]),
        domains=strings("domains"),
        aliases=strings("aliases"),
    )


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> Registry:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    tables = data.get("outlet", [])
    if not isinstance(tables, list):
        raise ValueError(f"{path}: expected [[outlet]] tables")
    return Registry.from_outlets(_outlet_from_table(t) for t in tables)


def load_registry(path: str | Path = DEFAULT_PATH) -> Registry:
    """The registry from a TOML file, loaded once per path (indexes are built on the first call)."""
    return _load(Path(path).resolve())
