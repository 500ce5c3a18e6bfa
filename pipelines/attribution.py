"""Who cites whom: the attribution chain written in a news text (Russian, Kazakh, English).

``find_citations(text, publisher)`` reads one sentence or a whole article (paragraphs separated by
"\\n") published on the domain ``publisher`` and returns the ordered chain of citations, each a dict
``{position, source, source_name, name, cited_by, relation, evidence, method, confidence, cited_url,
resolved_article_id}``. Names are resolved with the outlets registry (``pipelines.outlets``).

How it works: the text is tokenised once; trigger words (typo-tolerant) anchor a slot where a name is
expected («сообщает X», «со ссылкой на X», «по данным X», «X мәліметінше», «X reports citing Y»,
«Источник: X», datelines); the slot is bounded by punctuation and stop words; the name is the longest
registry alias found there, else a name-like span kept verbatim (unregistered). Persons, vague and
anonymous sources, photo credits and anything inside quoted speech are not sources.

The chain is ordered as the labelled set's author decided (tests/provenance/attribution_set.jsonl):
first the relay chain from the publisher outward (datelines and «Источник:» lines outermost, then
«сообщает A со ссылкой на B»), then secondary sources (interviews, data of bodies, statements), all
cited by the last relay, in text order. The publisher's own name (self-attribution) gives no entry.

Relations: ``cites`` (a medium reports, «со ссылкой на», «по данным», «Источник:», datelines,
«мәліметінше», «хабарлауынша», «according to»), ``statement`` (a body announces: «сообщили в X»,
«Об этом сообщило МЧС», «делінген X хабарламасында», «X said»), ``interview`` («в интервью X»),
``quotes`` («цитирует X»).

No settings are read. Never raises on any string input.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.outlets import (
    QUOTE,
    Outlet,
    Registry,
    Token,
    damerau1,
    deletions,
    load_registry,
    normalise_name,
    tokenize,
)

__all__ = ["find_citations", "resolve_name"]

logger = logging.getLogger(__name__)

MAX_EVIDENCE = 300
# A name slot longer than this is a clause, not a name.
MAX_NAME_TOKENS = 9
MAX_LEFT_TOKENS = 7
# A line with fewer words is a title or a caption, not the lead paragraph.
LEAD_MIN_WORDS = 12

# --------------------------------------------------------------------------------------------------
# Lexicons (normalised: case-folded, ё -> е)
# --------------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _stems(text: str) -> tuple[str, ...]:
    # a tuple, because str.startswith takes one: a word starts with any of the stems in one C call
    return tuple(text.split())


# Verbs whose subject follows them: «сообщает X», «Об этом сообщило МЧС», «цитирует X».
RU_SUBJECT_VERBS = _words(
    "сообщает передает пишет информирует сообщают передают пишут информируют уточняет "
    "сообщил сообщила сообщило передал передала передало написал написала написало писал писала "
    "писало заявил заявила заявило сообщал сообщала сообщало"
)
RU_QUOTE_VERBS = _words("цитирует цитируют процитировал процитировала процитировало")
# Verbs used without a subject: «сообщается со ссылкой на X».
RU_IMPERSONAL = _words("сообщается передается пишется сообщалось говорится отмечается указывается")
# Plural verbs of an institution: «сообщили в X», «В X сообщили».
RU_PLURAL_STATEMENT = _words(
    "сообщили заявили рассказали пояснили уточнили отметили подчеркнули добавили сообщают заявляют информируют "
    "подтвердили сообщали отмечали заявляли подчеркивали уточняют поясняют рассказывают прокомментировали ответили"
)
# Singular verbs after their subject: «МЧС сообщило, что».
RU_LEFT_STATEMENT = _words(
    "сообщил сообщила сообщило заявил заявила заявило сообщает информирует сообщал сообщала сообщало "
    "пишет передает писал писала писало написал написала написало"
)
RU_DATA_NOUNS = _words("данным информации сведениям подсчетам оценкам прогнозу прогнозам")
RU_SOGLASNO_NOUNS = _words("данным информации сведениям сообщению отчету статистике прогнозу")
RU_DOC_NOUNS = _words(
    "сообщении заявлении релизе пресс-релизе материале публикации отчете документе посте ответе письме "
    "сайте странице канале телеграм-канале telegram-канале аккаунте"
)
RU_LINK_VERBS = _words("ссылается ссылаются ссылаясь ссылающийся ссылающаяся ссылающееся ссылающиеся")
RU_RELATIVE = _words("который которое которая которые")

KK_RELAY_VERBS = _words("хабарлайды хабарлады жазады жазды мәлімдеді")
KK_LEFT_CITES = _words("мәліметінше хабарлауынша болжамынша дерегінше хабарлағандай")
KK_LEFT_CITES_PAIRS = {
    ("мәліметіне", "сәйкес"),
    ("дерегіне", "сәйкес"),
    ("деректеріне", "сәйкес"),
    ("мәліметі", "бойынша"),
    ("дерегі", "бойынша"),
    ("деректері", "бойынша"),
}
KK_LEFT_STATEMENT = _words("хабарлады мәлімдеді")
KK_DOC_NOUNS = _words(
    "хабарламасында мәлімдемесінде хабарламада сайтында парақшасында арнасында жарияланымында "
    "ақпаратында материалында"
)

EN_REPORT_VERBS = _words("reports reported writes wrote says said announced informs reporting cited")
EN_SAID = _words("says said announced")
EN_LINKS = _words("citing quoting")

TRIGGER_LEXICON = (
    RU_SUBJECT_VERBS
    | RU_QUOTE_VERBS
    | RU_IMPERSONAL
    | RU_PLURAL_STATEMENT
    | RU_DATA_NOUNS
    | RU_LINK_VERBS
    | KK_RELAY_VERBS
    | KK_LEFT_CITES
    | _words(
        "ссылкой интервью источник источники корреспондент приводит согласно сілтеме сұхбатында делінген"
    )
    | _words("хабарламасында мәлімдемесінде")
    | EN_REPORT_VERBS
    | _words("citing quoting according interview")
)

# Generic nouns in front of or after a name: dropped from the span («агентство», «телеканалу», «газеті»).
GENERIC_MEDIA = _words(
    "агентство агентства агентству агентством агентстве информагентство информагентства информагентству "
    "издание издания изданию изданием издании интернет-издание интернет-издания интернет-изданию газета "
    "газеты газете газету газетой телеканал телеканала телеканалу телеканалом телеканале портал портала "
    "порталу порталом портале интернет-портал интернет-портала сайт сайта сайту сайтом журнал журнала "
    "журналу журналом корреспондент корреспондента корреспонденту корреспонденты корреспондентов "
    "собкор собственный собственного нашему нашего телерадиокомпания телерадиокомпании корреспондентом "
    "радиостанции программы программе передачи передаче компания компании компанию компанией компаниясы "
    "агенттігі агенттігіне агенттігінің газеті газетіне газетінің телеарнасы телеарнасына телеарнасының "
    "порталы порталына сайты сайтына басылымы басылымына тілшісі тілшісіне тілшісінің тілшілері "
    "порталының сайтының басылымының ақпараттық "
    "telegram-канал telegram-канала telegram-канале телеграм-канал телеграм-канала телеграм-канале "
    "correspondent correspondents newspaper outlet channel website portal agency tv"
)
# Nouns that name what was cited, not who: «со ссылкой на данные X», «according to data from X».
DATA_WORDS = _words(
    "данные данных информацию сведения сообщение сообщения заявление публикацию материал материалы пост "
    "релиз пресс-релиз официальные официальную последние предварительные "
    "отчет отчета отчете доклад доклада ответ ответа обзор обзора письмо письма исследование исследования "
    "статью статья статьи расчеты расчетам прогноз прогноза "
    "data figures statistics a an statement report from by of published released"
)
RU_PRESS = _words(
    "пресс-служба пресс-службы пресс-службе пресс-службу пресс-службой пресс-центр пресс-центра "
    "пресс-центре пресс-центру пресс-центром"
)
KK_PRESS_HEAD = "баспасөз"
KK_LEGAL_TAIL = _words("ақ жшс рмк ркм мкк ұк шжқ рмқк жақ ққ")
NATIONAL_TAILS = (("рк",), ("казахстана",), ("республики", "казахстан"), ("of", "kazakhstan"))
NATIONAL_HEADS = (("қр",), ("kazakh",), ("kazakhstan's",), ("қазақстан", "республикасы"), ("казахстанский",))
LEGAL_FORMS = _words("ао тоо ргп гкп нао ао нк ак жшс ртк мемлекеттік jsc llp")
# Words that make a name a body (not a medium) when it is not in the registry.
BODY_WORDS = _words("суд суда суде суду сот дчс дп мвд мчс мид кнб ао тоо гкп ргп нао ақ жшс")
BODY_STEMS = _stems(
    "министерств минист департамент управлени комитет акимат ведомств прокуратур служб пресс-служб "
    "пресс-центр компани банк бюро фонд совет палат инспекци комисси избирком полици метрополитен "
    "зоопарк больниц аэропорт университет школ центр министрлі басқарма комитеті әкімдіг қызмет "
    "полиция прокуратура ұлттық ministry department bureau committee office service police court "
    "prosecutor government akimat administration bank authority commission council fund center centre "
    "inspectorate"
)
BODY_PHRASES = ("агентство по", "agency for")
# Anonymous or vague: «источник в правительстве», «опрос», «ряд СМИ», «очевидцы», «sources».
VAGUE_STEMS = _stems(
    "источник очевидц опрос исследовани эксперт специалист аналитик соцсет социальн пользовател жител "
    "свидетел собеседник знакомы неназванн анонимн осведомленн некотор местны сауалнама зерттеу "
    "дереккөз сарапшы тұрғын куәгер әлеуметтік source people survey poll study studies research "
    "expert analyst officials witness eyewitness resident insider unnamed anonymous several "
    "authorities ведомств регулятор собственн власт надзорн правоохранител силовик agency's "
    "ministry's regulator"
)
ANAPHORIC_STEMS = _stems(
    "министерств ведомств управлени департамент акимат компани агентств комитет регулятор суд полици "
    "прокуратур служб министрлі әкімдік әкімдіг ministry department agency committee company regulator"
)
VAGUE_WORDS = _words(
    "ряд ряда сми его ее их свои данные официальные person media local some one his her their its "
    "a an this that these those"
)
# Person titles: a name slot starting with one is a person, not a source.
PERSON_STEMS = _stems(
    "министр вице-министр замминистр заместител замглав председател зампред директор руководител "
    "начальник президент премьер депутат сенатор эксперт экономист аналитик блогер журналист спикер "
    "пресс-секретар представител официальный официальная генсек губернатор политолог сотрудник "
    "госсекретар секретар советник помощник уполномоченн омбудсмен профессор ученый адвокат юрист "
    "прокурор следовател полицейск спасател ректор тренер бывш экс- орынбасар басшы төраға сарапшы "
    "дәрігер тергеуші хатшы кеңесші министрі minister president director chairman chairwoman spokes "
    "ambassador governor secretary adviser advisor founder senator lawmaker economist professor "
    "journalist blogger"
)
PERSON_WORDS = _words(
    "аким акима акиму акимом акиме глава главы главу главой главе мэр мэра посол посла судья судьи врач "
    "врача автор автора он она они мы я әкім әкімі әкімнің әкімінің әкіміне маман өкілі өкіл "
    "ол олар біз vice deputy prime head chair ceo mp mayor akim he she they we i"
)
# Not persons although they start like one: «акимат», «Главное управление», «Генеральная прокуратура».
PERSON_EXCEPTIONS = ("акимат", "главн", "президентск", "администрац", "министерств", "министрлі", "әкімдіг")
# Words after a registry name that make a longer, different name: «МВД России», «ДЧС Алматинской области».
GEO_EXTENDERS = _words(
    "рк рф сша кнр ес россии казахстана кыргызстана узбекистана китая турции украины беларуси республики "
    "области района города г края округа облысы облысының қаласы қаласының ауданы ауданының us uk"
)
_GEO_ADJ_RE = re.compile(r"^[А-ЯЁA-Z][\w-]*(?:ской|цкой|ского|цкого|ской|ском|ского)$")
GEO_NOUNS = _words("города г области района края округа республики")
# Words before a name that make it foreign or regional: «Ресей ІІМ», «Russia's Foreign Ministry».
LEFT_GEO = _words(
    "ресей ресейдің қытай қытайдың ақш ақш-тың russia's russian u.s us chinese china's облыстық"
)
# Sentence openers that are not part of a name in a left slot.
LEFT_OPENERS = _words(
    "ал алайда биыл бүгін кеше ертең сондай-ақ осылайша мәселен сонымен қатар бұған дейін ендеше яғни "
    "сондықтан және жалпы ресми the earlier meanwhile also as according также ранее как а но"
)
# Words that end a name slot on the right.
STOP_WORDS = (
    _words(
        "в во на о об что чтобы со с для из от до к ко у за ссылаясь слова слов а но где когда после "
        "согласно через при который которое которая которые которого которой "
        "citing quoting on in at that earlier last this said says reported reports with from to for as who "
        "which while after before according quoted told сілтеме деп және"
    )
    | RU_LINK_VERBS
)
COORDINATORS = _words("и and")
LEAD_FILLERS = _words("для with ранее также уже вчера сегодня накануне earlier also")
CHANNEL_NOUNS = _words(
    "канале телеграм-канале telegram-канале аккаунте странице сайте официальном соцсетях instagram-аккаунте"
)
PLATFORMS = _words(
    "instagram facebook telegram youtube twitter tiktok vk вконтакте whatsapp pixabay unsplash "
    "shutterstock depositphotos freepik threads x одноклассники"
)
CREDIT_WORDS = _words("фото фотография фотографии photo photos сурет суреттер коллаж видео video инфографика")
SOURCE_LABELS = _words("источник источники дереккөз source sources")

_ADJ_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ую")
_ADJ_OBLIQUE = ("ой", "ей", "ым", "им", "ых", "их", "ом", "ем")
_DOMAIN_RE = re.compile(r"[\w-]+\.(?:kz|ru|com|org|net|info|media|tv|uz|kg|kz/\S*|news|io|co|uk|az|by|ua)$")
_BOUNDARY_PUNCT = frozenset(",.;:!?()[]…")
_DATELINE_RE = re.compile(
    r"^[ \t]*(?P<city>[^\W\d_][\w-]*(?:[ \t][^\W\d_][\w-]*)?)[ \t]*[.,][ \t]*"
    r"(?:(?P<date>\d{1,2}[ \t]+[^\W\d_]+\.?|[^\W\d_]+\.?[ \t]+\d{1,2})(?:[ \t]*,?[ \t]*\d{4})?[ \t]*[.,]?[ \t]*)?"
    r"(?P<agency>\(?[^\W\d_][^\n—–]{0,40}?\)?)[ \t]+[—–-]{1,2}[ \t]"
)
_DATELINE_AFTER_RE = re.compile(
    r"^[ \t]*(?P<city>[^\W\d_][\w-]*)[ \t]*,[ \t]*(?P<date>\d{1,2}[ \t]+[^\W\d_]+\.?|[^\W\d_]+\.?[ \t]+\d{1,2})"
    r"[ \t]*[—–-][ \t]*(?P<agency>[^\W\d_][\w .-]{1,30}?)[.,]"
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+(?=[«\"“„(\w])|\n+")
_SPEECH_RES = (
    re.compile(r"«(?:[^«»\n]|«[^«»\n]*»)*»"),
    re.compile(r"“[^“”\n]*”"),
    re.compile(r"„[^„“”\n]*[“”]"),
    re.compile(r"\"[^\"\n«»]{1,600}\""),
)
_SPEECH_WORD_RE = re.compile(r"[^\W_]+")

# --------------------------------------------------------------------------------------------------
# Fuzzy trigger words: doubled letters collapsed, then at most one edit («ссыылкой», «передаеет»).
# --------------------------------------------------------------------------------------------------

_DOUBLES_RE = re.compile(r"(.)\1+")


def _collapse(word: str) -> str:
    return _DOUBLES_RE.sub(r"\1", word)


_COLLAPSED: dict[str, str] = {_collapse(w): w for w in TRIGGER_LEXICON}
_TRIGGER_DELETES: dict[str, set[str]] = {}
for _c in _COLLAPSED:
    for _d in {_c, *deletions(_c)}:
        _TRIGGER_DELETES.setdefault(_d, set()).add(_c)


@functools.lru_cache(maxsize=65536)
def _canon(word: str) -> str:
    """The trigger word a token stands for, allowing doubled letters and one typo; else the token."""
    if word in TRIGGER_LEXICON or len(word) < 5 or not word.isalpha():
        return word
    collapsed = _collapse(word)
    if collapsed in _COLLAPSED:
        return _COLLAPSED[collapsed]
    candidates: set[str] = set()
    for variant in {collapsed, *deletions(collapsed)}:
        candidates |= _TRIGGER_DELETES.get(variant, set())
    hits = {
        c
        for c in candidates
        if c[0] == collapsed[0] and damerau1(collapsed, c) and not _inflection(collapsed, c)
    }
    return _COLLAPSED[hits.pop()] if len(hits) == 1 else word


def _inflection(a: str, b: str) -> bool:
    """«прокомментировал» / «прокомментировали»: a different form of a word, not a typo of it."""
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and long.startswith(short) and long[-1] in "иаоеьтяюs"


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A source as written: tokens [start, end), the verbatim text and what the registry says."""

    start: int
    end: int
    text: str
    outlet: Outlet | None
    method: str  # exact, suffix, qualifier, typo, unregistered
    media: bool  # a medium (registry kind, or looks like one when unregistered)

    @property
    def key(self) -> str:
        return self.outlet.id if self.outlet else "name:" + " ".join(normalise_name(self.text))


