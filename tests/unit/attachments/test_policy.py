from __future__ import annotations

import io
import zipfile

import pytest

from orgflow.attachments.file_names import extension_of, safe_folder_name, safe_name
from orgflow.attachments.policy import DEFAULT_POLICY, UploadPolicy
from orgflow.errors import AttachmentRefused, ConfigurationError
from orgflow.settings import Settings

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def office_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "a")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("研发方案.pdf", PDF, "application/pdf"),
        (
            "方案.DOCX",
            office_file(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("产能表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "application/vnd.ms-excel"),
        ("截图.png", PNG, "image/png"),
        ("记录.csv", "日期,事项\n2026-11-22,培训\n".encode(), "text/csv; charset=utf-8"),
        ("说明.txt", "中文说明".encode("gb18030"), "text/plain; charset=utf-8"),
        ("资料.zip", plain_zip(), "application/zip"),
    ],
)
def test_accepted_types_are_recognised_by_extension_and_content(name, content, content_type) -> None:
    accepted = DEFAULT_POLICY.check(name, content)

    assert accepted.file_name == name
    assert accepted.extension == name.rsplit(".", 1)[1].lower()
    assert accepted.content_type == content_type


def test_a_file_over_the_limit_is_refused_naming_the_file_and_the_limit() -> None:
    policy = UploadPolicy(max_bytes=1024, types=("txt",))

    with pytest.raises(AttachmentRefused) as caught:
        policy.check("大文件.txt", b"x" * 1025)

    assert "大文件.txt" in str(caught.value) and "1 KB" in str(caught.value)
    assert policy.check("刚好.txt", b"x" * 1024).file_name == "刚好.txt"


def test_empty_files_are_refused() -> None:
    with pytest.raises(AttachmentRefused, match="空的"):
        DEFAULT_POLICY.check("空.txt", b"")


@pytest.mark.parametrize("name", ["程序.exe", "脚本.sh", "没有扩展名", "网页.html"])
def test_types_not_accepted_are_refused_listing_what_is(name) -> None:
    with pytest.raises(AttachmentRefused) as caught:
        DEFAULT_POLICY.check(name, b"hello")

    assert name in str(caught.value)
    assert "pdf" in str(caught.value) and "docx" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("伪装.pdf", b"MZ\x90\x00\x03"),  # a Windows program renamed
        ("伪装.docx", plain_zip()),  # a zip that is no Office document
        ("伪装.png", PDF),
        ("二进制.txt", b"abc\x00def"),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(name, content) -> None:
    with pytest.raises(AttachmentRefused, match="与扩展名"):
        DEFAULT_POLICY.check(name, content)


def test_a_deliverable_can_narrow_the_types() -> None:
    with pytest.raises(AttachmentRefused) as caught:
        DEFAULT_POLICY.check("截图.png", PNG, only=("pdf", "docx"))
    assert "docx、pdf" in str(caught.value) and "png" not in str(caught.value).split("接受")[1]
    assert DEFAULT_POLICY.check("方案.pdf", PDF, only=("pdf", "docx")).extension == "pdf"


def test_the_policy_follows_the_settings_and_refuses_unknown_types() -> None:
    settings = Settings.from_env(
        {"ORGFLOW_ATTACHMENT_MAX_MB": "0.5", "ORGFLOW_ATTACHMENT_TYPES": "PDF, .png"}
    )
    policy = UploadPolicy.from_settings(settings)
    assert (policy.max_bytes, policy.types) == (512 * 1024, ("pdf", "png"))

    with pytest.raises(ConfigurationError, match="exe"):
        UploadPolicy.from_settings(Settings.from_env({"ORGFLOW_ATTACHMENT_TYPES": "pdf,exe"}))
    with pytest.raises(ConfigurationError, match="ORGFLOW_ATTACHMENT_MAX_MB"):
        Settings.from_env({"ORGFLOW_ATTACHMENT_MAX_MB": "很多"})


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\报告\\方案.pdf", "方案.pdf"),
        ("a:b*c?.txt", "a_b_c_.txt"),
        ("  .隐藏.  ", "隐藏"),
        ("..", "未命名"),
        ("CON.txt", "_CON.txt"),
        ("换行\n名字.pdf", "换行_名字.pdf"),
    ],
)
def test_file_names_lose_folder_parts_and_unsafe_characters(given, safe) -> None:
    assert safe_name(given) == safe


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_name("很" * 200 + ".docx")
    assert len(name) == 80 and name.endswith(".docx")
    assert extension_of(name) == "docx" and extension_of(".bashrc") == "" and extension_of("a.PDF") == "pdf"


def test_folder_names_from_data_keep_slashes_inside_the_name() -> None:
    assert safe_folder_name("项目归档-2026-../../etc", fallback="K") == "项目归档-2026-.._.._etc"
    assert safe_folder_name(" / ", fallback="PROJ20240301001") == "_"
    assert safe_folder_name("...", fallback="PROJ20240301001") == "PROJ20240301001"
