"""The one item the spider yields: a raw fetched page (`crawler.archive.Page`).

Why only raw pages: fetching stays dumb and replayable. Everything that interprets a page
(archiving, extraction, collecting into the dataset) happens in pipelines, and the same
`Page` comes back out of the archive for `ogi extract`, so crawl and replay share one path.
"""

from __future__ import annotations

from crawler.archive import Page

PageItem = Page

__all__ = ["PageItem"]
