"""The Kubernetes objects one `sweepd launch k8s` creates, as plain dicts: an Indexed
Job of agents, and the Secret holding what the agents must not carry on a command line
(the API key) or cannot find in their image (a TLS CA given as a local file).

Pure: no kubernetes import, no cluster. `--dry-run` prints exactly these objects and
the launcher submits exactly these objects, so what a user reviews is what is created.

Why the Job is shaped as it is:
- One pod per agent, `completionMode: Indexed` with completions = parallelism = N:
  each index is one agent slot. An agent exits 0 when the sweep is done (or after
  `--count` runs), which completes its index; the Job completes when all have.
- `restartPolicy: Never` with a `podFailurePolicy` (which requires it): a pod that
  ended because Kubernetes took it away (eviction, preemption, node drain, a lost
  node: the pod gets the `DisruptionTarget` condition) or because it was sent SIGTERM
  (the agent exits 143 after stopping its runs) is replaced without counting as a
  failure; exit status 2 (a bad option: the same command would fail everywhere) fails
  the whole Job at once; any other failure counts against `backoffLimitPerIndex`, so
  one agent crashing repeatedly gives up its slot without failing the others.
- `podReplacementPolicy: Failed`: a replacement starts only once the old pod is gone,
  so a GPU is never requested twice for one slot.
- `terminationGracePeriodSeconds` exceeds the agent's `--stop-grace` by enough for it
  to stop its runs, flush their metrics and report them `stopped` (marked preempted,
  so the sweep's `retry:` runs them again) before Kubernetes kills it.
"""

from __future__ import annotations

import copy
import math
import re
import secrets
import string
from dataclasses import dataclass, replace

from sweepd.domain import InvalidArgument

from .common import API_KEY_ENV, AgentOptions

GPU_RESOURCE = "nvidia.com/gpu"
KEY_IN_SECRET = "api-key"
CA_IN_SECRET = "ca.crt"
CA_DIR = "/etc/sweepd/tls"
CONTAINER = "agent"
REDACTED = "REDACTED"
# The pod labels the controller's NetworkPolicy (deploy/kubernetes) lets in.
AGENT_LABELS = {
    "app.kubernetes.io/name": "sweepd",
    "app.kubernetes.io/part-of": "sweepd",
    "app.kubernetes.io/component": "agent",
}
SWEEP_LABEL = "sweepd.io/sweep"
EXIT_USAGE = 2       # `sweepd agent`: bad arguments
EXIT_SIGTERM = 143   # `sweepd agent`: shut down by SIGTERM (128 + 15)
REPORT_SECONDS = 30  # on top of --stop-grace: stopping, flushing and reporting runs

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DATA_KEY = re.compile(r"^[-._A-Za-z0-9]+$")
_MAX_NAME = 52  # leaves room for the "-INDEX-xxxxx" of pod names and hostnames


@dataclass(frozen=True)
class KubeOptions:
    """Where and how the agents run on Kubernetes. `*_secret`/`*_configmap` name an
    existing object as NAME or NAME:KEY (the key defaults to `api-key` / `ca.crt`)."""

    image: str
    namespace: str = "default"
    name: str | None = None  # default: sweepd-SWEEP-xxxxx
    api_key_secret: str | None = None
    tls_ca_secret: str | None = None
    tls_ca_configmap: str | None = None
    stop_grace: float = 10.0
    gpu_resource: str = GPU_RESOURCE
    backoff_limit_per_index: int = 3
    ttl_seconds_after_finished: int = 86400

    def check(self) -> None:
        errors = []
        if not self.image or any(c.isspace() for c in self.image):
            errors.append(("image", "must be an image reference without spaces"))
        if len(self.namespace) > 63 or not _DNS_LABEL.match(self.namespace):
            errors.append(("namespace", f"{self.namespace!r} is not a valid namespace name"))
        if self.name is not None and (len(self.name) > _MAX_NAME or not _DNS_LABEL.match(self.name)):
            errors.append(("name", f"must be lowercase letters, digits and '-', at most {_MAX_NAME}"))
        for option in ("api_key_secret", "tls_ca_secret", "tls_ca_configmap"):
            value = getattr(self, option)
            if value is not None and not _valid_ref(value):
                errors.append((option, f"{value!r} must be NAME or NAME:KEY"))
        if self.tls_ca_secret and self.tls_ca_configmap:
            errors.append(("tls_ca_secret", "give tls_ca_secret or tls_ca_configmap, not both"))
        if not 0 <= self.stop_grace <= 3600:
            errors.append(("stop_grace", "must be between 0 and 3600 seconds"))
        if "/" not in self.gpu_resource:
            errors.append(("gpu_resource", "must be an extended resource name such as nvidia.com/gpu"))
        if errors:
            raise InvalidArgument("; ".join(f"{k}: {m}" for k, m in errors), errors)


