from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def client_url(client) -> str:
    """The client's 360° page (owned by the clients app), or this app's log page
    while that page is not mounted."""
    try:
        return reverse("clients:detail", kwargs={"client_id": client.pk})
    except NoReverseMatch:
        return reverse("communications:client_log", kwargs={"client_id": client.pk})


@register.filter
def followup_groups(section) -> list:
    return [
        (_("Overdue"), section["overdue"], "overdue"),
        (_("Due today"), section["today"], "today"),
        (_("Upcoming"), section["upcoming"], "upcoming"),
    ]


@register.filter
def can_change_followup(follow_up, user) -> bool:
    """Show the done / cancel / snooze buttons only to those who may use them."""
    from communications.policy import can_change_followup as allowed

    return bool(getattr(user, "pk", None)) and allowed(user, follow_up)
