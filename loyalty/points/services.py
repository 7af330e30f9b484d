"""Every write to points and rewards. Each service validates (a
``ValidationError`` naming the field), checks the policy (``PermissionDenied``),
runs in one transaction and writes its audit event.

Ledger rules:
- the client's ``PointsAccount`` row is locked (``select_for_update``) before
  any entry is written, the balance is changed and the entry inserted in the
  same transaction, so ``balance`` is always the sum of the entries and two
  writers of one client queue up instead of overdrawing;
- lock order: the account row, then the reward row, then the tenant row (the
  audit chain's lock, always last);
- an entry that would take the balance below zero is refused (400 on ``points``).
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.access import RANKED_TIERS
from tenancy.audit import audit_record

from ..models import (
    EntryKind,
    PointsAccount,
    PointsAdjustmentRequest,
    PointsEntry,
    PointsSettings,
    Redemption,
    Reward,
)
from . import policy
from .configuration import forget_points_settings, points_settings

MAX_POINTS = 1_000_000_000  # one entry; beyond this a typo, not an adjustment


class StateConflict(Exception):
    """The adjustment request was decided meanwhile (409 in the API)."""


def lot_expiry(*, at: datetime, settings: PointsSettings | None = None) -> datetime:
    """When points earned at ``at`` expire: ``expiry_months`` calendar months later."""
    settings = settings or points_settings()
    return at + relativedelta(months=settings.expiry_months)


def _locked_account(client) -> PointsAccount:
    """The client's account row, created at zero on first use, locked."""
    now = timezone.now()
    PointsAccount.objects.bulk_create(
        [PointsAccount(client=client, balance=0, updated_at=now, tenant_id=client.tenant_id)],
        ignore_conflicts=True,
    )
    return PointsAccount.objects.select_for_update().get(client=client)


