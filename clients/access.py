"""The clients app's public face: who sees which client, who may do what to
it, how its personal data is shown, and the tier vocabulary. Other apps reach
clients through this module (and the selectors/services named in
clients/README.md), never through clients' models' field names.

Visibility (DESIGN.md, "Tenancy and access"):
- rm: clients they manage (dedicated or backup) or that were shared with them
  (django-guardian object permission ``view_client`` on the direct FK table);
- branch_head: clients of their branch and its sub-branches;
- risk_officer, compliance, admin: every client of the tenant;
- anyone else, or a user of another tenant than the one in scope: nothing.

Every selector that returns client data (lists, details, search, exports, API,
dashboards, tasks) starts from ``visible_clients``; a single client is read
with ``client_get`` (404 for missing, foreign and invisible alike). Fail
closed: an unknown role sees nothing.

Actions on a client the user already sees (pure functions of the user and the
loaded client, so services enforce them and pages show or hide buttons):
- edit the profile: admin anywhere; branch head inside their branch subtree;
  an RM for the clients they manage (dedicated or backup);
- assign managers and the coverage team: admin anywhere; branch head inside
  their subtree (and only staff of their subtree);
- reveal personal data: the client's managers and compliance;
- read phone / email / address unmasked: the client's managers.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from tenancy.context import current_tenant_id, scope_memo
from tenancy.crypto import mask, mask_email
from tenancy.models import Branch, Role
from tenancy.shortcuts import get_or_404

from .models import Client, ClientUserObjectPermission, CreditRating

TENANT_WIDE_ROLES = frozenset({Role.ADMIN, Role.RISK_OFFICER, Role.COMPLIANCE})


# --- the rules, in SQL and in memory -------------------------------------------------


def managed_by_q(user_id: int, prefix: str = "") -> Q:
    """Clients whose dedicated or backup manager is ``user_id`` (an RM's own
    book). ``prefix`` reaches them through a relation, e.g. ``"client__"``."""
    return Q(**{f"{prefix}dedicated_manager_id": user_id}) | Q(
        **{f"{prefix}backup_manager_id": user_id}
    )


def is_manager(user, client) -> bool:
    """``managed_by_q`` for a loaded client: ``user`` is its dedicated or backup manager."""
    return user.pk is not None and user.pk in (
        client.dedicated_manager_id,
        client.backup_manager_id,
    )


def subtree_q(branch, prefix: str = "") -> Q:
    """Rows whose branch is ``branch`` or one of its sub-branches (materialised path)."""
    return Q(**{f"{prefix}branch__path__startswith": branch.path})


def in_subtree(user, branch) -> bool:
    """``subtree_q`` in memory: ``branch`` is in ``user``'s branch subtree
    (admins: always)."""
    if user.role == Role.ADMIN:
        return True
    if branch is None or user.branch_id is None:
        return False
    return branch.path.startswith(user.branch.path)


def is_staff_in_scope(user) -> bool:
    """``user`` is an active member of the tenant in scope: the first check of
    every read, of client data and of the tenant's other data alike."""
    return (
        getattr(user, "is_authenticated", False)
        and user.tenant_id is not None
        and user.tenant_id == current_tenant_id()
        and user.is_active
    )


def client_visibility_q(user, prefix: str = "") -> Q | None:
    """The filter on Client for ``user``; None means "nothing". ``prefix``
    reaches the client through a relation (``"client__"``)."""
    if not is_staff_in_scope(user):
        return None
    if user.role in TENANT_WIDE_ROLES:
        return Q()
    if user.role == Role.BRANCH_HEAD:
        if user.branch_id is None:
            return None
        return Q(**{f"{prefix}branch_id__in": subtree_branch_ids(user.branch)})
    if user.role == Role.RM:
        q = managed_by_q(user.pk, prefix)
        shared = _shared_client_ids(user)
        if shared:
            q |= Q(**{f"{prefix}pk__in": shared})
        return q
    return None


def subtree_branch_ids(branch) -> list[int]:
    """Ids of ``branch`` and its sub-branches (``subtree_q``), read once per
    scope and inlined as a literal list: a branch head's rule is then
    ``branch_id IN (…)`` on the client row itself — an index condition — not a
    join to the branch table and a ``LIKE`` on its path in every query (and in
    each part of the desk's calendar, whose planning that join made dear)."""
    memo = scope_memo()
    key = ("subtree_branch_ids", branch.pk)
    if key not in memo:
        memo[key] = list(
            Branch.objects.filter(path__startswith=branch.path)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return memo[key]


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
        shares = ClientUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename="view_client"
        ).values_list("content_object_id", flat=True)
        ids = list(shares[: SHARED_IDS_INLINE_LIMIT + 1])
        memo[key] = shares if len(ids) > SHARED_IDS_INLINE_LIMIT else ids
    return memo[key]


def forget_shared_clients(user_id: int) -> None:
    """Call after sharing or unsharing a client with ``user_id`` in this scope."""
    scope_memo().pop(("shared_client_ids", user_id), None)


# --- reading clients -----------------------------------------------------------------


def sees_whole_bank(user) -> bool:
    """``user`` sees every client of the tenant in scope (``TENANT_WIDE_ROLES``):
    the tenant filter (and row-level security) is then the whole scope, and a
    semi-join over every client would only slow a query down."""
    return client_visibility_q(user) == Q()


