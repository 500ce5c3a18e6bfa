"""Publication dates: parse machine-readable and visible dates, give them the local offset.

Every date leaves this module as an ISO 8601 string carrying the UTC offset that the site's time zone
had on that date (Asia/Almaty: +06:00 before 2024-03-01, +05:00 since; ``zoneinfo`` knows this), or
as None. A date later than "now" (plus a small allowance for clock skew) is refused: a news page never
comes from the future, and such a date is a parsing error or a site bug.

Visible dates are the ones a reader sees: «00:31, 08 сентября 2023» (Russian genitive),
«12:15, 10 Декабрь 2025 | GMT +5» (nominative, explicit offset), «27 Қаңтар 2025» (Kazakh),
«08.09.2023 00:31», «Сегодня, 12:30» / «Вчера» / «Бүгін» / «Кеше» (relative to the fetch time).
No settings are read; the time zone is a parameter (the site module names it).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("Asia/Almaty")
# Servers and our own clock disagree by a few minutes; more than this is a future date.
FUTURE_ALLOWANCE = timedelta(minutes=15)
# Dates before this are not news-page publication dates (epoch zeros, placeholders).
EARLIEST = datetime(1995, 1, 1, tzinfo=timezone.utc)

MONTHS: dict[str, int] = {}
_MONTH_FORMS = {
    1: "января январь янв jan january қаңтар қаңтардағы",
    2: "февраля февраль фев feb february ақпан",
    3: "марта март мар mar march наурыз",
    4: "апреля апрель апр apr april сәуір",
    5: "мая май may мамыр",
    6: "июня июнь июн jun june маусым",
    7: "июля июль июл jul july шілде",
    8: "августа август авг aug august тамыз",
    9: "сентября сентябрь сен сент sep sept september қыркүйек",
    10: "октября октябрь окт oct october қазан",
    11: "ноября ноябрь ноя нояб nov november қараша",
    12: "декабря декабрь дек dec december желтоқсан",
}
for _number, _forms in _MONTH_FORMS.items():
    for _form in _forms.split():
        MONTHS[_form] = _number

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = r"(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)"
_OFFSET = r"(?:\s*\|?\s*(?:GMT|UTC)\s*(?P<offset>[-+−]\s*\d{1,2}(?::?\d{2})?))?"
_DAY_MONTH_YEAR = (
    rf"(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH_ALT})\.?,?\s+(?P<year>(?:19|20)\d\d)"
    r"(?:\s*(?:года|жылы|жыл|г\.?|ж\.?)(?!\w))?"
)
# The forms seen on Kazakhstani sites, time first or last, optionally with «GMT +5».
VISIBLE_DATE_PATTERNS = [
    re.compile(rf"{_TIME},?\s+{_DAY_MONTH_YEAR}{_OFFSET}", re.IGNORECASE),
    re.compile(rf"{_DAY_MONTH_YEAR}(?:,?\s*(?:в\s+)?{_TIME})?{_OFFSET}", re.IGNORECASE),
    re.compile(
        r"(?P<day>[0-3]?\d)\.(?P<monthnum>[01]?\d)\.(?P<year>(?:19|20)\d\d)"
        rf"(?:,?\s*(?:в\s+)?{_TIME})?{_OFFSET}"
    ),
    re.compile(rf"{_TIME},?\s+(?P<day>[0-3]?\d)\.(?P<monthnum>[01]?\d)\.(?P<year>(?:19|20)\d\d){_OFFSET}"),
]
RELATIVE_DAYS = {"сегодня": 0, "бүгін": 0, "today": 0, "вчера": 1, "кеше": 1, "yesterday": 1}
RELATIVE_PATTERN = re.compile(
    rf"\b(?P<word>{'|'.join(RELATIVE_DAYS)})\b,?\s*(?:в\s+)?(?:{_TIME})?", re.IGNORECASE
)


def localize(moment: datetime, tz: tzinfo = DEFAULT_TZ) -> datetime:
    """``moment`` in ``tz``; a naive moment is taken as local time there."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def to_iso(moment: datetime | None) -> str | None:
    """ISO 8601 to the second, with the offset (``2023-09-08T00:31:00+06:00``)."""
    if moment is None:
        return None
    return moment.replace(microsecond=0).isoformat()


