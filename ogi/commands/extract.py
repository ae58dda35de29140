"""`ogi extract PATH...`: saved pages, folders and WARC archives → the dataset in output/.

The command is wiring: `ogi.inputs` finds the pages, `extractors.extract` reads each one (in a
process pool with --workers N, results kept in input order so 1 and N workers give identical
output), `writers.dataset.DatasetWriter` writes the tables. A page that breaks the extractor is a
per-file status, never a traceback: a batch of 20 000 pages must not stop on one bad file.

With N workers the parent is serial, so it must stay cheap or it caps the speed-up (issue 7): a
worker extracts a small batch of pages and sends back, per page, an `Outcome` tuple of counts and
text already rendered (the dataset's CSV rows via `writers.dataset.prepare`, the --json line);
no Report is pickled, and the parent only counts, spools and prints. --workers 1 runs the same
code in-process, which is the fastest one-core configuration, so the 1 vs N comparison is fair.

`--json` prints one JSON object per input (JSON Lines) on stdout, the public interface documented
in docs/JSON.md; progress and the summary go to stderr. Exit status: 0 when every input was read,
1 when some were not reports or could not be read, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from extractors import EXTRACTOR_VERSION, extract
from extractors.codebook import load_codebook
from extractors.model import Finding, Report
from ogi import inputs
from ogi.inputs import Job, Skipped

if TYPE_CHECKING:
    from writers.dataset import DatasetWriter
    from writers.rows import Prepared

#: Statuses that count as "read" for the exit code (an annual report without a table was read).
READ_STATUSES = frozenset({"ok", "partial", "no_table"})
#: How many not-read inputs the summary lists by name.
LIST_LIMIT = 20
#: Pages a worker takes at a time: fewer round trips through the pool, yet a short tail at the end.
BATCH_PAGES = 4
#: Batches in flight per worker: enough to keep it busy, few enough that archived pages (bytes in
#: memory) do not pile up in the parent.
BATCHES_PER_WORKER = 2


class Outcome(NamedTuple):
    """One extracted page as the parent needs it: summary counts, the dataset's rendered rows
    (None without a dataset) and the --json line (None without --json)."""

    source: str
    status: str
    message: str
    n_values: int
    n_findings: int
    dataset: Prepared | None
    json_line: str | None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract saved pages, folders and WARC archives into output/",
        description="Extract reports from saved pages (.html .htm .shtml .jhtml .txt .pdf .docx .xlsx .xls .ofd), "
        "folders "
        "(walked recursively) and WARC archives (.warc, .warc.gz) into CSV and Parquet tables.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or WARC archive")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: output/; with --json: none)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per input on stdout")
    parser.add_argument("--workers", type=_positive, default=1, metavar="N", help="extract in N processes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    files, out_dir, problem = _check_usage(args)
    if problem:
        print(f"ogi extract: {problem}", file=sys.stderr)
        return 2
    started = time.monotonic()
    tally = Tally()
    writer = _writer(out_dir)
    work = partial(process_job, dataset=writer is not None, as_json=args.json)
    # The dataset's codebook export needs the codebook; with workers, load it while they extract
    # instead of in the serial close (~0.5 s of YAML).
    warm_up = load_codebook if writer is not None else None
    try:
        for item in _progress(_results(inputs.jobs(files), args.workers, work, warm_up), files, args.quiet):
            _handle(item, tally, writer)
        summary = writer.close() if writer is not None else None
    except BaseException as exc:
        if writer is not None:
            writer.abort()
        if isinstance(exc, KeyboardInterrupt):
            print("ogi extract: interrupted; the previous dataset is unchanged", file=sys.stderr)
            return 130
        if isinstance(exc, BrokenPipeError):  # `ogi extract DIR --json | head`: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        raise
    if not args.quiet:
        print(tally.render(summary, out_dir, time.monotonic() - started), file=sys.stderr)
    return 0 if tally.all_read else 1


def _check_usage(args: argparse.Namespace) -> tuple[list[Path], Path | None, str]:
    """(input files, output folder or None, usage problem or "")."""
    missing = inputs.missing_paths(args.paths)
    if missing:
        return [], None, f"no such file or folder: {', '.join(missing)}"
    files = inputs.discover(args.paths)
    if not files:
        return [], None, "no pages or WARC files found in the given paths"
    out_dir = Path(args.out) if args.out else (None if args.json else Path("output"))
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        return [], None, f"--out {out_dir} is a file, not a folder"
    return files, out_dir, ""


def _writer(out_dir: Path | None) -> DatasetWriter | None:
    if out_dir is None:
        return None
    from writers.dataset import DatasetWriter  # pandas/pyarrow only when a dataset is written

    return DatasetWriter(out_dir)


def _handle(item: Outcome | Skipped, tally: Tally, writer: DatasetWriter | None) -> None:
    if isinstance(item, Skipped):
        tally.skip(item)
        return
    tally.add(item)
    if writer is not None and item.dataset is not None:
        writer.add_prepared(item.dataset)
    if item.json_line is not None:
        sys.stdout.write(item.json_line)
        sys.stdout.flush()


def process_job(job: Job, *, dataset: bool, as_json: bool) -> Outcome:
    """Extract one input and render what the parent needs of it (runs in the worker)."""
    report = extract_job(job)
    prepared = None
    if dataset:
        from writers.rows import prepare  # no pyarrow/pandas: the workers need only the extractor

        prepared = prepare(report, job.provenance or None)
    line = json.dumps(report_json(report), ensure_ascii=False) + "\n" if as_json else None
    return Outcome(
        report.source or "?",
        report.status,
        report.message,
        report.n_values,
        len(report.findings),
        prepared,
        line,
    )


def extract_job(job: Job) -> Report:
    """Read and extract one input; any failure becomes the report's status, never an exception."""
    try:
        data = job.read()
    except OSError as exc:
        return _failed(job, b"", "unreadable", f"cannot read the file: {exc.strerror or exc}")
    try:
        report = extract(data, url=job.url, headers=job.headers, filename=job.filename)
    except Exception as exc:  # noqa: BLE001 -- an extractor bug must cost one page, not the batch
        report = _failed(job, data, "unreadable", f"extraction failed: {type(exc).__name__}: {exc}")
        report.findings[0].kind = "extraction_error"
    if report.source is None or job.url is None:
        report.source = job.source
    return report


