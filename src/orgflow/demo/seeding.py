"""``seed_demo``: fill a database with the demo company, the example processes, sign-ins and instances.

Every part is idempotent, so the quick start can run it on every start: the
org chart is imported only when it differs from the stored one (an import
would otherwise bump the org's revision), a deploy of unchanged source is a
no-op (``DeployDefinition`` compares with the newest version), an account
that exists is left with its password, and a scene's instance is made once
(:mod:`orgflow.demo.scenes`). Every write is an action through
``runtime.execute``, as if an administrator had typed the commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from orgflow.demo.accounts import DEMO_ACCOUNTS, DemoAccount
from orgflow.demo.scenes import SCENES, Scene, find_scene, play_scene
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, ConfigurationError
from orgflow.model.loaders import read_source_file
from orgflow.org.model import OrgSnapshot
from orgflow.org.spreadsheet import read_org_files
from orgflow.runtime.accounts import ACCOUNT_EXISTS
from orgflow.runtime.actions import AddAccount, DeployDefinition, Deployed, ImportOrg
from orgflow.runtime.facade import Runtime

#: Who the demo's commands are run as.
DEMO_ACTOR: Final = "admin"

#: The demo company's files, inside the examples folder.
ORG_FILES: Final = ("org/demo-部门.csv", "org/demo-人员.csv")


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoInstance:
    """One scene's instance as it stands.

    Attributes:
        scene: The scene's name.
        label: What it shows.
        business_key: Its 任务ID.
        status: ``running`` or ``completed``.
        waiting_at: The steps it waits at (empty once finished).
        created: Whether this run made it.
    """

    scene: str
    label: str
    business_key: str
    status: InstanceStatus
    waiting_at: tuple[str, ...]
    created: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoSeeded:
    """What ``seed_demo`` found and did.

    Attributes:
        org_imported: Whether the org chart was (re)imported.
        deployed: Every example's deploy result (``created`` is false for unchanged ones).
        accounts_added: The demo accounts this run created.
        accounts: The demo accounts, with each person's name.
        instances: The scenes' instances.
    """

    org_imported: bool
    deployed: tuple[Deployed, ...]
    accounts_added: tuple[str, ...]
    accounts: tuple[tuple[DemoAccount, str], ...]
    instances: tuple[DemoInstance, ...]


def default_examples() -> Path:
    """``./examples`` when it exists, else the examples folder of the source checkout OrgFlow runs from."""
    here = Path("examples")
    if (here / ORG_FILES[0]).is_file():
        return here
    return Path(__file__).resolve().parents[3] / "examples"


def seed_demo(runtime: Runtime, examples: Path | None = None) -> DemoSeeded:
    """Make ``runtime``'s (migrated) database the demo: org, example processes, accounts, instances.

    Raises:
        ConfigurationError: The examples folder lacks the demo company or any process.
        DefinitionError: An example does not load.
    """
    folder = examples or default_examples()
    org = _read_org(folder)
    org_imported = _import_org(runtime, org)
    deployed = tuple(_deploy(runtime, sorted(folder.glob("*.yaml"))))
    if not deployed:
        raise ConfigurationError(f"示例目录 {folder} 中没有流程定义（*.yaml）")
    accounts = tuple(_add_accounts(runtime, DEMO_ACCOUNTS))
    chart = runtime.queries.org()
    instances = tuple(_scene_instance(runtime, scene) for scene in SCENES)
    return DemoSeeded(
        org_imported=org_imported,
        deployed=deployed,
        accounts_added=accounts,
        accounts=tuple((account, chart.name_of(account.user_id)) for account in DEMO_ACCOUNTS),
        instances=instances,
    )


def _read_org(folder: Path) -> OrgSnapshot:
    files = [folder / name for name in ORG_FILES]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ConfigurationError(
            f"找不到演示公司的组织架构文件：{'、'.join(missing)}（用 --examples 指定示例目录）"
        )
    return read_org_files(files)


def _import_org(runtime: Runtime, org: OrgSnapshot) -> bool:
    """Import the demo org unless the stored chart already is it."""
    stored = runtime.queries.org()
    if dict(stored.departments) == dict(org.departments) and dict(stored.users) == dict(org.users):
        return False
    runtime.execute(ImportOrg(org, actor=DEMO_ACTOR))
    return True


def _deploy(runtime: Runtime, files: Iterable[Path]) -> Iterable[Deployed]:
    for path in files:
        text, source_format = read_source_file(path)
        yield runtime.execute(
            DeployDefinition(
                source_text=text,
                source_name=str(path),
                actor=DEMO_ACTOR,
                source_format=source_format,
                change_note="演示数据",
            )
        )


def _add_accounts(runtime: Runtime, accounts: Iterable[DemoAccount]) -> Iterable[str]:
    """Create the accounts not there yet; an existing one keeps its (possibly changed) password."""
    for account in accounts:
        try:
            runtime.execute(AddAccount(account.user_id, account.password, actor=DEMO_ACTOR))
        except CommandRejected as rejected:
            if rejected.reason != ACCOUNT_EXISTS:
                raise
            continue
        yield account.user_id


def _scene_instance(runtime: Runtime, scene: Scene) -> DemoInstance:
    found = find_scene(runtime, scene)
    instance_id = play_scene(runtime, scene).id if found is None else found.id
    instance = runtime.queries.instance(instance_id).instance
    return DemoInstance(
        scene=scene.name,
        label=scene.label,
        business_key=instance.business_key,
        status=instance.status,
        waiting_at=tuple(item.name for item in instance.work_items),
        created=found is None,
    )
