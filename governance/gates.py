"""Metric gates: does a card's content meet the bounds its review policy sets on metrics?

Pure: gates as ``Rules.gates`` holds them (dicts), the content as SageMaker's document. A
gate selects metrics by evaluation job, metric group and name (``*`` and ``?`` patterns,
case-insensitive); it passes when every selected number metric is within its bounds, fails
when one is not, and is missing when the card has no number metric it selects.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from cards.content.document import is_number

PASSED, FAILED, MISSING = "passed", "failed", "missing"


def _number(value: float) -> str:
    return f"{value:g}"


def gate_text(gate: dict) -> str:
    """``AUC >= 0.8 (job holdout)``, ``DI within 0.8 to 1.25``: the gate in words."""
    low, high = gate.get("minimum"), gate.get("maximum")
    if low is not None and high is not None:
        bound = f"within {_number(low)} to {_number(high)}"
    elif low is not None:
        bound = f">= {_number(low)}"
    else:
        bound = f"<= {_number(high)}"
    where = [
        f"job {gate['job']}" if gate.get("job") else "",
        f"group {gate['group']}" if gate.get("group") else "",
    ]
    where = [part for part in where if part]
    return f"{gate['metric']} {bound}" + (f" ({', '.join(where)})" if where else "")


def _matches(pattern: str, value: object) -> bool:
    return isinstance(value, str) and fnmatch.fnmatchcase(value.casefold(), pattern.casefold())


@dataclass
class GateResult:
    gate: dict
    state: str
    # (job, group, metric, value) of every number metric the gate selected.
    values: list[tuple[str, str, str, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return gate_text(self.gate)

    @property
    def blocking(self) -> bool:
        return self.state != PASSED

    def explanation(self) -> str:
        if self.state == MISSING:
            return "The card has no number metric this gate selects."
        shown = ", ".join(
            f"{metric} = {_number(value)} ({job} / {group})"
            for job, group, metric, value in self.values
        )
        return f"{'Met' if self.state == PASSED else 'Not met'}: {shown}."

    def as_json(self) -> dict:
        return {
            "gate": self.text,
            "state": self.state,
            "values": [
                {"job": job, "group": group, "metric": metric, "value": value}
                for job, group, metric, value in self.values
            ],
        }


def _within(gate: dict, value: float) -> bool:
    low, high = gate.get("minimum"), gate.get("maximum")
    return (low is None or value >= low) and (high is None or value <= high)


def gate_results(gates: list[dict], content: object) -> list[GateResult]:
    jobs = content.get("evaluation_details") if isinstance(content, dict) else None
    results = []
    for gate in gates:
        values = []
        for job in jobs if isinstance(jobs, list) else []:
            if (
                not isinstance(job, dict)
                or gate.get("job")
                and not _matches(gate["job"], job.get("name"))
            ):
                continue
            for group in job.get("metric_groups") or []:
                if not isinstance(group, dict):
                    continue
                if gate.get("group") and not _matches(gate["group"], group.get("name")):
                    continue
                for metric in group.get("metric_data") or []:
                    if (
                        isinstance(metric, dict)
                        and _matches(gate["metric"], metric.get("name"))
                        and is_number(metric.get("value"))
                    ):
                        values.append(
                            (
                                str(job.get("name", "")),
                                str(group.get("name", "")),
                                str(metric["name"]),
                                float(metric["value"]),
                            )
                        )
        if not values:
            state = MISSING
        elif all(_within(gate, value) for *_, value in values):
            state = PASSED
        else:
            state = FAILED
        results.append(GateResult(gate=gate, state=state, values=values))
    return results
