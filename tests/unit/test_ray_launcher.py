"""`sweepd launch ray` without a Ray cluster: what each actor asks Ray for, the
options it takes, the errors it gives before touching Ray, and that sweepd never
imports ray unless the Ray launcher runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sweepd.cli import build_parser, main
from sweepd.domain import InvalidArgument
from sweepd.launch import on_ray
from sweepd.launch.common import AgentOptions


def test_an_agent_asks_for_its_parallel_slots_worth_of_cpus_and_gpus():
    options = AgentOptions("s1", agents=3, cpus_per_run=2, gpus_per_run=0.5, parallel=4,
                           controller="127.0.0.1:1")
    assert on_ray.actor_resources(options) == {"num_cpus": 8, "num_gpus": 2}


def test_cli_passes_address_and_working_dir(tmp_path):
    args = build_parser().parse_args(["launch", "ray", "s1", "--agents", "2", "--address",
                                      "10.0.0.1:6379", "--working-dir", str(tmp_path)])
    assert on_ray.cli_options(args) == {"address": "10.0.0.1:6379",
                                        "working_dir": str(tmp_path)}


def test_working_dir_that_is_not_a_directory_is_named_in_the_error(tmp_path):
    with pytest.raises(InvalidArgument) as caught:
        on_ray.launch("s1", agents=1, controller="127.0.0.1:1",
                      working_dir=str(tmp_path / "missing"))
    assert caught.value.errors == [("working_dir", "not a directory")]


def test_the_api_key_is_refused_in_the_runtime_env_that_ray_shows():
    with pytest.raises(InvalidArgument) as caught:
        on_ray.launch("s1", agents=1, controller="127.0.0.1:1",
                      runtime_env={"env_vars": {"SWEEPD_API_KEY": "sk_x"}})
    assert caught.value.errors[0][0] == "runtime_env"


def test_bad_agent_options_end_with_a_one_line_error_and_status_2(capsys):
    assert main(["launch", "ray", "s1", "--agents", "0", "--controller", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: agents: must be at least 1"


def test_sweepd_and_its_cli_do_not_import_ray():
    code = ("import sys, sweepd, sweepd.cli, sweepd.launch, sweepd.launch.on_ray\n"
            "sweepd.cli.build_parser().parse_args(['launch', 'ray', 's', '--agents', '1'])\n"
            "print('ray' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_an_address_nothing_answers_on_fails_at_once_with_one_line(capsys):
    pytest.importorskip("ray")
    code = main(["launch", "ray", "s1", "--agents", "1", "--controller", "127.0.0.1:1",
                 "--address", "127.0.0.1:1"])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: address: no Ray cluster answers at 127.0.0.1:1")
    assert "\n" not in err
