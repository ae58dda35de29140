"""Pure extraction: one saved page (bytes) in, one `Report` out. No Scrapy, no network, no writes."""

from extractors.model import Document, Finding, Metadata, Report, Row, Table, TableResult
from extractors.pipeline import EXTRACTOR_VERSION, extract

__all__ = [
    "EXTRACTOR_VERSION",
    "Document",
    "Finding",
    "Metadata",
    "Report",
    "Row",
    "Table",
    "TableResult",
    "extract",
]
