"""Dates: machine-readable and visible forms, the Almaty offset on each side of 2024-03-01."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipelines.dates import is_plausible, parse_iso, parse_rfc822, parse_visible, to_iso

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-09-07T18:31:00Z", "2023-09-08T00:31:00+06:00"),
        ("2023-09-08T00:31:00+06:00", "2023-09-08T00:31:00+06:00"),
        ("2023-09-08 00:31:00", "2023-09-08T00:31:00+06:00"),  # naive: local time
        ("2024-02-29T23:59:00", "2024-02-29T23:59:00+06:00"),  # last minute of UTC+6
        ("2024-03-01T00:00:00", "2024-03-01T00:00:00+05:00"),  # first of UTC+5
        ("2024-04-18T10:35:00+05:00", "2024-04-18T10:35:00+05:00"),
        ("2024-04-18T10:35:00 +0500", "2024-04-18T10:35:00+05:00"),
        ("2025-12-10T07:15:00.123Z", "2025-12-10T12:15:00+05:00"),
        ("2025-12-10", "2025-12-10T00:00:00+05:00"),
    ],
)
def test_machine_dates_get_the_almaty_offset_of_their_day(raw: str, expected: str) -> None:
    assert to_iso(parse_iso(raw)) == expected


@pytest.mark.parametrize("raw", ["", "вчера", "not a date", "2023-02-31T10:00:00", "31.02.2023"])
def test_unparseable_machine_dates_are_none(raw: str) -> None:
    assert parse_iso(raw) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Автор Vecher.kz / 00:31, 08 сентября 2023", "2023-09-08T00:31:00+06:00"),
        ("12:15, 10 Декабрь 2025 | GMT +5", "2025-12-10T12:15:00+05:00"),
        ("09:40, 15 Январь 2023 | GMT +6", "2023-01-15T09:40:00+06:00"),
        ("27 Қаңтар 2025, 14:05", "2025-01-27T14:05:00+05:00"),
        ("14:05, 27 қаңтар 2025", "2025-01-27T14:05:00+05:00"),
        ("Опубликовано 3 марта 2024 г. в 18:20", "2024-03-03T18:20:00+05:00"),
        ("08.09.2023 00:31", "2023-09-08T00:31:00+06:00"),
        ("1 мая 2022", "2022-05-01T00:00:00+06:00"),
    ],
)
def test_visible_bylines_in_russian_and_kazakh(text: str, expected: str) -> None:
    assert to_iso(parse_visible(text)) == expected


def test_relative_dates_need_the_fetch_time() -> None:
    assert parse_visible("Сегодня, 12:30") is None
    assert to_iso(parse_visible("Сегодня, 12:30", now=NOW)) == "2026-11-25T12:30:00+05:00"
    assert to_iso(parse_visible("Вчера, 23:10", now=NOW)) == "2026-11-24T23:10:00+05:00"
    assert to_iso(parse_visible("Кеше, 09:00", now=NOW)) == "2026-11-24T09:00:00+05:00"


def test_impossible_visible_dates_are_skipped() -> None:
    assert parse_visible("30 февраля 2023") is None
    # An impossible clock is not read as a time; the date beside it still is.
    assert to_iso(parse_visible("25:61, 08 сентября 2023")) == "2023-09-08T00:00:00+06:00"
    assert to_iso(parse_visible("31 февраля 2023, потом 1 марта 2023")) == "2023-03-01T00:00:00+06:00"


def test_future_and_prehistoric_dates_are_not_plausible() -> None:
    assert is_plausible(NOW - timedelta(days=1), NOW)
    assert is_plausible(NOW + timedelta(minutes=5), NOW)  # clock skew
    assert not is_plausible(NOW + timedelta(days=1), NOW)
    assert not is_plausible(datetime(1970, 1, 1, tzinfo=timezone.utc), NOW)


def test_rss_dates() -> None:
    assert to_iso(parse_rfc822("Fri, 08 Sep 2023 00:31:00 +0600")) == "2023-09-08T00:31:00+06:00"
    assert to_iso(parse_rfc822("Mon, 04 Mar 2024 10:00:00 GMT")) == "2024-03-04T15:00:00+05:00"
    assert parse_rfc822("garbage") is None


def test_an_offset_needs_a_sign() -> None:
    # «UTC 2023» is not an offset of +20:23; the sign class must not be a character range.
    assert to_iso(parse_visible("08 сентября 2023 UTC 2023")) == "2023-09-08T00:00:00+06:00"
    assert to_iso(parse_visible("10:00, 08 сентября 2023 GMT Ж5")) == "2023-09-08T10:00:00+06:00"
