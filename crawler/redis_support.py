"""Distributed crawls: any number of `ogi crawl --redis URL` processes share one frontier in Redis.

Why: a national crawl outgrows one machine. We use scrapy-redis's Scheduler (one shared request
queue) and RFPDupeFilter (one shared set of seen requests) as they are — no scheduler of our own —
and add only what Scrapy 2.19 + scrapy-redis 0.9.1 need to work together with our spider:

- `RedisWorker` (extension): scrapy-redis's `RedisSpider` feeds workers through `start_requests`,
  which Scrapy removed, and a worker whose local work is done closes while others are still
  feeding the shared queue. So every worker keeps a heartbeat key (`<prefix>:busy:<worker>`, short
  TTL) while it has work in flight, and on Scrapy's `spider_idle` signal it raises
  `DontCloseSpider` while the queue is not empty, another worker is busy, or the start grace period
  (`OGI_REDIS_START_WAIT`) has not passed. While it waits it looks again every half second. At the end
  the crawl's keys are given a TTL (`OGI_REDIS_KEEP_SECONDS`) instead of being flushed, so a worker
  that finishes early cannot wipe the frontier of the others.
- `ClaimMiddleware` (spider middleware): our spider sends start and report requests with
  `dont_filter=True` (a cloud WAF answers the first request with a 302 to the same address and a
  cookie; the duplicate filter would drop the second try). Such requests bypass any duplicate
  filter, so every worker would fetch them. Before one is queued it is claimed in a scrapy-redis
  RFPDupeFilter set of its own (`<prefix>:claims`): the first worker to claim it queues it, the
  others drop it. Redirect hops keep `dont_filter` and are not claimed again.

Keys: `ogi:<crawl id>:requests|dupefilter|claims|workers|busy:*`. The crawl id (`OGI_REDIS_CRAWL_ID`,
`ogi crawl --crawl-id`) defaults to the ISO week, so the weekly crawl's workers on every machine
find each other without being told, and next week starts a clean frontier.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request

log = logging.getLogger(__name__)


def default_crawl_id(now: datetime | None = None) -> str:
    year, week, _ = (now or datetime.now(UTC)).isocalendar()
    return f"reports-{year}-W{week:02d}"


def key_prefix(crawl_id: str) -> str:
    return f"ogi:{crawl_id}"


def redis_settings(url: str, crawl_id: str = "") -> dict[str, object]:
    """Scrapy settings that put a crawl on a shared Redis frontier (scrapy-redis)."""
    crawl_id = crawl_id or default_crawl_id()
    prefix = key_prefix(crawl_id)
    return {
        "OGI_REDIS_URL": url,
        "OGI_REDIS_CRAWL_ID": crawl_id,
        "REDIS_URL": url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "SCHEDULER_PERSIST": True,  # never flush on close: other workers may still be crawling
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # a blocking pop would freeze the reactor
    }


def _server(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


class ClaimMiddleware:
    """Spider middleware: one worker only queues each `dont_filter` start/report request."""

    def __init__(self, crawler) -> None:
        if not crawler.settings.get("OGI_REDIS_URL"):
            raise NotConfigured
        from scrapy_redis.dupefilter import RFPDupeFilter

        prefix = key_prefix(crawler.settings.get("OGI_REDIS_CRAWL_ID"))
        self.claims = RFPDupeFilter(_server(crawler.settings), key=f"{prefix}:claims")
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _keep(self, request):
        if not isinstance(request, Request) or not request.dont_filter:
            return request
        if self.claims.request_seen(request):
            self.stats.inc_value("ogi/redis/claimed_elsewhere")
            return None
        return request

    async def process_start(self, start):
        async for item in start:
            if (kept := self._keep(item)) is not None:
                yield kept

    def process_spider_output(self, response, result, spider=None):
        for item in result:
            if (kept := self._keep(item)) is not None:
                yield kept

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            if (kept := self._keep(item)) is not None:
                yield kept


class RedisWorker:
    """Extension: a worker waits for work while the shared crawl is live (see module docstring)."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        if not settings.get("OGI_REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler
        self.server = _server(settings)
        self.prefix = key_prefix(settings.get("OGI_REDIS_CRAWL_ID"))
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.busy_key = f"{self.prefix}:busy:{self.worker}"
        self.start_wait = settings.getfloat("OGI_REDIS_START_WAIT", 30)
        self.keep_seconds = settings.getint("OGI_REDIS_KEEP_SECONDS", 3 * 86400)
        self.heartbeat_ttl = settings.getint("OGI_REDIS_HEARTBEAT_TTL", 15)
        self.t0 = time.monotonic()
        self.loop = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider=None) -> None:
        from twisted.internet import task

        self.t0 = time.monotonic()
        self.server.set(self.busy_key, "starting", ex=self.heartbeat_ttl)
        self.server.sadd(f"{self.prefix}:workers", self.worker)  # who took part (kept with the crawl)
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(0.5, now=False)

    def beat(self) -> None:
        """Every half second: refresh our busy key while we work, and re-run the engine's loop.

        The engine pulls from the scheduler only when something happens locally or at its 5 s
        heartbeat; an idle worker would miss work other workers queue in between (and, with the
        shared queue non-empty, Scrapy does not even consider it idle). Nudging it takes that work,
        or asks `idle` again, which lets the worker end soon after the crawl does.
        """
        engine = self.crawler.engine
        try:
            if _working(engine):
                self.server.set(self.busy_key, "busy", ex=self.heartbeat_ttl)
            else:
                self.server.delete(self.busy_key)
            slot = getattr(engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()
        except Exception as exc:  # noqa: BLE001 - a Redis hiccup must not kill the worker
            log.warning("redis heartbeat failed: %s", exc)

    def queue_length(self) -> int:
        return int(self.server.zcard(f"{self.prefix}:requests"))

    def others_busy(self) -> list[str]:
        pattern = f"{self.prefix}:busy:*"
        return [k for k in self.server.scan_iter(match=pattern) if _text(k) != self.busy_key]

    def idle(self, spider=None) -> None:
        self.server.delete(self.busy_key)
        waiting = time.monotonic() - self.t0 < self.start_wait
        if self.queue_length() or self.others_busy() or waiting:
            self.crawler.stats.inc_value("ogi/redis/idle_waits")
            raise DontCloseSpider

    def closed(self, spider=None, reason: str = "") -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.server.delete(self.busy_key)
        for suffix in ("requests", "dupefilter", "claims", "workers"):
            self.server.expire(f"{self.prefix}:{suffix}", self.keep_seconds)


def _working(engine) -> bool:
    """Requests in flight or responses being processed here (queued work elsewhere does not count)."""
    try:
        return bool(engine.downloader.active) or not engine.scraper.slot.is_idle()
    except AttributeError:  # engine internals moved: fall back to Scrapy's own notion of idle
        return not engine.spider_is_idle()


def _text(key) -> str:
    return key.decode() if isinstance(key, bytes) else str(key)
