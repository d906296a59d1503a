"""The real ``orgflow`` console script, run in subprocesses as a user would run it.

Each :class:`Orgflow` has its own home (``ORGFLOW_HOME``, where the embedded
SQLite database lives) and the example service handlers
(``ORGFLOW_SERVICES``); it runs in the repository root so ``examples/…`` paths
work as in the README. Any ``ORGFLOW_*`` variable of the surrounding
environment is left out, so the developer's own settings never leak in.

A subprocess costs about a second (the interpreter imports SQLAlchemy,
Alembic, Typer and Rich), so one installed home is shared per module, and
commands that do not depend on each other can run side by side with
:meth:`Orgflow.run_all`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from orgflow.runtime import Runtime, open_runtime
from orgflow.settings import Settings

REPO = Path(__file__).resolve().parents[3]
SERVICES = REPO / "examples" / "services.py"
#: ``examples/*.yaml`` as the shell would expand it in the repository root.
EXAMPLE_FILES = sorted(str(path.relative_to(REPO)) for path in (REPO / "examples").glob("*.yaml"))
EXAMPLE_KEYS = sorted(Path(path).stem for path in EXAMPLE_FILES)
#: The demo company the quick start imports.
DEMO_ORG_FILES = ["examples/org/demo-部门.csv", "examples/org/demo-人员.csv"]


def orgflow_executable() -> str:
    """The console script installed next to this interpreter (``.venv/bin/orgflow``)."""
    found = shutil.which("orgflow", path=str(Path(sys.executable).parent)) or shutil.which("orgflow")
    if found is None:
        pytest.fail("the orgflow console script is not installed (pip install -e .)", pytrace=False)
    return found


@dataclass(frozen=True, kw_only=True)
class Ran:
    """One finished ``orgflow`` run."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def document(self) -> Any:
        """The ``--json`` document it printed."""
        return json.loads(self.out)


class Orgflow:
    """``orgflow`` with its own home folder, run in the repository root."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.executable = orgflow_executable()
        self.env = {name: value for name, value in os.environ.items() if not name.startswith("ORGFLOW_")}
        self.env |= {"ORGFLOW_HOME": str(home), "ORGFLOW_SERVICES": str(SERVICES)}

    @property
    def url(self) -> str:
        """The embedded database the commands use when no ``--db`` is given."""
        return f"sqlite:///{self.home / 'orgflow.db'}"

    def run(self, *args: str) -> Ran:
        """Run one command; whatever happens, no stack trace may reach the user."""
        done = subprocess.run(
            [self.executable, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        ran = Ran(args=args, code=done.returncode, out=done.stdout, err=done.stderr)
        assert "Traceback" not in ran.out + ran.err, ran
        return ran

    def run_all(self, *commands: Sequence[str]) -> list[Ran]:
        """Run commands that do not depend on each other side by side; results in the given order."""
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            return list(pool.map(lambda args: self.run(*args), commands))

    def json(self, *args: str) -> dict[str, Any]:
        """Run a command with ``--json`` that must succeed; its document."""
        ran = self.run(*args, "--json")
        assert (ran.code, ran.err) == (0, ""), ran
        document = ran.document()
        assert document["ok"] is True
        return document

    @contextmanager
    def runtime(self, url: str | None = None) -> Iterator[Runtime]:
        """The same database opened in this process, to look at what the commands wrote."""
        settings = Settings.from_env(self.env)  # the commands' keys for sensitive fields too
        with open_runtime(replace(settings, database_url=url or self.url)) as opened:
            yield opened


@dataclass(frozen=True, kw_only=True)
class Installed:
    """A home where ``init``, ``org import`` (the demo org) and ``deploy examples/*.yaml`` ran."""

    orgflow: Orgflow
    init: Ran
    org: Ran
    deploy: Ran


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """One installation per module: the quick start's ``init``, org import and ``deploy`` of every example."""
    orgflow = Orgflow(tmp_path_factory.mktemp("orgflow_home"))
    init = orgflow.run("init", "--json")
    org = orgflow.run("org", "import", *DEMO_ORG_FILES, "--user", "admin", "--json")
    deploy = orgflow.run("deploy", *EXAMPLE_FILES, "--user", "admin", "--json")
    return Installed(orgflow=orgflow, init=init, org=org, deploy=deploy)


@pytest.fixture
def orgflow(installed: Installed) -> Orgflow:
    return installed.orgflow
