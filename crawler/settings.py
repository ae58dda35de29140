"""Scrapy settings: politeness and robustness come from Scrapy's own machinery, tuned for gov sites.

Government servers are small and slow, some sit behind cloud WAFs that set a cookie by redirect,
many speak only old TLS, and we fetch from far away. So: robots.txt obeyed, AutoThrottle with a 1 s
floor and at most two concurrent requests per host, an honest user agent with a contact URL,
generous timeouts and retries (incl. 412/521/522/524), a size cap, cookies on, offsite filtering
(each spider sets `allowed_domains` from the registry), permissive TLS, and the standard
`http_proxy`/`https_proxy` environment variables honoured by HttpProxyMiddleware.
"""

from __future__ import annotations

import os

BOT_NAME = "ogi-reports"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

CONTACT_URL = os.environ.get("OGI_CONTACT_URL", "https://github.com/ogi-reports/ogi-reports")
USER_AGENT = f"ogi-reports/0.1 (research crawler of government disclosure annual reports; +{CONTACT_URL})"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts a token-protected remote-control HTTP server on every crawl; a scheduled
# crawler needs no such door.
REMOTE_CONTROL_ENABLED = False

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 408, 412, 429, 521, 522, 524]
DOWNLOAD_TIMEOUT = 90
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024

HTTPPROXY_ENABLED = True
DOWNLOADER_CLIENT_TLS_METHOD = "TLS"
DOWNLOADER_CLIENT_TLS_CIPHERS = "DEFAULT:@SECLEVEL=1"

ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 100,
    "crawler.pipelines.ExtractPipeline": 200,
    "crawler.pipelines.CollectPipeline": 300,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Our own settings (`ogi crawl` and `-s KEY=VALUE` override them).
OGI_ARCHIVE_DIR = "archive"  # WARC files + catalog.sqlite
OGI_OUTPUT_DIR = "output"  # dataset written through writers.dataset.DatasetWriter
OGI_EXTRACT = True  # run extractors on report pages and PDF attachments during the crawl
OGI_EXTRACT_WORKERS = 1  # extraction processes beside the reactor (0: a thread of the crawl process)
OGI_COLLECT = True  # write the dataset at the end of the crawl
OGI_REGISTRY = ""  # registry CSV (default: crawler/sites.csv)
OGI_SUMMARY = ""  # where to write the per-site crawl summary (default: ARCHIVE/crawl-summary.json)

# Issue 5 (crawler/incremental.py, robust.py, monitors.py, redis_support.py; docs/RUNNING.md):
# incremental revalidation against the catalog, charset sanity, a log of final failures, the
# machine-readable run summary, a SIGKILL-safe JOBDIR, and Redis workers (only with OGI_REDIS_URL).
DOWNLOADER_MIDDLEWARES = {
    "crawler.monitors.FailureMiddleware": 540,  # after RetryMiddleware (550): final outcomes only
    "crawler.robust.CharsetFixMiddleware": 560,
    "crawler.incremental.IncrementalMiddleware": 580,  # below HttpCompression (590): sees decoded bodies
    # cloud-WAF cookie challenges (302 to the same address) pass the duplicate filter:
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.SameUrlRedirectMiddleware": 600,
}
SPIDER_MIDDLEWARES = {"crawler.redis_support.ClaimMiddleware": 60}
EXTENSIONS = {
    "crawler.incremental.ArchiveRecovery": 90,
    "crawler.incremental.JobdirGuard": 100,
    "crawler.monitors.RunSummary": 500,
    "crawler.redis_support.RedisWorker": 510,
}
OGI_INCREMENTAL = True  # conditional requests / hash comparison against the catalog (`ogi crawl --full`: off)
OGI_RECHECK_DAYS = 0  # > 0: pages confirmed unchanged within N days are answered from the archive
OGI_RUN_SUMMARY = ""  # machine-readable run summary (default: ARCHIVE/run-summary.json)
OGI_REDIS_URL = ""  # `ogi crawl --redis URL`: share the frontier with other workers
OGI_REDIS_CRAWL_ID = ""  # workers with the same id share a crawl (default: the ISO week)
OGI_REDIS_START_WAIT = 30  # seconds a new worker waits for shared work before it may close
# `scrapy crawl` / scrapyd workers join a shared crawl from the environment
if os.environ.get("OGI_REDIS_URL"):
    from crawler.redis_support import redis_settings

    globals().update(redis_settings(os.environ["OGI_REDIS_URL"], os.environ.get("OGI_REDIS_CRAWL_ID", "")))

#: Overrides for crawls of local test servers: no delays, no throttling, few retries.
OGI_FAST_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 15,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
    # pages arrive as fast as they can be extracted: two extraction processes keep both cores of a
    # small machine busy (reactor + workers); real crawls wait on politeness, one worker is plenty
    "OGI_EXTRACT_WORKERS": 2,
}
