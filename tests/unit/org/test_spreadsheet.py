from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from orgflow.errors import ConfigurationError
from orgflow.org.checks import check_snapshot
from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot
from orgflow.org.spreadsheet import OrgFileError, read_org_files, write_org_file

ROOT = Path(__file__).resolve().parents[3]
DEMO = [ROOT / "examples" / "org" / "demo-部门.csv", ROOT / "examples" / "org" / "demo-人员.csv"]

DEPARTMENT_HEADER = ["部门编号", "部门名称", "上级部门", "负责人", "分管领导"]
USER_HEADER = ["用户ID", "姓名", "主部门", "兼职部门", "角色", "邮箱", "手机", "状态"]
Rows = Sequence[Sequence[object]]


def workbook(path: Path, sheets: dict[str, Rows]) -> Path:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def org_xlsx(tmp_path: Path, departments: Rows, users: Rows) -> Path:
    """``org.xlsx`` with both sheets: the header, then ``departments`` / ``users`` from row 2."""
    return workbook(
        tmp_path / "org.xlsx", {"部门": [DEPARTMENT_HEADER, *departments], "人员": [USER_HEADER, *users]}
    )


def csv_file(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def problems(paths: Sequence[Path]) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        read_org_files(paths)
    assert isinstance(caught.value, ConfigurationError)
    assert str(caught.value).startswith(f"组织架构文件有 {len(caught.value.problems)} 处问题")
    return [str(problem) for problem in caught.value.problems]


def sample_org() -> OrgSnapshot:
    return build_snapshot(
        [
            Department(id="HQ", name="总部", head="zheng"),
            Department(id="RD1", name="研发部", parent_id="HQ", head="li", supervisor="wu"),
            Department(id="财务部", name="财务部", parent_id="HQ"),
        ],
        [
            User(
                id="zheng",
                name="郑伟",
                departments=("HQ",),
                roles=(RoleGrant(role="总经理"),),
                email="zheng@example.com",
                mobile="13800000000",
            ),
            User(
                id="li",
                name="李强",
                departments=("RD1", "财务部"),
                roles=(RoleGrant(role="财务审核员", department_id="财务部"), RoleGrant(role="预算联络人")),
                mobile="0755-12345678",
            ),
            User(id="wu", name="吴刚"),
            User(id="old", name="=1+1", departments=("RD1",), active=False),
        ],
    )


# --- round trips ------------------------------------------------------------------------------


def test_xlsx_round_trip_gives_an_equal_snapshot(tmp_path: Path) -> None:
    org = sample_org()
    written = write_org_file(org, tmp_path / "org.xlsx")
    assert written == [tmp_path / "org.xlsx"]
    assert read_org_files(written) == org
    assert list(tmp_path.iterdir()) == [tmp_path / "org.xlsx"]  # no temporary file left behind


def test_xlsx_has_both_sheets_with_bold_frozen_headers_and_widths(tmp_path: Path) -> None:
    [path] = write_org_file(sample_org(), tmp_path / "org.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["部门", "人员"]
    users = book["人员"]
    assert [cell.value for cell in users[1]] == USER_HEADER
    assert all(cell.font.bold for cell in users[1])
    assert users.freeze_panes == "A2"
    assert users.column_dimensions["F"].width == len("zheng@example.com") + 2
    assert users.column_dimensions["B"].width == 6  # 姓名: two Chinese characters are four wide
    assert users["G2"].data_type == "s"  # 手机 stays text
    assert users["B5"].value == "=1+1" and users["B5"].data_type == "s"  # not a formula
    assert book["部门"].freeze_panes == "A2"


def test_csv_round_trip_writes_two_files_with_bom(tmp_path: Path) -> None:
    org = sample_org()
    written = write_org_file(org, tmp_path / "org.csv")
    assert written == [tmp_path / "org-部门.csv", tmp_path / "org-人员.csv"]
    assert written[0].read_bytes().startswith("\ufeff部门编号,部门名称".encode())
    assert written[1].read_bytes().startswith("\ufeff用户ID,姓名".encode())
    assert read_org_files(written) == org
    assert read_org_files(written[::-1]) == org


def test_writing_another_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"不支持的文件类型 '\.xls'"):
        write_org_file(sample_org(), tmp_path / "org.xls")
    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="无法写入"):
        write_org_file(sample_org(), tmp_path / "missing" / "org.xlsx")


