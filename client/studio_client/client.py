"""The client: one ``Studio`` per server and token, ``Card`` objects that keep their revision."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

_FINISHED = {"published", "failed"}


class StudioError(Exception):
    """A refusal from the server (its problem details), or no answer from it."""

    def __init__(self, problem: dict[str, Any]) -> None:
        self.problem = problem
        self.status: int = int(problem.get("status") or 0)
        self.title: str = str(problem.get("title") or "Error")
        self.detail: str = str(problem.get("detail") or "")
        # [{"path": "training_details.training_job_details.hyper_parameters[3].name",
        #   "message": "..."}]
        self.errors: list[dict[str, str]] = list(problem.get("errors") or [])
        super().__init__(f"{self.status} {self.title}: {self.detail}")


class Studio:
    """Model Card Studio at ``url``, acting as the token's user."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/") + "/api/v1/",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Studio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path.lstrip("/"), **kwargs)
        except httpx.HTTPError as error:
            raise StudioError(
                {"status": 0, "title": "No answer", "detail": f"{type(error).__name__}: {error}"}
            ) from error
        if response.is_error:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text[:500]}
            if not isinstance(problem, dict):
                problem = {"detail": str(problem)}
            problem.setdefault("status", response.status_code)
            raise StudioError(problem)
        return response

    # --- cards ------------------------------------------------------------------------------

    def card(self, name: str) -> Card:
        return Card(self, self.request("GET", f"cards/{name}").json())

    def attestation_keys(self) -> list[str]:
        """The PEM public keys of every attestation the studio signed (for ``verify``)."""
        keys = self.request("GET", "attestation-keys").json()["keys"]
        return [key["public_key_pem"] for key in keys]

    def cards(self, **filters: str) -> Iterator[dict[str, Any]]:
        """Every card you can see (filters: team, status, risk_rating, owner, q)."""
        path: str | None = "cards"
        params: dict[str, str] | None = {k: v for k, v in filters.items() if v}
        while path:
            page = self.request("GET", path, params=params).json()
            yield from page["items"]
            path, params = (page["next"].split("/api/v1/", 1)[1] if page["next"] else None), None

    def create_card(
        self,
        name: str,
        team: str,
        *,
        content: dict[str, Any] | None = None,
        from_model_name: str | None = None,
        from_model_package_arn: str | None = None,
        from_training_job: str | None = None,
    ) -> Card:
        """A new draft; ``from_*`` fills it from SageMaker as the wizard's look-ups do, and
        ``content`` is merged over what they found."""
        body: dict[str, Any] = {"name": name, "team": team}
        if content is not None:
            body["content"] = content
        sources = {
            "model_name": from_model_name,
            "model_package_arn": from_model_package_arn,
            "training_job": from_training_job,
        }
        chosen = {key: value for key, value in sources.items() if value}
        if len(chosen) > 1:
            raise ValueError("Give at most one of the from_* arguments.")
        if chosen:
            body["from"] = chosen
        return Card(self, self.request("POST", "cards", json=body).json())

    def publication(self, publication_id: int) -> Publication:
        return Publication(self.request("GET", f"publications/{publication_id}").json())


class Publication(dict):
    """A publish request and what became of it (``state``: queued ... published, failed)."""

    @property
    def id(self) -> int:
        return int(self["id"])

    @property
    def state(self) -> str:
        return str(self["state"])