def _anaphoric(tok: Token) -> bool:
    """A lower-case common noun that stands for a body named earlier («министерства», «акимат»)."""
    return tok.text.islower() and tok.norm.startswith(ANAPHORIC_STEMS)


def _is_domain(word: str) -> bool:
    return bool(_DOMAIN_RE.search(word.casefold()))


@functools.lru_cache(maxsize=65536)
def _is_person_word(word: str) -> bool:
    if word in PERSON_WORDS:
        return True
    return word.startswith(PERSON_STEMS) and not word.startswith(PERSON_EXCEPTIONS)


@functools.lru_cache(maxsize=65536)
def _is_vague_word(word: str) -> bool:
    return word in VAGUE_WORDS or word.startswith(VAGUE_STEMS)


def _looks_like_body(words: Sequence[str]) -> bool:
    if any(w in BODY_WORDS or w.startswith(BODY_STEMS) for w in words):
        return True
    text = " ".join(words)
    return any(phrase in text for phrase in BODY_PHRASES)


def _looks_like_media(words: Sequence[str]) -> bool:
    """An unregistered name is taken for a medium unless it reads like a body («Lada.kz», «Eurasianet»,
    «Уральская неделя» are media; «ДЧС Алматинской области», «пресс-служба зоопарка» are not)."""
    return any(_is_domain(w) for w in words) or not _looks_like_body(words)


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") and len(word) > 3 else word


