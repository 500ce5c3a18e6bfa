"""Cleaning rules: what each named rule removes, and the prose it must leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.clean import clean_article, clean_paragraphs, load_rules

PROSE = (
    "Фото с места происшествия опубликовали очевидцы, и уже к вечеру полиция задержала "
    "водителя, который скрылся после наезда на пешехода."
)


@pytest.mark.parametrize(
    ("line", "rule", "site"),
    [
        (
            "Хочешь получать главные новости на свой телефон? Подпишись на наш Telegram-канал!",
            "vecher_telegram_footer",
            "vecher_kz",
        ),
        (
            "Хочешь получать главные новости на свой телефон? Подпишись на наш Telegram-канал!",
            "subscribe_channel",
            None,
        ),
        ("Подписывайтесь на наш канал в WhatsApp", "subscribe_channel", None),
        ("Читайте нас в Дзен и YouTube", "subscribe_channel", None),
        ("Telegram-арнамызға жазылыңыз!", "subscribe_channel_kk", None),
        ("Follow us on Telegram for the latest news", "subscribe_channel_en", None),
        ("Следите за новостями в нашем Instagram", "follow_news", None),
        ("Источник фото: пресс-служба акимата", "photo_source", None),
        ("Комментарии (3)", "comments_prompt", None),
        ("Следите за главными новостями", "follow_news", None),
        ("Если вы нашли ошибку, выделите текст и нажмите Ctrl+Enter", "error_report", None),
        ("Читайте также: Снег в Алматы выпадет в среду", "read_also", None),
        ("Смотрите также — как изменились цены", "read_also", None),
        ("Фото Кайрата КОНУСПАЕВА", "photo_credit", None),
        ("Коллаж Нурбола Орысулы/Vecher.kz", "photo_credit", None),
        ("Фото: МВД РК", "photo_credit", None),
        ("Фото из открытых источников", "photo_credit", None),
        ("Сурет: Kazinform", "photo_credit", None),
        ("Поделиться", "share_label", None),
        ("Поделиться в WhatsApp", "share_label", None),
        ("Перепечатка материалов только с разрешения редакции", "reprint_notice", None),
        (
            "При полном или частичном использовании материалов ссылка на inform.kz обязательна",
            "kazinform_reprint_notice",
            "kazinform",
        ),
        (
            "При полном или частичном использовании материалов ссылка на сайт обязательна",
            "reprint_notice",
            None,
        ),
        ("© «Вечерний Алматы», 2024", "copyright_line", None),
        ("Реклама", "advertising_label", None),
        ("Источник: Kazinform", "source_line", None),
        ("Теги: Алматы, погода", "tags_line", None),
        ("Автор Vecher.kz /", "byline_line", None),
        ("Автор Айгерим Ибраева, Ерлан Сейтжанов /05:57, 04 февраля 202220448", "byline_date_line", None),
        ("Автор: Иван Петров | 12.03.2024 | 1520", "byline_line", None),
        ("00:31, 08 сентября 2023", "date_line", None),
        ("12:15, 10 Декабрь 2025 | GMT +5", "date_line", None),
    ],
)
def test_each_rule_removes_its_line_and_records_the_removal(line: str, rule: str, site: str | None) -> None:
    kept, removals = clean_paragraphs(["Первый абзац статьи.", line], site=site)
    assert kept == ["Первый абзац статьи."]
    assert removals == [{"rule": rule, "text": line, "position": 1}]


@pytest.mark.parametrize(
    "prose",
    [
        PROSE,
        "Фото и видео с места событий полицейские изучают уже вторые сутки, сообщили в ведомстве.",
        "Реклама на остановках будет запрещена с 1 января, решили депутаты маслихата Алматы.",
        "Источник в акимате рассказал, что работы завершат к осени.",
        "Подписывайтесь — призывал лектор студентов, и зал смеялся, но потом началась серьезная "
        "дискуссия о будущем городского транспорта, о тарифах и маршрутах, о новых автобусах и "
        "о том, почему в Алматы до сих пор нет единой системы оплаты проезда во всех видах "
        "транспорта, включая метро, такси и велопрокат, которым пользуются тысячи горожан.",
        "По теме выступили три эксперта.",
        "Автор проекта Айгуль Сейтова рассказала, как команда собирала деньги на ремонт.",
    ],
)
def test_prose_that_starts_like_boilerplate_is_kept(prose: str) -> None:
    kept, removals = clean_paragraphs([prose])
    assert kept == [prose]
    assert removals == []


def test_site_rules_apply_only_to_their_site() -> None:
    line = "Ссылка на Kazinform обязательна."
    assert clean_paragraphs([line], site="vecher_kz")[0] == [line]
    assert clean_paragraphs([line], site="kazinform")[0] == []


def test_attribution_lines_of_the_article_are_kept() -> None:
    # «Подробности – на сайте Vecher.kz.» is how Vecher.kz points to its own story: prose.
    line = "Подробности – на сайте Vecher.kz."
    assert clean_paragraphs([line], site="vecher_kz")[0] == [line]


def test_title_repeated_with_a_credit_is_removed() -> None:
    title = "Ситуация сейчас очень серьезная"
    kept, removals = clean_paragraphs(
        ["Ситуация сейчас очень серьезная. Фото Кайрата КОНУСПАЕВА", "Текст."], title=title
    )
    assert kept == ["Текст."]
    assert removals[0]["rule"] == "title_repeat"


def test_a_lead_that_starts_with_the_title_is_kept() -> None:
    title = "В Алматы стартовала весенняя посадка деревьев"
    lead = "В Алматы стартовала весенняя посадка деревьев: до конца мая высадят 50 тысяч саженцев."
    assert clean_paragraphs([lead], title=title) == ([lead], [])


def test_white_space_and_invisible_characters_are_normalised() -> None:
    kept, _ = clean_paragraphs(["  Текст\u00a0с\u200b пробелами \n и переносом ", "\u00ad", ""])
    assert kept == ["Текст с пробелами и переносом"]


def test_clean_article_sets_text_lead_and_counts_no_text() -> None:
    record = clean_article({"raw_paragraphs": ["Лид.", "Реклама", "Тело."], "title": "T"})
    assert record["text"] == "Лид.\nТело."
    assert record["lead"] == "Лид."
    empty = clean_article({"raw_paragraphs": ["Реклама"], "title": "T"})
    assert empty["text"] is None and "no_text" in empty["problems"]


def test_rule_names_are_unique_and_every_rule_is_tested() -> None:
    rules = load_rules()
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names))
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [name for name in names if f'"{name}"' not in source]
    assert untested == [], f"add a line for these rules to the parametrised test: {untested}"
