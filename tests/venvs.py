"""A fresh virtual environment holding only the client distribution (``pip install
./client`` or ``./client[verify]``), and a way to run its commands without the checkout
on the path: what a data scientist or an auditor installs, nothing of the server.

pip fetches from the machine's package index and reuses its wheel cache (about 35 s the
first time on a 2-core machine for the client alone; the verify extra adds scikit-learn
and scipy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "client"


def client_venv(folder: Path, extras: tuple[str, ...] = ()) -> Path:
    """Creates a venv under `folder` with the client (and `extras`) installed; returns its
    bin folder. Raises OSError or subprocess.CalledProcessError if venv cannot be made,
    AssertionError with pip's output if the install fails."""
    venv.EnvBuilder(with_pip=True).create(folder / "venv")
    # Built from a copy, so the checkout gets no build/ or egg-info folders from the test.
    source = shutil.copytree(PACKAGE, folder / "src", ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    bin_dir = folder / "venv" / "bin"
    target = f"{source}[{','.join(extras)}]" if extras else str(source)
    installed = subprocess.run([str(bin_dir / "pip"), "install", "-q", target], capture_output=True, text=True,
                               timeout=900, check=False, cwd=folder, env=isolated_env())
    assert installed.returncode == 0, installed.stderr[-3000:]
    return bin_dir


def isolated_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would let the venv see the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("NMR_")}
    env["PATH"] = "/usr/bin:/bin"
    return {**env, **extra}


def run_in(bin_dir: Path, *args: str, cwd: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Runs the venv's command ``args[0]`` with the rest as arguments, in `cwd`."""
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=cwd, env=isolated_env(**env))
