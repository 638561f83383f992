"""Projects and API keys (--auth), TLS, and what a key of one project may do."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
import redis

import sweepd
from sweepd.client import Client
from sweepd.controller import auth
from sweepd.domain import NotFound, PermissionDenied, RunState, Unauthenticated

from conftest import ControllerHandle
from helpers import wait_for

CONFIG = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"x": {"values": [1, 2]}}}


@pytest.fixture
def secured(redis_url):
    """A controller with --auth on, and keys: A read-write, A read-only, B read-write."""
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    admin = redis.Redis.from_url(redis_url)
    keys_ = {
        "a": auth.create_key(admin, "alpha"),
        "a_ro": auth.create_key(admin, "alpha", read_only=True),
        "b": auth.create_key(admin, "beta"),
    }
    yield handle.address, keys_, admin
    handle.close()


def test_calls_without_a_valid_key_are_unauthenticated(secured):
    address, keys_, admin = secured
    with pytest.raises(Unauthenticated, match="API key is required"):
        Client(address).list_sweeps()
    with pytest.raises(Unauthenticated):
        Client(address, api_key="sk_deadbeef0000_wrong").list_sweeps()
    with pytest.raises(Unauthenticated, match="malformed"):
        Client(address, api_key="not-a-key").list_sweeps()
    beta = Client(address, api_key=keys_["b"], retries=0)
    assert beta.list_sweeps() == []  # used, so the controller's short cache holds it
    assert auth.revoke_key(admin, keys_["b"].split("_")[1])

    def refused():
        try:
            beta.list_sweeps()
        except Unauthenticated as exc:
            return "revoked" in str(exc)
        return False

    wait_for(refused, timeout=5, what="the revoked key to be refused")


def test_keys_are_stored_only_as_salted_digests(secured):
    _, keys_, admin = secured
    secret = keys_["a"].split("_", 2)[2]
    for key in admin.scan_iter("sweepd:apikey*"):
        dump = admin.hgetall(key) if admin.type(key) == b"hash" else {}
        assert all(secret.encode() not in v for v in dump.values())


def test_a_project_key_sees_only_its_project(secured):
    address, keys_, _ = secured
    alpha = Client(address, api_key=keys_["a"])
    beta = Client(address, api_key=keys_["b"])
    sweep = alpha.create_sweep(CONFIG)
    assert sweep.config.project == "alpha"
    assert [s.id for s in alpha.list_sweeps()] == [sweep.id]
    assert beta.list_sweeps() == []
    # another project's sweep answers exactly as an unknown id does
    with pytest.raises(NotFound) as other:
        beta.get_sweep(sweep.id)
    with pytest.raises(NotFound) as unknown:
        beta.get_sweep("zzzzzzzz")
    assert str(other.value).replace(sweep.id, "ID") == str(unknown.value).replace("zzzzzzzz", "ID")
    with pytest.raises(NotFound):
        beta.list_runs(sweep.id)
    with pytest.raises(NotFound):
        beta.change_state(sweep.id, "cancel")
    with pytest.raises(PermissionDenied, match="alpha"):
        beta.create_sweep({**CONFIG, "project": "alpha"})
    with pytest.raises(PermissionDenied):
        beta.list_sweeps(project="alpha")


def test_read_only_keys_read_but_cannot_write(secured):
    address, keys_, _ = secured
    sweep_id = Client(address, api_key=keys_["a"]).create_sweep(CONFIG).id
    reader = Client(address, api_key=keys_["a_ro"])
    assert reader.get_sweep(sweep_id).id == sweep_id
    with pytest.raises(PermissionDenied, match="read-only"):
        reader.create_sweep(CONFIG)
    with pytest.raises(PermissionDenied):
        reader.change_state(sweep_id, "pause")
    with pytest.raises(PermissionDenied, match="agent"):
        sweepd.agent(sweep_id, function=lambda: None, controller=address, api_key=keys_["a_ro"])


def test_agents_with_a_key_run_the_sweep_and_pass_it_to_program_runs(secured, tmp_path):
    address, keys_, _ = secured
    script = tmp_path / "train.py"
    script.write_text("import sweepd\nrun = sweepd.init()\nrun.log({'loss': run.config['x']})\n")
    sweep_id = Client(address, api_key=keys_["a"]).create_sweep({**CONFIG, "program": str(script)}).id
    assert sweepd.agent(sweep_id, controller=address, api_key=keys_["a"]) == 2
    runs = Client(address, api_key=keys_["a"]).list_runs(sweep_id)
    assert all(r.state is RunState.FINISHED and r.summary["loss"] == r.config["x"] for r in runs)


def test_cli_keys_create_list_revoke(redis_url):
    env = dict(os.environ, SWEEPD_REDIS_URL=redis_url)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "sweepd.cli", "keys", *args],
                              capture_output=True, text=True, env=env, timeout=60)

    created = cli("create", "--project", "gamma", "--read-only")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("sk_")
    listing = cli("list").stdout
    key_id = key.split("_")[1]
    assert key_id in listing and "gamma" in listing and "read-only" in listing
    assert key.split("_", 2)[2] not in listing
    assert cli("revoke", key_id).returncode == 0
    assert "revoked" in cli("list").stdout
    assert cli("revoke", "nosuchkey").returncode == 1
    assert cli("create").returncode == 1


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    return key_pem, cert_pem, str(tmp_path / "cert.pem")


def test_tls_controller_serves_clients_that_trust_its_ca(redis_url, tmp_path):
    key_pem, cert_pem, ca_file = _self_signed(tmp_path)
    handle = ControllerHandle(redis_url, lease_seconds=30, host="localhost", tls=(key_pem, cert_pem))
    try:
        address = f"localhost:{handle.port}"
        client = Client(address, tls_ca=ca_file)
        sweep_id = client.create_sweep(CONFIG).id
        assert sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"loss": 1.0}),
                            controller=address, tls_ca=ca_file) == 2
        assert client.get_sweep(sweep_id).counts.finished == 2
        plaintext = Client(address, timeout=2, retries=0)
        with pytest.raises(Exception):
            plaintext.list_sweeps()
    finally:
        handle.close()
