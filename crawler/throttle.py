"""AutoThrottle that keeps each site's own minimum delay.

Scrapy's AutoThrottle adapts every download slot's delay to the server's latency, with
DOWNLOAD_DELAY as the only floor: a site's delay from DOWNLOAD_SLOTS is a starting value that a fast
server pulls down to nothing. Politeness towards a named site needs a floor per site, so this
extension keeps each slot's delay at or above the one DOWNLOAD_SLOTS gives it.

Settings read: Scrapy's AUTOTHROTTLE_* settings, DOWNLOAD_SLOTS (``{"host": {"delay": s}}``).
"""

from __future__ import annotations

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Request, Response


class PoliteAutoThrottle(AutoThrottle):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
        self.minimum = {
            key: float(config["delay"])
            for key, config in slots.items()
            if isinstance(config, dict) and "delay" in config
        }

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if key is not None and slot is not None and key in self.minimum:
            slot.delay = max(slot.delay, self.minimum[key])
