"""What every ``orgflow`` command shares: ``--db``/``--json``, error handling, opening the runtime.

Errors print one line (or the list of a definition's problems) and exit
non-zero; no stack trace reaches the user: unexpected ones are written to
``<home>/error.log`` instead.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from orgflow.cli import output
from orgflow.errors import ConfigurationError, DefinitionError, OrgFlowError
from orgflow.runtime.facade import Runtime, open_runtime
from orgflow.runtime.service_modules import load_services
from orgflow.settings import Settings

Db = Annotated[
    str | None,
    typer.Option("--db", help="数据库 URL（默认：内置 SQLite 文件，或环境变量 ORGFLOW_DATABASE_URL）"),
]
#: The audit trail's source of commands given on the command line.
CLI_SOURCE = "cli"

AsJson = Annotated[bool, typer.Option("--json", help="输出一个机器可读的 JSON 文档")]

P = ParamSpec("P")
R = TypeVar("R")


def handled(command: Callable[P, R]) -> Callable[P, R]:
    """Turn OrgFlow errors into a clear message and a non-zero exit; log anything unexpected to a file."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        as_json = bool(kwargs.get("as_json"))
        try:
            return command(*args, **kwargs)
        except OrgFlowError as error:
            report(error, as_json)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.BadParameter):  # Typer prints a bad option itself (exit 2)
            raise
        except Exception as error:  # the last line of defence: never show a stack trace
            log = Settings.from_env().home / "error.log"
            try:
                log.parent.mkdir(parents=True, exist_ok=True)
                with log.open("a", encoding="utf-8") as handle:
                    handle.write(traceback.format_exc())
                where = f"（详情已写入 {log}）"
            except OSError:
                where = ""
            report(OrgFlowError(f"内部错误 {type(error).__name__}: {error}{where}"), as_json)
            raise typer.Exit(2) from None

    return run


def report(error: OrgFlowError, as_json: bool) -> None:
    """Print an error: a JSON document on stdout with ``--json``, else one message on stderr."""
    if as_json:
        detail: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
        for name in ("reason", "node_id", "field"):
            if getattr(error, name, None) is not None:
                detail[name] = getattr(error, name)
        if isinstance(error, DefinitionError):
            detail["problems"] = [output.plain(problem) for problem in error.problems]
        output.print_json({"ok": False, "error": detail})
    else:
        print(f"错误：{error}", file=sys.stderr)


def database_url(db: str | None, settings: Settings | None = None) -> str:
    """The URL to use: ``--db``, else the environment, else the embedded SQLite file (its folder created)."""
    if db:
        return db
    settings = settings or Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        settings.home.mkdir(parents=True, exist_ok=True)
    return settings.database_url


@contextmanager
def opened(db: str | None) -> Iterator[Runtime]:
    """An open runtime for one command, with the service handlers of ``ORGFLOW_SERVICES``."""
    settings = Settings.from_env()
    settings = replace(settings, database_url=database_url(db, settings))
    runtime = open_runtime(settings, services=load_services(settings.services), source=CLI_SOURCE)
    try:
        yield runtime
    finally:
        runtime.close()


def parse_data(text: str, option: str = "--data") -> dict[str, Any]:
    """Parse a JSON object given on the command line."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{option} 不是合法的 JSON：{error.msg}（第 {error.colno} 列）") from None
    if not isinstance(value, dict):
        raise ConfigurationError(f"{option} 必须是 JSON 对象，例如 '{{\"amount\": 5000}}'")
    return value
