"""`sweepd launch k8s`: the Indexed Job and Secret it creates, checked against the
Kubernetes 1.35 OpenAPI schemas (kubernetes-validate, offline) and for what matters
(GPU limits, the API key only behind a secretKeyRef, failure policy, options), and the
CLI's --dry-run as a subprocess. No cluster runs here: the submission path is checked
only up to the network (a refused connection) and through the client's own models."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml
from kubernetes.utils import parse_quantity

import sweepd.launch
from sweepd.domain import InvalidArgument
from sweepd.launch import k8s_manifests as m
from sweepd.launch import on_k8s

KUBERNETES = "1.35.0"  # the version kubernetes==35.0.0 (the client) speaks
KEY = "sk_live_abcdef0123456789"
SWEEP = "abc12345"


def validate(obj: dict) -> None:
    kubernetes_validate.validate(obj, KUBERNETES, strict=True)


def build(**options) -> tuple[dict | None, dict]:
    options.setdefault("namespace", "ml")
    options.setdefault("agents", 3)
    options.setdefault("controller", "sweepd-controller.sweepd.svc:50051")
    objects, _ = on_k8s.manifests(SWEEP, image=options.pop("image", "reg.example/sweepd:1"), **options)
    secret = next((o for o in objects if o["kind"] == "Secret"), None)
    return secret, objects[-1]


def container(job: dict) -> dict:
    (only,) = job["spec"]["template"]["spec"]["containers"]
    return only


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch):
    for name in ("SWEEPD_API_KEY", "SWEEPD_TLS_CA", "SWEEPD_CONTROLLER", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ca_file(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n")
    return path


VARIANTS = {
    "key in own secret": dict(api_key=KEY),
    "existing key secret": dict(api_key_secret="team-key:token"),
    "no key": dict(),
    "gpus": dict(api_key=KEY, gpus_per_run=1, parallel=2, cpus_per_run=4),
    "ca secret": dict(api_key=KEY, tls_ca_secret="sweepd-ca"),
    "ca configmap": dict(tls_ca_configmap="sweepd-ca:root.pem"),
    "function, count": dict(api_key=KEY, function="train:main", count=5, cpus_per_run=0.5),
}


@pytest.mark.parametrize("options", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_object_validates_against_the_kubernetes_schemas(options):
    objects, _ = on_k8s.manifests(SWEEP, image="reg.example/sweepd:1", namespace="ml",
                                  controller="ctl:50051", **options)
    assert [o["kind"] for o in objects][-1] == "Job"
    for obj in objects:
        validate(obj)
    resources = container(objects[-1])["resources"]
    for amount in (*resources["requests"].values(), *resources["limits"].values()):
        parse_quantity(amount)  # raises on a malformed quantity, which the schema lets through


def test_validation_is_strict_enough_to_catch_a_misspelt_field():
    _, job = build(api_key=KEY)
    container(job)["resource"] = container(job).pop("resources")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(job)


def test_the_job_is_indexed_one_agent_per_index_and_replaces_evicted_pods():
    _, job = build(agents=5, stop_grace=20)
    spec = job["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 5, 5)
    assert spec["template"]["spec"]["restartPolicy"] == "Never"  # podFailurePolicy needs it
    assert spec["podReplacementPolicy"] == "Failed"
    assert spec["backoffLimitPerIndex"] >= 1
    rules = spec["podFailurePolicy"]["rules"]
    ignored = [r for r in rules if r["action"] == "Ignore"]
    assert {"type": "DisruptionTarget", "status": "True"} in ignored[0]["onPodConditions"]
    assert ignored[1]["onExitCodes"]["values"] == [m.EXIT_SIGTERM]
    (fail,) = [r for r in rules if r["action"] == "FailJob"]
    assert fail["onExitCodes"] == {"containerName": "agent", "operator": "In", "values": [2]}
    assert {r["onExitCodes"]["containerName"] for r in rules if "onExitCodes" in r} == {container(job)["name"]}
    command = container(job)["command"]
    assert command[command.index("--stop-grace") + 1] == "20"
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] >= 20 + 10


def test_gpus_are_requested_as_nvidia_limits_one_id_per_run_slot():
    _, job = build(gpus_per_run=1, parallel=2)
    c = container(job)
    assert c["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert c["command"][c["command"].index("--gpus") + 1] == "0,1"
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in \
        job["spec"]["template"]["spec"]["tolerations"]

    _, shared = build(gpus_per_run=0.5, parallel=2, gpu_resource="amd.com/gpu")
    c = container(shared)
    assert c["resources"]["limits"] == {"cpu": "2", "amd.com/gpu": "1"}
    assert c["command"][c["command"].index("--gpus") + 1] == "0"

    _, single = build(gpus_per_run=2)
    assert container(single)["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert "--gpus" not in container(single)["command"]  # one run sees both


def test_no_gpus_no_gpu_limit_and_cpus_are_requested_and_limited():
    _, job = build(cpus_per_run=1.5, parallel=2)
    resources = container(job)["resources"]
    assert resources == {"requests": {"cpu": "3"}, "limits": {"cpu": "3"}}
    assert "tolerations" not in job["spec"]["template"]["spec"]
    _, small = build(cpus_per_run=0.25)
    assert container(small)["resources"]["requests"]["cpu"] == "250m"


@pytest.mark.parametrize("gpus, parallel", [(0.3, 1), (0.5, 3), (2, 2)])
def test_gpu_amounts_kubernetes_cannot_grant_are_refused(gpus, parallel):
    with pytest.raises(InvalidArgument) as err:
        build(gpus_per_run=gpus, parallel=parallel)
    assert err.value.errors[0][0] == "gpus_per_run"


def test_the_api_key_is_only_in_the_secret_and_reached_by_secret_key_ref():
    secret, job = build(api_key=KEY)
    assert secret["stringData"] == {"api-key": KEY}
    assert secret["metadata"]["name"] == job["metadata"]["name"]
    assert KEY not in json.dumps(job)
    env = {e["name"]: e for e in container(job)["env"]}
    assert env["SWEEPD_API_KEY"] == {"name": "SWEEPD_API_KEY", "valueFrom": {
        "secretKeyRef": {"name": secret["metadata"]["name"], "key": "api-key"}}}
    shown = m.to_yaml([secret, job])
    assert KEY not in shown and "api-key: REDACTED" in shown


def test_the_key_from_the_environment_travels_the_same_way(monkeypatch):
    monkeypatch.setenv("SWEEPD_API_KEY", KEY)
    secret, job = build()
    assert secret["stringData"]["api-key"] == KEY and KEY not in json.dumps(job)


def test_an_existing_key_secret_is_referenced_and_no_secret_is_made(monkeypatch):
    monkeypatch.setenv("SWEEPD_API_KEY", KEY)  # ignored: the named Secret holds the key
    secret, job = build(api_key_secret="team-key:token")
    assert secret is None
    env = {e["name"]: e for e in container(job)["env"]}
    assert env["SWEEPD_API_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "team-key", "key": "token"}
    assert KEY not in json.dumps(job)
    _, default_key = build(api_key_secret="team-key")
    assert {e["name"]: e for e in container(default_key)["env"]}["SWEEPD_API_KEY"][
        "valueFrom"]["secretKeyRef"] == {"name": "team-key", "key": "api-key"}


def test_without_a_key_the_pods_get_none():
    secret, job = build()
    assert secret is None
    assert "SWEEPD_API_KEY" not in {e["name"] for e in container(job)["env"]}


def test_a_local_ca_file_travels_in_the_secret_and_is_mounted(ca_file):
    secret, job = build(api_key=KEY, tls_ca=str(ca_file))
    assert secret["stringData"]["ca.crt"] == ca_file.read_text()
    pod = job["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "tls-ca"]
    assert volume["secret"]["secretName"] == secret["metadata"]["name"]
    (mount,) = [v for v in container(job)["volumeMounts"] if v["name"] == "tls-ca"]
    command = container(job)["command"]
    assert command[command.index("--tls-ca") + 1] == f"{mount['mountPath']}/ca.crt"
    assert str(ca_file) not in json.dumps(job)


@pytest.mark.parametrize("option, source", [("tls_ca_secret", "secret"), ("tls_ca_configmap", "configMap")])
def test_a_named_ca_is_mounted_from_its_object(option, source, monkeypatch, ca_file):
    monkeypatch.setenv("SWEEPD_TLS_CA", str(ca_file))  # a local default gives way to the named one
    secret, job = build(**{option: "corp-ca:root.pem"})
    assert secret is None
    (volume,) = [v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "tls-ca"]
    assert volume[source]["items"] == [{"key": "root.pem", "path": "ca.crt"}]
    assert "/etc/sweepd/tls/ca.crt" in container(job)["command"]


def test_image_namespace_name_and_labels_are_the_options():
    secret, job = build(api_key=KEY, image="ghcr.example/team/sweepd:2.0", namespace="gpu-team",
                        name="mnist-agents")
    assert container(job)["image"] == "ghcr.example/team/sweepd:2.0"
    for obj in (secret, job):
        assert obj["metadata"]["namespace"] == "gpu-team"
        assert obj["metadata"]["name"] == "mnist-agents"
        assert obj["metadata"]["labels"]["sweepd.io/sweep"] == SWEEP
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert labels["sweepd.io/sweep"] == SWEEP
    assert labels["app.kubernetes.io/instance"] == "mnist-agents"
    assert {k: labels[k] for k in m.AGENT_LABELS} == m.AGENT_LABELS


def test_default_names_are_valid_and_differ_between_launches():
    _, first = build()
    _, second = build()
    names = {first["metadata"]["name"], second["metadata"]["name"]}
    assert len(names) == 2
    assert all(n.startswith(f"sweepd-{SWEEP}-") and len(n) <= 52 for n in names)


def test_the_agent_command_is_sweepd_agent_with_the_sweep_and_controller():
    _, job = build(controller="ctl.example:443", function="train:main", count=4, parallel=2)
    assert container(job)["command"] == [
        "sweepd", "agent", SWEEP, "--controller", "ctl.example:443", "--parallel", "2",
        "--count", "4", "--function", "train:main", "--stop-grace", "10"]


def test_the_controller_defaults_to_the_in_cluster_service(monkeypatch):
    _, job = build(controller=None)
    assert on_k8s.IN_CLUSTER_CONTROLLER in container(job)["command"]
    monkeypatch.setenv("SWEEPD_CONTROLLER", "127.0.0.1:50051")  # a port-forward: not for pods
    _, job = build(controller=None)
    assert on_k8s.IN_CLUSTER_CONTROLLER in container(job)["command"]
    monkeypatch.setenv("SWEEPD_CONTROLLER", "sweepd.corp.example:50051")
    _, job = build(controller=None)
    assert "sweepd.corp.example:50051" in container(job)["command"]


@pytest.mark.parametrize("options, field", [
    (dict(controller="localhost:50051"), "controller"),
    (dict(namespace="Not_A_Namespace"), "namespace"),
    (dict(name="x" * 60), "name"),
    (dict(image=""), "image"),
    (dict(tls_ca_secret="a", tls_ca_configmap="b"), "tls_ca_secret"),
    (dict(api_key=KEY, api_key_secret="k"), "api_key"),
    (dict(api_key_secret="bad name"), "api_key_secret"),
    (dict(tls_ca="/no/such/ca.pem"), "tls_ca"),
    (dict(gpu_resource="gpu"), "gpu_resource"),
    (dict(agents=0), "agents"),
    (dict(extra_env={"SWEEPD_API_KEY": KEY}), "extra_env"),
])
def test_bad_options_are_refused_naming_the_field(options, field):
    with pytest.raises(InvalidArgument) as err:
        build(**options)
    assert field in str(err.value)


def test_the_objects_survive_the_kubernetes_client_models_unchanged(ca_file):
    """What launch() hands the client is exactly what --dry-run prints (the key aside),
    and the client's own models (V1Secret, V1Job) know every field of it."""
    from kubernetes.client import ApiClient

    api = ApiClient()

    class Reply:
        def __init__(self, obj):
            self.data = json.dumps(obj)

    objects, _ = on_k8s.manifests(SWEEP, image="img:1", namespace="ml", controller="c:1", agents=2,
                                  api_key=KEY, tls_ca=str(ca_file), gpus_per_run=1, name="fixed")
    for obj in objects:
        model = api.deserialize(Reply(obj), f"V1{obj['kind']}")
        assert api.sanitize_for_serialization(model) == obj
    printed = list(yaml.safe_load_all(m.to_yaml(objects)))
    assert printed == m.redacted(objects)
    assert printed[0]["stringData"]["api-key"] == m.REDACTED
    assert printed[1] == objects[1]


