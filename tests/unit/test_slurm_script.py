"""The Slurm launcher without a cluster: the batch script it generates, the checks on
its options, and that a dry run writes and submits nothing."""

from __future__ import annotations

import re

import pytest

from sweepd import cli
from sweepd.domain import InvalidArgument, SweepdError
from sweepd.launch import slurm
from sweepd.launch.on_slurm import time_seconds

KEY = "sk_0123456789ab_notarealsecretbutlongenough"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SWEEPD_API_KEY", raising=False)
    return tmp_path / "home"


def script(**options) -> str:
    options.setdefault("controller", "ctl.example:50051")
    return slurm("abc123", dry_run=True, **options).dry_run + "\n"


def sbatch_lines(text: str) -> list[str]:
    return re.findall(r"^#SBATCH (.*)$", text, re.M)


def test_the_script_asks_slurm_for_the_agents_resources(tmp_path):
    text = script(agents=4, cpus_per_run=1.5, gpus_per_run=1, parallel=2,
                  partition="gpu", time="02:00:00", sbatch=["--account=ml"])
    assert sbatch_lines(text) == [
        "--job-name=sweepd-abc123", "--array=0-3", "--ntasks=1",
        "--cpus-per-task=3",  # 2 runs x 1.5 CPUs
        "--gres=gpu:2", "--time=02:00:00", "--partition=gpu",
        f"--output={tmp_path}/home/.sweepd/slurm/abc123/%A_%a.out", "--open-mode=append",
        "--signal=B:TERM@60", f"--chdir={tmp_path}", "--account=ml",
    ]
    assert text.startswith("#!/bin/bash\n")
    # the agent replaces the batch shell, so the B: signal reaches it
    exec_line = [line for line in text.splitlines() if line.startswith("exec ")]
    assert len(exec_line) == 1
    assert " -m sweepd.cli agent abc123 --controller ctl.example:50051 --parallel 2" in exec_line[0]
    assert '--gpus "$CUDA_VISIBLE_DEVICES"' in exec_line[0]


def test_no_gpus_no_partition_no_time_are_left_to_the_cluster():
    lines = sbatch_lines(script(agents=1))
    assert not [line for line in lines if line.startswith(("--gres", "--gpus", "--partition", "--time"))]
    assert "--cpus-per-task=1" in lines and "--array=0-0" in lines


def test_the_key_is_sourced_from_a_file_never_written_into_the_script(home):
    text = script(agents=2, api_key=KEY, function="train:main")
    key_file = home / ".sweepd" / "launch" / "slurm-abc123.env"
    assert f"source {key_file}\n" in text
    assert KEY not in text
    assert "--function train:main" in text
    assert not (home / ".sweepd").exists()  # a dry run writes nothing
    assert "\nsource " not in script(agents=2)  # no key, nothing to source


def test_the_agents_options_never_show_the_key():
    from sweepd.launch.common import AgentOptions

    options = AgentOptions("abc123", controller="ctl.example:50051", api_key=KEY)
    assert options.api_key == KEY
    assert KEY not in repr(options) and KEY not in str(options)


def test_the_cli_dry_run_prints_exactly_the_script(capsys, monkeypatch, home):
    monkeypatch.setenv("SWEEPD_API_KEY", KEY)
    assert cli.main(["launch", "slurm", "abc123", "--agents", "2", "--time", "1:00:00",
                     "--controller", "ctl.example:50051", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out == script(agents=2, time="1:00:00", api_key=KEY)
    assert KEY not in out and not (home / ".sweepd").exists()


def test_bad_options_are_refused_together_each_named():
    with pytest.raises(InvalidArgument) as err:
        script(agents=1, gpus_per_run=0.5, partition="a b", time="1 hour",
               sbatch=["--mem=1G\n#SBATCH --x"], signal_before=0)
    assert {field for field, _ in err.value.errors} == {
        "gpus_per_run", "partition", "time", "sbatch", "signal_before"}
    with pytest.raises(InvalidArgument, match="output_dir: .* has a space or %"):
        script(agents=1, output_dir="/shared/my logs")
    with pytest.raises(InvalidArgument, match="time: must be longer than signal_before"):
        script(agents=1, time="1")
    with pytest.raises(InvalidArgument, match="sweep_id"):
        slurm("../x", dry_run=True)
    with pytest.raises(TypeError, match="unknown options image"):
        slurm("abc123", image="x", dry_run=True)


def test_the_cli_reports_bad_options_in_one_line(capsys):
    assert cli.main(["launch", "slurm", "abc123", "--agents", "0", "--dry-run"]) == 2
    assert capsys.readouterr().err == "error: agents: must be at least 1\n"


def test_without_sbatch_the_error_says_where_to_run(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SweepdError, match="sbatch not found"):
        slurm("abc123", agents=1, controller="ctl.example:50051")


@pytest.mark.parametrize("limit, seconds", [
    ("30", 1800), ("30:15", 1815), ("1:30:15", 5415), ("2-0", 172800),
    ("1-2:03", 93780), ("1-02:03:04", 93784), ("UNLIMITED", None),
])
def test_time_limits_in_every_sbatch_form(limit, seconds):
    assert time_seconds(limit) == seconds
