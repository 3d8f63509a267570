"""The local AWS sandbox: moto in server mode, corrected where it differs from SageMaker.

`python -m cards.sagemaker.sandbox -H 127.0.0.1 -p PORT` runs it (manage.py studio and the tests
do).

moto's UpdateModelCard drops whichever of Content and ModelCardStatus a call leaves out
(moto 5: the new version gets None). SageMaker keeps them, and it refuses both in one call,
so every status change would erase the content. This carries the omitted field over, as AWS
does; moto still appends a version for a status-only update (AWS does not)."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

from moto.sagemaker.models import SageMakerModelBackend

_original = SageMakerModelBackend.update_model_card


def _update_model_card(self, model_card_name: str, content, model_card_status):
    versions = self.model_cards.get(model_card_name)
    if versions:
        latest = versions[-1]
        content = latest.content if content is None else content
        status = latest.model_card_status
        model_card_status = status if model_card_status is None else model_card_status
    return _original(self, model_card_name, content, model_card_status)


def patch_moto() -> None:
    SageMakerModelBackend.update_model_card = _update_model_card


def restore_and_record(endpoint: str, recording: Path) -> None:
    """Keep the sandbox's state across restarts: replay what earlier runs sent it (moto's
    recorder; the sandbox was started with MOTO_RECORDER_FILEPATH=recording), then record.
    Published cards and their versions are there again, so the app's "Published as version
    5" stays true."""
    if recording.exists() and recording.stat().st_size:
        _post(f"{endpoint}/moto-api/recorder/replay-recording")
    _post(f"{endpoint}/moto-api/recorder/start-recording")


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=120):  # noqa: S310 - the local sandbox
        pass


if __name__ == "__main__":
    from moto.server import main

    patch_moto()
    main(sys.argv[1:])