def _failed(job: Job, data: bytes, status: str, message: str) -> Report:
    report = Report(
        source=job.source,
        sha256=hashlib.sha256(data or job.source.encode("utf-8", "surrogatepass")).hexdigest(),
        status=status,  # type: ignore[arg-type]
        message=message,
        extractor_version=EXTRACTOR_VERSION,
    )
    report.findings.append(Finding(kind=status, message=message, severity="error"))
    return report


Work = Callable[[Job], Outcome]


def _results(
    items: Iterable[Job | Skipped], workers: int, work: Work, warm_up: Callable[[], object] | None = None
) -> Iterator[Outcome | Skipped]:
    """Process jobs in input order; with workers > 1 in a process pool with a bounded window
    (`warm_up` then runs in this process once the workers have their first batches)."""
    if workers == 1:
        for item in items:
            yield item if isinstance(item, Skipped) else work(item)
        return
    yield from _ordered_pool(work, items, workers, warm_up)


def _ordered_pool(
    work: Work, items: Iterable[Job | Skipped], workers: int, warm_up: Callable[[], object] | None = None
) -> Iterator[Outcome | Skipped]:
    """Like Pool.imap with a chunksize, but never more than a few batches in flight (an archive
    can hold 20 000 pages, and Pool.imap would read them all ahead)."""
    window = workers * BATCHES_PER_WORKER
    pending: list[Future] = []
    # Fresh interpreters, not forks: a fork starts with the parent's pyarrow/pandas pages, which
    # the memory of the process tree counts once per worker; a spawned worker holds only what
    # extraction needs (writers.rows is pure Python).
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for batch in _batches(items, BATCH_PAGES):
            pending.append(pool.submit(_run_batch, work, batch))
            if warm_up is not None and len(pending) >= window:
                warm_up()
                warm_up = None
            while len(pending) >= window:
                yield from pending.pop(0).result()
        while pending:
            yield from pending.pop(0).result()


def _batches(items: Iterable[Job | Skipped], size: int) -> Iterator[list[Job | Skipped]]:
    batch: list[Job | Skipped] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_batch(work: Work, batch: list[Job | Skipped]) -> list[Outcome | Skipped]:
    return [item if isinstance(item, Skipped) else work(item) for item in batch]