# --- encodings and aliases --------------------------------------------------------------------

USERS_CSV = "用户ID,姓名,主部门,角色\nli_yanfa,李强,研发部,预算联络人@研发部\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(tmp_path: Path, encoding: str) -> None:
    path = csv_file(tmp_path / "org.csv", USERS_CSV, encoding)
    org = read_org_files([path])
    assert org.users["li_yanfa"].name == "李强"
    assert org.users["li_yanfa"].roles == (RoleGrant(role="预算联络人", department_id="研发部"),)


def test_the_gbk_file_really_is_not_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        USERS_CSV.encode("gbk").decode("utf-8")


def test_english_headers_are_accepted_case_insensitively(tmp_path: Path) -> None:
    departments = csv_file(
        tmp_path / "a.csv", "ID,Name,Parent,HEAD,supervisor\nhq,总部,,li,\nrd,研发部,总部,li,li\n"
    )
    users = csv_file(
        tmp_path / "b.csv",
        "Id,NAME,Primary_Department,other_departments,Roles,Email,Mobile,Status\n"
        "li,李强,rd,hq,总经理,li@example.com,139,Inactive\n",
    )
    org = read_org_files([users, departments])
    assert org.departments["rd"] == Department(
        id="rd", name="研发部", parent_id="hq", head="li", supervisor="li"
    )
    assert org.users["li"] == User(
        id="li",
        name="李强",
        departments=("rd", "hq"),
        roles=(RoleGrant(role="总经理"),),
        email="li@example.com",
        mobile="139",
        active=False,
    )


def test_english_sheet_names_and_marked_or_spaced_headers(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "org.xlsx",
        {"Users": [[" 用户 ID *", "姓名*", "主部门"], ["li", "李强", "研发部"]], "说明": [["随便写"]]},
    )
    assert read_org_files([path]).users["li"].departments == ("研发部",)


def test_csv_ties_are_broken_by_the_file_name(tmp_path: Path) -> None:
    departments = csv_file(tmp_path / "org-部门.csv", "id,name\nrd,研发部\n")
    users = csv_file(tmp_path / "org-users.csv", "id,name,primary_department\nli,李强,rd\n")
    org = read_org_files([departments, users])
    assert list(org.departments) == ["rd"]
    assert org.users["li"].departments == ("rd",)


def test_stray_spaces_are_trimmed_not_refused(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [[" RD ", " 研发部 ", "", " li ", ""]],
        [
            [
                " li ",
                " 李强 ",
                " 研发部 ",
                "",
                " 总经理 ； 财务审核员 @ 研发部 ",
                " li@example.com ",
                13800000000.0,
                " 在职 ",
            ]
        ],
    )
    org = read_org_files([path])
    assert org.departments["RD"] == Department(id="RD", name="研发部", head="li")
    assert org.users["li"] == User(
        id="li",
        name="李强",
        departments=("RD",),
        roles=(RoleGrant(role="总经理"), RoleGrant(role="财务审核员", department_id="RD")),
        email="li@example.com",
        mobile="13800000000",
    )


@pytest.mark.parametrize(
    ("text", "active"),
    [
        ("在职", True),
        ("启用", True),
        ("ACTIVE", True),
        ("", True),
        ("停用", False),
        ("离职", False),
        ("inactive", False),
    ],
)
def test_status_values(tmp_path: Path, text: str, active: bool) -> None:
    path = csv_file(tmp_path / "users.csv", f"用户ID,姓名,状态\nli,李强,{text}\n")
    assert read_org_files([path]).users["li"].active is active


def test_list_separators(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "users.csv", '用户ID,姓名,主部门,兼职部门\nli,李强,甲,"乙；丙;丁、戊,己，庚"\n'
    )
    assert read_org_files([path]).users["li"].departments == ("甲", "乙", "丙", "丁", "戊", "己", "庚")


# --- references -------------------------------------------------------------------------------


def test_department_names_resolve_to_ids(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["HQ", "总部", "", "", ""], ["RD", "研发部", "总部", "", ""], ["FIN", "财务部", "HQ", "", ""]],
        [["li", "李强", "研发部", "财务部、HQ", "财务审核员@财务部；总经理", "", "", ""]],
    )
    org = read_org_files([path])
    assert org.departments["RD"].parent_id == "HQ"
    assert org.users["li"].departments == ("RD", "FIN", "HQ")
    assert org.users["li"].roles == (
        RoleGrant(role="财务审核员", department_id="FIN"),
        RoleGrant(role="总经理"),
    )
    assert org.role_holders("财务审核员", "FIN") == ("li",)


