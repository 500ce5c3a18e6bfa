"""The outlets registry: the TOML file's integrity, lookups of names as articles write them, domains."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.outlets import DEFAULT_PATH, Registry, load_registry, normalise_name, tokenize


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_registry_loads_with_unique_ids_and_enough_entries(registry: Registry) -> None:
    ids = [o.id for o in registry.outlets]
    assert len(ids) >= 60
    assert len(ids) == len(set(ids))
    assert all(o.name and o.kind for o in registry.outlets)
    assert load_registry() is registry  # built once, then cached
    assert load_registry(DEFAULT_PATH) is registry


def test_aliases_are_unique_across_entries(registry: Registry) -> None:
    owner: dict[tuple[str, ...], str] = {}
    clashes = []
    for outlet in registry.outlets:
        for alias in outlet.aliases:
            key = normalise_name(alias)
            if owner.setdefault(key, outlet.id) != outlet.id:
                clashes.append((alias, owner[key], outlet.id))
    assert not clashes, f"aliases claimed by two entries (fix pipelines/data/outlets.toml): {clashes}"


def test_media_kinds(registry: Registry) -> None:
    kazinform = registry.by_id("kazinform")
    akorda = registry.by_id("akorda")
    assert kazinform is not None and kazinform.is_media
    assert akorda is not None and not akorda.is_media
    assert registry.by_id("no_such_outlet") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("МИА «Казинформ»", "kazinform"),
        ('МИА "Казинформ"', "kazinform"),
        ("Казинформ", "kazinform"),
        ("Казинформа", "kazinform"),
        ("Kazinform", "kazinform"),
        ("KAZINFORM", "kazinform"),
        ("ҚазАқпарат", "kazinform"),
        ("inform.kz", "kazinform"),
        ("Акорда", "akorda"),
        ("Акорду", "akorda"),
        ("Ақорда", "akorda"),
        ("Казгидромет", "kazhydromet"),
        ("Қазгидромет", "kazhydromet"),
        ("Хабар", "khabar"),
        ("Хабар 24", "khabar"),
        ("Khabar 24", "khabar"),
        ("«Хабар 24»", "khabar"),
        ("Ulysmedia.kz-ке", "ulysmedia"),
    ],
)
def test_lookup_of_case_forms(registry: Registry, name: str, expected: str) -> None:
    outlet = registry.lookup(name)
    assert outlet is not None, f"{name!r} does not resolve; add the form to pipelines/data/outlets.toml"
    assert outlet.id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ҚазАқпаратқа", "kazinform"),  # dative glued
        ("Қазгидрометтің", "kazhydromet"),  # genitive
        ("Ақорданың", "akorda"),
        ("ТЖМ-ге", "mchs"),  # hyphenated
        ("Ұлттық банктің", "nbk"),  # suffix on the last word of a two-word name
    ],
)
def test_kazakh_case_suffixes_are_stripped(registry: Registry, name: str, expected: str) -> None:
    outlet = registry.lookup(name)
    assert outlet is not None and outlet.id == expected


def test_lookup_normalises_case_quotes_dashes_and_trailing_punctuation(registry: Registry) -> None:
    for written in (
        "  kazinform. ",
        "МИА „Казинформ“",
        "МИА 'Казинформ'",
        "Интерфакс–Казахстан",
        "МИА  «Казинформ»,",
    ):
        assert registry.lookup(written) is not None, written


def test_typo_fallback_only_for_long_latin_names(registry: Registry) -> None:
    kazinform = registry.lookup("Kazinfrom")
    assert kazinform is not None and kazinform.id == "kazinform"
    assert registry.lookup("Tengrinwes") is not None
    assert registry.lookup("Казинфром") is None  # Cyrillic: no guessing
    assert registry.lookup("Reutrs") is None  # shorter than 7 letters: too close to other names


def test_quoted_aliases_match_only_quoted_text(registry: Registry) -> None:
    kursiv = registry.lookup("«Курсив»")
    assert kursiv is not None and kursiv.id == "kursiv"
    assert registry.lookup("Курсив") is None  # an ordinary word when not quoted


def test_bare_alias_does_not_match_inside_quotes(registry: Registry) -> None:
    tokens = tokenize("пишет «Казинформ»")
    assert registry.match_at(tokens, 2) is None  # starting inside the quotes
    match = registry.match_at(tokens, 1)
    assert match is not None and match.outlet.id == "kazinform" and (match.start, match.end) == (1, 4)


def test_longest_match_with_offsets(registry: Registry) -> None:
    text = "сообщает МИА «Казинформ» сегодня"
    tokens = tokenize(text)
    match = registry.match_at(tokens, 1)
    assert match is not None and match.outlet.id == "kazinform"
    assert text[match.char_start : match.char_end] == "МИА «Казинформ»"
    ending = registry.match_ending_at(tokens, match.end)
    assert ending is not None and (ending.start, ending.end) == (match.start, match.end)


def test_longer_names_are_not_their_prefix(registry: Registry) -> None:
    assert registry.lookup("МВД России") is None
    assert registry.lookup("Минфин США") is None
    mvd = registry.lookup("МВД РК")
    assert mvd is not None and mvd.id == "mvd"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("inform.kz", "kazinform"),
        ("www.inform.kz", "kazinform"),
        ("kaz.inform.kz", "kazinform"),
        ("news.kaz.inform.kz", "kazinform"),
        ("kaz.tengrinews.kz", "tengrinews"),
        ("https://www.zakon.kz/some/path", "zakon_kz"),
        ("VECHER.KZ", "vecher_kz"),
    ],
)
def test_by_domain(registry: Registry, host: str, expected: str) -> None:
    outlet = registry.by_domain(host)
    assert outlet is not None and outlet.id == expected


def test_unknown_domain(registry: Registry) -> None:
    assert registry.by_domain("example.kz") is None
    assert registry.by_domain("") is None


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "outlets.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_duplicate_alias_across_entries_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[outlet]]\nid = "a"\nname = "A"\nkind = "tv"\ndomains = []\naliases = ["Same"]\n'
        '[[outlet]]\nid = "b"\nname = "B"\nkind = "tv"\ndomains = []\naliases = ["same"]\n',
    )
    with pytest.raises(ValueError, match="also a's"):
        load_registry(path)


def test_duplicate_id_and_missing_fields_are_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[outlet]]\nid = "a"\nname = "A"\nkind = "tv"\naliases = ["X"]\n'
        '[[outlet]]\nid = "a"\nname = "B"\nkind = "tv"\naliases = ["Y"]\n',
    )
    with pytest.raises(ValueError, match="duplicate id"):
        load_registry(path)
    path.write_text('[[outlet]]\nid = "a"\nkind = "tv"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no name"):
        load_registry(tmp_path / "outlets.toml")