def _append(
    *,
    account: PointsAccount,
    kind: str,
    points: int,
    reason: str,
    user=None,
    source_key: str | None = None,
    at: datetime | None = None,
) -> PointsEntry:
    """Write the entry to the locked ``account``'s client (``PointsEntry.save``
    moves the balance row with it) and keep ``account`` in step."""
    at = at or timezone.now()
    if account.balance + points < 0:
        raise ValidationError(
            {
                "points": _("The balance would fall below zero: the client has %(balance)s points.")
                % {"balance": account.balance}
            }
        )
    entry = PointsEntry(
        tenant_id=account.tenant_id,
        client_id=account.client_id,
        kind=kind,
        points=points,
        reason=reason[:300],
        source_key=source_key,
        created_at=at,
        expires_at=lot_expiry(at=at) if points > 0 else None,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    entry.save(force_insert=True)
    account.balance += points
    account.updated_at = at
    return entry


# --- earning (the entry point of other parts: events, imports) -----------------------------


def points_earn(
    *, client, points: int | None = None, reason: str, source_key: str, user=None
) -> PointsEntry:
    """Credit ``points`` (default: the tenant's event-attendance points) to
    ``client`` once per ``source_key`` (e.g. ``"event:12:client:345"``).

    Idempotent: a second call with the same key writes nothing and returns the
    first entry; concurrent calls queue on the account lock and the unique key
    is the last wall. ``client`` must already have passed the access policy
    (or be the bank's own, in a background job)."""
    if not source_key:
        raise ValidationError({"source_key": _("An earning needs a source key.")})
    if points is None:
        points = points_settings().event_attendance
    if not isinstance(points, int) or points <= 0 or points > MAX_POINTS:
        raise ValidationError({"points": _("Earned points are a positive whole number.")})
    with transaction.atomic():
        account = _locked_account(client)
        existing = PointsEntry.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
        return _append(
            account=account,
            kind=EntryKind.EARN,
            points=points,
            reason=reason,
            user=user,
            source_key=source_key,
        )


# --- manual adjustments with four-eyes -----------------------------------------------------


def _clean_adjustment(points, reason) -> tuple[int, str]:
    errors = {}
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        errors["points"] = _("Give a whole number of points other than zero.")
    elif abs(points) > MAX_POINTS:
        errors["points"] = _("At most %(max)s points at a time.") % {"max": MAX_POINTS}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the points change.")
    if errors:
        raise ValidationError(errors)
    return points, reason


def needs_second_admin(points: int) -> bool:
    return abs(points) > points_settings().four_eyes_threshold


def points_adjust(
    *, user, client, points: int, reason: str
) -> PointsEntry | PointsAdjustmentRequest:
    """A tenant admin adds (positive) or deducts (negative) points with a reason.

    Up to the tenant's four-eyes threshold the entry is written at once and
    returned. Above it a pending ``PointsAdjustmentRequest`` is returned
    instead; a second, different admin applies it (``adjustment_approve``).
    Raises ``PermissionDenied`` for anyone but an admin and ``ValidationError``
    (``points``, ``reason``) for bad input or a deduction below zero."""
    if not policy.can_adjust(user):
        raise PermissionDenied(_("Only tenant admins adjust points."))
    points, reason = _clean_adjustment(points, reason)
    with transaction.atomic():
        account = _locked_account(client)
        if account.balance + points < 0:
            raise ValidationError(
                {
                    "points": _(
                        "The balance would fall below zero: the client has %(balance)s points."
                    )
                    % {"balance": account.balance}
                }
            )
        if needs_second_admin(points):
            request = PointsAdjustmentRequest.objects.create(
                client=client,
                points=points,
                reason=reason,
                requested_by=user,
                requested_at=timezone.now(),
            )
            audit_record(
                action="loyalty.points_adjustment_requested",
                actor=user,
                target=request,
                data={"client": client.pk, "points": points},
            )
            return request
        entry = _append(
            account=account, kind=EntryKind.ADJUST, points=points, reason=reason, user=user
        )
        audit_record(
            action="loyalty.points_adjusted",
            actor=user,
            target=entry,
            data={"client": client.pk, "points": points, "balance": account.balance},
        )
        return entry


def _decidable(user, adjustment_id: int) -> PointsAdjustmentRequest:
    adjustment = (
        PointsAdjustmentRequest.objects.select_for_update()
        .select_related("client")
        .get(pk=adjustment_id)
    )
    if adjustment.status != PointsAdjustmentRequest.Status.PENDING:
        raise StateConflict(_("This adjustment was already decided."))
    if not policy.can_approve(user, adjustment):
        if adjustment.requested_by_id == user.pk:
            raise PermissionDenied(_("A second admin must decide on your own adjustment."))
        raise PermissionDenied(_("Only tenant admins decide on adjustments."))
    return adjustment


def adjustment_approve(*, user, adjustment: PointsAdjustmentRequest) -> PointsAdjustmentRequest:
    """A second admin applies a pending adjustment (never the requester: 403).
    A deduction that no longer fits the balance is refused (400 on ``points``)
    and stays pending; a decided request is a ``StateConflict``."""
    with transaction.atomic():
        locked = _decidable(user, adjustment.pk)
        account = _locked_account(locked.client)
        entry = _append(
            account=account,
            kind=EntryKind.ADJUST,
            points=locked.points,
            reason=locked.reason,
            user=locked.requested_by,
        )
        locked.status = PointsAdjustmentRequest.Status.APPROVED
        locked.decided_by = user
        locked.decided_at = entry.created_at
        locked.entry = entry
        locked.save(update_fields=["status", "decided_by", "decided_at", "entry"])
        audit_record(
            action="loyalty.points_adjustment_approved",
            actor=user,
            target=locked,
            data={
                "client": locked.client_id,
                "points": locked.points,
                "requested_by": locked.requested_by_id,
                "entry": entry.pk,
                "balance": account.balance,
            },
        )
        return locked


def adjustment_reject(
    *, user, adjustment: PointsAdjustmentRequest, note: str = ""
) -> PointsAdjustmentRequest:
    """A second admin turns a pending adjustment down; nothing is written to the ledger."""
    with transaction.atomic():
        locked = _decidable(user, adjustment.pk)
        locked.status = PointsAdjustmentRequest.Status.REJECTED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()[:300]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            action="loyalty.points_adjustment_rejected",
            actor=user,
            target=locked,
            data={"client": locked.client_id, "points": locked.points},
        )
        return locked


# --- rewards and redemptions ---------------------------------------------------------------

REWARD_FIELDS = ("name", "description", "points_cost", "stock", "min_tier", "active")


def _reward_clean(reward: Reward) -> None:
    reward.name = (reward.name or "").strip()
    reward.full_clean(exclude=["tenant"], validate_constraints=False)
    if Reward.objects.filter(name__iexact=reward.name).exclude(pk=reward.pk).exists():
        raise ValidationError({"name": _("A reward of this name exists already.")})


def reward_create(*, user, **fields) -> Reward:
    """An admin adds a reward to the catalogue."""
    if not policy.can_manage_rewards(user):
        raise PermissionDenied(_("Only tenant admins manage the rewards catalogue."))
    reward = Reward(**{k: v for k, v in fields.items() if k in REWARD_FIELDS})
    reward.min_tier = reward.min_tier or ""
    with transaction.atomic():
        _reward_clean(reward)
        reward.save()
        audit_record(
            action="loyalty.reward_created",
            actor=user,
            target=reward,
            data={k: getattr(reward, k) for k in ("name", "points_cost", "stock", "min_tier")},
        )
    return reward