def visible_clients(user) -> QuerySet[Client]:
    qs = Client.objects.all()
    q = client_visibility_q(user)
    return qs.none() if q is None else qs.filter(q)


def tenant_clients() -> QuerySet[Client]:
    """Every client of the tenant in scope: for background jobs that act for
    the bank (risk's review reminders), never for a person's request."""
    return Client.objects.all()


def can_see_client(user, client) -> bool:
    return visible_clients(user).filter(pk=client.pk).exists()


def client_get(*, user, client_id, for_update: bool = False) -> Client:
    """One client ``user`` may see, with its branch and managers loaded; 404
    for a missing, foreign or invisible client alike (and for a malformed id).
    ``for_update`` locks the client row (only that row)."""
    qs = visible_clients(user).select_related("branch", "dedicated_manager", "backup_manager")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return get_or_404(qs, client_id)


def client_rows(
    queryset: QuerySet, *, user, client=None, field: str = "client", join: bool = False
) -> QuerySet:
    """Rows related to clients (holdings, contacts, interactions, ...) that
    ``user`` may see. With ``client`` — one that already came from
    ``client_get`` for this user — only its rows, without checking its
    visibility a second time (the 360° page and its sections pass the checked
    client); without, the rows of every visible client.

    ``join=True`` tests the same rule on each row's client through the join
    (``client__branch__path`` ...) instead of a semi-join over every visible
    client: for short lists read in an index order and cut after a few rows
    (a desk panel's "newest 20"), where collecting a branch head's 14,000
    visible clients first would cost more than the rows themselves."""
    if client is not None:
        return queryset.filter(**{field: client})
    if sees_whole_bank(user):
        return queryset
    if join:
        q = client_visibility_q(user, prefix=f"{field}__")
        return queryset.none() if q is None else queryset.filter(q)
    return queryset.filter(**{f"{field}__in": visible_clients(user).values("pk")})


def with_client(rows, client, field: str = "client") -> list:
    """``rows`` (read with ``client_rows(..., client=client)`` and without
    joining the client) as a list, each carrying ``client`` as its ``field``:
    one client's rows need not load that client again per row (its encrypted
    fields decrypted for each)."""
    rows = list(rows)
    for row in rows:
        setattr(row, field, client)
    return rows


# --- actions on a client the user sees -----------------------------------------------


def can_create_client(user) -> bool:
    return user.role in (Role.ADMIN, Role.BRANCH_HEAD, Role.RM)


def can_edit_profile(user, client) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.BRANCH_HEAD:
        return in_subtree(user, client.branch)
    if user.role == Role.RM:
        return is_manager(user, client)
    return False


def can_assign(user, client) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.BRANCH_HEAD and in_subtree(user, client.branch)


def can_reveal(user, client) -> bool:
    return user.role == Role.COMPLIANCE or is_manager(user, client)


def sees_plain_contact(user, client) -> bool:
    return is_manager(user, client)


def can_manage_groups(user) -> bool:
    return user.role in (Role.ADMIN, Role.BRANCH_HEAD, Role.RM)


# --- personal data as a user may read it (screen, API and export alike) --------------


def mask_pii(field: str, value: str) -> str:
    """The one masking rule: ``national_id`` 110***********1234, ``phone``
    138******22, ``email`` z***@example.com, ``address`` *** (nothing shown)."""
    if not value:
        return ""
    if field == "national_id":
        return mask(value)
    if field == "phone":
        return mask(value, keep_start=3, keep_end=2)
    if field == "email":
        return mask_email(value)
    return "***"


def client_pii_display(*, user, client) -> dict:
    """Personal data as ``user`` may read it: the id number always masked;
    phone, email and address masked except for the client's managers."""
    plain = sees_plain_contact(user, client)
    shown = {"national_id": mask_pii("national_id", client.national_id)}
    for field in ("phone", "email", "address"):
        value = getattr(client, field)
        shown[field] = value if plain else mask_pii(field, value)
    shown["plain_contact"] = plain
    return shown


def contact_pii_display(*, user, contact, client) -> dict[str, str]:
    """A contact person's phone and email under the same rule as the client's."""
    plain = sees_plain_contact(user, client)
    return {
        field: getattr(contact, field) if plain else mask_pii(field, getattr(contact, field))
        for field in ("phone", "email")
    }


# --- vocabularies ----------------------------------------------------------------------
# Tiers: the ranked ones, highest first; every other client is "standard". Risk
# ratings join this section when the risk app defines them; until then the
# external credit rating is the only rating a client carries.

Tier = Client.Tier
RANKED_TIERS: tuple[str, ...] = (Tier.PLATINUM, Tier.GOLD, Tier.SILVER)
VIP_TIERS = frozenset({Tier.PLATINUM, Tier.GOLD})
CREDIT_RATINGS = CreditRating


def tier_rank(prefix: str = "") -> Case:
    """0 for platinum ... 3 for standard, as an SQL expression (for ordering)."""
    return Case(
        *(When(**{f"{prefix}tier": t}, then=Value(i)) for i, t in enumerate(RANKED_TIERS)),
        default=Value(len(RANKED_TIERS)),
        output_field=IntegerField(),
    )
