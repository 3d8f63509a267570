"""deploy/aws/iam-policy.json lists exactly the AWS actions the code calls (docs/operations.md
"AWS role"): every operation cards/sagemaker/ sends, found in its source, and nothing more."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "deploy" / "aws" / "iam-policy.json"
# Every module that reaches AWS (test_layout keeps boto3 inside this package); the sandbox is
# the local emulator, not a caller.
CALLERS = sorted(p for p in (ROOT / "cards" / "sagemaker").glob("*.py") if p.name != "sandbox.py")
# Helpers of cards/sagemaker/client.py whose first argument is a SageMaker operation name.
SAGEMAKER_HELPERS = {"_sagemaker_call", "_lookup", "_pages", "list_page"}
# boto3 client methods that send nothing by themselves.
LOCAL_METHODS = {"get_paginator", "get_waiter", "can_paginate", "close"}
# Where IAM checks another action than the operation's own name.
IAM_ACTIONS = {
    ("s3", "HeadObject"): {"s3:GetObject"},
    ("s3", "GetObject"): {"s3:GetObject"},
    ("s3", "HeadBucket"): {"s3:ListBucket"},
    ("s3", "ListObjectsV2"): {"s3:ListBucket"},
    ("sqs", "DeleteMessageBatch"): {"sqs:DeleteMessage"},
    # A create call that carries Tags (SAGEMAKER_TAGS) is also checked for sagemaker:AddTags.
    ("sagemaker", "CreateModelCard"): {"sagemaker:CreateModelCard", "sagemaker:AddTags"},
}


def called_operations() -> set[tuple[str, str]]:
    """(service, snake_case method) for every AWS call in the source."""
    found = set()
    for path in CALLERS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            # local name -> service: `name = client("s3")`, or a parameter named for its
            # service (`def _s3_message(error, s3, ...)`).
            clients = {
                a.arg: a.arg for a in function.args.args if a.arg in {"s3", "sagemaker", "sts"}
            }
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Call)
                    and (getattr(node.value.func, "id", "") or getattr(node.value.func, "attr", ""))
                    in {"client", "waiting_client", "_client"}
                    # `session.client(service, ...)` builds every client: no service of its own.
                    and isinstance(node.value.args[0], ast.Constant)
                ):
                    service = node.value.args[0].value
                    clients |= {target.id: service for target in node.targets}
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in SAGEMAKER_HELPERS and node.args:
                    # _lookup("describe_model", ...) or sagemaker.list_page("list_models", ...)
                    first = node.args[0]
                    if isinstance(first, ast.Constant):
                        found.add(("sagemaker", first.value))
                elif (
                    isinstance(func, ast.Attribute)
                    and func.attr == "get_paginator"
                    and isinstance(func.value, ast.Call | ast.Name)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    # s3.get_paginator("list_objects_v2"): the paginator sends that operation.
                    owner = func.value
                    service = clients.get(owner.id) if isinstance(owner, ast.Name) else None
                    if service is None and isinstance(owner, ast.Call) and owner.args:
                        service = getattr(owner.args[0], "value", None)
                    if service:
                        found.add((service, node.args[0].value))
                elif (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id in clients
                    and func.attr not in LOCAL_METHODS
                ):
                    found.add((clients[func.value.id], func.attr))
    return found


def iam_actions(operations: set[tuple[str, str]]) -> set[str]:
    session = botocore.session.get_session()
    actions = set()
    for service, method in operations:
        model = session.get_service_model(service)
        by_method = {xform_name(name): name for name in model.operation_names}
        assert method in by_method, f"{service} has no operation {method}"
        operation = by_method[method]
        actions |= IAM_ACTIONS.get((service, operation), {f"{service}:{operation}"})
    return actions


def policy_actions() -> set[str]:
    policy = json.loads(POLICY.read_text())
    actions = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "*" not in "".join(statement["Action"]), "no wildcard actions"
        actions |= set(statement["Action"])
    return actions


def test_the_scan_finds_the_calls_it_should():
    # A scan that found nothing would make the comparison below pass vacuously.
    operations = called_operations()
    assert ("sagemaker", "create_model_card") in operations
    assert ("sagemaker", "list_model_cards") in operations
    assert ("s3", "get_object") in operations
    assert ("sts", "assume_role") in operations  # a team's AWS target
    assert ("sagemaker", "add_tags") in operations


def test_the_policy_allows_exactly_the_actions_the_code_calls():
    expected = iam_actions(called_operations())
    granted = policy_actions()

    assert sorted(expected - granted) == [], "called but not allowed"
    assert sorted(granted - expected) == [], "allowed but never called"


def test_model_card_writes_are_limited_to_model_cards():
    policy = json.loads(POLICY.read_text())
    for statement in policy["Statement"]:
        writes = {
            a for a in statement["Action"] if a.split(":")[1].startswith(("Create", "Update"))
        }
        if writes:
            # Model cards, and the model registry's own card (UpdateModelPackage's ModelCard).
            assert statement["Resource"].endswith((":model-card/*", ":model-package/*")), statement[
                "Sid"
            ]