def resolve_key(key: Sequence[str], registry: Registry) -> tuple[Outlet, str] | None:
    """Resolve normalised name tokens (see ``_resolve_key``)."""
    return _resolve_key(tuple(key), registry)


@functools.lru_cache(maxsize=65536)
def _resolve_key(key: tuple[str, ...], registry: Registry) -> tuple[Outlet, str] | None:
    """Resolve normalised name tokens: registry lookup, then without press-service words, legal form,
    possessive, leading «the», generic nouns, and (for Latin names) the quotes around them."""
    key = tuple(key)
    if not key:
        return None
    found = registry.lookup_key(key)
    if found is not None:
        return found
    for variant in _key_variants(key):
        if variant and variant != key:
            found = registry.lookup_key(variant)
            if found is not None:
                return found[0], found[1] if found[1] != "exact" else "variant"
    return None


def _key_variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    variants: list[tuple[str, ...]] = []
    body = key
    if body[0] in RU_PRESS:
        body = body[1:]
    if len(body) >= 2 and body[-2] == KK_PRESS_HEAD:
        body = body[:-2]
    if len(body) >= 2 and body[-2:] in {("press", "service"), ("press", "office"), ("press", "center")}:
        body = body[:-2]
    if len(body) >= 3 and body[:3] in {("press", "service", "of"), ("press", "office", "of")}:
        body = body[3:]
    if body and body[0] in {"the", "пресс-службой"}:
        body = body[1:]
    if body:
        body = (*body[:-1], _strip_possessive(body[-1]))
    variants.append(body)
    if body and body[0] in LEGAL_FORMS:
        variants.append(body[1:])
    trimmed = _without_legal_tail(body)
    if trimmed != body:
        variants.append(trimmed)  # «Қазақстан темір жолы» ҰК» АҚ, «Қазгидромет» РМК
    for qualified in (body, trimmed):
        variants.extend(_without_national_qualifier(qualified))
    while body and (body[0] in GENERIC_MEDIA or body[0] in DATA_WORDS):
        body = body[1:]
        variants.append(body)
    if len(body) >= 3 and body[0] == QUOTE and body[-1] == QUOTE and all(_is_latin(w) for w in body[1:-1]):
        variants.append(body[1:-1])
    return variants


def _without_legal_tail(key: tuple[str, ...]) -> tuple[str, ...]:
    """The key without Kazakh legal forms written after the name and the quotes around them."""
    end = len(key)
    while end > 1 and (key[end - 1] in KK_LEGAL_TAIL or key[end - 1] == QUOTE):
        end -= 1
    if end == len(key):
        return key
    body = key[:end]
    opened = body.count(QUOTE) % 2 == 1
    return (*body, QUOTE) if opened else body


