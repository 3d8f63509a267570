"""The documented signature check, taken from docs/webhooks.md itself (so the two cannot differ)."""

from __future__ import annotations

import re
from pathlib import Path

WEBHOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def readme_verify():
    text = WEBHOOKS_DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- webhook-verify -->\n```python\n(.*?)```", text, re.DOTALL)
    assert found, "docs/webhooks.md has no webhook verification snippet"
    namespace: dict = {}
    exec(compile(found.group(1), "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our docs
    return namespace["verify"]
