"""The author of an assessment learns its outcome in the notifications centre
(tenancy.notify), in their own language; submitting notifies no one."""

from communications.models import Notification

from .helpers import make_assessment, make_client

URL = "/api/v1/risk-assessments/"


def _notes(bank, user):
    with bank.scope():
        return list(Notification.objects.filter(recipient=user).values_list("title", "body", "url"))


def test_approval_notifies_the_author_once(bank, api_for):
    bank.rm.language = "en"
    bank.rm.save(update_fields=["language"])
    c = make_client(bank, name="Huaxin Trading")
    a = make_assessment(bank, c, scores=(40, 50, 30), status="submitted")  # BB
    assert _notes(bank, bank.rm) == []  # submitting tells no one
    assert api_for(bank.risk_officer).post(f"{URL}{a.pk}/approve/").status_code == 200
    assert _notes(bank, bank.rm) == [
        ("Assessment approved: Huaxin Trading, rating BB", "", f"/risk/assessments/{a.pk}/")
    ]
    assert _notes(bank, bank.risk_officer) == []


def test_rejection_notifies_the_author_with_the_reason_in_their_language(bank, api_for):
    bank.rm.language = "zh-hans"
    bank.rm.save(update_fields=["language"])
    c = make_client(bank, name="Huaxin Trading")
    a = make_assessment(bank, c, status="submitted")
    r = api_for(bank.branch_head).post(f"{URL}{a.pk}/reject/", {"reason": "Scores lack evidence."})
    assert r.status_code == 200
    [(title, body, url)] = _notes(bank, bank.rm)
    assert title == "评估被退回：Huaxin Trading"
    assert body == "Scores lack evidence." and url == f"/risk/assessments/{a.pk}/"
