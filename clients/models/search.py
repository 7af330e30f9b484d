"""The name-search index: every one- and two-character piece ("gram") of each
client's upper-cased name, one row per (tenant, gram, client).

Why not the trigram index: under row-level security PostgreSQL evaluates the
policy before any condition whose operator is not *leakproof*, and ``LIKE``
and pg_trgm's operators are not — so the application role never uses a
trigram index and every name search read the whole clients table (1.4 s for
one character at 100,000 clients). Text equality is leakproof: a search looks
up its grams here by the primary key's index (one gram for a one-character
search; every distinct pair of a longer one, intersected) and then checks the
``LIKE`` on those few candidates only (clients.selectors.client_search_q).

Kept by PostgreSQL itself: statement-level triggers on the clients table
(clients migration 0111) rewrite the grams of inserted clients and of clients
whose name changed, set-based — bulk imports and the demo seeder included.
SQLite (``make demo``) has no triggers here and searches with ``LIKE``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwnedModel


class ClientNameGram(TenantOwnedModel):
    pk = models.CompositePrimaryKey("tenant", "gram", "client")
    gram = models.CharField(_("name piece"), max_length=2)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )

    class Meta:
        verbose_name = _("client name piece")
        verbose_name_plural = _("client name pieces")
