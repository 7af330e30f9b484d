"""Writes with rules for tenants, branches and staff. Each validates, runs in
one transaction and writes its audit event."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .audit import audit_record
from .context import tenant_scope
from .models import Branch, Role, Tenant, User
from .timezones import is_zone_name
from .tokens import api_token_revoke_all


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only a tenant admin may do this."))


def tenant_create(
    *,
    name: str,
    slug: str,
    admin_username: str,
    admin_password: str,
    timezone: str = "Asia/Shanghai",
    locale: str = "zh-hans",
) -> Tenant:
    """A new bank with its head-office branch and one tenant admin."""
    errors = {}
    if not name.strip():
        errors["name"] = _("A name is required.")
    if Tenant.objects.filter(slug=slug).exists():
        errors["slug"] = _("A tenant with this slug already exists.")
    if User.objects.filter(username=admin_username).exists():
        errors["admin_username"] = _("This username is already taken.")
    if not is_zone_name(timezone):
        errors["timezone"] = _("Unknown time zone.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tenant = Tenant(name=name, slug=slug, timezone=timezone, locale=locale)
        tenant.full_clean()
        tenant.save()
        with tenant_scope(tenant):
            # A record in one language: the bank's own (总行, or "Head office").
            with translation.override(tenant.locale):
                head_name = str(Branch.Level.HEAD_OFFICE.label)
            head = Branch(name=head_name, level=Branch.Level.HEAD_OFFICE, code="HO")
            _branch_save(head)
            admin = User(username=admin_username, tenant=tenant, role=Role.ADMIN, branch=head)
            try:
                validate_password(admin_password, admin)
            except ValidationError as exc:
                raise ValidationError({"admin_password": exc.messages}) from None
            admin.set_password(admin_password)
            admin.full_clean()
            admin.save()
            audit_record(
                action="tenant.created", target=tenant, data={"slug": slug, "admin": admin_username}
            )
    return tenant


def _branch_save(branch: Branch) -> Branch:
    branch.save()
    parent_path = branch.parent.path if branch.parent_id else "/"
    branch.path = f"{parent_path}{branch.pk}/"
    Branch.objects.filter(pk=branch.pk).update(path=branch.path)
    return branch


def branch_create(
    *,
    actor: User,
    name: str,
    parent: Branch | None,
    level: str = Branch.Level.BRANCH,
    code: str = "",
) -> Branch:
    _require_admin(actor)
    errors = {}
    if not name or not name.strip():
        errors["name"] = _("A name is required.")
    elif Branch.objects.filter(name=name.strip()).exists():
        errors["name"] = _("A branch with this name already exists.")
    if parent is not None and parent.tenant_id != actor.tenant_id:
        errors["parent"] = _("Unknown branch.")
    if level not in Branch.Level.values:
        errors["level"] = _("Unknown level.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        branch = _branch_save(Branch(name=name.strip(), parent=parent, level=level, code=code))
        audit_record(
            action="branch.created",
            actor=actor,
            target=branch,
            data={"name": branch.name, "parent": parent.pk if parent else None},
        )
    return branch


def _validate_staff(*, actor: User, role: str, branch: Branch | None) -> dict:
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if branch is None:
        errors["branch"] = _("Choose a branch.")
    elif branch.tenant_id != actor.tenant_id:
        errors["branch"] = _("Unknown branch.")
    return errors


def staff_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    branch: Branch | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Admin creates a staff member of their own tenant."""
    _require_admin(actor)
    errors = _validate_staff(actor=actor, role=role, branch=branch)
    if not username:
        errors["username"] = _("A username is required.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("This username is already taken.")
    user = User(
        username=username,
        tenant_id=actor.tenant_id,
        role=role,
        branch=branch,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    if not password:
        errors["password"] = _("A password is required.")
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(
            action="staff.created",
            actor=actor,
            target=user,
            data={"username": username, "role": role, "branch": branch.pk if branch else None},
        )
    return user


def staff_update(
    *,
    actor: User,
    staff: User,
    role: str | None = None,
    branch: Branch | None = None,
    is_active: bool | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> User:
    """Change a staff member's role, branch or status; every change audited."""
    _require_admin(actor)
    new_role = staff.role if role is None else role
    new_branch = staff.branch if branch is None else branch
    errors = _validate_staff(actor=actor, role=new_role, branch=new_branch)
    if staff.pk == actor.pk and (new_role != Role.ADMIN or is_active is False):
        errors["role"] = _("You cannot demote or deactivate yourself.")
    if errors:
        raise ValidationError(errors)
    changes = {}
    for field, value in (
        ("role", new_role),
        ("branch_id", new_branch.pk if new_branch else None),
        ("is_active", is_active),
        ("first_name", first_name),
        ("last_name", last_name),
        ("email", email),
    ):
        if value is not None and getattr(staff, field) != value:
            changes[field] = {"from": getattr(staff, field), "to": value}
            setattr(staff, field, value)
    if not changes:
        return staff
    with transaction.atomic():
        staff.full_clean()
        staff.save()
        audit_record(action="staff.updated", actor=actor, target=staff, data=changes)
        if changes.get("is_active", {}).get("to") is False:
            # a deactivated account's API access ends now
            api_token_revoke_all(user=staff, actor=actor)
    return staff
