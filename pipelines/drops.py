"""Why an item was dropped: one DropItem subclass per reason.

Scrapy counts dropped items by exception class in its stats (``item_dropped_reasons_count/<Class>``),
so every reason is counted without extra code; each drop is also logged with the URL.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem


class NotAnArticle(DropItem):
    """The page says it is something else (og:type website, ...) or has no article signals."""


class EmptyText(DropItem):
    """No main text could be extracted (empty body, JavaScript app shell, only boilerplate)."""


class TooShort(DropItem):
    """The text left after cleaning is shorter than CLEAN_MIN_TEXT_CHARS: a stub, not an article."""


class Undecodable(DropItem):
    """The page's bytes could not be decoded to text with any charset it declares or implies."""


class DuplicateArticle(DropItem):
    """The same article (same URL key, or same outlet and text) was already stored in this run."""


class StorageFailed(DropItem):
    """The database refused the write (read-only, disk full): the crawl stops, nothing half-written."""


class ExtractionCrashed(DropItem):
    """Extracting the page killed the worker process twice (a parser crash on hostile markup): the
    page is dropped, the pool is restarted and the crawl goes on."""