def test_a_users_file_alone_creates_its_departments_top_level(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "people.csv",
        "用户ID,姓名,主部门,兼职部门,角色\nli,李强,研发部,市场部,审核员@财务部\nwu,吴刚,,,\n",
    )
    org = read_org_files([path])
    assert list(org.departments.values()) == [
        Department(id="研发部", name="研发部"),
        Department(id="市场部", name="市场部"),
        Department(id="财务部", name="财务部"),
    ]
    assert org.users["wu"].departments == ()
    assert check_snapshot(org) == []


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "users.csv", "\n用户ID,姓名\nli,李强\n,\n\nwu,\n")
    assert problems([path]) == ["users.csv 人员 第 6 行【姓名】必填，不能为空"]


# --- problems, each with its file, sheet, row and column ---------------------------------------


def test_unknown_primary_department_names_row_and_column(tmp_path: Path) -> None:
    users = [[f"u{n}", f"用户{n}", "研发部", "", "", "", "", ""] for n in range(2, 7)]
    users.append(["u7", "用户7", "研发二部", "", "", "", "", ""])
    path = org_xlsx(tmp_path, [["研发部", "研发部", "", "", ""]], users)
    assert problems([path]) == ["org.xlsx 人员 第 7 行【主部门】部门 '研发二部' 不存在"]


def test_unknown_departments_in_every_reference_column(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["RD", "研发部", "总部", "", ""]],
        [["li", "李强", "RD", "市场部", "审核员@财务部", "", "", ""]],
    )
    assert problems([path]) == [
        "org.xlsx 部门 第 2 行【上级部门】上级部门 '总部' 不存在",
        "org.xlsx 人员 第 2 行【兼职部门】部门 '市场部' 不存在",
        "org.xlsx 人员 第 2 行【角色】部门 '财务部' 不存在",
    ]


def test_a_shared_department_name_is_ambiguous_and_names_both_ids(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["RD1", "研发部", "", "", ""], ["RD2", "研发部", "", "", ""]],
        [["li", "李强", "研发部", "", "", "", "", ""], ["wu", "吴刚", "RD2", "", "", "", "", ""]],
    )
    assert problems([path]) == [
        "org.xlsx 人员 第 2 行【主部门】部门名称 '研发部' 对应多个部门（编号 RD1、RD2），请改填部门编号"
    ]


def test_missing_required_columns_are_named_with_the_columns_found(tmp_path: Path) -> None:
    departments = csv_file(tmp_path / "d.csv", "部门编号,上级部门,负责人\nRD,,\n")
    users = csv_file(tmp_path / "u.csv", "用户ID,名字,主部门\nli,李强,RD\n")
    assert problems([departments, users]) == [
        "d.csv 部门 第 1 行【表头】缺少必需的列：部门名称；找到的列：部门编号、上级部门、负责人",
        "u.csv 人员 第 1 行【表头】缺少必需的列：姓名；找到的列：用户ID、名字、主部门",
    ]


def test_empty_required_cells(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["RD", "", "", "", ""]],
        [["", "李强", "RD", "", "", "", "", ""], ["wu", None, "RD", "", "", "", "", ""]],
    )
    assert problems([path]) == [
        "org.xlsx 部门 第 2 行【部门名称】必填，不能为空",
        "org.xlsx 人员 第 2 行【用户ID】必填，不能为空",
        "org.xlsx 人员 第 3 行【姓名】必填，不能为空",
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [
            ["", "研发部", "", "", ""],
            ["", "研发部", "", "", ""],
            ["RD", "一部", "", "", ""],
            ["RD", "二部", "", "", ""],
        ],
        [["li", "李强", "研发部", "", "", "", "", ""], ["li", "李四", "", "", "", "", "", ""]],
    )
    assert problems([path]) == [
        "org.xlsx 部门 第 3 行【部门名称】'研发部' 与第 2 行重复"
        "（未填部门编号时以部门名称为编号，同名部门请填部门编号区分）",
        "org.xlsx 部门 第 5 行【部门编号】'RD' 与第 4 行重复",
        "org.xlsx 人员 第 3 行【用户ID】'li' 与第 2 行重复",
    ]


