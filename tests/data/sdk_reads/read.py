"""Loads cards from SageMaker with one of SageMaker's official Python SDKs and prints, as JSON,
what the SDK read: each card's content as the SDK would write it back, or why it refused it.

Run by tests/sagemaker/test_sdk_reads.py with the SDK's own interpreter (SDK v2 and SDK v3 are
two major versions of the ``sagemaker`` distribution, so each lives in its own environment;
tests/data/sdk_reads/venvs.sh makes them), against the sandbox on loopback:
    AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:PORT python read.py v2|v3 < request.json
The request names standalone cards and model packages: {"cards": [...], "packages": [...]}.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import boto3

REGION = "us-east-1"


def v2(request: dict) -> dict:
    from sagemaker.model_card import ModelCard
    from sagemaker.session import Session

    session = Session(boto_session=boto3.Session(region_name=REGION))
    loaded: dict = {}
    for name in request["cards"]:
        try:
            card = ModelCard.load(name=name, sagemaker_session=session)
        except Exception as error:  # what the SDK says is the finding
            loaded[name] = {"refused": f"{type(error).__name__}: {error}"}
            continue
        loaded[name] = {"content": json.loads(card._create_request_args()["Content"])}
    for arn in request["packages"]:
        # SDK v2 has no loader for a package's own card: its ModelCard classes decode the
        # content DescribeModelPackage returns, as ModelCard.load decodes a standalone card's.
        own = session.sagemaker_client.describe_model_package(ModelPackageName=arn)["ModelCard"]
        try:
            card = ModelCard(
                name="package-card",
                sagemaker_session=session,
                **json.loads(own["ModelCardContent"]),
            )
        except Exception as error:
            loaded[arn] = {"refused": f"{type(error).__name__}: {error}"}
            continue
        loaded[arn] = {
            "content": json.loads(card._create_request_args()["Content"]),
            "status": own["ModelCardStatus"],
        }
    return {"made_with": f"sagemaker {version('sagemaker')}", "loaded": loaded}


def v3(request: dict) -> dict:
    from sagemaker.core.resources import ModelCard, ModelPackage
    from sagemaker.core.shapes.model_card_shapes import ModelCardContent

    session = boto3.Session(region_name=REGION)

    def parsed(text: str) -> dict:
        content = ModelCardContent.model_validate_json(text)
        return json.loads(content.model_dump_json(exclude_none=True))

    loaded: dict = {}
    for name in request["cards"]:
        try:
            card = ModelCard.get(model_card_name=name, session=session, region=REGION)
            loaded[name] = {"content": parsed(card.content), "status": card.model_card_status}
        except Exception as error:
            first = " ".join(line.strip() for line in str(error).splitlines()[:3])
            loaded[name] = {"refused": f"{type(error).__name__}: {first}"}
    for arn in request["packages"]:
        package = ModelPackage.get(model_package_name=arn, session=session, region=REGION)
        own = package.model_card
        try:
            loaded[arn] = {
                "content": parsed(own.model_card_content),
                "status": own.model_card_status,
            }
        except Exception as error:
            first = " ".join(line.strip() for line in str(error).splitlines()[:3])
            loaded[arn] = {"refused": f"{type(error).__name__}: {first}"}
    return {"made_with": f"sagemaker-core {version('sagemaker-core')}", "loaded": loaded}


if __name__ == "__main__":
    sdk = sys.argv[1]
    # The SDKs print their own notices to stdout: only the answer goes there.
    out, sys.stdout = sys.stdout, sys.stderr
    answer = {"v2": v2, "v3": v3}[sdk](json.load(sys.stdin))
    json.dump(answer, out, indent=2, sort_keys=True)
    out.write("\n")
