"""``scrapy crawl``, with an exit status that means something to cron.

Scrapy's own ``crawl`` exits 0 whatever happened during the crawl. This one exits non-zero when the
run failed (see crawler.ledger: refused because another run holds the lock, closed for another
reason than "finished", the site blocked us, or article pages were fetched but no article could be
extracted from them), so that cron mails the operator only then.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl <spider>")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None:
            self.exitcode = int(crawler.stats.get_value("news/exit_status", 0) or 0)
