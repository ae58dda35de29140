"""`make bench`: how fast the extractor and the crawl are, each measured against its floor.

Absolute figures on a shared 2-core machine are noise; every comparison here is a ratio whose two
sides are measured in the same run on the same bytes (extractor vs a bare lxml parse, 2 workers vs
1, our crawl vs `scrapy bench`), so that the noise cancels. See docs/BENCHMARKS.md.
"""
