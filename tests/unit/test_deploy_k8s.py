"""deploy/kubernetes and the Containerfile: every object validates against the
Kubernetes 1.35 OpenAPI schemas (kubernetes-validate, offline), and the parts that
matter hold: two controller replicas with gRPC probes and --auth, Secrets referenced
and never embedded, Services and NetworkPolicies selecting the pods they mean (the
agents `sweepd launch k8s` creates included), Redis's append-only file on a volume
claim, and pods that pass the `restricted` Pod Security Standard."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from sweepd.launch import on_k8s

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"
KUBERNETES = "1.35.0"
VARIANTS = {"with Redis": DEPLOY, "external Redis": DEPLOY / "external-redis"}
WORKLOADS = ("Deployment", "StatefulSet", "Job")


def kustomize(directory: Path) -> list[dict]:
    """What `kubectl kustomize` builds, for the features these files use: resources
    (files and directories), namespace, and images (newName/newTag)."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    objects = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        objects += kustomize(path) if path.is_dir() else [
            o for o in yaml.safe_load_all(path.read_text()) if o]
    for obj in objects:
        if spec.get("namespace") and obj["kind"] != "Namespace":
            obj["metadata"]["namespace"] = spec["namespace"]
        for image in spec.get("images", []):
            for c in _pod_spec(obj).get("containers", []) if obj["kind"] in WORKLOADS else []:
                if c["image"].split(":")[0] == image["name"]:
                    c["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return objects


def _pod_spec(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]


def by(objects: list[dict], kind: str, name: str) -> dict:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def selects(selector: dict, labels: dict) -> bool:
    """A LabelSelector (matchLabels only, as these files use) against a pod's labels."""
    assert set(selector) <= {"matchLabels"}, selector
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


@pytest.fixture(scope="module")
def deployed() -> list[dict]:
    return kustomize(DEPLOY)


@pytest.fixture(scope="module")
def agent_pod_labels() -> dict:
    objects, _ = on_k8s.manifests("abc12345", image="img:1", namespace="ml", controller="c:1", agents=1)
    return objects[-1]["spec"]["template"]["metadata"]["labels"]


def pods(objects: list[dict]) -> dict[str, dict]:
    """Each workload's name -> its pod template labels."""
    return {o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"]
            for o in objects if o["kind"] in WORKLOADS}


@pytest.mark.parametrize("directory", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_object_validates_against_the_kubernetes_schemas(directory):
    objects = kustomize(directory)
    assert len(objects) >= 8
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "sweepd"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("directory", VARIANTS.values(), ids=VARIANTS.keys())
def test_kubectl_kustomize_builds_the_same_objects(directory):
    built = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(yaml.safe_load_all(built), key=key) == sorted(kustomize(directory), key=key)


def test_external_redis_leaves_out_only_redis():
    external = {(o["kind"], o["metadata"]["name"]) for o in kustomize(DEPLOY / "external-redis")}
    whole = {(o["kind"], o["metadata"]["name"]) for o in kustomize(DEPLOY)}
    assert whole - external == {("StatefulSet", "sweepd-redis"), ("Service", "sweepd-redis"),
                                ("NetworkPolicy", "sweepd-redis")}
    assert external < whole


def test_controller_has_replicas_grpc_probes_requests_and_auth(deployed):
    controller = by(deployed, "Deployment", "sweepd-controller")
    assert controller["spec"]["replicas"] >= 2
    (c,) = _pod_spec(controller)["containers"]
    port = c["ports"][0]["containerPort"]
    assert c["command"][:2] == ["sweepd", "controller"] and "--auth" in c["command"]
    assert c["command"][c["command"].index("--port") + 1] == str(port)
    assert c["command"][c["command"].index("--host") + 1] == "0.0.0.0"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert c[probe]["grpc"] == {"port": port}  # service "": the server as a whole
    assert set(c["resources"]["requests"]) == {"cpu", "memory"}
    assert c["image"] == "sweepd:0.1.0"
    budget = by(deployed, "PodDisruptionBudget", "sweepd-controller")
    assert selects(budget["spec"]["selector"], controller["spec"]["template"]["metadata"]["labels"])


def test_dashboard_runs_with_login_and_reaches_the_controller_service(deployed):
    dashboard = by(deployed, "Deployment", "sweepd-dashboard")
    (c,) = _pod_spec(dashboard)["containers"]
    assert c["command"][:2] == ["sweepd", "ui"] and "--auth" in c["command"]
    service = by(deployed, "Service", "sweepd-controller")
    target = c["command"][c["command"].index("--controller") + 1]
    assert target == f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    assert c["readinessProbe"]["httpGet"]["path"] == "/login"  # open without a login
    assert set(c["resources"]["requests"]) == {"cpu", "memory"}


def test_secrets_are_referenced_never_embedded(deployed):
    assert not [o for o in deployed if o["kind"] == "Secret"]
    text = json.dumps(deployed)
    assert not re.search(r"redis://[^\"]*@", text)  # no URL with credentials
    for obj in deployed:
        if obj["kind"] not in WORKLOADS:
            continue
        for c in _pod_spec(obj)["containers"]:
            for var in c.get("env", []):
                if re.search(r"URL|PASSWORD|SECRET|AUTH|KEY", var["name"]):
                    assert "secretKeyRef" in var["valueFrom"], (obj["metadata"]["name"], var)
    controller = _pod_spec(by(deployed, "Deployment", "sweepd-controller"))["containers"][0]
    assert {e["name"]: e["valueFrom"]["secretKeyRef"] for e in controller["env"]} == {
        "SWEEPD_REDIS_URL": {"name": "sweepd-redis", "key": "url"}}


def test_services_select_exactly_their_pods_and_target_named_ports(deployed, agent_pod_labels):
    workloads = {o["metadata"]["name"]: o for o in deployed if o["kind"] in WORKLOADS}
    labels = pods(deployed)
    for service in (o for o in deployed if o["kind"] == "Service"):
        name = service["metadata"]["name"]
        chosen = [w for w, l in labels.items() if selects({"matchLabels": service["spec"]["selector"]}, l)]
        assert chosen == [name], (name, chosen)
        assert not selects({"matchLabels": service["spec"]["selector"]}, agent_pod_labels)
        ports = {p["name"] for c in _pod_spec(workloads[name])["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports
    for workload in workloads.values():
        assert selects(workload["spec"]["selector"], workload["spec"]["template"]["metadata"]["labels"])


def _allowed(policy: dict, labels: dict, same_namespace: bool) -> bool:
    for rule in policy["spec"].get("ingress", []):
        if "from" not in rule:
            return True
        for peer in rule["from"]:
            if "namespaceSelector" not in peer and not same_namespace:
                continue
            if selects(peer.get("podSelector", {}), labels):
                return True
    return False


def test_network_policies_let_only_agents_and_the_dashboard_in(deployed, agent_pod_labels):
    labels = pods(deployed)
    policies = {o["metadata"]["name"]: o for o in deployed if o["kind"] == "NetworkPolicy"}
    deny = policies["sweepd-default-deny-ingress"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}

    controller = policies["sweepd-controller"]
    assert selects(controller["spec"]["podSelector"], labels["sweepd-controller"])
    assert _allowed(controller, agent_pod_labels, same_namespace=False)  # agents in any namespace
    assert _allowed(controller, labels["sweepd-dashboard"], same_namespace=True)
    assert not _allowed(controller, labels["sweepd-redis"], same_namespace=True)
    assert not _allowed(controller, {"app": "something-else"}, same_namespace=True)
    assert [p["port"] for r in controller["spec"]["ingress"] for p in r["ports"]] == [50051]

    redis = policies["sweepd-redis"]
    assert selects(redis["spec"]["podSelector"], labels["sweepd-redis"])
    assert _allowed(redis, labels["sweepd-controller"], same_namespace=True)
    assert _allowed(redis, labels["sweepd-dashboard"], same_namespace=True)
    assert not _allowed(redis, agent_pod_labels, same_namespace=True)
    assert not _allowed(redis, agent_pod_labels, same_namespace=False)

    for name, policy in policies.items():  # each policy guards exactly one workload (or all)
        guarded = [w for w, l in labels.items() if selects(policy["spec"]["podSelector"], l)]
        assert len(guarded) == (len(labels) if name == "sweepd-default-deny-ingress" else 1), name


def test_redis_keeps_an_append_only_file_on_a_volume_claim(deployed):
    redis = by(deployed, "StatefulSet", "sweepd-redis")
    (c,) = _pod_spec(redis)["containers"]
    script = c["command"][-1]
    assert "--appendonly yes" in script and "--appendfsync everysec" in script
    (claim,) = redis["spec"]["volumeClaimTemplates"]
    (mount,) = [v for v in c["volumeMounts"] if v["name"] == claim["metadata"]["name"]]
    assert f"--dir {mount['mountPath']}" in script
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    # the password reaches Redis on its standard input, from the Secret: never on a command line
    assert "requirepass $REDIS_PASSWORD" in script and "redis-server - " in script
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]}
    assert env["REDIS_PASSWORD"] == env["REDISCLI_AUTH"] == {"name": "sweepd-redis", "key": "password"}
    assert redis["spec"]["replicas"] == 1 and redis["spec"]["serviceName"] == "sweepd-redis"


def test_every_pod_meets_the_restricted_pod_security_standard(deployed):
    objects, _ = on_k8s.manifests("abc12345", image="img:1", namespace="ml", controller="c:1",
                                  agents=1, gpus_per_run=1)
    namespace = by(deployed, "Namespace", "sweepd")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for obj in [o for o in deployed + objects if o["kind"] in WORKLOADS]:
        pod = _pod_spec(obj)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        for volume in pod.get("volumes", []):
            assert set(volume) - {"name"} <= {"emptyDir", "secret", "configMap", "persistentVolumeClaim"}


def test_the_containerfile_builds_a_non_root_image_of_this_checkout(deployed):
    text = (ROOT / "Containerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", text, re.M)
    assert len(stages) >= 2 and stages[0][1] == "build"  # multi-stage
    assert "ARG TORCH=0" in text and '"${TORCH}" = "1"' in text  # torch optional
    assert "COPY pyproject.toml" in text and "--constraint requirements.lock" in text
    final = text[text.rindex("\nFROM "):]
    uid = int(re.search(r"^ARG UID=(\d+)", final, re.M).group(1))
    assert uid > 0 and re.search(r"^USER \$\{UID\}:\$\{UID\}$", final, re.M)
    assert "COPY --from=build" in final and 'ENTRYPOINT ["sweepd"]' in final
    for name in ("sweepd-controller", "sweepd-dashboard"):
        assert _pod_spec(by(deployed, "Deployment", name))["securityContext"]["runAsUser"] == uid
    for path in re.findall(r"^COPY (?!--)(\S+) ", text, re.M):
        assert (ROOT / path).exists(), path
