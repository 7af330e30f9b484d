"""Every string a person reads exists in Simplified Chinese."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="GNU gettext tools are not installed")
def test_every_catalogue_is_complete_and_translated():
    result = subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compiled_catalogues_are_in_step_with_their_sources():
    for po in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run scripts/messages.py"
        assert mo.stat().st_size > 0


def test_key_words_use_the_glossary():
    with translation.override("zh-hans"):
        assert translation.gettext("My day") == "我的工作台"
        assert translation.gettext("Relationship manager") == "客户经理"
        assert translation.gettext("Audit trail") == "审计日志"
