"""Provenance: which values of a card were filled by a SageMaker look-up, and from where.

A look-up records, per content path, the value it filled and its source; the wizard marks a
field "from SageMaker" while its value is still exactly the one filled.
"""

from __future__ import annotations

from cards.content.document import dig


def job_key(name: str) -> str:
    return f"evaluation_details[{name}]"


def marks(content: dict, provenance: dict) -> dict[str, str]:
    """Content path -> source, for each filled value that is still exactly as filled."""
    shown = {}
    jobs = {
        job_key(job.get("name", "")): job
        for job in content.get("evaluation_details") or []
        if isinstance(job, dict)
    }
    for key, entry in (provenance or {}).items():
        if not isinstance(entry, dict):
            continue
        current = jobs.get(key) if key in jobs else dig(content, *key.split("."))
        if current is not None and current == entry.get("value"):
            shown[key] = entry.get("source", "SageMaker")
    return shown
