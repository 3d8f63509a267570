"""deploy/kubernetes/: every object validates against a current Kubernetes schema
(kubernetes-validate ships the schemas; no cluster and no network needed), and the objects
fit together as the operator docs say."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES = kubernetes_validate.latest_version()


def objects() -> list[dict]:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    found = []
    for name in kustomization["resources"]:
        found += [doc for doc in yaml.safe_load_all((MANIFESTS / name).read_text()) if doc]
    return found


ALL = objects()


def named(kind: str, name: str) -> dict:
    (found,) = [o for o in ALL if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def test_the_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}


def test_a_current_kubernetes_schema_is_used():
    major, minor = (int(part) for part in KUBERNETES.split(".")[:2])
    assert (major, minor) >= (1, 33)


@pytest.mark.parametrize("manifest", ALL, ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_every_object_validates_strictly(manifest):
    # strict: a misspelt or misplaced field is an error, not silently ignored.
    kubernetes_validate.validate(manifest, KUBERNETES, strict=True)


def test_a_misplaced_field_would_be_caught():
    broken = yaml.safe_load((MANIFESTS / "service.yaml").read_text())
    broken["spec"]["port"] = 80
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def pod(kind: str, name: str) -> dict:
    found = named(kind, name)["spec"]
    return found["template"]["spec"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("Deployment", "model-card-studio-web"),
        ("Deployment", "model-card-studio-worker"),
        ("Job", "model-card-studio-migrate"),
    ],
)
def test_every_pod_runs_as_non_root_with_limits(kind, name):
    spec = pod(kind, name)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["serviceAccountName"] == "model-card-studio"
    for container in spec["containers"]:
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]


def test_the_web_pods_are_probed_on_readyz_and_healthz():
    (web,) = pod("Deployment", "model-card-studio-web")["containers"]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    mounts = {mount["mountPath"] for mount in web["volumeMounts"]}
    config = named("ConfigMap", "model-card-studio")["data"]
    assert config["PROMETHEUS_MULTIPROC_DIR"] in mounts


def test_workers_connect_straight_to_postgresql_and_finish_a_publish_before_stopping():
    spec = pod("Deployment", "model-card-studio-worker")
    (worker,) = spec["containers"]
    env = {item["name"]: item for item in worker["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "WORKER_DATABASE_URL"
    assert env["DATABASE_POOLER"]["value"] == ""
    # A publish retries for about two minutes (PUBLISH_RETRY's waits add up to 126 s).
    assert spec["terminationGracePeriodSeconds"] >= 130


def test_the_migrate_job_runs_migrate_straight_to_postgresql():
    (migrate,) = pod("Job", "model-card-studio-migrate")["containers"]
    assert migrate["command"][-2:] == ["migrate", "--noinput"]
    env = {item["name"]: item for item in migrate["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "WORKER_DATABASE_URL"


@pytest.mark.parametrize("component", ["web", "worker"])
def test_budgets_and_the_autoscaler_select_the_right_pods(component):
    labels = named("Deployment", f"model-card-studio-{component}")["spec"]["selector"]
    budget = named("PodDisruptionBudget", f"model-card-studio-{component}")["spec"]
    assert budget["selector"] == labels
    assert budget["minAvailable"] == 1


def test_the_autoscaler_scales_the_web_deployment_and_the_service_reaches_it():
    target = named("HorizontalPodAutoscaler", "model-card-studio-web")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "model-card-studio-web")
    selector = named("Service", "model-card-studio-web")["spec"]["selector"]
    labels = named("Deployment", "model-card-studio-web")["spec"]["template"]["metadata"]
    assert selector.items() <= labels["labels"].items()
    backend = named("Ingress", "model-card-studio")["spec"]["rules"][0]["http"]["paths"][0]
    assert backend["backend"]["service"]["name"] == "model-card-studio-web"


def test_the_pods_take_their_aws_role_from_the_service_account():
    account = named("ServiceAccount", "model-card-studio")
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
        "arn:aws:iam::"
    )
