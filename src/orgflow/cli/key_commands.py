"""``orgflow keys`` (generate, rotate, reencrypt, status) and ``orgflow sensitive views``.

Rotating with a key file (``ORGFLOW_ENCRYPTION_KEY_FILE`` or ``<home>/encryption.key``):
``orgflow keys rotate`` writes a new current key into the file, keeping the old ones,
and re-encrypts everything; restart running services so they seal with the new key.
With ``ORGFLOW_ENCRYPTION_KEY``: set it to ``new:…,old:…`` (``orgflow keys generate``
gives the new one), restart, then ``orgflow keys reencrypt``. Either way, when
``orgflow keys status`` shows no value left on the old key, remove it from the ring.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.key_rotation import DEFAULT_BATCH, KeyRotation, Resealed
from orgflow.sensitive.keys import KeyRing, encode_key, fingerprint, key_source, new_key, parse_key_ring
from orgflow.settings import Settings

keys_app = typer.Typer(help="敏感字段的加密密钥：生成、轮换、重新加密、查看各密钥加密的数据量。")
sensitive_app = typer.Typer(help="敏感字段：查看谁看过某个流程实例的敏感字段。")

Batch = Annotated[int, typer.Option("--batch", min=1, help="每个事务重新加密的行数")]


@keys_app.command("generate")
@handled
def generate(as_json: AsJson = False) -> None:
    """生成一个新的加密密钥（编号:base64），用于 ORGFLOW_ENCRYPTION_KEY 或密钥文件。"""
    key = new_key()
    line = f"{fingerprint(key)}:{encode_key(key)}"
    if as_json:
        output.print_json({"ok": True, "key_id": fingerprint(key), "key": line})
    else:
        print(line)


@keys_app.command("rotate")
@handled
def rotate(
    new: Annotated[
        str | None,
        typer.Option("--new-key", help="用这个密钥（编号:base64）作为新的当前密钥；默认新生成一个"),
    ] = None,
    batch: Batch = DEFAULT_BATCH,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """换用新的当前密钥（写入密钥文件，旧密钥保留），并把已加密的数据全部用新密钥重新加密。"""
    source = key_source(Settings.from_env())
    if not source.writable:
        raise ConfigurationError(
            "加密密钥来自环境变量 ORGFLOW_ENCRYPTION_KEY：请把新密钥（orgflow keys generate）"
            "放在该变量最前面、保留旧密钥，重启服务后运行 orgflow keys reencrypt"
        )
    ring = source.load()
    added = _new_key(new)
    if added.current in ring.keys and ring.keys[added.current] != added.keys[added.current]:
        raise ConfigurationError(f"密钥编号 {added.current} 已被另一个密钥使用，请换一个编号")
    rotated = ring.with_current(added.current, added.keys[added.current])
    source.save(rotated)
    with opened(db) as runtime:
        runtime.sensitive.keys.replace(rotated)
        report = KeyRotation(runtime.database, runtime.sensitive).reseal(batch=batch)
    _print(report, as_json, previous=ring.current, where=source.describe())


@keys_app.command("reencrypt")
@handled
def reencrypt(batch: Batch = DEFAULT_BATCH, db: Db = None, as_json: AsJson = False) -> None:
    """把不是用当前密钥加密的敏感字段重新加密（轮换后运行；中断后再运行即可继续）。"""
    with opened(db) as runtime:
        report = KeyRotation(runtime.database, runtime.sensitive).reseal(batch=batch)
    _print(report, as_json, previous=None, where=None)


@keys_app.command("status")
@handled
def status(db: Db = None, as_json: AsJson = False) -> None:
    """各密钥加密了多少个敏感字段值（某个旧密钥为 0 时即可从密钥环中删除）。"""
    with opened(db) as runtime:
        counts = KeyRotation(runtime.database, runtime.sensitive).count()
        ring = runtime.sensitive.keys.get()
    if as_json:
        output.print_json({"ok": True, "current": ring.current, "keys": sorted(ring.keys), "sealed": counts})
        return
    output.table(
        f"加密密钥（当前：{ring.current}）",
        ["密钥编号", "加密的值", "说明"],
        [
            [
                key_id,
                str(counts.get(key_id, 0)),
                "当前密钥" if key_id == ring.current else "可删除" if not counts.get(key_id) else "仍在使用",
            ]
            for key_id in sorted(set(ring.keys) | set(counts))
        ],
    )


@sensitive_app.command("views")
@handled
def views(
    instance: Annotated[str, typer.Argument(help="流程实例 ID 或业务编号")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="最多列出多少条")] = 100,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出谁在何时看过该流程实例未打码的敏感字段。"""
    with opened(db) as runtime:
        entries = runtime.queries.sensitive_views(instance, limit=limit)
    if as_json:
        output.print_json({"ok": True, "views": [output.plain(entry) for entry in entries]})
        return
    output.table(
        f"流程实例 {instance} 的敏感字段查看记录",
        ["时间", "查看人", "字段", "来源"],
        [[output.when(e.at), e.viewer, "、".join(e.fields), e.source or ""] for e in entries],
    )


def _new_key(text: str | None) -> KeyRing:
    if text is None:
        return KeyRing.single(new_key())
    ring = parse_key_ring(text, source="--new-key")
    if len(ring.keys) != 1:
        raise ConfigurationError("--new-key 只能给一个密钥")
    return ring


def _print(report: Resealed, as_json: bool, *, previous: str | None, where: str | None) -> None:
    if as_json:
        output.print_json(
            {
                "ok": True,
                "key_id": report.key_id,
                "previous_key_id": previous,
                "rows": report.rows,
                "values": report.values,
                "left": report.left,
            }
        )
        return
    if previous is not None:
        output.console.print(f"新的当前密钥 {report.key_id} 已写入{where}（旧密钥 {previous} 仍保留）")
    total = sum(report.values.values())
    parts = "，".join(f"{name} {report.rows[name]} 行" for name in report.rows)
    output.console.print(f"已用密钥 {report.key_id} 重新加密 {total} 个敏感字段值（{parts}）")
    if report.left:
        output.console.print(
            f"有 {report.left} 个流程实例在重新加密时被修改，请再运行 orgflow keys reencrypt"
        )


def add_key_commands(app: typer.Typer) -> None:
    """Register ``keys`` and ``sensitive`` on the ``orgflow`` app."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(sensitive_app, name="sensitive")