class Card:
    """One card as last read; changes send its revision (If-Match), so none is lost."""

    def __init__(self, studio: Studio, data: dict[str, Any]) -> None:
        self.studio = studio
        self.data = data

    def __repr__(self) -> str:
        return f"<Card {self.name} r{self.revision} {self.status}>"

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def revision(self) -> int:
        return int(self.data["revision"])

    @property
    def content(self) -> dict[str, Any]:
        return dict(self.data["content"])

    def _path(self, tail: str = "") -> str:
        return f"cards/{self.name}{tail}"

    def attestation(self, revision: int) -> dict[str, Any]:
        """The DSSE envelope that attests the approval of ``revision``."""
        return self.studio.request("GET", self._path(f"/revisions/{revision}/attestation")).json()

    def export_json(self, revision: int) -> bytes:
        """The revision's Export JSON, byte for byte (what an attestation's subject hashes)."""
        return self.studio.request(
            "GET", self._path("/export"), params={"format": "json", "revision": revision}
        ).content

    def refresh(self) -> Card:
        self.data = self.studio.request("GET", self._path()).json()
        return self

    def update(self, **sections: Any) -> Card:
        """Merge sections into the content (JSON merge patch: None removes a field)."""
        response = self.studio.request(
            "PATCH",
            self._path("/content"),
            content=json.dumps(sections),
            headers={
                "Content-Type": "application/merge-patch+json",
                "If-Match": f'"{self.revision}"',
            },
        )
        self.data = response.json()
        return self

    def replace(self, content: dict[str, Any]) -> Card:
        """Replace the whole content."""
        response = self.studio.request(
            "PUT",
            self._path("/content"),
            json=content,
            headers={"If-Match": f'"{self.revision}"'},
        )
        self.data = response.json()
        return self

    def add_report(
        self,
        report: str | Path | dict[str, Any],
        *,
        job: str,
        report_type: str = "detect",
        preview: bool = False,
    ) -> dict[str, Any]:
        """Add a Clarify, Model Monitor or generic report's metrics to evaluation job ``job``.

        ``report`` is a local file, an ``s3://`` URI or the decoded document. With
        ``preview`` nothing is added: the answer says what would be.
        """
        params = {"preview": "true"} if preview else None
        fields = {"report_type": report_type, "job": job}
        if isinstance(report, dict):
            kwargs: dict[str, Any] = {"json": {**fields, "document": report}}
        elif isinstance(report, str) and report.startswith("s3://"):
            kwargs = {"json": {**fields, "s3_uri": report}}
        else:
            path = Path(report)
            kwargs = {
                "data": fields,
                "files": {"file": (path.name, path.read_bytes(), "application/json")},
            }
        answer = self.studio.request("POST", self._path("/reports"), params=params, **kwargs).json()
        if not preview:
            self.refresh()
        return answer

    def submit(self) -> Card:
        response = self.studio.request(
            "POST", self._path("/submit"), headers={"If-Match": f'"{self.revision}"'}
        )
        self.data = response.json()
        return self

    def wait_for_status(self, status: str, *, timeout: float = 3600, poll: float = 30) -> Card:
        """Wait (long polls) until the card has ``status``; StudioError on timeout."""
        deadline = time.monotonic() + timeout
        current = self.status
        while current != status:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StudioError(
                    {
                        "status": 408,
                        "title": "Timed out",
                        "detail": f"{self.name} is still {current} after {timeout:g} s.",
                    }
                )
            answer = self.studio.request(
                "GET",
                self._path("/status"),
                params={"since": current, "wait": f"{min(left, poll):.1f}"},
                timeout=min(left, poll) + 30,
            ).json()
            current = answer["status"]
        return self.refresh()

    def publish(
        self,
        *,
        wait: bool = False,
        timeout: float = 900,
        idempotency_key: str | None = None,
    ) -> Publication:
        """Publish to SageMaker; with ``wait``, until it is published (StudioError if it
        failed). A retried call with the same key returns the same publication."""
        key = idempotency_key or str(uuid.uuid4())
        publication = Publication(
            self.studio.request(
                "POST", self._path("/publications"), headers={"Idempotency-Key": key}
            ).json()
        )
        if not wait:
            return publication
        deadline = time.monotonic() + timeout
        while publication.state not in _FINISHED:
            if time.monotonic() > deadline:
                raise StudioError(
                    {
                        "status": 408,
                        "title": "Timed out",
                        "detail": f"Publication {publication.id} is still {publication.state}.",
                    }
                )
            time.sleep(1)
            publication = self.studio.publication(publication.id)
        if publication.state == "failed":
            raise StudioError(
                {"status": 502, "title": "Publish failed", "detail": publication["last_error"]}
            )
        self.refresh()
        return publication
