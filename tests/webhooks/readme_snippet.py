"""The README's signature check, taken from the README itself (so the two cannot differ)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- webhook-verify -->\n```python\n(.*?)```", text, re.DOTALL)
    assert found, "README.md has no webhook verification snippet"
    namespace: dict = {}
    exec(compile(found.group(1), "README.md", "exec"), namespace)  # noqa: S102 - our README
    return namespace["verify"]