def test_unknown_status(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "users.csv", "用户ID,姓名,状态\nli,李强,在职\nwu,吴刚,休假\n")
    [problem] = problems([path])
    assert problem.startswith("users.csv 人员 第 3 行【状态】'休假' 无法识别，应为 在职、启用、active")


def test_malformed_roles_and_other_departments_without_a_primary(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path / "users.csv", "用户ID,姓名,主部门,兼职部门,角色\nli,李强,,市场部,@财务部；审核员@\n"
    )
    assert problems([path]) == [
        "users.csv 人员 第 2 行【主部门】填了兼职部门时，主部门不能为空",
        "users.csv 人员 第 2 行【角色】'@财务部' 应写作「角色名」或「角色名@部门」",
        "users.csv 人员 第 2 行【角色】'审核员@' 应写作「角色名」或「角色名@部门」",
    ]


def test_a_column_given_twice(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "users.csv", "用户ID,姓名,mobile,手机\nli,李强,1,2\n")
    assert problems([path]) == ["users.csv 人员 第 1 行【手机】C 列和 D 列重复，只能有一列"]


def test_structure_is_checked_with_the_rows_named(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["A", "甲", "B", "nobody", ""], ["B", "乙", "A", "", "ghost"]],
        [["li", "李强", "A", "甲", "", "", "", ""]],
    )
    assert problems([path]) == [
        "org.xlsx 部门 第 2 行【负责人】负责人 'nobody' 不在人员表中",
        "org.xlsx 部门 第 3 行【分管领导】分管领导 'ghost' 不在人员表中",
        "org.xlsx 部门 第 2 行【上级部门】上级部门形成循环：A → B → A",
        "org.xlsx 人员 第 2 行【兼职部门】同一部门重复列出",
    ]


def test_a_file_with_several_problems_reports_them_all(tmp_path: Path) -> None:
    path = org_xlsx(
        tmp_path,
        [["RD", "研发部", "", "zhao", ""], ["RD", "研发二部", "", "", ""]],
        [
            ["li", "李强", "RD", "", "", "", "", "请假"],
            ["wu", "", "研发三部", "", "", "", "", ""],
            ["li", "李四", "", "", "", "", "", ""],
        ],
    )
    found = problems([path])
    assert found == [
        "org.xlsx 部门 第 3 行【部门编号】'RD' 与第 2 行重复",
        found[1],
        "org.xlsx 人员 第 3 行【姓名】必填，不能为空",
        "org.xlsx 人员 第 4 行【用户ID】'li' 与第 2 行重复",
        "org.xlsx 人员 第 3 行【主部门】部门 '研发三部' 不存在",
        "org.xlsx 部门 第 2 行【负责人】负责人 'zhao' 不在人员表中",
    ]
    assert found[1].startswith("org.xlsx 人员 第 2 行【状态】'请假' 无法识别")


# --- problems with the files themselves -------------------------------------------------------


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"not a zip")
    assert problems([damaged])[0].startswith("damaged.xlsx【文件】无法打开工作簿")
    assert problems([tmp_path / "missing.csv"])[0].startswith("missing.csv【文件】无法读取")
    undecodable = csv_file(tmp_path / "bad.csv", "", "utf-8")
    undecodable.write_bytes(b"\xef\xbb\xbf\xff\xfe")
    assert problems([undecodable]) == ["bad.csv【文件】认不出文件编码：请另存为 UTF-8 或 GBK 编码的 CSV"]


@pytest.mark.parametrize(
    "names", [[], ["org.xls"], ["a.xlsx", "b.xlsx"], ["a.xlsx", "b.csv"], ["a.csv", "b.csv", "c.csv"]]
)
def test_only_one_workbook_or_one_or_two_csv_files(tmp_path: Path, names: list[str]) -> None:
    [problem] = problems([tmp_path / name for name in names])
    assert "【文件】请给一个 .xlsx 工作簿，或一到两个 .csv 文件" in problem


def test_a_workbook_needs_a_users_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "org.xlsx", {"部门": [["部门名称"], ["研发部"]], "Sheet1": [["x"]]})
    assert problems([path]) == [
        "org.xlsx【工作表】缺少「人员」工作表（「部门」工作表可选）；找到的工作表：部门、Sheet1"
    ]


