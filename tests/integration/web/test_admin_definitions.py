"""流程定义 pages: the list, deploying a new version, a broken file's problems, the diagram and the diff."""

from __future__ import annotations

import re
from collections.abc import Callable

from httpx import Response

from orgflow.runtime import Runtime

from .conftest import Browser

KEY = "new_product_launch"

#: A definition whose review step goes on to a node that does not exist (so the end is never reached).
BROKEN = """\
key: broken_process
name: 坏流程
business_key_prefix: BAD
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user: admin}
    next: nowhere
  - {id: end, type: end}
"""


def _source(runtime: Runtime) -> str:
    deployed = runtime.queries.definition(KEY)
    return runtime.queries.source(deployed.id).source_text


def _next_version_source(runtime: Runtime) -> str:
    text = _source(runtime)
    assert "name: 需求提交" in text
    return text.replace("name: 需求提交", "name: 需求提交（新版）", 1)


def _deploy(browser: Browser, name: str, content: str, note: str = "") -> Response:
    browser.get("/admin/definitions")
    answer = browser.post(
        "/admin/definitions",
        {"change_note": note},
        files={"file": (name, content.encode(), "application/yaml")},
    )
    return answer


def test_the_list_shows_each_definition_with_its_newest_version(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    page = browser_for("admin").get("/admin/definitions").text
    for view in demo_runtime.queries.definitions():
        row = page.split(f'data-definition="{view.key}"')[1].split("</tr>")[0]
        assert f'data-version="{view.version}"' in row
        assert view.label in row and view.name in row
        assert f'data-running="{view.running}"' in row
    assert "V1.0-" in page and "新产品上市流程" in page


def test_uploading_a_valid_yaml_deploys_the_next_version(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    qin = browser_for("qin_yunying")
    before = demo_runtime.queries.definition(KEY).version
    source = _next_version_source(demo_runtime)
    answer = _deploy(qin, f"{KEY}.yaml", source, note="需求提交改名")
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert f'id="deployed" data-key="{KEY}" data-version="{before + 1}" data-created="yes"' in page, page
    newest = demo_runtime.queries.definitions(key=KEY)[0]
    assert newest.version == before + 1
    assert newest.deployed_by == "qin_yunying" and newest.change_note == "需求提交改名"
    assert demo_runtime.queries.definition(KEY).definition.nodes["submit"].label == "需求提交（新版）"
    assert f'href="/admin/definitions/{KEY}/diff?from={before}&amp;to={before + 1}"' in page
    # the same file again makes nothing new
    again = _deploy(qin, f"{KEY}.yaml", source).text
    assert 'data-created="no"' in again
    assert demo_runtime.queries.definition(KEY).version == before + 1


def test_a_broken_file_lists_every_problem_with_node_and_line_and_deploys_nothing(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    answer = _deploy(admin, "broken.yaml", BROKEN)
    assert answer.status_code == 422
    html = answer.text
    problems = re.findall(r'<tr data-problem data-node="([^"]*)" data-line="([^"]*)"', html)
    assert problems, html
    assert problems == [("review", "10"), ("end", "11")]  # every problem, each with its node and line
    assert "连线指向的节点 nowhere 不存在" in html and "第 10 行" in html
    assert 'aria-invalid="true" aria-describedby="deploy-file-error"' in html
    assert "未部署" in html
    assert [v for v in demo_runtime.queries.definitions() if v.key == "broken_process"] == []


def test_a_file_of_an_unknown_kind_is_refused_next_to_the_field(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    count = len(demo_runtime.queries.definitions(latest_only=False))
    answer = _deploy(browser_for("admin"), "notes.txt", "hello")
    assert answer.status_code == 422
    html = answer.text
    error = html.split('id="deploy-file-error">')[1].split("</p>")[0]
    assert ".yaml" in error and ".bpmn" in error
    assert len(demo_runtime.queries.definitions(latest_only=False)) == count


def test_the_auditor_reads_but_may_not_deploy(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    auditor = browser_for("shen_shenji")
    auditor.get("/admin/definitions")
    answer = auditor.post(
        "/admin/definitions", files={"file": (f"{KEY}.yaml", _next_version_source(demo_runtime).encode())}
    )
    assert answer.status_code == 403
    assert "部署流程定义" in answer.text
    assert demo_runtime.queries.definition(KEY).version == 1


def test_a_version_page_shows_its_versions_and_its_diagram(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    assert _deploy(admin, f"{KEY}.yaml", _next_version_source(demo_runtime), note="第二版").status_code == 200
    page = admin.get(f"/admin/definitions/{KEY}")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-version="(\d+)"', page.text)
    assert rows == ["2", "1"]
    assert "第二版" in page.text
    figure = page.text.split('id="definition-diagram" data-version="2"')[1].split("</figure>")[0]
    assert "<?xml" not in figure and "<svg" in figure
    assert 'data-node-id="submit"' in figure and "需求提交（新版）" in figure
    first = admin.get(f"/admin/definitions/{KEY}?version=1").text
    figure = first.split('id="definition-diagram" data-version="1"')[1].split("</figure>")[0]
    assert "需求提交（新版）" not in figure and "需求提交" in figure
    assert f'href="/api/v1/definitions/{KEY}/diagram.svg?version=1&amp;locale=zh-CN"' in first
    assert admin.get("/admin/definitions/no_such_process").status_code == 404


def test_the_diff_shows_the_changed_nodes(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    source = _next_version_source(demo_runtime)
    added = (
        "  - id: extra_check\n    type: user_task\n    name: 额外检查\n"
        "    assignee: {user: admin}\n    next: review\n"
    )
    first_next = source.index("    next: review\n")  # 需求提交 goes on to the new step first
    source = (
        source[:first_next] + "    next: extra_check\n" + source[first_next + len("    next: review\n") :]
    )
    source = source.replace("\nnodes:\n", "\nnodes:\n" + added, 1)
    answer = _deploy(admin, f"{KEY}.yaml", source)
    assert answer.status_code == 200, answer.text
    diff = admin.get(f"/admin/definitions/{KEY}/diff?from=1&to=2")
    assert diff.status_code == 200
    assert 'data-from="1" data-to="2"' in diff.text
    changed = diff.text.split('data-node="submit" data-change="changed"')[1].split("</li>\n")[0]
    assert 'data-attribute="name"' in changed and "需求提交（新版）" in changed
    assert 'data-node="extra_check" data-change="added"' in diff.text
    assert 'data-node="review"' not in diff.text  # unchanged nodes are not listed
    computed = demo_runtime.queries.diff(KEY, 1, 2).diff
    assert {n.id for n in computed.nodes.changed} == set(
        re.findall(r'data-node="([^"]+)" data-change="changed"', diff.text)
    )
    same = admin.get(f"/admin/definitions/{KEY}/diff?from=2&to=2")
    assert 'id="diff-empty"' in same.text


def test_the_definition_pages_render_in_english(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    admin = browser_for("admin")
    admin.client.cookies.set("orgflow_lang", "en")
    page = admin.get("/admin/definitions").text
    assert "Deploy a definition" in page and "Deployed processes" in page and "Change note" in page
    version = admin.get(f"/admin/definitions/{KEY}").text
    assert "All versions" in version and "locale=en" in version