def reward_update(*, user, reward: Reward, **fields) -> Reward:
    """An admin changes a reward (cost, stock, tier, active); the row is locked
    so a redemption running at the same time sees either version."""
    if not policy.can_manage_rewards(user):
        raise PermissionDenied(_("Only tenant admins manage the rewards catalogue."))
    with transaction.atomic():
        locked = Reward.objects.select_for_update().get(pk=reward.pk)
        changed = {}
        for key, value in fields.items():
            if key in REWARD_FIELDS and getattr(locked, key) != value:
                setattr(locked, key, "" if key == "min_tier" and value is None else value)
                changed[key] = getattr(locked, key)
        if not changed:
            return locked
        _reward_clean(locked)
        locked.save(update_fields=list(changed))
        audit_record(
            action="loyalty.reward_updated", actor=user, target=locked, data={"changed": changed}
        )
        return locked


def tier_meets(tier: str, min_tier: str) -> bool:
    """``tier`` is ``min_tier`` or higher (platinum > gold > silver > standard)."""
    if not min_tier or min_tier not in RANKED_TIERS:
        return True
    return tier in RANKED_TIERS and RANKED_TIERS.index(tier) <= RANKED_TIERS.index(min_tier)


def redemption_create(*, user, client, reward: Reward) -> Redemption:
    """The client's manager (or an admin) gives ``reward`` to ``client`` for
    its ``points_cost``. Atomic and serialised: the client's account row and
    the reward row are locked (in that order) before the balance, the stock and
    the tier are checked, so two redemptions at once can never overdraw either.

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` naming
    ``client`` (not enough points, tier below the reward's minimum) or
    ``reward`` (inactive, out of stock)."""
    if not policy.can_redeem(user, client):
        raise PermissionDenied(_("Only the client's managers or an admin redeem points."))
    with transaction.atomic():
        account = _locked_account(client)
        locked = Reward.objects.select_for_update().get(pk=reward.pk)
        if not locked.active:
            raise ValidationError({"reward": _("This reward is no longer offered.")})
        if locked.stock < 1:
            raise ValidationError({"reward": _("This reward is out of stock.")})
        if not tier_meets(client.tier, locked.min_tier):
            raise ValidationError(
                {
                    "client": _("This reward is for %(tier)s clients and above.")
                    % {"tier": locked.get_min_tier_display()}
                }
            )
        if account.balance < locked.points_cost:
            raise ValidationError(
                {
                    "client": _(
                        "Not enough points: the client has %(balance)s, the reward costs %(cost)s."
                    )
                    % {"balance": account.balance, "cost": locked.points_cost}
                }
            )
        locked.stock -= 1
        locked.save(update_fields=["stock"])
        entry = _append(
            account=account,
            kind=EntryKind.REDEEM,
            points=-locked.points_cost,
            reason=locked.name,
            user=user,
        )
        redemption = Redemption.objects.create(
            client=client,
            reward=locked,
            points=locked.points_cost,
            entry=entry,
            created_by=user,
            created_at=entry.created_at,
        )
        audit_record(
            action="loyalty.reward_redeemed",
            actor=user,
            target=redemption,
            data={
                "client": client.pk,
                "reward": locked.pk,
                "points": locked.points_cost,
                "balance": account.balance,
                "stock": locked.stock,
            },
        )
        return redemption


# --- settings ------------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "expiry_months",
    "value_per_point",
    "four_eyes_threshold",
    "points_per_10k_wealth",
    "birthday_bonus",
    "event_attendance",
)


def points_settings_update(*, user, **values) -> PointsSettings:
    """An admin changes the tenant's points settings (stored on first change).
    A new expiry period applies to points earned from now on."""
    if not policy.can_edit_settings(user):
        raise PermissionDenied(_("Only tenant admins change the points settings."))
    with transaction.atomic():
        current = points_settings(persist=True)
        settings = PointsSettings.objects.select_for_update().get(pk=current.pk)
        changed = {}
        for key in SETTINGS_FIELDS:
            if key in values and getattr(settings, key) != values[key]:
                setattr(settings, key, values[key])
                changed[key] = values[key]
        if changed:
            settings.full_clean(exclude=["tenant"], validate_constraints=False)
            settings.save()
            audit_record(
                action="loyalty.points_settings_updated",
                actor=user,
                target=settings,
                data={"changed": changed},
            )
        forget_points_settings()
        return settings