def test_from_python_a_dry_run_returns_the_yaml_and_creates_nothing():
    launched = sweepd.launch.k8s(SWEEP, agents=2, image="img:1", namespace="ml", controller="c:1",
                                 api_key=KEY, name="py-agents", dry_run=True)
    assert launched.ids == [] and KEY not in launched.describe()
    docs = list(yaml.safe_load_all(launched.describe()))
    assert [d["kind"] for d in docs] == ["Secret", "Job"]
    same = sweepd.launch.launch("k8s", SWEEP, agents=2, image="img:1", namespace="ml",
                                controller="c:1", api_key=KEY, name="py-agents", dry_run=True)
    assert same.describe() == launched.describe()


# ------------------------------------------------------------------ the CLI, as a user runs it

def sweepd_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SWEEPD_", "KUBE"))}
    return subprocess.run([sys.executable, "-m", "sweepd.cli", *args], env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=60)


def test_cli_dry_run_prints_exactly_the_manifests_and_never_the_key():
    done = sweepd_cli("launch", "k8s", SWEEP, "--agents", "4", "--image", "reg.example/sweepd:1",
                      "--namespace", "ml", "--gpus-per-run", "1", "--cpus-per-run", "2",
                      "--controller", "sweepd-controller.sweepd.svc:50051", "--name", "cli-agents",
                      "--dry-run", env={"SWEEPD_API_KEY": KEY})
    assert done.returncode == 0, done.stderr
    assert KEY not in done.stdout + done.stderr
    docs = list(yaml.safe_load_all(done.stdout))
    for doc in docs:
        validate(doc)
    expected, _ = on_k8s.manifests(SWEEP, image="reg.example/sweepd:1", namespace="ml", agents=4,
                                   gpus_per_run=1, cpus_per_run=2, api_key=KEY, name="cli-agents",
                                   controller="sweepd-controller.sweepd.svc:50051")
    assert docs == m.redacted(expected)
    assert container(docs[1])["resources"]["limits"] == {"cpu": "2", "nvidia.com/gpu": "1"}