def _without_national_qualifier(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """«Бюро … реформам РК» -> «Бюро … реформам», «Kazakh Foreign Ministry» -> «Foreign Ministry»."""
    out: list[tuple[str, ...]] = []
    for tail in NATIONAL_TAILS:
        if len(key) > len(tail) and key[-len(tail) :] == tail:
            out.append(key[: -len(tail)])
    for head in NATIONAL_HEADS:
        if len(key) > len(head) and key[: len(head)] == head:
            out.append(key[len(head) :])
    return out


def _is_latin(word: str) -> bool:
    return word.isascii()


def resolve_name(name: str, registry: Registry | None = None) -> Outlet | None:
    """The registry entry for a source name as written (press services map to their body)."""
    found = resolve_key(normalise_name(name), registry or load_registry())
    return found[0] if found else None


# --------------------------------------------------------------------------------------------------
# Hops and chains found in one text
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Hop:
    """One citation before the chain is put in order: who, how, and the characters that prove it."""

    name: Name
    relation: str
    start: int  # character span of the trigger and the name: the evidence is the sentence around it
    end: int
    method: str = "phrase"
    weight: float = 1.0  # below 1 for the weaker phrasings (a subject before its verb, interviews)


@dataclass(eq=False)
class Chain:
    """Levels of hops: level k is cited by the last hop of level k-1 (level 0 by whoever holds it)."""

    levels: list[list[Hop]]
    rank: int  # 0 dateline, 1 «Источник:» line, 2 phrase: datelines and source lines are outermost
    pos: int  # character offset, for text order
    secondary: bool = False  # interviews, statements, data: never a relay, whatever the source's kind


@dataclass
class _Doc:
    """One text being read: tokens, their trigger forms, what is blocked, and the chains found so far."""

    text: str
    tokens: list[Token]
    registry: Registry
    canon: list[str] = field(default_factory=list)
    blocked: list[bool] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    sentence_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.canon = [_canon(t.norm) if t.is_word else t.norm for t in self.tokens]
        self.blocked = _blocked_tokens(self.text, self.tokens)
        self.sentence_starts = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(self.text)]

    # -- token helpers ------------------------------------------------------------------------------

    def norm(self, i: int) -> str:
        return self.tokens[i].norm if 0 <= i < len(self.tokens) else ""

    def can(self, i: int) -> str:
        return self.canon[i] if 0 <= i < len(self.canon) else ""

    def is_boundary(self, i: int) -> bool:
        tok = self.tokens[i]
        if tok.kind == "newline":
            return True
        if tok.kind == "dash":
            return self._spaced(i)
        return tok.kind == "punct" and tok.text in _BOUNDARY_PUNCT

    def _spaced(self, i: int) -> bool:
        tok = self.tokens[i]
        before = tok.start == 0 or self.text[tok.start - 1].isspace()
        after = tok.end >= len(self.text) or self.text[tok.end].isspace()
        return before or after

    def slot_end(self, s: int, limit: int = 16) -> int:
        """The end of a name slot starting at s: punctuation, a stop word, a blocked token."""
        e = s
        n = len(self.tokens)
        while e < n and e - s < limit:
            tok = self.tokens[e]
            if self.blocked[e] or self.is_boundary(e):
                break
            if tok.is_word and e > s and (tok.norm in STOP_WORDS or self.can(e) in STOP_WORDS):
                break
            e += 1
        return e

    def clause_start(self, j: int, limit: int = 14) -> int:
        """The first token of the clause that ends just before j."""
        s = j
        while s > 0 and j - s < limit:
            if self.blocked[s - 1] or self.is_boundary(s - 1):
                break
            s -= 1
        while s < j and self.tokens[s].kind == "quote" and not self._opens_name(s, j):
            s += 1
        return s

    def _opens_name(self, s: int, j: int) -> bool:
        return any(self.tokens[k].kind == "quote" for k in range(s + 1, j))

    def span_text(self, s: int, e: int) -> str:
        return self.text[self.tokens[s].start : self.tokens[e - 1].end]

    # -- names ------------------------------------------------------------------------------------------

    def name_from(self, s: int, e: int, outlet: Outlet | None, method: str) -> Name:
        while outlet is not None and e - 1 > s and self._generic_tail(e - 1):
            shorter = self.resolve(s, e - 1)
            if shorter is None or shorter[0].id != outlet.id:
                break
            e -= 1  # «Reuters агенттігі», «Егемен Қазақстан» газеті: the generic noun is not the name
        while outlet is not None and s + 1 < e and self._generic_tail(s):
            s += 1  # «agency Kazinform», «телеканалу «Астана»»: resolved with the generic noun, shown without
        words = [t.norm for t in self.tokens[s:e] if t.is_word]
        media = outlet.is_media if outlet else _looks_like_media(words)
        return Name(s, e, self.span_text(s, e), outlet, method, media)

    def _resolver(self, key: tuple[str, ...]) -> tuple[Outlet, str] | None:
        return _resolve_key(key, self.registry)

    def resolve(self, s: int, e: int) -> tuple[Outlet, str] | None:
        """The entry for tokens [s, e) exactly, or None (a bare alias does not match quoted text)."""
        match = self.registry.match_span(self.tokens, s, e, self._resolver)
        return (match.outlet, match.method) if match is not None else None

    def longest_from(self, s: int, stop: int) -> tuple[int, Outlet, str] | None:
        """The longest registry name starting at s: (end, outlet, method)."""
        match = self.registry.match_at(self.tokens, s, stop, resolve=self._resolver)
        return (match.end, match.outlet, match.method) if match is not None else None

    def longest_to(self, floor: int, e: int) -> tuple[int, Outlet, str] | None:
        """The longest registry name ending just before e: (start, outlet, method)."""
        match = self.registry.match_ending_at(self.tokens, e, floor, resolve=self._resolver)
        if match is None:
            return None
        s = match.start
        if self.norm(s) == "the" and s + 1 < e and self.resolve(s + 1, e) is not None:
            s += 1  # «The National Bank said»: the article is not part of the name
        return s, match.outlet, match.method

    def skip_lead(self, s: int, stop: int) -> int:
        """Skip generic nouns, data words and adverbs before a name («агентство», «данные», «the»)."""
        while s < stop - 1:
            word = self.norm(s)
            if word in GENERIC_MEDIA or word in DATA_WORDS or word in LEAD_FILLERS:
                s += 1
            elif word in {"в", "на"} and self.norm(s + 1) in CHANNEL_NOUNS and s + 2 < stop:
                s += 2  # «со ссылкой на пост в Telegram-канале X»
            elif (word == "the" and not self.tokens[s].is_capitalised) or (
                word in RU_PRESS and self.norm(s + 1) in RU_PRESS
            ):
                s += 1
            else:
                break
        return s

    def is_person_at(self, s: int, e: int) -> bool:
        """A person title first, or after an adjective («официальный представитель», «Государственный
        секретарь»)."""
        if self.tokens[s].is_word and _is_person_word(self.norm(s)):
            return True
        first = self.tokens[s]
        nxt = s + 1
        adjective = first.text.islower() or first.norm.endswith(_ADJ_ENDINGS)
        return (
            first.is_word and adjective and nxt < e
            and self.tokens[nxt].is_word and _is_person_word(self.norm(nxt))
        )  # fmt: skip

    def is_vague_at(self, s: int) -> bool:
        word = self.norm(s)
        return _is_vague_word(word) or word in PLATFORMS

    def parse_right(
        self,
        s: int,
        stop: int | None = None,
        *,
        extend: bool = True,
        lower_ok: bool = False,
        lower_body: bool = False,
    ) -> Name | None:
        """The name that starts a slot [s, stop); without stop, the slot ends at punctuation or a stop word."""
        first = s
        if stop is None:
            s = self.skip_lead(s, len(self.tokens))
            stop = self.slot_end(s)
        else:
            s = self.skip_lead(s, stop)
        if s >= stop or self.is_vague_at(s) or self.is_person_at(s, stop):
            return None
        found = self.longest_from(s, stop)
        if found is None and first < s:
            found = self.longest_from(first, stop)  # «Агентстве по финансовому мониторингу»
            s = first if found is not None else s
        if found is None:
            s, found = self._registry_after_adjectives(s, stop)
        if found is not None:
            end, outlet, method = found
            if (
                self.norm(s) == "the"
                and self.registry.lookup_key(tuple(t.norm for t in self.tokens[s:end])) is None
            ):
                s += 1  # «The National Bank»: «The» is not part of this name («The New York Times» keeps it)
            end = self._take_kk_press(end, stop)
            if extend:
                longer = self._extend_right(end, stop)
                if longer > end:
                    again = self.resolve(s, longer)
                    if again is not None:
                        return self.name_from(s, longer, again[0], again[1])
                    return self.name_from(s, longer, None, "unregistered")
            return self.name_from(s, end, outlet, method)
        name = self._unregistered_right(s, stop, lower_ok=lower_ok, lower_body=lower_body)
        if name is None and first < s and self.tokens[first].is_capitalised:
            name = self._unregistered_right(first, stop, lower_ok=lower_ok, lower_body=lower_body)
        return name

    def _registry_after_adjectives(self, s: int, stop: int) -> tuple[int, tuple[int, Outlet, str] | None]:
        """«по данным международного рейтингового агентства Fitch», «аналитический центр Ranking.kz»: a
        registry name after a few lower-case words (not a person's title, not a vague source)."""
        k = s
        while k < stop and k - s < 4:
            tok = self.tokens[k]
            if not (tok.is_word and tok.text.islower()) or tok.norm in STOP_WORDS:
                break
            if _is_person_word(tok.norm) or _is_vague_word(tok.norm):
                return s, None
            k += 1
        if k == s or k >= stop:
            return s, None
        found = self.longest_from(k, stop)
        return (k, found) if found is not None else (s, None)

    def _take_kk_press(self, end: int, stop: int) -> int:
        if end + 1 < stop + 1 and self.norm(end) == KK_PRESS_HEAD and self.norm(end + 1).startswith("қызмет"):
            return end + 2
        return end

    def _extend_right(self, end: int, stop: int) -> int:
        j = end
        while j < stop:
            tok = self.tokens[j]
            if not tok.is_word or tok.norm in STOP_WORDS or tok.norm in COORDINATORS:
                break
            if tok.norm in GEO_EXTENDERS or _GEO_ADJ_RE.match(tok.text):
                j += 1
            elif tok.is_capitalised and self.norm(j - 1) in GEO_NOUNS:
                j += 1  # «ДЧС города Алматы»
            elif tok.text.isupper() and len(tok.text) >= 2 and tok.text.isalpha() and j == end:
                j += 1
            elif j == end and tok.is_capitalised and self._abbreviation(end - 1):
                j += 1  # «ДЧС Алматы», «МВД Кыргызстана»: a regional or foreign body, not the ministry
            else:
                break
        return j

    def _abbreviation(self, i: int) -> bool:
        text = self.tokens[i].text
        return 2 <= len(text) <= 6 and text.isupper() and text.isalpha()

    def _unregistered_right(
        self, s: int, stop: int, *, lower_ok: bool, lower_body: bool = False
    ) -> Name | None:
        toks = self.tokens
        first = toks[s]
        if first.kind == "quote":
            close = next((k for k in range(s + 1, stop) if toks[k].kind == "quote"), None)
            if close is None or close == s + 1:
                return None
            end = close + 1
            while end + 1 < stop and toks[end].kind == "quote":
                end += 1  # nested closing quotes «АО «НК «...»»
            return self._checked(s, end)
        if not first.is_word:
            return None
        if _is_domain(first.norm) or (first.is_capitalised and first.norm.isascii()):
            end = s + 1
            while end < stop and (toks[end].is_capitalised or _is_domain(toks[end].norm)):
                end += 1
            return self._checked(s, end)
        press = first.norm in RU_PRESS
        body_lead = _looks_like_body([first.norm])
        if lower_body and not (first.is_capitalised or press or body_lead):
            body_lead = self._lower_body_name(s, stop)  # «городской избирательной комиссии»
        if not (first.is_capitalised or press or lower_ok or body_lead):
            return None
        end = s + 1
        while end < stop:
            tok = toks[end]
            if tok.norm in COORDINATORS and end + 1 < stop and self._starts_name(end + 1):
                break
            end += 1
        end = self._trim_generic_tail(s, end)
        if end - s > MAX_NAME_TOKENS:
            return None
        lowercase_only = not any(t.is_capitalised for t in toks[s:end])
        if body_lead and lowercase_only and not (press or lower_ok or (lower_body and end - s >= 2)):
            return None  # «в полиции»: a body named only by a common noun
        rest = [t for t in toks[s + 1 if press else s : end] if t.is_word]
        if rest and all(_is_vague_word(t.norm) or _anaphoric(t) for t in rest):
            return None  # «пресс-служба ведомства», «в министерстве»: refers back to a body named before
        return self._checked(s, end)

    def _lower_body_name(self, s: int, stop: int) -> bool:
        words = [t.norm for t in self.tokens[s:stop] if t.is_word]
        return (
            2 <= len(words) <= 5
            and _looks_like_body(words)
            and all(t.text.islower() for t in self.tokens[s:stop] if t.is_word)
        )

    def _starts_name(self, i: int) -> bool:
        tok = self.tokens[i]
        return tok.kind == "quote" or tok.is_capitalised or tok.norm in RU_PRESS or _is_domain(tok.norm)

    def _generic_tail(self, i: int) -> bool:
        tok = self.tokens[i]
        return tok.is_word and tok.text.islower() and tok.norm in GENERIC_MEDIA

    def _trim_generic_tail(self, s: int, end: int) -> int:
        while end - 1 > s and self._generic_tail(end - 1):
            end -= 1
        return end

    def _checked(self, s: int, end: int) -> Name | None:
        words = [t.norm for t in self.tokens[s:end] if t.is_word]
        if len(words) > 1 and words[0] == "the":
            words = words[1:]
        if not words or any(w in PLATFORMS for w in words[:1]) or _is_vague_word(words[0]):
            return None
        if _is_person_word(words[0]) or _is_person_word(words[-1]):
            return None  # Russian and English titles come first, Kazakh ones last («Мемлекет басшысы»)
        return self.name_from(s, end, None, "unregistered")

    def parse_left(self, floor: int, j: int, *, strict: bool = False) -> Name | None:
        """The name that ends a slot [floor, j) (Kazakh postpositions, English «X reports»)."""
        while floor < j and (self._is_opener(floor) or self.tokens[floor].kind != "word"):
            if self.tokens[floor].kind == "quote" and self._opens_name(floor, j):
                break
            floor += 1
        if floor >= j:
            return None
        ends = [j]
        while ends[-1] - 1 > floor and self.tokens[ends[-1] - 1].text.islower():
            if self.norm(ends[-1] - 1) not in GENERIC_MEDIA:
                break
            ends.append(ends[-1] - 1)  # «Reuters агенттігі», «Kazinform's correspondent»
        for e in ends:
            found = self.longest_to(floor, e)
            if found is not None:
                return self._left_registered(floor, e, found)
        if strict:
            return None
        return self._left_unregistered(floor, ends[-1])

    def _is_opener(self, i: int) -> bool:
        word = self.norm(i)
        return word in LEFT_OPENERS and not (word == "the" and self.tokens[i].is_capitalised)

    def _left_registered(self, floor: int, e: int, found: tuple[int, Outlet, str]) -> Name | None:
        s, outlet, method = found
        k = s
        while k > floor and (self.norm(k - 1) in LEFT_GEO or self.norm(k - 1) in {"облысы", "қаласы"}):
            k -= 1
            if self.norm(k) in {"облысы", "қаласы"} and k > floor:
                k -= 1
        if k < s:
            return self.name_from(k, e, None, "unregistered")
        if s - floor <= 3 and any(self.is_person_at(i, i + 1) for i in range(floor, s)):
            return None  # «председателя Нацбанка»: the body is inside a person's title
        return self.name_from(s, e, outlet, method)

    def _left_unregistered(self, s: int, e: int) -> Name | None:
        if e - s > MAX_LEFT_TOKENS:
            run = self._capitalised_run(s, e)
            if run is None:
                return None
            s = run
        if any(_is_person_word(t.norm) for t in self.tokens[s:e] if t.is_word):
            return None
        first = self.tokens[s]
        if not (first.is_capitalised or first.kind == "quote" or _is_domain(first.norm)):
            return None
        return self._checked(s, e)

    def _capitalised_run(self, floor: int, e: int) -> int | None:
        s = e
        while s > floor and (self.tokens[s - 1].is_capitalised or self.norm(s - 1) in {"of", "for", "and"}):
            s -= 1
        while s < e and not self.tokens[s].is_capitalised:
            s += 1
        return s if s < e else None

    # -- evidence -------------------------------------------------------------------------------------

    def evidence(self, start: int, end: int) -> str:
        i = bisect.bisect_right(self.sentence_starts, start) - 1
        s = self.sentence_starts[max(i, 0)]
        k = bisect.bisect_left(self.sentence_starts, end)
        e = self.sentence_starts[k] if k < len(self.sentence_starts) else len(self.text)
        sentence = self.text[s:e].strip()
        if len(sentence) <= MAX_EVIDENCE:
            return sentence
        mid = (start + end) // 2 - s
        lo = max(0, min(mid - MAX_EVIDENCE // 2, len(sentence) - MAX_EVIDENCE))
        return sentence[lo : lo + MAX_EVIDENCE].strip()


def _blocked_tokens(text: str, tokens: list[Token]) -> list[bool]:
    """Tokens inside quoted speech or on a photo-credit line: no trigger or name counts there."""
    spans = _merged(
        (m.start() + 1, m.end() - 1)
        for regex in _SPEECH_RES
        for m in regex.finditer(text)
        if _is_speech(text, m.start(), m.end())
    )
    blocked = [False] * len(tokens)
    k = 0
    for idx, tok in enumerate(tokens):  # tokens and disjoint spans both in text order: one pass
        while k < len(spans) and spans[k][1] <= tok.start:
            k += 1
        blocked[idx] = k < len(spans) and spans[k][0] <= tok.start
    _block_credit_lines(tokens, blocked)
    return blocked


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping character spans merged into disjoint ones, in order."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _is_speech(text: str, start: int, end: int) -> bool:
    inner = text[start + 1 : end - 1]
    words = _SPEECH_WORD_RE.findall(inner)
    if len(words) >= 8 or (len(words) >= 4 and any(c in inner for c in ",.!?…:;")):
        return True
    after = text[end : end + 4].lstrip(",.!? ")
    return len(words) >= 3 and after[:1] in {"-", "–", "—"}


def _block_credit_lines(tokens: list[Token], blocked: list[bool]) -> None:
    """«Фото: …», «Источник фото: …», «Сурет: …», «Photo: …», «Коллаж …/Vecher.kz» up to the line end."""
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        credit = tok.is_word and tok.norm in CREDIT_WORDS
        if credit and (_credit_follows(tokens, i) or _short_line_start(tokens, i)):
            j = i
            while j < n and tokens[j].kind != "newline":
                blocked[j] = True
                j += 1
            i = j
        i += 1


def _short_line_start(tokens: list[Token], i: int) -> bool:
    """«Фото Даурена Сейткали/Vecher.kz»: a short line that starts with a credit word (a caption)."""
    if i > 0 and tokens[i - 1].kind != "newline":
        return False
    end = next((k for k in range(i, min(len(tokens), i + 16)) if tokens[k].kind == "newline"), len(tokens))
    return end - i <= 12


def _credit_follows(tokens: list[Token], i: int) -> bool:
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].norm if i > 0 else ""
    return nxt in {":", "/", "—", "–", "-"} or prev in SOURCE_LABELS


# --------------------------------------------------------------------------------------------------
# Handlers: each looks at a trigger token and adds chains
# --------------------------------------------------------------------------------------------------


def _hop(doc: _Doc, name: Name, relation: str, anchor: int, weight: float = 1.0) -> Hop:
    tokens = doc.tokens
    start = min(tokens[anchor].start, tokens[name.start].start)
    end = max(tokens[anchor].end, tokens[name.end - 1].end)
    return Hop(name, relation, start, end, weight=weight)


def _subject_relation(name: Name, default: str) -> str:
    if default != "cites":
        return default
    return "cites" if name.media else "statement"


def _add(doc: _Doc, levels: list[list[Hop]], pos: int, *, rank: int = 2, secondary: bool = False) -> None:
    levels = [level for level in levels if level]
    if levels:
        doc.chains.append(Chain(levels, rank, pos, secondary))


def _coordinated(doc: _Doc, first: Name, **kwargs: Any) -> list[Name]:
    """«X и Y»: the names joined by «и» / «and» after the first one."""
    names = [first]
    k = first.end
    while k < len(doc.tokens) and doc.norm(k) in COORDINATORS and not doc.blocked[k]:
        nxt = doc.parse_right(k + 1, **kwargs)
        if nxt is None or nxt.start != doc.skip_lead(k + 1, len(doc.tokens)):
            break
        names.append(nxt)
        k = nxt.end
    return names


def _links(doc: _Doc, k: int, levels: list[list[Hop]]) -> int:
    """Follow «со ссылкой на Y», «, который ссылается на Y», «citing Y» after a name ending at k."""
    n = len(doc.tokens)
    while k < n:
        j = k
        if doc.norm(j) == "," and j + 1 < n:
            j += 1
        link_end = _link_at(doc, j)
        if link_end is None:
            return k
        while True:  # «со ссылкой на со ссылкой на»: one hop
            again = _link_at(doc, link_end)
            if again is None:
                break
            link_end = again
        name = doc.parse_right(link_end, lower_body=True)
        if name is None:
            return link_end
        names = _coordinated(doc, name)
        levels.append([_hop(doc, nm, "cites", j) for nm in names])
        doc.consumed.update(range(j, names[-1].end))
        k = names[-1].end
    return k


def _link_at(doc: _Doc, j: int) -> int | None:
    """The token after a link phrase starting at j, or None."""
    a, b, c = doc.can(j), doc.can(j + 1), doc.can(j + 2)
    if a in {"со", "с"} and b == "ссылкой" and c == "на":
        return j + 3
    if a == "ссылкой" and b == "на":
        return j + 2
    if a in RU_RELATIVE and b in {"ссылается", "ссылаются"} and c == "на":
        return j + 3
    if a in RU_RELATIVE and b == "приводит" and doc.norm(j + 2) in {"данные", "сведения", "информацию"}:
        return j + 3
    if a in RU_LINK_VERBS and b == "на":
        return j + 2
    if a in EN_LINKS:
        return j + 1
    if a == "with" and b == "reference" and c == "to":
        return j + 3
    if a == "referring" and b == "to":
        return j + 2
    return None


def _relay(doc: _Doc, i: int, relation: str) -> None:
    """«..., сообщает X [со ссылкой на Y ...]», «цитирует министра X», «Об этом сообщило МЧС»."""
    s = i + 1
    while doc.can(s) == doc.can(i):
        s += 1  # «сообщает сообщает»
    if s < len(doc.tokens) and doc.norm(s) in {"в", "во"}:
        return  # «пишет в Facebook блогер»: a person's channel
    name = _quoted_subject(doc, s) if relation == "quotes" else doc.parse_right(s)
    if name is None:
        return
    names = _coordinated(doc, name)
    hops = [_hop(doc, nm, _subject_relation(nm, relation), i) for nm in names]
    levels = [hops]
    doc.consumed.update(range(i, names[-1].end))
    _links(doc, names[-1].end, levels)
    _add(doc, levels, doc.tokens[i].start)


def _quoted_subject(doc: _Doc, s: int) -> Name | None:
    """«цитирует председателя Нацбанка Kursiv.kz»: the last name in the slot not inside a person's title."""
    stop = min(len(doc.tokens), doc.slot_end(s, limit=20))
    best: Name | None = None
    k = s
    after_person = False
    while k < stop:
        if doc.tokens[k].is_word and _is_person_word(doc.norm(k)):
            after_person = True
            k += 1
            while (
                k < stop
                and doc.tokens[k].is_word
                and doc.tokens[k].text.islower()
                and doc.norm(k) not in RU_PRESS
            ):
                k += 1  # «главу ведомства», «министра национальной экономики»
            continue
        name = doc.parse_right(k, stop, extend=False)
        if name is not None and name.start == doc.skip_lead(k, stop):
            if not (after_person and name.end < stop and _more_names(doc, name.end, stop)):
                best = name
            after_person = False
            k = name.end
            continue
        k += 1
    return best


def _more_names(doc: _Doc, k: int, stop: int) -> bool:
    return any(doc.parse_right(m, stop, extend=False) is not None for m in range(k, stop))


def _impersonal(doc: _Doc, i: int) -> None:
    """«сообщается со ссылкой на X», «говорится в сообщении X», «сообщается на сайте X»."""
    j = i + 1
    if _link_at(doc, j) is not None:
        levels: list[list[Hop]] = []
        _links(doc, i + 1, levels)
        _add(doc, levels, doc.tokens[i].start)
        return
    if doc.norm(j) in {"в", "во", "на"}:
        k = j + 1
        while doc.norm(k) in {"официальном", "своем", "официальной", "совместном"}:
            if doc.norm(k) == "своем":
                return
            k += 1
        if doc.norm(k) in RU_DOC_NOUNS:
            name = doc.parse_right(k + 1)
            if name is not None:
                doc.consumed.update(range(i, name.end))
                _add(doc, [[_hop(doc, name, _subject_relation(name, "cites"), i)]], doc.tokens[i].start)


def _plural_statement(doc: _Doc, i: int) -> None:
    """«сообщили в X», «Как сообщили в пресс-службе X», «В X сообщили, что»."""
    j = _past_addressee(doc, i + 1)
    if doc.norm(j) in {"в", "во"}:
        name = doc.parse_right(j + 1, lower_body=True)
        if name is not None and _institution(doc, name):
            doc.consumed.update(range(i, name.end))
            relation = "statement" if not (name.outlet and name.outlet.is_media) else "cites"
            _add(doc, [[_hop(doc, name, relation, i)]], doc.tokens[i].start, secondary=True)
        return
    floor = doc.clause_start(i)
    while floor < i and doc.norm(floor) in {"как", "также", "ранее", "об", "этом"}:
        floor += 1
    end = i
    while end > floor and doc.norm(end - 1) in LEAD_FILLERS | {"уже", "нам", "изданию", "редакции"}:
        end -= 1  # «В Национальном банке ранее отмечали»
    if doc.norm(floor) in {"в", "во"} and end - floor >= 2:
        name = doc.parse_right(floor + 1, end, lower_body=True)
        if name is not None and name.end == end and _institution(doc, name):
            relation = "statement" if not (name.outlet and name.outlet.is_media) else "cites"
            _add(doc, [[_hop(doc, name, relation, i)]], doc.tokens[floor].start, secondary=True)


def _institution(doc: _Doc, name: Name) -> bool:
    """«сообщили в X» names an institution: a registry entry or a name with a body word, not a city."""
    if name.outlet is not None:
        return True
    words = [t.norm for t in doc.tokens[name.start : name.end] if t.is_word]
    return _looks_like_body(words) or doc.tokens[name.start].kind == "quote"


def _past_addressee(doc: _Doc, j: int) -> int:
    """«сообщили Vecher.kz в пресс-службе …», «сообщили корреспонденту Tengrinews.kz в …»: skip the
    addressee (told to the outlet) to reach «в»."""
    for k in range(j, min(j + 4, len(doc.tokens))):
        if doc.norm(k) in {"в", "во"}:
            return k if k > j else j
        if doc.is_boundary(k) or doc.blocked[k]:
            break
    return j


def _left_statement(doc: _Doc, i: int) -> None:
    """«МЧС сообщило, что …»: a registry name right before the verb, at the start of its clause."""
    floor = doc.clause_start(i)
    while floor < i and doc.norm(floor) in {"как", "также", "ранее"}:
        floor += 1
    if floor >= i:
        return
    name = doc.parse_left(floor, i, strict=True)
    if name is None or name.start != floor:
        return
    _add(doc, [[_hop(doc, name, _subject_relation(name, "cites"), i, 0.9)]], doc.tokens[floor].start)


def _data(doc: _Doc, i: int, s: int) -> None:
    """«по данным X», «согласно информации X», «according to X»: a data source (cites)."""
    name = doc.parse_right(s, lower_body=True)
    if name is None:
        return
    names = _coordinated(doc, name)
    doc.consumed.update(range(i, names[-1].end))
    for nm in names:
        _add(doc, [[_hop(doc, nm, "cites", i)]], doc.tokens[i].start, secondary=not nm.media)


def _interview(doc: _Doc, i: int, s: int) -> None:
    name = doc.parse_right(s, extend=False)
    if name is None:
        return
    doc.consumed.update(range(i, name.end))
    _add(doc, [[_hop(doc, name, "interview", i, 0.95)]], doc.tokens[i].start, secondary=True)


def _source_line(doc: _Doc, i: int) -> None:
    """«Источник: X» / «Дереккөз: X» / «Source: X» at a line or sentence start; not «Источник фото»."""
    toks = doc.tokens
    if i > 0 and not (toks[i - 1].kind == "newline" or toks[i - 1].text in {".", "!", "?", "|", "(", "["}):
        return
    if doc.norm(i + 1) != ":":
        return
    s = i + 2
    end = s
    while end < len(toks) and toks[end].kind != "newline":
        end += 1
    level: list[Hop] = []
    k = s
    while k < end:
        stop = k
        while (
            stop < end and toks[stop].text not in {",", ";", "|", ")", "]"} and not _sentence_dot(doc, stop)
        ):
            stop += 1
        name = _url_name(doc, k, stop) or doc.parse_right(k, stop, lower_ok=False)
        if name is not None:
            level.append(_hop(doc, name, "cites", i))
        k = stop + 1
    if level:
        doc.consumed.update(range(i, end))
        _add(doc, [level], toks[i].start, rank=1)


def _sentence_dot(doc: _Doc, k: int) -> bool:
    tok = doc.tokens[k]
    return tok.text == "." and (tok.end >= len(doc.text) or doc.text[tok.end].isspace())


def _url_name(doc: _Doc, s: int, stop: int) -> Name | None:
    """«Источник: https://tengrinews.kz/...»: the outlet of the URL's host."""
    text = doc.text[doc.tokens[s].start : doc.tokens[stop - 1].end] if stop > s else ""
    m = re.match(r"(?:https?://)?((?:[\w-]+\.)+[a-z]{2,})(?:/\S*)?$", text.strip(), re.IGNORECASE)
    if not m or ("/" not in text and "://" not in text):
        return None
    outlet = doc.registry.by_domain(m.group(1))
    return Name(s, stop, text.strip(), outlet, "domain" if outlet else "unregistered", True)


def _kk_relay(doc: _Doc, i: int) -> None:
    """«…, деп хабарлайды X [Y-ке сілтеме жасап]», «деп жазады X газеті»."""
    s = i + 1
    stop = s
    while stop < len(doc.tokens) and not doc.is_boundary(stop) and doc.can(stop) != "сілтеме":
        stop += 1
    silteme = stop < len(doc.tokens) and doc.can(stop) == "сілтеме"
    first = doc.parse_right(s, stop, extend=False)
    if first is None:
        return
    first_end = first.end
    if not first.outlet and silteme:
        first = _first_of_two(doc, s, stop) or first
        first_end = first.end
    while first_end < stop and doc.norm(first_end) in GENERIC_MEDIA:
        first_end += 1  # «ҚазАқпарат тілшісі», «Reuters агенттігі»
    verb_rel = "statement" if doc.can(i) == "мәлімдеді" else "cites"
    levels = [[_hop(doc, first, _subject_relation(first, verb_rel), i)]]
    if silteme and first_end < stop:
        second = doc.parse_right(first_end, stop, extend=False, lower_ok=True)
        if second is not None:
            levels.append([_hop(doc, second, "cites", stop)])
    doc.consumed.update(range(i, stop + 1))
    _add(doc, levels, doc.tokens[i].start)


def _first_of_two(doc: _Doc, s: int, stop: int) -> Name | None:
    """«Informburo.kz Diapazon.kz-ке сілтеме»: the first of two unregistered names is one token."""
    tok = doc.tokens[s]
    if tok.kind == "quote":
        return None
    if _is_domain(tok.norm) or tok.norm.isascii():
        return doc.name_from(s, s + 1, None, "unregistered")
    return None


def _kk_silteme_alone(doc: _Doc, i: int) -> None:
    """«ҚазАқпаратқа сілтеме жасап, …» with no relay named before: cited by the publisher."""
    floor = doc.clause_start(i)
    name = doc.parse_left(floor, i)
    if name is not None:
        _add(doc, [[_hop(doc, name, "cites", i)]], doc.tokens[name.start].start)


def _kk_left_cites(doc: _Doc, i: int, first: int) -> None:
    """«Қазгидромет мәліметінше», «ТЖМ хабарлауынша», «Қазгидрометтің болжамынша» (cites)."""
    floor = doc.clause_start(first)
    name = doc.parse_left(floor, first)
    if name is None:
        return
    _add(doc, [[_hop(doc, name, "cites", i)]], doc.tokens[name.start].start, secondary=not name.media)


def _kk_left_statement(doc: _Doc, i: int) -> None:
    """«ІІМ баспасөз қызметі хабарлады»: a registry name right before the verb; after «Бұл туралы»
    («Об этом») any name-like subject."""
    floor = doc.clause_start(i)
    about = doc.norm(floor) in {"бұл", "осы"} and doc.norm(floor + 1) in {"туралы", "жөнінде", "жайлы"}
    if about:
        name = doc.parse_right(floor + 2, i, lower_ok=True)
        if name is not None and name.end == i:
            _add(doc, [[_hop(doc, name, _subject_relation(name, "cites"), i)]], doc.tokens[floor].start)
        return
    name = doc.parse_left(floor, i, strict=True)
    if name is None or name.end != i:
        return
    _add(doc, [[_hop(doc, name, _subject_relation(name, "cites"), i, 0.9)]], doc.tokens[name.start].start)


def _kk_delingen(doc: _Doc, i: int) -> None:
    """«…, делінген X [ресми] хабарламасында» (statement)."""
    s = i + 1
    k = s
    while k < len(doc.tokens) and k - s < 12 and not doc.is_boundary(k) and doc.norm(k) not in KK_DOC_NOUNS:
        k += 1
    if doc.norm(k) not in KK_DOC_NOUNS:
        return
    e = k
    while e > s and doc.norm(e - 1) in {"ресми", "соңғы", "жаңа", "арнайы"}:
        e -= 1
    name = doc.parse_right(s, e, lower_ok=True)
    if name is None:
        return
    doc.consumed.update(range(i, k + 1))
    _add(
        doc, [[_hop(doc, name, _subject_relation(name, "statement"), i)]], doc.tokens[i].start, secondary=True
    )


def _kk_interview(doc: _Doc, i: int) -> None:
    """««Хабар 24» телеарнасына берген сұхбатында» (interview)."""
    if doc.norm(i - 1) != "берген":
        return
    floor = doc.clause_start(i - 1)
    name = doc.parse_left(floor, i - 1)
    if name is not None:
        _add(doc, [[_hop(doc, name, "interview", i, 0.95)]], doc.tokens[name.start].start, secondary=True)


def _en_report(doc: _Doc, i: int) -> None:
    """«…, Kazinform reports [citing Y]», «the Bureau of National Statistics said», «as reported by X»."""
    if doc.norm(i + 1) == "by" and doc.can(i) == "reported":
        name = doc.parse_right(i + 2)
        if name is not None:
            levels = [[_hop(doc, name, _subject_relation(name, "cites"), i)]]
            _links(doc, name.end, levels)
            _add(doc, levels, doc.tokens[i].start)
        return
    floor = doc.clause_start(i)
    name = doc.parse_left(floor, i)
    if name is None:
        if floor == i and (
            doc.norm(i + 1) == "the" or doc.tokens[min(i + 1, len(doc.tokens) - 1)].is_capitalised
        ):
            _en_inverted(doc, i)  # «…, said the Ministry of Energy.»
        return
    said = doc.can(i) in EN_SAID
    if (
        said
        and name.outlet is None
        and not _looks_like_body([t.norm for t in doc.tokens[name.start : name.end]])
    ):
        return  # «Zhanibekov said»: a person
    relation = "statement" if said and not name.media else _subject_relation(name, "cites")
    levels = [[_hop(doc, name, relation, i)]]
    k = i + 1
    if doc.norm(i) == "cited":  # «Interfax-Kazakhstan cited the Agriculture Ministry as saying»
        cited = doc.parse_right(k)
        if cited is not None:
            levels.append([_hop(doc, cited, "cites", i)])
            k = cited.end
    while doc.norm(k) in {"on", "earlier", "today", "yesterday", "monday", "tuesday", "wednesday", "thursday",
                          "friday", "saturday", "sunday", "in", "a", "statement"}:  # fmt: skip
        k += 1
    _links(doc, k, levels)
    _add(doc, levels, doc.tokens[name.start].start, secondary=relation == "statement")


def _en_inverted(doc: _Doc, i: int) -> None:
    name = doc.parse_right(i + 1)
    if name is None or (
        name.outlet is None and not _looks_like_body([t.norm for t in doc.tokens[name.start : name.end]])
    ):
        return
    relation = "statement" if doc.can(i) in EN_SAID and not name.media else _subject_relation(name, "cites")
    _add(doc, [[_hop(doc, name, relation, i)]], doc.tokens[i].start, secondary=relation == "statement")


def _en_interview(doc: _Doc, i: int) -> None:
    if doc.norm(i + 1) == "with":
        name = doc.parse_right(i + 2, extend=False)
        if name is not None:
            end = name.end
            _add(doc, [[_hop(doc, name, "interview", i, 0.95)]], doc.tokens[i].start, secondary=True)
            doc.consumed.update(range(i, end))


def _dateline(doc: _Doc) -> None:
    """«АСТАНА. KAZINFORM —», «Алматы. 11 февраля. KAZAKHSTAN TODAY -», «ALMATY, Feb 11 (Reuters) -»."""
    offset = 0
    for line_no, line in enumerate(doc.text.split("\n")):
        if line.strip():
            _dateline_in_line(doc, line, offset)
            if line_no > 2 or len(line.strip()) > 80:
                return
        offset += len(line) + 1


def _dateline_in_line(doc: _Doc, line: str, offset: int) -> None:
    for regex in (_DATELINE_RE, _DATELINE_AFTER_RE):
        m = regex.match(line)
        if not m:
            continue
        agency = m.group("agency")
        a_start = m.start("agency") + offset
        stripped = agency.strip().strip("()").strip()
        a_start += agency.find(stripped) if stripped else 0
        outlet = doc.registry.lookup(stripped)
        if not m.group("city")[:1].isupper() or (outlet is not None and not outlet.is_media):
            continue
        if outlet is None and not _agency_like(stripped, m.group("city"), regex is _DATELINE_AFTER_RE):
            continue
        s = bisect.bisect_left([t.start for t in doc.tokens], a_start)
        e = s
        while e < len(doc.tokens) and doc.tokens[e].end <= a_start + len(stripped):
            e += 1
        if s >= e:
            continue
        method = "exact" if outlet else "unregistered"
        name = Name(s, e, doc.text[a_start : a_start + len(stripped)], outlet, method, True)
        hop = Hop(name, "cites", offset + m.start(), a_start + len(stripped), method="dateline")
        doc.consumed.update(range(s, e))
        _add(doc, [[hop]], offset + m.start(), rank=0)
        return


def _agency_like(agency: str, city: str, dash_first: bool) -> bool:
    """An unregistered dateline agency: one to three capitalised words («Sputnik», «NEWS-ASIA»), after
    an upper-case city or in the «CITY, date — Agency.» form."""
    words = agency.split()
    if not 1 <= len(words) <= 3 or any(not w[:1].isupper() or any(c.isdigit() for c in w) for w in words):
        return False
    return dash_first or city.isupper()


# --------------------------------------------------------------------------------------------------
# Scan and assembly
# --------------------------------------------------------------------------------------------------


def _scan(doc: _Doc) -> None:
    _dateline(doc)
    for i, tok in enumerate(doc.tokens):
        word = doc.canon[i]
        if word not in DISPATCH_WORDS or not tok.is_word or doc.blocked[i] or i in doc.consumed:
            continue
        _dispatch(doc, i, word)


def _dispatch(doc: _Doc, i: int, word: str) -> None:
    """Run the handler of the trigger family that word (the canonical form of token i) belongs to."""
    prev = doc.can(i - 1)
    if word in RU_QUOTE_VERBS:
        _relay(doc, i, "quotes")
    elif word in RU_SUBJECT_VERBS:
        if doc.norm(i + 1) in {",", "что", "о", "об", ":"} or doc.norm(i + 1) == "":
            if word in RU_LEFT_STATEMENT:
                _left_statement(doc, i)
            return
        _relay(doc, i, "cites")
    elif word in RU_IMPERSONAL:
        _impersonal(doc, i)
    elif word in RU_PLURAL_STATEMENT:
        _plural_statement(doc, i)
    elif word == "ссылкой" and prev in {"со", "с"} and (i - 1) not in doc.consumed:
        levels: list[list[Hop]] = []
        _links(doc, i - 1, levels)
        _add(doc, levels, doc.tokens[i].start)
    elif (word in RU_DATA_NOUNS and (prev == "по" or _adj_after_po(doc, i))) or (
        word in RU_SOGLASNO_NOUNS and prev == "согласно"
    ):
        _data(doc, i, i + 1)
    elif word == "приводит" and doc.norm(i + 1) in {"данные", "сведения", "цифры"}:
        _data(doc, i, i + 2)
    elif word == "приводит" and doc.norm(i - 1) in {"данные", "сведения", "цифры"}:
        _data(doc, i, i + 1)  # «Такие данные приводит БНС»
    elif word == "according" and doc.norm(i + 1) == "to":
        _data(doc, i, i + 2)
    elif word in {"data", "figures", "statistics"} and doc.norm(i + 1) in {"from", "by", "of"}:
        _data(doc, i, i + 2)  # «Data from the Bureau of National Statistics showed»
    elif word == "интервью" and (prev in {"в", "во"} or doc.norm(i - 2) in {"в", "во"}):
        _interview(doc, i, i + 1)
    elif word == "беседе" and prev == "в" and doc.norm(i + 1) in {"с", "со"}:
        _interview(doc, i, i + 2)
    elif word == "эфире" and prev == "в":
        _interview(doc, i, i + 1)
    elif word == "interview":
        _en_interview(doc, i)
    elif word in SOURCE_LABELS and doc.norm(i - 1) not in CREDIT_WORDS:
        _source_line(doc, i)
    elif word in KK_RELAY_VERBS and prev == "деп":
        _kk_relay(doc, i)
    elif word in KK_LEFT_STATEMENT:
        _kk_left_statement(doc, i)
    elif word == "сілтеме":
        _kk_silteme_alone(doc, i)
    elif word in KK_LEFT_CITES:
        _kk_left_cites(doc, i, i)
    elif (doc.norm(i - 1), doc.norm(i)) in KK_LEFT_CITES_PAIRS:
        _kk_left_cites(doc, i, i - 1)
    elif word == "делінген":
        _kk_delingen(doc, i)
    elif word == "сұхбатында":
        _kk_interview(doc, i)
    elif word in EN_REPORT_VERBS:
        _en_report(doc, i)
    elif word == "quoted":
        _en_quoted(doc, i)


DISPATCH_WORDS = (
    RU_QUOTE_VERBS
    | RU_SUBJECT_VERBS
    | RU_IMPERSONAL
    | RU_PLURAL_STATEMENT
    | RU_DATA_NOUNS
    | RU_SOGLASNO_NOUNS
    | KK_RELAY_VERBS
    | KK_LEFT_STATEMENT
    | KK_LEFT_CITES
    | EN_REPORT_VERBS
    | SOURCE_LABELS
    | {b for _, b in KK_LEFT_CITES_PAIRS}
    | _words(
        "data figures statistics ссылкой приводит according интервью беседе эфире interview сілтеме делінген сұхбатында quoted"
    )
)


def _adj_after_po(doc: _Doc, i: int) -> bool:
    """«по предварительным данным», «по официальной информации»."""
    return doc.norm(i - 2) == "по" and doc.norm(i - 1).endswith(("ым", "им", "ой", "ей"))


def _en_quoted(doc: _Doc, i: int) -> None:
    """«X quoted Y as saying» (left subject) or «was quoted by X» (right)."""
    by = doc.norm(i + 1) == "by"
    name = doc.parse_right(i + 2) if by else doc.parse_left(doc.clause_start(i), i)
    if name is not None:
        _add(doc, [[_hop(doc, name, "quotes", i)]], doc.tokens[i].start)


def _assemble(doc: _Doc, publisher: Outlet | None, publisher_label: str | None) -> list[dict[str, Any]]:
    def is_self(name: Name) -> bool:
        if publisher is not None:
            return name.outlet is not None and name.outlet.id == publisher.id
        return publisher_label is not None and _same_as_domain(name.text, publisher_label)

    def label(name: Name) -> str | None:
        if is_self(name):
            return publisher_label
        return name.outlet.id if name.outlet else name.text

    chains = sorted(doc.chains, key=lambda c: (c.rank, c.pos))
    outer = [c for c in chains if c.rank < 2]
    # The relay chain of the lead paragraph («…, сообщает A со ссылкой на B») continues the main chain;
    # a medium named further down («Ранее Reuters сообщал…») is one more source of the text, like the
    # data and statements, cited by the last relay in text order.
    lead_end = _lead_end(doc)
    relays = [c for c in chains if c.rank == 2 and c.pos < lead_end and _is_relay(c)]
    relay_ids = {id(c) for c in relays}
    others = [c for c in chains if c.rank == 2 and id(c) not in relay_ids]

    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def emit(chain: Chain, citer: str | None) -> str | None:
        """Emit a chain cited by citer; return the label of its deepest medium (or None)."""
        deepest: str | None = None
        for level in chain.levels:
            for hop in level:
                if hop.name.key not in seen and not is_self(hop.name):
                    seen.add(hop.name.key)
                    out.append(_record(doc, hop, citer))
                elif is_self(hop.name):
                    seen.add(hop.name.key)
            last = level[-1].name
            citer = label(last)
            medium = next((label(h.name) for h in reversed(level) if h.name.media), None)
            if medium is not None:
                deepest = medium
        return deepest

    citer = publisher_label
    for chain in outer:
        deepest = emit(chain, citer)
        citer = deepest or citer
    secondary_citer = citer
    chosen = False
    for chain in relays:
        deepest = emit(chain, citer)
        if not chosen and deepest is not None and deepest != publisher_label:
            secondary_citer, chosen = deepest, True
    for chain in others:
        emit(chain, secondary_citer)
    for position, record in enumerate(out, 1):
        record["position"] = position
    return out


def _is_relay(chain: Chain) -> bool:
    return not chain.secondary and any(h.name.media for h in chain.levels[0])


def _lead_end(doc: _Doc) -> int:
    """Where the lead ends: the end of the first paragraph of some length (a title line before it, a
    dateline or a credit do not count as the lead; they are part of what comes before its end)."""
    words = 0
    for i, tok in enumerate(doc.tokens):
        if tok.kind == "newline" and words >= LEAD_MIN_WORDS:
            return tok.start
        if tok.kind == "newline":
            words = 0
        elif tok.is_word and not doc.blocked[i]:
            words += 1
    return len(doc.text)


def _same_as_domain(name: str, domain: str) -> bool:
    key = " ".join(normalise_name(name))
    domain = domain.casefold().removeprefix("www.")
    return key in {domain, domain.split(".")[0]}


def _record(doc: _Doc, hop: Hop, citer: str | None) -> dict[str, Any]:
    name = hop.name
    base = {"exact": 0.9, "suffix": 0.85, "qualifier": 0.85, "variant": 0.85, "typo": 0.7, "domain": 0.9}
    confidence = base.get(name.method, 0.6) * hop.weight
    if hop.method == "dateline":
        confidence = 0.95
    return {
        "position": 0,
        "source": name.outlet.id if name.outlet else None,
        "source_name": name.text,
        "name": name.outlet.name if name.outlet else None,
        "cited_by": citer,
        "relation": hop.relation,
        "evidence": doc.evidence(hop.start, hop.end),
        "method": hop.method,
        "confidence": round(min(max(confidence, 0.0), 1.0), 2),
        "cited_url": None,
        "resolved_article_id": None,
    }


def _publisher(publisher: str | None, registry: Registry) -> tuple[Outlet | None, str | None]:
    if not publisher or not isinstance(publisher, str):
        return None, None
    outlet = registry.by_domain(publisher)
    if outlet is not None:
        return outlet, outlet.id
    host = publisher.strip().casefold()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].removeprefix("www.")
    return None, host or None


def find_citations(text: str, publisher: str | None = None) -> list[dict[str, Any]]:
    """The ordered citation chain of a text published on the domain ``publisher`` (see the module doc)."""
    if not isinstance(text, str) or not text.strip():
        return []
    registry = load_registry()
    try:
        outlet, label = _publisher(publisher, registry)
        doc = _Doc(text, tokenize(text), registry)
        _scan(doc)
        return _assemble(doc, outlet, label)
    except Exception:  # the crawl goes on without this article's chain; the bug is logged with the text
        logger.exception("find_citations failed on a text of %d characters: %r", len(text), text[:200])
        return []