def _valid_ref(ref: str) -> bool:
    name, _, key = ref.partition(":")
    return bool(len(name) <= 253 and _DNS_LABEL.match(name.replace(".", "-"))
                and (not key or _DATA_KEY.match(key)))


def _split_ref(ref: str, default_key: str) -> tuple[str, str]:
    name, _, key = ref.partition(":")
    return name, key or default_key


def default_name(sweep_id: str) -> str:
    stem = re.sub(r"[^a-z0-9-]+", "-", sweep_id.lower()).strip("-")[:_MAX_NAME - 13] or "sweep"
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return f"sweepd-{stem}-{suffix}"


def quantity(value: float) -> str:
    """A CPU amount as Kubernetes writes it: whole cores, else millicores."""
    milli = round(value * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def gpus_per_agent(agent: AgentOptions) -> int:
    """Whole GPUs for one agent's `parallel` run slots; Kubernetes counts GPUs whole."""
    total = agent.gpus_per_run * agent.parallel
    errors = []
    if abs(total - round(total)) > 1e-9:
        errors.append(("gpus_per_run", f"{agent.gpus_per_run} x parallel {agent.parallel} "
                       "must be a whole number of GPUs per agent on Kubernetes"))
    if agent.gpus_per_run > 1 and agent.parallel > 1:
        errors.append(("gpus_per_run", "above 1 needs parallel 1 (the agent gives each run one GPU)"))
    if errors:
        raise InvalidArgument("; ".join(f"{k}: {m}" for k, m in errors), errors)
    return round(total)


def agent_command(agent: AgentOptions, kube: KubeOptions, gpus: int) -> list[str]:
    """`sweepd agent ...` as the pod runs it: the CA at its mount path, one GPU id per
    run slot when several runs share the pod's GPUs. Never the API key."""
    argv = agent.agent_argv()
    if agent.parallel > 1 and gpus >= 1:
        argv += ["--gpus", ",".join(str(i) for i in range(gpus))]
    return argv + ["--stop-grace", f"{kube.stop_grace:g}"]


def build(agent: AgentOptions, kube: KubeOptions, ca_pem: str | None = None) -> list[dict]:
    """[Secret, Job], or [Job] when nothing needs a Secret of its own. `agent.api_key`
    goes into the Secret unless `kube.api_key_secret` names one; `ca_pem` (the
    contents of the local CA file `agent.tls_ca`) goes into it unless a CA Secret or
    ConfigMap is named."""
    kube.check()
    if not _LABEL_VALUE.match(agent.sweep_id) or len(agent.sweep_id) > 63:
        raise InvalidArgument(f"sweep_id: {agent.sweep_id!r} is not a sweep id",
                              [("sweep_id", "not a sweep id")])
    if API_KEY_ENV in agent.extra_env:
        raise InvalidArgument("extra_env: the API key travels in a Secret, not as a plain value",
                              [("extra_env", f"must not hold {API_KEY_ENV}")])
    named_ca = kube.tls_ca_secret or kube.tls_ca_configmap
    if agent.tls_ca and not named_ca and not ca_pem:
        raise InvalidArgument("tls_ca: the CA file's contents are needed to put it into a Secret",
                              [("tls_ca", "contents needed")])
    name = kube.name or default_name(agent.sweep_id)
    labels = {**AGENT_LABELS, "app.kubernetes.io/instance": name,
              "app.kubernetes.io/managed-by": "sweepd-launch", SWEEP_LABEL: agent.sweep_id}
    data = {}
    if agent.api_key and not kube.api_key_secret:
        data[KEY_IN_SECRET] = agent.api_key
    if ca_pem and not named_ca:
        data[CA_IN_SECRET] = ca_pem
    objects = []
    if data:
        objects.append({"apiVersion": "v1", "kind": "Secret",
                        "metadata": {"name": name, "namespace": kube.namespace, "labels": labels},
                        "type": "Opaque", "stringData": data})
    objects.append(_job(agent, kube, name, labels, own_keys=set(data)))
    return objects


def _job(agent: AgentOptions, kube: KubeOptions, name: str, labels: dict, own_keys: set[str]) -> dict:
    """The Job; `own_keys` are the keys of the Secret of the same name built beside it."""
    gpus = gpus_per_agent(agent)
    ca_volume = _ca_volume(kube, name if CA_IN_SECRET in own_keys else None)
    in_pod = replace(agent, tls_ca=f"{CA_DIR}/{CA_IN_SECRET}") if ca_volume else agent
    key_ref = (_split_ref(kube.api_key_secret, KEY_IN_SECRET) if kube.api_key_secret
               else (name, KEY_IN_SECRET) if KEY_IN_SECRET in own_keys else None)
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": kube.namespace, "labels": labels},
        "spec": {
            "completionMode": "Indexed",
            "completions": agent.agents,
            "parallelism": agent.agents,
            "backoffLimitPerIndex": kube.backoff_limit_per_index,
            "podReplacementPolicy": "Failed",
            "podFailurePolicy": {"rules": [
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
                {"action": "Ignore", "onExitCodes": {"containerName": CONTAINER, "operator": "In",
                                                     "values": [EXIT_SIGTERM]}},
                {"action": "FailJob", "onExitCodes": {"containerName": CONTAINER, "operator": "In",
                                                      "values": [EXIT_USAGE]}},
            ]},
            "ttlSecondsAfterFinished": kube.ttl_seconds_after_finished,
            "template": {
                "metadata": {"labels": labels},
                "spec": _pod(in_pod, kube, gpus, key_ref, ca_volume),
            },
        },
    }


