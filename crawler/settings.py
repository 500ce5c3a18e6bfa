"""Scrapy settings of the news crawler. Every one can be overridden with ``-s NAME=value``.

The ones a user changes most:
- NEWSDB_PATH: the SQLite file (default output/news.db).
- USER_AGENT: who we are; names the project and a contact address. Set your own contact.
- AUTOTHROTTLE_*, DOWNLOAD_DELAY, CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_SLOTS: politeness.
- HTTP_PROXY / HTTPS_PROXY environment variables: a proxy (Scrapy's HttpProxyMiddleware).
- NEWS_MAX_LISTING_PAGES: how deep pagination of one listing is followed.
- CLEAN_ENABLED, CLEAN_RULES_PATH, CLEAN_MIN_TEXT_CHARS, STORE_RAW_HTML: the pipelines' switches.
- NEWS_RECHECK_DAYS: how long after publication a known article is fetched again for edits.
"""

from __future__ import annotations

BOT_NAME = "kz-news-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identity: a crawler that names itself and a way to reach its operator.
USER_AGENT = "kz-news-crawler/0.1 (+https://github.com/kz-news-crawler; crawler-admin@example.org)"

# Politeness.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# The real sites get a fixed minimum delay under AutoThrottle (crawler.throttle); a local mirror
# does not. No random jitter: the per-site delay is an exact minimum.
DOWNLOAD_SLOTS = {
    "vecher.kz": {"delay": 1.0, "concurrency": 2},
    "www.inform.kz": {"delay": 1.0, "concurrency": 2},
    "kaz.inform.kz": {"delay": 1.0, "concurrency": 2},
}
DOWNLOAD_DELAY_JITTER = 0.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 6
# Breadth-first: listings and sitemaps before deep link chains.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# A cron crawler needs no remote code-execution endpoint listening on a port.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

NEWS_MAX_LISTING_PAGES = 50
NEWS_MAX_SITEMAP_URLS = 50_000

ITEM_PIPELINES = {
    "pipelines.extract_stage.ExtractPipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.provenance.ProvenancePipeline": 300,
    "pipelines.dedupe.DedupePipeline": 250,
    "pipelines.store.StorePipeline": 900,
}

DOWNLOADER_MIDDLEWARES = {
    # Before HttpCompression and the cache-like middlewares: validators are per URL.
    "crawler.middlewares.ConditionalGetMiddleware": 560,
    # Retries that wait (Retry-After, exponential backoff) instead of Scrapy's immediate ones.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # robots.txt answering 5xx means "disallow everything" (RFC 9309), not "allow everything".
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
    # A redirect loop is named and counted (Scrapy's duplicate filter would drop it silently).
    "crawler.middlewares.RedirectLoopMiddleware": 650,
}
RETRY_BACKOFF_BASE = 1.0
RETRY_AFTER_MAX = 120.0
EXTENSIONS = {
    "crawler.ledger.RunLedger": 100,
    # AutoThrottle that keeps the per-site minimum delay of DOWNLOAD_SLOTS (Scrapy's does not).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.PoliteAutoThrottle": 0,
}
COMMANDS_MODULE = "crawler.commands"

# Incremental crawls: a known article is fetched again only inside this window after its
# publication, or when its sitemap lastmod is newer than our last fetch.
NEWS_RECHECK_DAYS = 2.0

CLEAN_MIN_TEXT_CHARS = 150
# "auto": extraction in the crawl's process for the first EXTRACT_POOL_AFTER article pages (a cron
# run that finds a few new articles starts no processes), then in a pool of one worker process per
# core, so a large crawl uses the whole machine. 0: always in-process; N: a pool of N from the start.
EXTRACT_WORKERS = "auto"
EXTRACT_POOL_AFTER = 100

NEWSDB_PATH = "output/news.db"
STORE_RAW_HTML = True

FEED_EXPORT_ENCODING = "utf-8"