def _progress(items: Iterator[Any], files: list[Path], quiet: bool) -> Iterator[Any]:
    """A progress bar on an interactive terminal for long runs (many files, or any archive)."""
    long_run = len(files) >= 20 or any(inputs.is_warc(f) for f in files)
    if quiet or not long_run or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    total = None if any(inputs.is_warc(f) for f in files) else len(files)
    return tqdm(items, total=total, unit="page", file=sys.stderr, dynamic_ncols=True)


def report_json(report: Report) -> dict[str, Any]:
    """The public per-input JSON object (docs/JSON.md). Keys are only ever added, never changed."""
    m = report.meta
    return {
        "source": report.source,
        "sha256": report.sha256,
        "status": report.status,
        "message": report.message,
        "template": report.template,
        "template_variant": report.template_variant,
        "year": m.year,
        "published": m.published,
        "title": m.title,
        "publisher": m.publisher,
        "province": m.province,
        "city": m.city,
        "district": m.district,
        "adcode": m.adcode,
        "adcode_current": m.adcode_current,
        "rows": [
            {
                "code": r.code,
                "section": r.section,
                "label": r.label,
                "column": r.column,
                "unit": r.unit,
                "value": r.value,
                "raw": r.raw,
                "value_normalized": r.value_normalized,
                "unit_normalized": r.unit_normalized,
            }
            for r in report.rows
        ],
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "code": f.code,
                "message": f.message,
                "expected": f.expected,
                "found": f.found,
            }
            for f in report.findings
        ],
        "report_id": report.report_id,
        "content_type": report.content_type,
        "extractor_version": report.extractor_version,
        "evidence": dict(m.evidence),
    }


def _cpu_line() -> str:
    """CPU of this process and of its (finished) workers: with N workers the main process is the
    serial part, so this line says whether it or the extraction bounds the run (issue 7)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = f"CPU {own.ru_utime + own.ru_stime:.2f} s in this process"
    spent = workers.ru_utime + workers.ru_stime
    return line + (f", {spent:.2f} s in workers" if spent else "")


class Tally:
    """Counts for the closing summary: reports, values, findings, and what was not read and why."""

    def __init__(self) -> None:
        self.status: Counter[str] = Counter()
        self.values = 0
        self.findings = 0
        self.not_read: list[tuple[str, str, str]] = []  # the first LIST_LIMIT only: flat memory
        self.n_not_read = 0
        self.passed_over: Counter[str] = Counter()

    @property
    def all_read(self) -> bool:
        return not self.n_not_read

    def _not_read(self, source: str, status: str, message: str) -> None:
        self.n_not_read += 1
        if len(self.not_read) < LIST_LIMIT:
            self.not_read.append((source, status, message))

    def add(self, outcome: Outcome) -> None:
        self.status[outcome.status] += 1
        self.values += outcome.n_values
        self.findings += outcome.n_findings
        if outcome.status not in READ_STATUSES:
            self._not_read(outcome.source, outcome.status, outcome.message)

    def skip(self, item: Skipped) -> None:
        if item.expected:
            self.passed_over[item.reason] += 1
            return
        self.status["skipped"] += 1
        self._not_read(item.source, "skipped", item.reason)

    def render(self, summary: dict[str, Any] | None, out_dir: Path | None, seconds: float) -> str:
        total = sum(self.status.values())
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.status.items()))
        lines = [
            f"{total} inputs in {seconds:.1f}s: {statuses}",
            f"{self.values} values, {self.findings} findings",
            _cpu_line(),
        ]
        if self.passed_over:
            lines.append("passed over: " + ", ".join(f"{v} {k}" for k, v in sorted(self.passed_over.items())))
        if summary is not None:
            dup = summary.get("duplicates", 0)
            lines.append(
                f"dataset: {summary['reports']} reports in {out_dir}"
                + (f" ({dup} duplicates)" if dup else "")
            )
        if self.not_read:
            lines.append(f"not read ({self.n_not_read}):")
            lines += [f"  {status}: {source}: {message}" for source, status, message in self.not_read]
            if self.n_not_read > LIST_LIMIT:
                lines.append(f"  ... and {self.n_not_read - LIST_LIMIT} more (see reports.csv)")
        return "\n".join(lines)
