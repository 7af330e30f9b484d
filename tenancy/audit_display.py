"""How the audit trail reads to a person: event names, the objects they touched
(named, linked to their page where there is one) and their data as key/value.

Each app describes its own events (usually in its ``audit_events.py``) and
registers them in ``AppConfig.ready()``, so tenancy names no other app:

    from tenancy.audit_display import register_audit_events
    register_audit_events(app="clients", events=EVENTS, objects=OBJECTS)

    EVENTS = {"client.created": _("Client created"), ...}
    OBJECTS = {"clients.client": AuditObject(label=_("Client"), url=..., names=...)}

``url(object_id) -> str`` gives the object's page; ``names(user, ids) -> {id: name}``
reads the names of one page's objects of that kind in one query, through the
app's selectors (so the trail names only what the reader may see). Events are
shown as stored: an event of a confidential record carries only field names.
One entry per app (``tenancy.registry`` rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from .registry import Registry


@dataclass(frozen=True)
class AuditObject:
    label: Any
    url: Callable[[str], str] | None = None
    names: Callable[[Any, list[str]], dict[str, str]] | None = None


@dataclass
class AuditRow:
    event: Any
    action_label: str
    actor_name: str
    object_label: str = ""
    object_name: str = ""
    object_url: str = ""
    data: list[tuple[str, str]] = field(default_factory=list)


AUDIT_EVENTS: Registry[tuple[dict[str, Any], dict[str, AuditObject]]] = Registry("audit events")


def register_audit_events(
    *, app: str, events: dict[str, Any], objects: dict[str, AuditObject] | None = None
) -> None:
    AUDIT_EVENTS.register(app, (dict(events), dict(objects or {})))


def catalogue() -> tuple[dict[str, Any], dict[str, AuditObject]]:
    """Every registered app's events and objects."""
    events: dict[str, Any] = {}
    objects: dict[str, AuditObject] = {}
    for app_events, app_objects in AUDIT_EVENTS:
        events.update(app_events)
        objects.update(app_objects)
    return events, objects


def action_label(action: str) -> str:
    """The event's name in the reader's language; an unknown code reads as
    itself made legible (``client.merged`` → "client merged")."""
    label = catalogue()[0].get(action)
    return str(label) if label else action.replace(".", " ").replace("_", " ")


def action_choices() -> list[tuple[str, str]]:
    return sorted(
        ((code, str(label)) for code, label in catalogue()[0].items()), key=lambda c: c[1]
    )


def object_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(o.label)) for code, o in catalogue()[1].items()), key=lambda c: c[1])


def object_label(object_type: str) -> str:
    found = catalogue()[1].get(object_type)
    return str(found.label) if found else object_type


def person_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


# --- data: readable key/value --------------------------------------------------------------


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) if value else "—"
    return str(value)


def _key(key: str) -> str:
    return str(key).replace("_", " ")


def data_items(data: Any) -> list[tuple[str, str]]:
    """Flatten an event's data into (key, value) lines: ``{"from", "to"}``
    pairs read "a → b", nested keys are joined with "›", lists with commas."""
    items: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if value and set(value) <= {"from", "to"}:
                items.append((prefix, f"{_value(value.get('from'))} → {_value(value.get('to'))}"))
                return
            if not value:
                if prefix:
                    items.append((prefix, "—"))
                return
            for k, v in value.items():
                walk(f"{prefix} › {_key(k)}" if prefix else _key(k), v)
        elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            for i, v in enumerate(value, start=1):
                walk(f"{prefix} {i}", v)
        else:
            items.append((prefix or _("value"), _value(value)))

    walk("", data if data is not None else {})
    return items


# --- rows of one page ------------------------------------------------------------------------


def audit_rows(*, user, events: Iterable) -> list[AuditRow]:
    """One page of events made readable; one names query per object kind on the page."""
    events = list(events)
    _, objects = catalogue()
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.object_type and e.object_id:
            ids_by_type[e.object_type].add(e.object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in ids_by_type.items():
        kind = objects.get(object_type)
        if kind is not None and kind.names is not None:
            for pk, name in kind.names(user, sorted(ids)).items():
                names[(object_type, str(pk))] = name
    rows = []
    for e in events:
        kind = objects.get(e.object_type)
        url = ""
        if kind is not None and kind.url is not None and e.object_id:
            try:
                url = kind.url(e.object_id)
            except (NoReverseMatch, ValueError):
                url = ""
        rows.append(
            AuditRow(
                event=e,
                action_label=action_label(e.action),
                actor_name=person_name(e.actor) or e.actor_username,
                object_label=object_label(e.object_type) if e.object_type else "",
                object_name=names.get((e.object_type, e.object_id), ""),
                object_url=url,
                data=data_items(e.data),
            )
        )
    return rows
