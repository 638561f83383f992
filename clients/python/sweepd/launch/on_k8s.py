"""Kubernetes: `sweepd launch k8s SWEEP_ID --agents N --image IMAGE`.

Creates one Indexed Job of N agent pods (and, when the API key or a CA travels with
the launch, a Secret the Job owns) through the official `kubernetes` client, with the
kubeconfig (`$KUBECONFIG`, ~/.kube/config) or, inside a pod, its service account.
What the objects look like and why: `k8s_manifests`. The `kubernetes` package (the
`sweepd[k8s]` extra) is imported only here, only when something is created or the
kubeconfig's namespace is looked up.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sweepd.domain import InvalidArgument, SweepdError

from . import k8s_manifests as m
from .common import AgentOptions, Launched

log = logging.getLogger(__name__)

# Where `sweepd launch k8s` points agents when neither --controller nor
# $SWEEPD_CONTROLLER says: the Service of deploy/kubernetes, from any namespace.
IN_CLUSTER_CONTROLLER = "sweepd-controller.sweepd.svc:50051"
_LOOPBACK = ("127.", "localhost", "[::1]", "::1")
_SA_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def add_arguments(p) -> None:
    p.add_argument("--image", required=True, help="container image with sweepd (and your code) installed")
    p.add_argument("--namespace", default=None,
                   help="namespace of the Job (default: the kubeconfig context's, else 'default')")
    p.add_argument("--name", default=None, help="name of the Job (default: sweepd-SWEEP-xxxxx)")
    p.add_argument("--api-key-secret", default=None, metavar="NAME[:KEY]",
                   help="existing Secret holding the API key (key default: api-key); "
                        "without it the key is put into a new Secret owned by the Job")
    p.add_argument("--tls-ca-secret", default=None, metavar="NAME[:KEY]",
                   help="existing Secret holding the controller's CA (key default: ca.crt)")
    p.add_argument("--tls-ca-configmap", default=None, metavar="NAME[:KEY]",
                   help="existing ConfigMap holding the controller's CA (key default: ca.crt)")
    p.add_argument("--stop-grace", type=float, default=10.0,
                   help="the agent's seconds between SIGTERM and SIGKILL of a run it stops (default 10); "
                        "the pod's termination grace is this plus 30")
    p.add_argument("--gpu-resource", default=m.GPU_RESOURCE,
                   help=f"extended resource GPUs are requested as (default {m.GPU_RESOURCE})")
    p.add_argument("--dry-run", action="store_true", help="print the manifests as YAML; create nothing")


def cli_options(args) -> dict:
    return {"image": args.image, "namespace": args.namespace, "name": args.name,
            "api_key_secret": args.api_key_secret, "tls_ca_secret": args.tls_ca_secret,
            "tls_ca_configmap": args.tls_ca_configmap, "stop_grace": args.stop_grace,
            "gpu_resource": args.gpu_resource, "dry_run": args.dry_run}


def launch(sweep_id: str, *, image: str, namespace: str | None = None, name: str | None = None,
           api_key_secret: str | None = None, tls_ca_secret: str | None = None,
           tls_ca_configmap: str | None = None, stop_grace: float = 10.0,
           gpu_resource: str = m.GPU_RESOURCE, dry_run: bool = False, **agent_options) -> Launched:
    """Creates the Job (or, with `dry_run`, only prints it). `agent_options` are
    AgentOptions fields: agents, controller, api_key, tls_ca, cpus_per_run, ... ."""
    objects, kube = manifests(sweep_id, image=image, namespace=namespace, name=name,
                              api_key_secret=api_key_secret, tls_ca_secret=tls_ca_secret,
                              tls_ca_configmap=tls_ca_configmap, stop_grace=stop_grace,
                              gpu_resource=gpu_resource, **agent_options)
    job = objects[-1]
    if dry_run:
        return Launched("k8s", [], dry_run=m.to_yaml(objects).rstrip("\n"))
    submit(objects, kube.namespace)
    job_name, ns, agents = job["metadata"]["name"], kube.namespace, job["spec"]["parallelism"]
    selector = f"batch.kubernetes.io/job-name={job_name}"
    ids = [f"job/{job_name} (namespace {ns}, {agents} agent{'s' * (agents != 1)})"]
    if len(objects) > 1:
        ids.append(f"secret/{job_name} (owned by the job)")
    return Launched(
        "k8s", ids,
        follow=(f"kubectl -n {ns} get pods -l {selector} -w   "
                f"logs: kubectl -n {ns} logs -f -l {selector} --prefix --max-log-requests {agents}"),
        cancel=f"kubectl -n {ns} delete job {job_name}")


def manifests(sweep_id: str, *, image: str, namespace: str | None = None,
              **options) -> tuple[list[dict], m.KubeOptions]:
    """The objects a launch with these options creates, unredacted, and its options."""
    kube_fields = ("name", "api_key_secret", "tls_ca_secret", "tls_ca_configmap",
                   "stop_grace", "gpu_resource")
    kube = m.KubeOptions(image=image, namespace=namespace or default_namespace(),
                         **{k: options.pop(k) for k in kube_fields if k in options})
    if options.get("tls_ca") and (kube.tls_ca_secret or kube.tls_ca_configmap):
        raise InvalidArgument("tls_ca: give a local CA file or a CA Secret/ConfigMap, not both",
                              [("tls_ca", "conflicts with tls_ca_secret/tls_ca_configmap")])
    if options.get("api_key") and kube.api_key_secret:
        raise InvalidArgument("api_key: give an API key or api_key_secret, not both",
                              [("api_key", "conflicts with api_key_secret")])
    if not options.get("controller"):
        from_env = os.environ.get("SWEEPD_CONTROLLER")
        if from_env and from_env.startswith(_LOOPBACK):  # a port-forward, say: not for pods
            log.warning("$SWEEPD_CONTROLLER=%s is this machine; the agents use %s",
                        from_env, IN_CLUSTER_CONTROLLER)
        if not from_env or from_env.startswith(_LOOPBACK):
            options["controller"] = IN_CLUSTER_CONTROLLER
    agent = AgentOptions(sweep_id, **options)
    if agent.controller.startswith(_LOOPBACK):
        raise InvalidArgument(
            f"controller: {agent.controller} is this machine, which pods cannot reach; give "
            f"the address pods use (e.g. {IN_CLUSTER_CONTROLLER})", [("controller", "loopback")])
    return m.build(agent, kube, ca_pem=_read_ca(agent, kube)), kube


def _read_ca(agent: AgentOptions, kube: m.KubeOptions) -> str | None:
    if not agent.tls_ca or kube.tls_ca_secret or kube.tls_ca_configmap:
        return None
    try:
        return Path(agent.tls_ca).read_text()
    except OSError as exc:
        raise InvalidArgument(f"tls_ca: cannot read {agent.tls_ca}: {exc.strerror}",
                              [("tls_ca", "unreadable")]) from None


def default_namespace() -> str:
    """The pod's own namespace inside a cluster, else the kubeconfig context's, else 'default'."""
    if os.environ.get("KUBERNETES_SERVICE_HOST") and _SA_NAMESPACE.exists():
        return _SA_NAMESPACE.read_text().strip()
    try:
        from kubernetes import config

        _, active = config.list_kube_config_contexts()
        return (active or {}).get("context", {}).get("namespace") or "default"
    except Exception:  # noqa: BLE001 - no kubeconfig, or no kubernetes package: the default
        return "default"


def _apis():
    try:
        from kubernetes import client, config
    except ImportError:
        raise SweepdError("sweepd launch k8s needs the kubernetes package: "
                          "pip install 'sweepd[k8s]'") from None
    try:
        config.load_kube_config()
    except (config.ConfigException, OSError) as kube_exc:
        try:
            config.load_incluster_config()
        except config.ConfigException:
            raise SweepdError(f"no Kubernetes configuration: {kube_exc} (set $KUBECONFIG, "
                              "or run inside a cluster)") from None
    api = client.ApiClient()
    return client.CoreV1Api(api), client.BatchV1Api(api)


def _call(what: str, method, *args):
    """Calls the API; its errors become one SweepdError line saying what failed."""
    import urllib3
    from kubernetes.client.exceptions import ApiException

    try:
        return method(*args)
    except ApiException as exc:
        raise SweepdError(f"kubernetes: {what}: {exc.status} {exc.reason}: {_message(exc)}") from None
    except urllib3.exceptions.HTTPError as exc:
        host = method.__self__.api_client.configuration.host
        reason = str(getattr(exc, "reason", None) or exc).split(">: ", 1)[-1]  # no object repr
        raise SweepdError(f"kubernetes: {what}: cannot reach the API server at {host}: {reason}") from None


def _message(exc) -> str:
    import json

    try:
        return json.loads(exc.body).get("message") or exc.body
    except (TypeError, ValueError, AttributeError):
        return str(exc.body or "")


def submit(objects: list[dict], namespace: str):
    """Creates the Secret (if any), then the Job, then makes the Job the Secret's owner,
    so the pods never start without their Secret and deleting the Job deletes it.
    Returns the created Job (a kubernetes V1Job)."""
    core, batch = _apis()
    secret = next((o for o in objects if o["kind"] == "Secret"), None)
    job = next(o for o in objects if o["kind"] == "Job")
    name = job["metadata"]["name"]
    if secret is not None:
        _call(f"creating Secret {namespace}/{name}", core.create_namespaced_secret, namespace, secret)
    try:
        created = _call(f"creating Job {namespace}/{name}", batch.create_namespaced_job, namespace, job)
    except SweepdError:
        if secret is not None:
            _delete_quietly(core, name, namespace)
        raise
    if secret is not None:
        owner = {"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": created.metadata.uid}
        _call(f"making Job {name} the owner of Secret {name}", core.patch_namespaced_secret,
              name, namespace, {"metadata": {"ownerReferences": [owner]}})
    log.info("created job %s/%s", namespace, name)
    return created


def _delete_quietly(core, name: str, namespace: str) -> None:
    try:
        _call(f"deleting Secret {namespace}/{name}", core.delete_namespaced_secret, name, namespace)
    except SweepdError as exc:
        log.warning("%s (delete it by hand)", exc)
