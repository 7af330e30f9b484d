#!/usr/bin/env python
"""Per-app translation catalogues (Simplified Chinese).

Each app owns ``<app>/locale/zh_Hans/LC_MESSAGES/django.po`` holding every
string of its Python code and of ``templates/<app>/``; tenancy's also holds
config/ and the shared templates at the top of ``templates/``. One catalogue
per app means people working on different apps never edit the same file.

    python scripts/messages.py            # update every catalogue (keeps translations), compile .mo
    python scripts/messages.py clients    # one app
    python scripts/messages.py --check    # exit 1 when a string is missing or untranslated
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["tenancy", "clients", "communications", "risk", "loyalty", "performance"]
LANG = "zh_Hans"


def sources(app: str) -> list[Path]:
    paths = [ROOT / app, ROOT / "templates" / app]
    if app == "tenancy":
        paths += [ROOT / "config", ROOT / "templates" / "registration"]
        paths += sorted((ROOT / "templates").glob("*.html"))
    return [p for p in paths if p.exists()]


def extract(app: str, workdir: Path) -> Path:
    """Run makemessages over the app's sources (symlinked into one tree)."""
    src = workdir / "src"
    src.mkdir()
    for i, path in enumerate(sources(app)):
        (src / f"{i}_{path.name}").symlink_to(path)
    (src / "locale").mkdir()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            LANG,
            "--symlinks",
            "--no-location",
            "--no-obsolete",
            "--ignore=locale/*",
            "--ignore=*/migrations/*",
        ],
        cwd=src,
        env=env,
        check=True,
        capture_output=True,
    )
    return src / "locale" / LANG / "LC_MESSAGES" / "django.po"


def catalogue(app: str) -> Path:
    return ROOT / app / "locale" / LANG / "LC_MESSAGES" / "django.po"


def untranslated(po: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out += subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""'
    ]


def missing(app: str, fresh: Path) -> list[str]:
    target = catalogue(app)
    if not target.exists():
        return ["<no catalogue>"]
    out = subprocess.run(
        ["msgcomm", "--unique", "--no-location", str(fresh), str(target), str(target)],
        capture_output=True,
        text=True,
    ).stdout
    # msgcomm --unique with the target twice leaves what only the fresh extraction has
    return [
        line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""'
    ]


def update(app: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = extract(app, Path(tmp))
        if not fresh.exists():
            return
        target = catalogue(app)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            subprocess.run(
                [
                    "msgmerge",
                    "--quiet",
                    "--no-fuzzy-matching",
                    "--no-location",
                    "--update",
                    "--backup=none",
                    str(target),
                    str(fresh),
                ],
                check=True,
            )
            subprocess.run(
                ["msgattrib", "--no-obsolete", "-o", str(target), str(target)], check=True
            )
        else:
            text = (
                fresh.read_text()
                .replace("#, fuzzy\n", "", 1)
                .replace('"Language: \\n"', f'"Language: {LANG}\\n"')
            )
            target.write_text(text)
        subprocess.run(
            ["msgfmt", "--check", "-o", str(target.with_suffix(".mo")), str(target)],
            check=True,
        )


def check(app: str) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = extract(app, Path(tmp))
        if fresh.exists():  # an app with no strings yet has nothing to translate
            problems += [f"{app}: not in catalogue: {m}" for m in missing(app, fresh)]
    if catalogue(app).exists():
        problems += [f"{app}: untranslated: {m}" for m in untranslated(catalogue(app))]
    return problems


def main(argv: list[str]) -> int:
    do_check = "--check" in argv
    apps = [a for a in argv if not a.startswith("--")] or APPS
    if do_check:
        problems = [p for app in apps for p in check(app)]
        print("\n".join(problems) or "all catalogues complete")
        return 1 if problems else 0
    for app in apps:
        update(app)
        print(f"{app}: {catalogue(app).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
