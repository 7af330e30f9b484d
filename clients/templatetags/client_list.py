"""The client list's rows, written in Python (``{% client_rows page can_bulk %}``).

The list is the page every RM opens first; through the template engine its
50 rows cost about 12 ms (ten lookups, four choice labels, a number format
and a date per row), most of the page; through ``format_html`` (an escape
with its lazy-string check per value, a ``SafeString`` per piece) still a
fifth of it. The rows arrive as tuples (``selectors.for_list_page``) and are
written here with ``html.escape`` — the escaping Django's is made of — in one
place, tested against the page (tests/clients/test_list_rows.py); the
template keeps the rest.
"""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tenancy.models import full_name
from tenancy.templatetags.steward import id_url

register = template.Library()

LABELLED = ("kind", "tier", "lifecycle", "risk_tolerance")


def _labels() -> dict[str, dict]:
    """Each choice field's value → escaped label in the reader's language,
    built once per page (``get_FOO_display`` builds the whole choice dict on
    every call)."""
    from clients.models import Client

    return {
        name: {k: escape(str(v)) for k, v in Client._meta.get_field(name).flatchoices}
        for name in LABELLED
    }


def _amount_formatter():
    """``floatformat:"2g"`` for the reader's language. Both of ours group by
    thousands with a comma and a point (config/formats): Python's own format
    then, the template filter for any other (AUM has two decimals: no rounding)."""
    if (
        formats.get_format("THOUSAND_SEPARATOR") == ","
        and formats.get_format("DECIMAL_SEPARATOR") == "."
        and formats.get_format("NUMBER_GROUPING") == 3
    ):
        return lambda amount: f"{amount:,.2f}"
    return lambda amount: floatformat(amount, "2g")  # pragma: no cover - no such locale here


@register.simple_tag
def client_rows(page, can_bulk: bool):
    """The ``<tr>`` of every client on ``page`` (the template handles an empty page)."""
    labels = _labels()
    kinds, tiers, lifecycles, tolerances = (labels[name] for name in LABELLED)
    amount = _amount_formatter()
    unassigned = f'<span class="badge danger">{escape(_("Unassigned"))}</span>'
    zone = timezone.get_current_timezone()
    out = []
    for (
        pk,
        name,
        kind,
        external_id,
        tier,
        aum,
        currency,
        branch,
        manager_id,
        username,
        first,
        last,
        lifecycle,
        tolerance,
        contacted,
    ) in page:
        name = escape(name)
        select = (
            f'<td><input type="checkbox" name="client_ids" value="{pk}" form="bulk-form"'
            f' aria-label="{name}"></td>'
            if can_bulk
            else ""
        )
        manager = (
            escape(full_name(first, last) or username) if manager_id is not None else unassigned
        )
        out.append(
            f'<tr data-client="{pk}">{select}<td><a href="{id_url(pk, "clients:detail")}">'
            f'{name}</a> <span class="muted small">{kinds.get(kind) or escape(kind)}</span></td>'
            f"<td>{escape(external_id)}</td>"
            f'<td><span class="badge {escape(tier)}">{tiers.get(tier) or escape(tier)}</span></td>'
            f'<td class="num">{amount(aum)} {escape(currency)}</td>'
            f"<td>{escape(branch)}</td><td>{manager}</td>"
            f"<td>{lifecycles.get(lifecycle) or escape(lifecycle)}</td>"
            f"<td>{tolerances.get(tolerance) or escape(tolerance)}</td>"
            f"<td>{contacted.astimezone(zone).strftime('%Y-%m-%d') if contacted else '—'}</td>"
            "</tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - each value above went through escape()
