"""``orgflow user …`` and ``orgflow token …`` as an operator types them, passwords on stdin or prompted.

The commands run in subprocesses of their own session (no controlling
terminal), so a hidden prompt reads the typed lines from standard input.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from orgflow.auth.authenticator import Authenticator
from orgflow.errors import NotSignedIn
from orgflow.runtime.actions import SignIn
from orgflow.store.tables import accounts

from .conftest import REPO, Installed, Orgflow, Ran

BOSS = "zheng_zongjingli"
FENGUAN = "wu_fenguan"
SECRETARY = "lin_mishu"


def typed(orgflow: Orgflow, *args: str, stdin: str) -> Ran:
    """Run ``orgflow`` with ``stdin`` as what the operator types."""
    done = subprocess.run(
        [orgflow.executable, *args],
        cwd=REPO,
        env=orgflow.env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        start_new_session=True,
    )
    ran = Ran(args=args, code=done.returncode, out=done.stdout, err=done.stderr)
    assert "Traceback" not in ran.out + ran.err, ran
    return ran


@pytest.fixture(scope="module")
def orgflow(installed: Installed) -> Orgflow:
    return installed.orgflow


def test_user_add_reads_the_password_from_stdin_and_refuses_a_second_add(orgflow: Orgflow) -> None:
    added = typed(orgflow, "user", "add", BOSS, "--password-stdin", "--json", stdin="总经理的密码-1\n")
    again = typed(orgflow, "user", "add", BOSS, "--password-stdin", stdin="another-password\n")
    unknown = typed(orgflow, "user", "add", "nobody", "--password-stdin", stdin="another-password\n")

    assert added.code == 0, added
    assert added.document()["account"]["user_id"] == BOSS
    assert again.code == 1 and "已有账号" in again.err and len(again.err.splitlines()) == 1
    assert unknown.code == 1 and "nobody" in unknown.err
    with orgflow.runtime() as runtime:
        with runtime.database.reading() as connection:
            stored = connection.execute(
                select(accounts.c.password_hash).where(accounts.c.user_id == BOSS)
            ).scalar()
        signed_in = runtime.execute(SignIn(BOSS, "总经理的密码-1"))
    assert str(stored).startswith("$argon2id$") and "总经理的密码-1" not in str(stored)
    assert signed_in.ok


def test_user_add_prompts_twice_and_refuses_entries_that_differ(orgflow: Orgflow) -> None:
    differ = typed(orgflow, "user", "add", FENGUAN, stdin="first-password\nsecond-password\n")
    same = typed(orgflow, "user", "add", FENGUAN, stdin="first-password\nfirst-password\n")

    assert differ.code == 1 and "两次输入的密码不一致" in differ.err
    assert same.code == 0, same
    assert "已添加账号" in same.out and FENGUAN in same.out
    with orgflow.runtime() as runtime:
        assert runtime.execute(SignIn(FENGUAN, "first-password")).ok


def test_passwd_replaces_the_password_and_unlock_lifts_a_lockout(orgflow: Orgflow) -> None:
    assert orgflow.run("user", "add", SECRETARY, "--password", "old-password-1").code == 0
    changed = typed(orgflow, "user", "passwd", SECRETARY, "--password-stdin", stdin="new-password-2\n")
    assert changed.code == 0 and "已修改密码" in changed.out
    with orgflow.runtime() as runtime:
        assert not runtime.execute(SignIn(SECRETARY, "old-password-1")).ok
        outcomes = [runtime.execute(SignIn(SECRETARY, "wrong-password")).outcome for _ in range(4)]
        assert outcomes[-1] == "locked"  # the old password's failure counted too
        assert runtime.execute(SignIn(SECRETARY, "new-password-2")).outcome == "locked"

    unlocked = orgflow.json("user", "unlock", SECRETARY)["account"]

    assert (unlocked["failed_logins"], unlocked["locked_until"]) == (0, None)
    with orgflow.runtime() as runtime:
        assert runtime.execute(SignIn(SECRETARY, "new-password-2")).ok


def test_token_create_shows_the_token_once_and_revoke_ends_it(orgflow: Orgflow) -> None:
    created = orgflow.run("token", "create", "--user", BOSS, "--name", "报表脚本", "--expires-days", "30")
    lines = created.out.splitlines()
    token = next(line for line in lines if line.startswith("oft_"))
    listed = orgflow.json("token", "list", "--user", BOSS)
    token_id = next(t["id"] for t in listed["tokens"] if t["name"] == "报表脚本")

    assert created.code == 0 and "只显示这一次" in created.out
    assert token not in str(listed)
    with orgflow.runtime() as runtime:
        principal = Authenticator(runtime.database, runtime.clock).by_token(token)
    assert (principal.user_id, principal.token_kind) == (BOSS, "personal")

    revoked = orgflow.json("token", "revoke", token_id)["token"]
    assert revoked["status"] == "revoked"
    with orgflow.runtime() as runtime, pytest.raises(NotSignedIn, match="已吊销"):
        Authenticator(runtime.database, runtime.clock).by_token(token)


def test_an_integration_token_needs_deployed_definitions(orgflow: Orgflow) -> None:
    none = orgflow.run("token", "create", "--user", BOSS, "--name", "OA", "--kind", "integration")
    unknown = orgflow.run(
        "token", "create", "--user", BOSS, "--name", "OA", "--kind", "integration", "--definition", "nope"
    )
    made = orgflow.json(
        "token", "create", "--user", BOSS, "--name", "OA", "--kind", "integration",
        "--definition", "customer_complaint",
    )  # fmt: skip

    assert none.code == 1 and "流程定义" in none.err
    assert unknown.code == 1 and "nope" in unknown.err
    assert made["token"]["definitions"] == ["customer_complaint"]
    assert made["token"]["token"].startswith("oft_") and "只显示这一次" in made["warning"]
    with orgflow.runtime() as runtime:
        principal = Authenticator(runtime.database, runtime.clock).by_token(made["token"]["token"])
    assert principal.is_integration and principal.definitions == frozenset({"customer_complaint"})
