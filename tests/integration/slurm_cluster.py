"""A real one-node Slurm cluster for the launcher's tests: munged, slurmctld and slurmd
(Debian's slurm-wlm and munge), all private to one directory.

Nothing here touches the machine's own Slurm or munge: the cluster has its own munge
key and socket, its own slurm.conf (clients find it through $SLURM_CONF), free ports,
and state, spool, log and pid files under the directory. The daemons run in the
foreground as children of the test session, so `stop()` ends exactly what `start()`
started. It needs root (slurmd runs jobs as their user; munged drops to `munge`).

The node is configured as Debian's Slurm 22.05 runs in a container without systemd:
ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no cgroup.conf. Its CPU
count is at least 4 whatever the machine has (SlurmdParameters=config_overrides), so
several 1-CPU agent tasks run at once even on a 2-core machine.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol",
            "scancel", "sinfo")
PARTITION = "debug"


def missing_binaries() -> list[str]:
    return [b for b in BINARIES if shutil.which(b) is None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlurmCluster:
    """munged + slurmctld + slurmd on 127.0.0.1, configured under `directory`."""

    def __init__(self, directory: Path, cpus: int | None = None):
        self.dir = directory
        self.node = socket.gethostname().split(".")[0]
        self.cpus = cpus or max(4, os.cpu_count() or 1)
        self.conf = directory / "slurm.conf"
        self.munge_socket = directory / "munge" / "munge.socket"
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def env(self) -> dict[str, str]:
        """What a Slurm client (sbatch, squeue, ...) needs to find this cluster."""
        return {"SLURM_CONF": str(self.conf)}

    def log(self, name: str) -> str:
        path = self.dir / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- start -------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> "SlurmCluster":
        if os.geteuid() != 0:
            raise RuntimeError("the test Slurm cluster needs root (slurmd runs jobs as their "
                               "user; munged runs as munge)")
        try:
            self._start_munge(timeout)
            self._write_conf()
            self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
            self._spawn("slurmd", ["slurmd", "-D", "-N", self.node, "-f", str(self.conf)])
            self._wait_node_idle(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_munge(self, timeout: float) -> None:
        munge = pwd.getpwnam("munge")
        d = self.dir / "munge"
        d.mkdir()
        os.chmod(d, 0o755)  # clients reach the socket in it; the key itself is 0400
        key = d / "munge.key"
        subprocess.run(["mungekey", "--create", "--keyfile", str(key)], check=True,
                       capture_output=True)
        for path in (d, key):
            os.chown(path, munge.pw_uid, munge.pw_gid)
        os.chmod(key, 0o400)
        (self.dir / "log").mkdir(exist_ok=True)
        self._spawn("munged", [
            "munged", "--foreground",
            f"--socket={self.munge_socket}", f"--key-file={key}",
            f"--pid-file={d / 'munged.pid'}", f"--seed-file={d / 'munged.seed'}",
            f"--log-file={d / 'munged.log'}"], user=munge.pw_uid, group=munge.pw_gid,
            extra_groups=[])
        self._wait(lambda: self.munge_socket.exists(), timeout, "munged's socket",
                   lambda: (d / "munged.log").read_text(errors="replace")
                   if os.access(d / "munged.log", os.R_OK) else "")

    def _write_conf(self) -> None:
        for sub in ("state", "spool", "log", "run"):
            (self.dir / sub).mkdir(exist_ok=True)
        d = self.dir
        self.conf.write_text(f"""\
# A private one-node cluster for sweepd's tests.
ClusterName=sweepdtest
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={self.munge_socket}
CredType=cred/munge
StateSaveLocation={d / 'state'}
SlurmdSpoolDir={d / 'spool'}
SlurmctldLogFile={d / 'log' / 'slurmctld.log'}
SlurmdLogFile={d / 'log' / 'slurmd.log'}
SlurmctldPidFile={d / 'run' / 'slurmctld.pid'}
SlurmdPidFile={d / 'run' / 'slurmd.pid'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=300
KillWait=10
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN
PartitionName={PARTITION} Nodes={self.node} Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name: str, argv: list[str], **popen) -> None:
        out = open(self.dir / "log" / f"{name}.out", "wb")
        env = {**os.environ, **self.env}
        self.procs[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True, **popen)
        out.close()

    def _wait_node_idle(self, timeout: float) -> None:
        def idle():
            r = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], capture_output=True,
                               text=True, env={**os.environ, **self.env})
            return r.returncode == 0 and r.stdout.strip().rstrip("*") == "idle"

        self._wait(idle, timeout, "the node to be idle",
                   lambda: self.log("slurmctld")[-2000:] + self.log("slurmd")[-2000:])

    def _wait(self, ready, timeout: float, what: str, logs) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode} while waiting "
                                       f"for {what}:\n{self._out(name)}\n{logs()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}:\n{logs()}")
            time.sleep(0.2)

    def _out(self, name: str) -> str:
        path = self.dir / "log" / f"{name}.out"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    # --- stop --------------------------------------------------------------------

    def stop(self) -> None:
        """Ends every job and daemon this cluster started: slurmd (and the jobs it
        runs) first, then slurmctld, then munged."""
        if "slurmctld" in self.procs and self.procs["slurmctld"].poll() is None:
            subprocess.run(["scancel", "--full", "--signal=KILL", "--user=root"],
                           capture_output=True, env={**os.environ, **self.env}, timeout=30)
        for name in ("slurmd", "slurmctld", "munged"):
            proc = self.procs.pop(name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.wait(10)
        self._kill_strays()

    def _kill_strays(self) -> None:
        """slurmstepd processes (and the jobs they run) may outlive a SIGTERMed slurmd;
        they are this cluster's when their environment names its slurm.conf and they
        are slurmstepd or a job's process (SLURM_JOB_ID set)."""
        me = str(self.conf).encode()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes()
                comm = Path(f"/proc/{pid}/comm").read_bytes().strip()
            except OSError:
                continue
            variables = set(environ.split(b"\0"))
            job = any(v.startswith(b"SLURM_JOB_ID=") for v in variables)
            if b"SLURM_CONF=" + me in variables and (job or comm == b"slurmstepd"):
                try:
                    os.kill(int(pid), 9)
                except ProcessLookupError:
                    pass
