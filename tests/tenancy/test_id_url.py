"""The ``id_url`` filter: the same URL as ``{% url %}`` with one integer id."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

NAMES = ["clients:detail", "risk:assessment_detail", "risk:watch_add", "risk:group_limit_create"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 918273645, 123456789012])
def test_id_url_is_the_reversed_url(name, pk):
    html = Template("{% load steward %}{{ pk|id_url:name }}").render(
        Context({"pk": pk, "name": name})
    )
    assert html == reverse(name, args=[pk])


def test_id_url_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    set_script_prefix("/steward/")
    try:
        html = Template('{% load steward %}{{ 5|id_url:"clients:detail" }}').render(Context())
        assert html == "/steward/clients/5/"
    finally:
        set_script_prefix(before)
