"""The client timeline lives in ``clients.timeline`` (so loyalty, which may
not import communications, can register its own source); communications
keeps importing it from here."""

from clients.timeline import (
    TIMELINE_SOURCES,
    Cursor,
    TimelineEntry,
    TimelineSource,
    register_timeline_source,
    timeline_page,
)

__all__ = [
    "TIMELINE_SOURCES",
    "Cursor",
    "TimelineEntry",
    "TimelineSource",
    "register_timeline_source",
    "timeline_page",
]