def _pod(agent: AgentOptions, kube: KubeOptions, gpus: int, key_ref: tuple[str, str] | None,
         ca_volume: dict | None) -> dict:
    cpus = quantity(agent.cpus_per_run * agent.parallel)
    limits = {"cpu": cpus, **({kube.gpu_resource: str(gpus)} if gpus else {})}
    volumes = [{"name": "dshm", "emptyDir": {"medium": "Memory"}}]  # PyTorch DataLoader workers
    mounts = [{"name": "dshm", "mountPath": "/dev/shm"}]
    if ca_volume:
        volumes.append(ca_volume)
        mounts.append({"name": "tls-ca", "mountPath": CA_DIR, "readOnly": True})
    container = {
        "name": CONTAINER,
        "image": kube.image,
        "command": agent_command(agent, kube, gpus),
        "env": _env(agent, key_ref),
        "resources": {"requests": {"cpu": cpus}, "limits": limits},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": mounts,
    }
    pod = {
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": math.ceil(kube.stop_grace) + REPORT_SECONDS,
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": volumes,
    }
    if gpus:  # GPU nodes are often tainted with the resource's name
        pod["tolerations"] = [{"key": kube.gpu_resource, "operator": "Exists", "effect": "NoSchedule"}]
    return pod


def _env(agent: AgentOptions, key_ref: tuple[str, str] | None) -> list[dict]:
    env = [{"name": "PYTHONUNBUFFERED", "value": "1"}]
    if key_ref:
        env.append({"name": API_KEY_ENV,
                    "valueFrom": {"secretKeyRef": {"name": key_ref[0], "key": key_ref[1]}}})
    return env + [{"name": k, "value": v} for k, v in sorted(agent.extra_env.items())]


def _ca_volume(kube: KubeOptions, own_secret: str | None) -> dict | None:
    """The volume the CA is mounted from, always as `ca.crt` under CA_DIR; `own_secret`
    names the launch's own Secret when it holds the CA."""
    if own_secret:
        return {"name": "tls-ca", "secret": {"secretName": own_secret,
                                             "items": [{"key": CA_IN_SECRET, "path": CA_IN_SECRET}]}}
    if kube.tls_ca_secret:
        name, key = _split_ref(kube.tls_ca_secret, CA_IN_SECRET)
        return {"name": "tls-ca", "secret": {"secretName": name,
                                             "items": [{"key": key, "path": CA_IN_SECRET}]}}
    if kube.tls_ca_configmap:
        name, key = _split_ref(kube.tls_ca_configmap, CA_IN_SECRET)
        return {"name": "tls-ca", "configMap": {"name": name,
                                                "items": [{"key": key, "path": CA_IN_SECRET}]}}
    return None


def redacted(objects: list[dict]) -> list[dict]:
    """The objects as `--dry-run` prints them: the API key's value replaced."""
    shown = copy.deepcopy(objects)
    for obj in shown:
        if obj["kind"] == "Secret" and KEY_IN_SECRET in obj.get("stringData", {}):
            obj["stringData"][KEY_IN_SECRET] = REDACTED
    return shown


def to_yaml(objects: list[dict]) -> str:
    """YAML documents, as `kubectl apply -f -` takes them; the API key redacted."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # labels repeat: write them out, not as &anchors
            return True

    def text(dumper, value):  # a PEM as a block, as a person would write it
        return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                       style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    header = ""
    if any(o["kind"] == "Secret" for o in objects):
        header = ("# sweepd launch k8s --dry-run: the objects that would be created, in order.\n"
                  "# The Secret (its API key redacted here) is then made owned by the Job, so\n"
                  "# deleting the Job deletes it.\n")
    return header + yaml.dump_all(redacted(objects), Dumper=Dumper, sort_keys=False,
                                  default_flow_style=False)
