"""Fuzzed uploads: broken, hostile and random YAML, BPMN, XLSX and CSV files get a 4xx, never a 5xx.

The upload operations (deploying a definition, importing the org chart) are
found in the OpenAPI description by their file fields, so the test follows the
routes. Seeds are real files (the examples, the BPMN corpus, the seed's node
table as CSV and as a workbook); Hypothesis flips, cuts, splices and replaces
their bytes and renames them. Hostile files (entity expansion, external
entities, YAML alias bombs and object tags, nesting deeper than any parser's
stack, zips that are not workbooks) are sent as they are. Every answer is
either accepted (a mutation can still be a valid file) or a 4xx in the one
error shape; nothing changes on a refusal.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from .conftest import HeadersFor

ROOT = Path(__file__).resolve().parents[3]
SUFFIXES = (".yaml", ".yml", ".bpmn", ".xml", ".xlsx", ".csv", ".txt", "", ".YAML", ".exe")


def _node_table_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "流程节点配置表"
    text = (ROOT / "tests/data/test_node_table.seed.csv").read_text(encoding="utf-8")
    for line in text.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _seeds() -> list[tuple[str, bytes]]:
    files = (
        sorted((ROOT / "examples").glob("*.yaml"))[:4] + sorted((ROOT / "tests/data/bpmn").glob("*.bpmn"))[:3]
    )
    seeds = [(path.name, path.read_bytes()) for path in files]
    seeds.append(("节点配置表.csv", (ROOT / "tests/data/test_node_table.seed.csv").read_bytes()))
    seeds.append(("节点配置表.xlsx", _node_table_workbook()))
    seeds += [(path.name, path.read_bytes()) for path in sorted((ROOT / "examples/org").glob("*.csv"))]
    return seeds


SEEDS = _seeds()

_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + ']><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;</definitions>'
)
_XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    '<process id="p">&xxe;</process></definitions>'
)
_YAML_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


HOSTILE: list[tuple[str, bytes]] = [
    ("laughs.bpmn", _LAUGHS.encode()),
    ("xxe.bpmn", _XXE.encode()),
    ("bomb.yaml", _YAML_BOMB.encode()),
    ("tag.yaml", b"key: !!python/object/apply:os.system ['echo pwned']\nname: x\nnodes: []\n"),
    ("deep.yaml", b"[" * 100_000),
    ("deep.bpmn", b"<a>" * 50_000),
    ("empty.yaml", b""),
    ("nul.yaml", b"key: a\x00b\n"),
    ("latin1.yaml", "key: café\nname: é\n".encode("latin-1")),
    ("bom.csv", b"\xef\xbb\xbf" + b",,,\n" * 3),
    ("notazip.xlsx", b"PK\x03\x04 this is not a zip"),
    ("emptyzip.xlsx", _zip({})),
    ("wrongzip.xlsx", _zip({"[Content_Types].xml": b"<nope/>", "xl/workbook.xml": b"<<<"})),
    ("zeros.xlsx", _zip({"xl/worksheets/sheet1.xml": b"\x00" * 30_000_000})),
    ("long.yaml", b"key: " + b"x" * 2_000_000 + b"\n"),
]


def _upload_operations(client: TestClient) -> list[tuple[str, str, str]]:
    """(method, path, file field) of every operation taking a file upload, from the OpenAPI description."""
    found = []
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        if "{" in path:
            continue
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("multipart/form-data", {}).get("schema", {})
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = client.get("/openapi.json").json()["components"]["schemas"][name]
            for field, spec in schema.get("properties", {}).items():
                if _is_file(spec):
                    found.append((method.upper(), path, field))
    return found


def _is_file(spec: dict[str, Any]) -> bool:
    if spec.get("format") == "binary" or spec.get("contentMediaType") == "application/octet-stream":
        return True
    items = spec.get("items", {})
    return any(_is_file(option) for option in spec.get("anyOf", [])) or bool(items and _is_file(items))


@pytest.fixture
def uploads(client: TestClient, headers_for: HeadersFor) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    operations = _upload_operations(client)
    paths = {path for _, path, _ in operations}
    assert "/api/v1/definitions" in paths, f"no definition upload among {sorted(paths)}"
    return operations, headers_for("admin")


def _send(
    client: TestClient, operation: tuple[str, str, str], headers: dict[str, str], name: str, data: bytes
) -> None:
    method, path, field = operation
    answer = client.request(method, path, headers=headers, files={field: (name, data)})
    assert answer.status_code < 500, (
        f"{method} {path} with {name!r} ({len(data)} bytes): {answer.status_code} {answer.text[:300]}"
    )
    if answer.status_code >= 400:
        body = answer.json()
        assert set(body) == {"code", "message", "details"}, body
        assert body["message"].strip()


@pytest.mark.parametrize(("name", "data"), HOSTILE, ids=[name for name, _ in HOSTILE])
def test_hostile_files_are_refused_with_a_4xx(
    client: TestClient, uploads: tuple[list[tuple[str, str, str]], dict[str, str]], name: str, data: bytes
) -> None:
    operations, headers = uploads
    for operation in operations:
        _send(client, operation, headers, name, data)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(SEEDS))
    how = draw(st.sampled_from(["flip", "cut", "insert", "splice", "random", "rename"]))
    if how == "flip" and data:
        raw = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        data = bytes(raw)
    elif how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    elif how == "splice":
        _, other = draw(st.sampled_from(SEEDS))
        data = data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]
    elif how == "random":
        data = draw(st.binary(max_size=2048))
    stem = name.rsplit(".", 1)[0]
    suffix = (
        draw(st.sampled_from(SUFFIXES))
        if how == "rename" or draw(st.booleans())
        else "." + name.rsplit(".", 1)[-1]
    )
    return stem + suffix, data


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(upload=mutated())
def test_mutated_files_never_get_a_5xx(
    client: TestClient, uploads: tuple[list[tuple[str, str, str]], dict[str, str]], upload: tuple[str, bytes]
) -> None:
    operations, headers = uploads
    for operation in operations:
        _send(client, operation, headers, *upload)
