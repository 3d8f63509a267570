"""The rules that keep the house (docs/layout.md), checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    path
    for package in (
        "cards",
        "wizard",
        "api",
        "webhooks",
        "governance",
        "sso",
        "teamtemplates",
        "attestations",
    )
    if (ROOT / package).exists()
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)
# The 500-line size is a guide in docs/style.md, not a gate. This hard cap is twice it: a
# module that long is two concerns whatever it holds (the longest today, cards/models.py, has
# 500 lines), and a cap keeps one from growing unnoticed.
HARD_CAP = 1000


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_only_the_sagemaker_package_talks_to_aws(path: Path) -> None:
    if relative(path).startswith("cards/sagemaker/"):
        return
    aws = {name for name in imported(path) if name.split(".")[0] in {"boto3", "botocore"}}
    assert not aws, f"{relative(path)} imports {sorted(aws)}"


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in MODULES
        if relative(p).startswith(
            (
                "cards/views/",
                "wizard/",
                "api/",
                "governance/views",
                "webhooks/views",
                "sso/",
                "teamtemplates/views",
            )
        )
    ],
    ids=relative,
)
def test_screens_reach_sagemaker_only_through_services(path: Path) -> None:
    reached = {name for name in imported(path) if name.startswith("cards.sagemaker")}
    assert not reached, f"{relative(path)} imports {sorted(reached)}"


@pytest.mark.parametrize(
    "path", [p for p in MODULES if relative(p).startswith("cards/content/")], ids=relative
)
def test_the_content_package_needs_nothing_of_the_app_but_the_refusals(path: Path) -> None:
    app = {
        name
        for name in imported(path)
        if name.split(".")[0] in {"cards", "wizard", "api"}
        and not name.startswith(("cards.content", "cards.errors"))
    }
    assert not app, f"{relative(path)} imports {sorted(app)}"


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_no_module_grows_past_the_hard_cap(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= HARD_CAP, f"{relative(path)} has {lines} lines: split it by concern"
