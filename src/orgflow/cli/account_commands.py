"""``orgflow user add | passwd | unlock`` and ``orgflow token create | list | revoke``: sign-in, by hand.

Whoever runs these holds the database, so they act as the operator
(``actor=None``): they may add accounts and issue integration tokens without
being an administrator in the org chart. Passwords are asked for twice with
hidden input, or read from standard input (``--password-stdin``, for scripts);
``--password`` also works but leaves the password in the shell's history and
the process list. A new token is printed once and never again.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated, Final

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.account_queries import AccountQueries
from orgflow.runtime.actions import (
    AccountView,
    AddAccount,
    CreateApiToken,
    RevokeApiToken,
    SetPassword,
    UnlockAccount,
)

#: ``source`` of every command run from here, for the audit trail.
SOURCE: Final = "cli"

#: Said with every new token.
SHOWN_ONCE: Final = "请立即保存该令牌：它只显示这一次，之后无法再次查看。"

_STATUS_LABELS: Final = {"active": "可用", "expired": "已过期", "revoked": "已吊销"}
_KIND_LABELS: Final = {"personal": "个人", "integration": "系统集成"}

user_app = typer.Typer(help="账号：添加可登录的用户、修改密码、解锁。", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌：创建（只显示一次）、列出、吊销。", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行），供脚本使用")
]
PasswordGiven = Annotated[
    str | None,
    typer.Option(
        "--password", help="直接给出密码（不安全：会留在命令历史和进程列表中；脚本请用 --password-stdin）"
    ),
]


def read_password(from_stdin: bool, given: str | None) -> str:
    """The new password: from ``--password``, from standard input, or asked twice with hidden input.

    Raises:
        ConfigurationError: Both ways given, nothing read, or the two entries differ.
    """
    if from_stdin and given is not None:
        raise ConfigurationError("--password 与 --password-stdin 只能用一个")
    if given is not None:
        return given
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ConfigurationError("标准输入中没有读到密码")
        return line
    first = typer.prompt("新密码", hide_input=True)
    second = typer.prompt("再次输入新密码", hide_input=True)
    if first != second:
        raise ConfigurationError("两次输入的密码不一致，未修改")
    return str(first)


def _show_account(account: AccountView, said: str, as_json: bool) -> None:
    if as_json:
        output.print_json({"ok": True, "account": account})
    else:
        output.console.print(f"{said}：{account.name}（{account.user_id}）", markup=False)


@user_app.command("add")
@handled
def add_user(
    user: Annotated[str, typer.Argument(help="用户ID（须在组织架构中且在职）")],
    password_stdin: PasswordStdin = False,
    password: PasswordGiven = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """为组织架构中的用户添加账号（密码以 argon2id 散列保存）。"""
    secret = read_password(password_stdin, password)
    with opened(db) as runtime:
        account = runtime.execute(AddAccount(user, secret), source=SOURCE)
    _show_account(account, "已添加账号", as_json)


@user_app.command("passwd")
@handled
def set_password(
    user: Annotated[str, typer.Argument(help="用户ID")],
    password_stdin: PasswordStdin = False,
    password: PasswordGiven = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """修改用户的密码（同时解除锁定，并结束该用户所有浏览器登录会话）。"""
    secret = read_password(password_stdin, password)
    with opened(db) as runtime:
        account = runtime.execute(SetPassword(user, secret), source=SOURCE)
    _show_account(account, "已修改密码", as_json)


@user_app.command("unlock")
@handled
def unlock_user(
    user: Annotated[str, typer.Argument(help="用户ID")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """解除因多次登录失败而锁定的账号。"""
    with opened(db) as runtime:
        account = runtime.execute(UnlockAccount(user), source=SOURCE)
    _show_account(account, "已解锁", as_json)


@token_app.command("create")
@handled
def create_token(
    user: Annotated[str, typer.Option("--user", help="令牌归属的用户（集成令牌：该系统的用户）")],
    name: Annotated[str, typer.Option("--name", help="令牌名称（用途），如 ERP 对接")],
    kind: Annotated[
        str, typer.Option("--kind", help="personal（个人）或 integration（系统集成）")
    ] = "personal",
    definitions: Annotated[
        list[str] | None,
        typer.Option("--definition", help="集成令牌可使用的流程定义 key（可重复，至少一个）"),
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, max=3650, help="多少天后过期（默认不过期）")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """创建 API 令牌；令牌只显示这一次。"""
    with opened(db) as runtime:
        expires_at = runtime.clock.now() + timedelta(days=expires_days) if expires_days else None
        action = CreateApiToken(
            user, name, kind=kind, expires_at=expires_at, definitions=tuple(definitions or ())
        )
        issued = runtime.execute(action, source=SOURCE)
    if as_json:
        output.print_json({"ok": True, "token": issued, "warning": SHOWN_ONCE})
        return
    label = _KIND_LABELS.get(issued.kind, issued.kind)
    until = f"，{output.when(issued.expires_at)} 过期" if issued.expires_at else "，不过期"
    grants = f"，可使用流程：{'、'.join(issued.definitions)}" if issued.definitions else ""
    output.console.print(f"已为 {user} 创建{label}令牌 {issued.id}{until}{grants}：", markup=False)
    print(issued.token)
    output.console.print(f"[yellow]{SHOWN_ONCE}[/yellow]")


@token_app.command("list")
@handled
def list_tokens(
    user: Annotated[str | None, typer.Option("--user", help="只列出该用户的令牌")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出 API 令牌（不含令牌本身），最新的在前。"""
    with opened(db) as runtime:
        tokens, total = AccountQueries(runtime.database, runtime.clock).tokens(user)
    if as_json:
        output.print_json({"ok": True, "tokens": tokens, "total": total})
        return
    output.table(
        "API 令牌",
        ["ID", "用户", "名称", "类型", "开头", "状态", "可用流程", "创建", "过期", "最近使用"],
        [
            [
                t.id,
                t.user_id,
                t.name,
                _KIND_LABELS.get(t.kind, t.kind),
                f"{t.prefix}…",
                _STATUS_LABELS.get(t.status, t.status),
                "、".join(t.definitions),
                output.when(t.created_at),
                output.when(t.expires_at) or "不过期",
                output.when(t.last_used_at),
            ]
            for t in tokens
        ],
    )


@token_app.command("revoke")
@handled
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="令牌 ID（orgflow token list 可查）")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """吊销 API 令牌：从下一个请求起即不能再用。"""
    with opened(db) as runtime:
        revoked = runtime.execute(RevokeApiToken(token_id), source=SOURCE)
    if as_json:
        output.print_json({"ok": True, "token": revoked})
    else:
        output.console.print(f"已吊销令牌 {revoked.id}（{revoked.user_id}：{revoked.name}）", markup=False)


def add_account_commands(app: typer.Typer) -> None:
    """Mount ``user`` and ``token`` on the ``orgflow`` app."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
