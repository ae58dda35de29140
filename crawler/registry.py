"""The site registry: which publishers to crawl, where their report listings are, on what platform.

Knowledge about sites is data, not code: `crawler/sites.csv` is one row per publisher that a
researcher can read and extend in a spreadsheet. It was seeded from `../shared/reference/sites.csv`
(kept with its `evidence` and `confidence` columns, because none of those addresses could be checked
live) and adds three optional override columns:

- `link_pattern`: a regular expression that report link texts/URLs must match (default: the annual
  report pattern in `crawler.platforms.common`);
- `years`: `FIRST-LAST` for platforms that address reports by year (Hanweb xxgkAnnualReport.jsp);
- `params`: `key=value;key=value` extras for a platform adapter (e.g. `sid=2;column=2629` for gkmlpt).

A registry file may use the placeholder `{base}` in URLs (the demo site's registry does, so that it
can point at a server on an ephemeral port).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_REGISTRY = resources.files("crawler") / "sites.csv"  # a zip path inside a scrapyd egg

#: Columns of the registry file, in order (the seed's columns first, then our overrides).
COLUMNS = (
    "id", "name", "province", "city", "district", "adcode", "level", "listing_url",
    "example_report_url", "example_year", "platform", "evidence", "confidence", "notes",
    "link_pattern", "years", "params",
)  # fmt: skip

_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True, slots=True)
class Site:
    """One publisher of annual reports, as the registry describes it."""

    id: str
    name: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    adcode: str = ""
    level: str = ""
    listing_url: str = ""  # one or more listing URLs separated by whitespace or "|"
    example_report_url: str = ""
    example_year: str = ""
    platform: str = ""  # trs, hanweb, hanweb_jpaas, truecms, gkmlpt, other, unknown
    evidence: str = ""
    confidence: str = ""
    notes: str = ""
    link_pattern: str = ""
    years: str = ""
    params: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def listing_urls(self) -> list[str]:
        return [u for u in re.split(r"[\s|]+", self.listing_url) if u]

    @property
    def start_urls(self) -> list[str]:
        """Where a crawl of this site begins: its listings, else its one known report page."""
        return self.listing_urls or ([self.example_report_url] if self.example_report_url else [])

    @property
    def domains(self) -> list[str]:
        """Host names the crawl of this site may visit (offsite filtering)."""
        hosts = {urlsplit(u).hostname for u in [*self.start_urls, self.example_report_url] if u}
        return sorted(h for h in hosts if h)

    @property
    def param_dict(self) -> dict[str, str]:
        pairs = (p.split("=", 1) for p in self.params.split(";") if "=" in p)
        return {k.strip(): v.strip() for k, v in pairs}

    @property
    def year_range(self) -> tuple[int, int] | None:
        m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", self.years or "")
        return (int(m.group(1)), int(m.group(2))) if m else None

    def to_row(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in COLUMNS}


class RegistryError(ValueError):
    """The registry file is malformed (duplicate or bad id, missing column)."""


def load_sites(path: str | Path | None = None, *, base: str | None = None) -> list[Site]:
    """Read a registry CSV; `{base}` in URLs is replaced by `base` when given."""
    path = Path(path) if path else DEFAULT_REGISTRY
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sites = [_site(row, base) for row in rows if (row.get("id") or "").strip()]
    _check(sites, path)
    return sites


def _site(row: dict[str, str], base: str | None) -> Site:
    known = {f.name for f in fields(Site)} - {"extra"}
    values = {k: (v or "").strip() for k, v in row.items() if k in known}
    if base:
        for key in ("listing_url", "example_report_url"):
            values[key] = values.get(key, "").replace("{base}", base.rstrip("/"))
    extra = {k: v for k, v in row.items() if k not in known and k}
    return Site(**values, extra=extra)


def _check(sites: list[Site], path: Path) -> None:
    seen: set[str] = set()
    for site in sites:
        if not _ID.match(site.id):
            raise RegistryError(f"{path}: site id {site.id!r} is not snake_case")
        if site.id in seen:
            raise RegistryError(f"{path}: site id {site.id!r} appears twice")
        seen.add(site.id)


def select(
    sites: Iterable[Site],
    *,
    ids: Iterable[str] = (),
    province: str | None = None,
    everything: bool = False,
) -> list[Site]:
    """The sites a crawl asked for: by id, by province (name or prefix, e.g. 江苏), or all."""
    sites = list(sites)
    wanted = [i for i in ids if i]
    if wanted:
        by_id = {s.id: s for s in sites}
        missing = [i for i in wanted if i not in by_id]
        if missing:
            raise KeyError(f"unknown site id(s): {', '.join(missing)}")
        return [by_id[i] for i in wanted]
    if province:
        return [s for s in sites if s.province.startswith(province) or province in s.province]
    return sites if everything else []


def adhoc_site(url: str, platform: str = "") -> Site:
    """A registry entry for one listing URL given on the command line (`ogi crawl --url`)."""
    host = urlsplit(url).hostname or "site"
    slug = re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_") or "site"
    return Site(id=f"url_{slug}", name=host, listing_url=url, platform=platform, confidence="ad hoc")


def seed_rows(seed_csv: str | Path) -> Iterator[dict[str, str]]:
    """Rows of the shared seed file in our registry's column order (override columns empty)."""
    with Path(seed_csv).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {c: (row.get(c) or "") for c in COLUMNS}


def write_registry(rows: Iterable[dict[str, str]], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":  # python -m crawler.registry SEED.csv → rewrites crawler/sites.csv
    import sys

    write_registry(seed_rows(sys.argv[1]), DEFAULT_REGISTRY)
