"""Platform adapters: how each government CMS family lists its reports.

The spider knows nothing about platforms. For every listing response it asks `adapter_for` which
adapter reads it (by sniffing the page itself, since the registry's platform column is only a
guess from URL shapes), then lets the adapter yield report `Link`s and further listing
`Request`s (pagination, JSON/XML list endpoints). A Request without a callback comes back to the
spider's `parse`, i.e. to the adapters again.
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter
from crawler.platforms.common import Link
from crawler.platforms.generic import Generic
from crawler.platforms.gkmlpt import Gkmlpt
from crawler.platforms.hanweb import Hanweb, HanwebXxgk
from crawler.platforms.jpaas import Jpaas
from crawler.platforms.truecms import TrueCMS

#: Sniffing order: specific fingerprints first, the generic static list last.
ADAPTERS: tuple[Adapter, ...] = (HanwebXxgk(), Jpaas(), Hanweb(), TrueCMS(), Gkmlpt(), Generic())
BY_NAME = {a.name: a for a in ADAPTERS}
#: Registry platform labels (judged from URL shapes) → adapter used when sniffing finds nothing.
ALIASES = {
    "trs": "generic",
    "other": "generic",
    "unknown": "generic",
    "": "generic",
}


def named(name: str) -> Adapter:
    name = ALIASES.get(name, name)
    if name not in BY_NAME:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(sorted(BY_NAME))}")
    return BY_NAME[name]


def adapter_for(response: Response, hint: str = "") -> Adapter:
    """The adapter that recognises this page; the hinted one (or generic) when none does."""
    forced = response.meta.get("platform")
    if forced:
        return named(forced)
    for adapter in ADAPTERS[:-1]:
        if adapter.sniff(response):
            return adapter
    return named(hint)


__all__ = ["ADAPTERS", "Adapter", "Iterator", "Link", "Request", "adapter_for", "named"]