def test_cli_takes_the_namespace_from_the_kubeconfig_context(tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "team",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "team", "context": {"cluster": "c", "user": "u", "namespace": "vision"}}],
    }))
    done = sweepd_cli("launch", "k8s", SWEEP, "--agents", "1", "--image", "img:1", "--dry-run",
                      env={"KUBECONFIG": str(kubeconfig)})
    assert done.returncode == 0, done.stderr
    (job,) = yaml.safe_load_all(done.stdout)
    assert job["metadata"]["namespace"] == "vision"


def test_cli_bad_option_is_one_clear_line():
    done = sweepd_cli("launch", "k8s", SWEEP, "--agents", "2", "--image", "img:1",
                      "--gpus-per-run", "0.3", "--dry-run")
    assert done.returncode == 2
    assert "gpus_per_run" in done.stderr and "Traceback" not in done.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_launch_without_a_reachable_cluster_fails_clearly(tmp_path):
    """The real client, a real (refused) connection: a clear error, no traceback."""
    kubeconfig = tmp_path / "config"
    server = f"http://127.0.0.1:{_closed_port()}"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "here",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "here", "context": {"cluster": "c", "user": "u"}}],
    }))
    done = sweepd_cli("launch", "k8s", SWEEP, "--agents", "2", "--image", "img:1",
                      env={"KUBECONFIG": str(kubeconfig), "SWEEPD_API_KEY": KEY})
    assert done.returncode == 1
    assert f"creating Secret default/sweepd-{SWEEP}-" in done.stderr
    assert f"cannot reach the API server at {server}" in done.stderr
    assert "Traceback" not in done.stderr and KEY not in done.stderr + done.stdout


def test_cli_launch_without_any_kubernetes_configuration_says_so(tmp_path):
    done = sweepd_cli("launch", "k8s", SWEEP, "--agents", "2", "--image", "img:1",
                      env={"KUBECONFIG": str(tmp_path / "missing"), "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert "no Kubernetes configuration" in done.stderr and "Traceback" not in done.stderr