def test_a_departments_file_alone_is_refused(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "d.csv", "部门名称\n研发部\n")
    assert problems([path]) == ["d.csv【文件】只有部门表：还需要人员表（含「用户ID」列）"]


def test_two_users_files_and_an_unknown_table(tmp_path: Path) -> None:
    first, second = (csv_file(tmp_path / f"{n}.csv", "用户ID,姓名\nli,李强\n") for n in ("a", "b"))
    assert problems([first, second]) == ["b.csv【文件】和 a.csv 都是人员表"]
    unknown = csv_file(tmp_path / "x.csv", "编号,名称\n1,甲\n")
    assert problems([first, unknown]) == [
        "x.csv【文件】认不出是哪张表：部门表要有「部门名称」列，人员表要有「用户ID」列；找到的列：编号、名称"
    ]


def test_an_empty_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "org.xlsx", {"部门": [], "人员": [USER_HEADER, ["li", "李强"]]})
    assert problems([path]) == ["org.xlsx 部门【表头】表是空的，第一行应是表头"]


# --- the demo company -------------------------------------------------------------------------


def test_the_demo_org_loads_and_passes_the_checks() -> None:
    org = read_org_files(DEMO)
    assert check_snapshot(org) == []
    assert DEMO[0].read_bytes().startswith(b"\xef\xbb\xbf") and DEMO[1].read_bytes().startswith(
        b"\xef\xbb\xbf"
    )
    top = [department.id for department in org.departments.values() if department.parent_id is None]
    assert top == ["总经办"]
    below = {d.id for d in org.departments.values() if d.parent_id == "总经办"}
    assert below >= set(
        "市场部 研发部 生产部 销售部 客服部 物流部 财务部 法务部 技术部 质检部 采购部".split()
    )
    assert all(department.head for department in org.departments.values())
    assert all(2 <= len(org.members(d)) <= 4 for d in org.departments if d != "总经办")


def test_the_demo_org_has_the_people_the_examples_name() -> None:
    """Every department, user and role the examples' rules name resolves in the demo company."""
    from orgflow.model.yaml_reader import load_definition_file
    from orgflow.org.references import check_references

    org = read_org_files(DEMO)
    named = set()
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        named |= set(re.findall(r"\{user: *([a-z_]+)\}", path.read_text(encoding="utf-8")))
        loaded = load_definition_file(path)
        assert check_references(loaded.definition, org, loaded.lines) == [], path.name
    assert len(named) >= 10
    assert all(org.is_active(user) for user in named)


def test_the_demo_org_routes_as_the_examples_expect() -> None:
    org = read_org_files(DEMO)
    assert org.head_of("总经办") == "zheng_zongjingli"
    assert org.role_holders("总经理") == ("zheng_zongjingli",)
    for department in ("市场部", "研发部", "生产部", "销售部", "设计部"):
        assert org.supervisor_of(department) == "wu_fenguan"
    for department in ("客服部", "物流部", "财务部", "法务部", "技术部", "质检部", "采购部"):
        assert org.supervisor_of(department) == "he_fenguan"
    assert org.role_holders("财务审核员", "财务部") == ("sun_caiwu", "qian_caiwu")
    assert org.role_holders("系统管理员") == ("admin",)
    liaisons = org.role_holders("预算联络人")
    assert sorted(org.users[user].primary_department or "" for user in liaisons) == sorted(org.departments)
    assert {"zhang_shichang", "li_yanfa", "wang_shengchan", "zhao_xiaoshou", "li_kefu", "zhou_wuliu"} <= set(
        liaisons
    )
    assert [user.id for user in org.users.values() if len(user.departments) > 1] == ["xie_zhijian"]
    assert [user.id for user in org.users.values() if not user.active] == ["ma_shengchan"]
    assert org.heads_above("huang_sheji") == ("cao_sheji", "zhang_shichang", "zheng_zongjingli")


def test_the_demo_org_survives_a_round_trip(tmp_path: Path) -> None:
    org = read_org_files(DEMO)
    assert read_org_files(write_org_file(org, tmp_path / "demo.xlsx")) == org
    assert read_org_files(write_org_file(org, tmp_path / "demo.csv")) == org