def is_plausible(moment: datetime, now: datetime | None = None) -> bool:
    """Not in the future (beyond clock skew) and not before the web had news sites."""
    now = now or datetime.now(timezone.utc)
    return EARLIEST <= moment <= now + FUTURE_ALLOWANCE


def parse_iso(value: str, tz: tzinfo = DEFAULT_TZ) -> datetime | None:
    """A machine-readable date (ISO 8601 and the common variants of it), localised to ``tz``."""
    text = value.strip()
    if not text:
        return None
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"Z$", "+00:00", text)
    # "2023-09-08 00:31:00 +0600": an offset without the colon, after a space.
    text = re.sub(r"(\d)\s*([+-]\d{2}):?(\d{2})$", r"\1\2:\3", text)
    for candidate in (text, text.replace(" ", "T", 1)):
        try:
            return localize(datetime.fromisoformat(candidate), tz)
        except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across zones
            continue
    match = re.match(r"((?:19|20)\d\d)-(\d\d)-(\d\d)", text)
    if match:
        try:
            year, month, day = (int(part) for part in match.groups())
            return localize(datetime(year, month, day), tz)
        except (ValueError, OverflowError):
            return None
    return None


def _offset_zone(raw: str | None, tz: tzinfo) -> tzinfo:
    if not raw:
        return tz
    sign = -1 if raw.strip()[0] in "-−" else 1
    digits = re.sub(r"[^\d:]", "", raw)
    hours, _, minutes = digits.partition(":")
    if len(hours) > 2:  # "0500"
        hours, minutes = hours[:-2], hours[-2:]
    try:
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
    except ValueError:  # «GMT +24» and beyond is no offset: the site's zone stands
        return tz


def _from_match(match: re.Match[str], tz: tzinfo) -> datetime | None:
    groups = match.groupdict()
    month = MONTHS.get((groups.get("month") or "").lower().rstrip(".")) or int(groups.get("monthnum") or 0)
    try:
        day = date(int(groups["year"]), month, int(groups["day"]))
        clock = time(int(groups.get("hour") or 0), int(groups.get("minute") or 0))
    except (TypeError, ValueError):
        return None
    zone = _offset_zone(groups.get("offset"), tz)
    # An explicit «GMT +5» is what the page meant; report it in the site's zone all the same.
    try:
        return datetime.combine(day, clock, tzinfo=zone).astimezone(tz)
    except OverflowError:
        return None


def parse_visible(text: str, tz: tzinfo = DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """The first date a reader would see in ``text`` («00:31, 08 сентября 2023» and the like).

    Relative words («Сегодня, 12:30», «Вчера») are resolved against ``now`` (the fetch time);
    without ``now`` they are not guessed.
    """
    best: tuple[int, datetime] | None = None
    for pattern in VISIBLE_DATE_PATTERNS:
        for match in pattern.finditer(text):
            moment = _from_match(match, tz)
            if moment is not None and (best is None or match.start() < best[0]):
                best = (match.start(), moment)
            if moment is not None:
                break
    if now is not None:
        relative = RELATIVE_PATTERN.search(text)
        if relative and (best is None or relative.start() < best[0]):
            local_now = localize(now, tz)
            # .get: case-insensitive matching accepts look-alikes («yeſterday») lower() keeps apart.
            day = local_now.date() - timedelta(days=RELATIVE_DAYS.get(relative["word"].lower(), 0))
            clock = time(int(relative["hour"] or 0), int(relative["minute"] or 0))
            best = (relative.start(), datetime.combine(day, clock, tzinfo=tz))
    return best[1] if best else None


def parse_rfc822(value: str, tz: tzinfo = DEFAULT_TZ) -> datetime | None:
    """An RSS ``pubDate`` («Fri, 08 Sep 2023 00:31:00 +0600»), localised to ``tz``."""
    from email.utils import parsedate_to_datetime

    try:
        return localize(parsedate_to_datetime(value.strip()), tz)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
