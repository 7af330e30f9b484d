"""The access policy: the one place that decides which clients a user sees.

Rules (DESIGN.md, "Tenancy and access"):
- rm: clients they manage (dedicated or backup) or that were shared with them
  (django-guardian object permission ``view_client`` on the direct FK table);
- branch_head: clients of their branch and its sub-branches;
- risk_officer, compliance, admin: every client of the tenant;
- anyone else, or a user of another tenant than the one in scope: nothing.

Every selector that returns client data (lists, details, search, exports, API,
dashboards, tasks) starts from ``visible_clients``. Fail closed: an unknown
role sees nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from tenancy.context import current_tenant_id, scope_memo
from tenancy.models import Role

TENANT_WIDE_ROLES = frozenset({Role.ADMIN, Role.RISK_OFFICER, Role.COMPLIANCE})


def _client_model():
    return apps.get_model("clients", "Client")


def managed_by_q(user_id: int, prefix: str = "") -> Q:
    """Clients whose dedicated or backup manager is ``user_id`` (an RM's own
    book). ``prefix`` reaches them through a relation, e.g. ``"client__"``."""
    return Q(**{f"{prefix}dedicated_manager_id": user_id}) | Q(
        **{f"{prefix}backup_manager_id": user_id}
    )


def client_visibility_q(user) -> Q | None:
    """The filter on Client for ``user``; None means "nothing"."""
    if not getattr(user, "is_authenticated", False) or user.tenant_id is None:
        return None
    if user.tenant_id != current_tenant_id() or not user.is_active:
        return None
    if user.role in TENANT_WIDE_ROLES:
        return Q()
    if user.role == Role.BRANCH_HEAD:
        if user.branch_id is None:
            return None
        branch_path = user.branch.path
        return Q(branch__path__startswith=branch_path)
    if user.role == Role.RM:
        q = managed_by_q(user.pk)
        shared = _shared_client_ids(user)
        if shared:
            q |= Q(pk__in=shared)
        return q
    return None


SHARED_IDS_INLINE_LIMIT = 1000


def _shared_client_ids(user):
    """Ids of clients shared with ``user`` (guardian ``view_client``).

    Read first and inlined as a literal list: PostgreSQL then answers the RM's
    rule with a BitmapOr of three index scans (9 ms for an RM with 4,500 of
    100,000 clients) instead of a per-row subplan over the whole tenant
    (200 ms). Past the limit, a subquery keeps the statement small.
    """
    memo = scope_memo()
    key = ("shared_client_ids", user.pk)
    if key not in memo:
        Share = apps.get_model("clients", "ClientUserObjectPermission")
        shares = Share.objects.filter(
            user_id=user.pk, permission__codename="view_client"
        ).values_list("content_object_id", flat=True)
        ids = list(shares[: SHARED_IDS_INLINE_LIMIT + 1])
        memo[key] = shares if len(ids) > SHARED_IDS_INLINE_LIMIT else ids
    return memo[key]


def forget_shared_clients(user_id: int) -> None:
    """Call after sharing or unsharing a client with ``user_id`` in this scope."""
    scope_memo().pop(("shared_client_ids", user_id), None)


def visible_clients(user) -> QuerySet:
    qs = _client_model().objects.all()
    q = client_visibility_q(user)
    return qs.none() if q is None else qs.filter(q)


def can_see_client(user, client) -> bool:
    return visible_clients(user).filter(pk=client.pk).exists()
