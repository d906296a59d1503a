"""The email channel against a real aiosmtpd server on 127.0.0.1: plain, AUTH, STARTTLS, TLS, failures."""

from __future__ import annotations

import shutil
import smtplib
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from orgflow.errors import ConfigurationError, DeliveryFailed
from orgflow.notify.channels.email import EmailChannel, SmtpSettings, build_email
from orgflow.notify.message import Message
from tests.receivers import Recorder, free_port

SENDER = "OrgFlow 通知 <noreply@example.com>"
RECIPIENT = "zhang.san@example.com"
USERNAME = "orgflow"
PASSWORD = "s3cret-Pa55word"
LINK = "https://orgflow.example.com/work-items/42?tab=form&from=mail"


def make_message(key: str = "wi-42:assigned:1", **changes: Any) -> Message:
    fields: dict[str, Any] = {
        "key": key,
        "event": "assigned",
        "recipient": "u-zhangsan",
        "title": "【待办】采购申请 PR-2026-001 等待您审批",
        "text": "张三，您好：\n采购申请 PR-2026-001 已到“部门经理审批”节点，请在 11 月 24 日前处理。",
        "markdown": "**采购申请 PR-2026-001** 等待您审批",
        "html": "<p>张三，您好：</p><p>采购申请 <b>PR-2026-001</b> 已到“部门经理审批”节点。</p>",
        "link": LINK,
        "created_at": datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        "data": {"business_key": "PR-2026-001"},
    }
    fields.update(changes)
    return Message(**fields)


# --- a real SMTP server -------------------------------------------------------------------------------------


class RejectingRecipients(Recorder):
    """A server that knows no such user."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"


def check_password(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    """Accepts USERNAME/PASSWORD only."""
    ok = isinstance(auth_data, LoginPassword) and auth_data == (USERNAME.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def echo_password(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    """A careless server whose refusal repeats the password it was given."""
    given = auth_data.password.decode() if isinstance(auth_data, LoginPassword) else "?"
    return AuthResult(success=False, handled=False, message=f"535 5.7.8 password {given} is wrong")


StartServer = Callable[..., tuple[Recorder, int]]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Starts aiosmtpd servers on free ports (keyword arguments go to Controller); stops them afterwards."""
    controllers: list[Controller] = []

    def start(handler: Recorder | None = None, **kwargs: Any) -> tuple[Recorder, int]:
        handler = handler or Recorder()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


def settings_for(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": port, "sender": SENDER, "timeout": 5.0} | changes
    return SmtpSettings(**values)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed cert for localhost/127.0.0.1, made with openssl (`cryptography` is not installed)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("neither the cryptography package nor the openssl command is available to make a cert")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return Certificate(cert=cert, key=key)


# --- the email itself, without a server ---------------------------------------------------------------------


def test_build_email_is_multipart_alternative_with_link_in_both_parts() -> None:
    built = build_email(make_message(), RECIPIENT, settings_for(25))

    assert built.get_content_type() == "multipart/alternative"
    plain = built.get_body(preferencelist=("plain",))
    rich = built.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    assert plain.get_content() == (
        "张三，您好：\n采购申请 PR-2026-001 已到“部门经理审批”节点，请在 11 月 24 日前处理。\n\n"
        f"去处理：{LINK}\n"
    )
    html = rich.get_content()
    assert html.startswith("<p>张三，您好：</p>")
    assert '<a href="https://orgflow.example.com/work-items/42?tab=form&amp;from=mail">去处理</a>' in html


def test_build_email_headers() -> None:
    built = build_email(make_message(), RECIPIENT, settings_for(25))

    assert built["Subject"] == "【待办】采购申请 PR-2026-001 等待您审批"
    assert built["From"].addresses[0].display_name == "OrgFlow 通知"
    assert built["From"].addresses[0].addr_spec == "noreply@example.com"
    assert built["To"] == RECIPIENT
    assert built["Date"].datetime == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert built["X-OrgFlow-Key"] == "wi-42:assigned:1"
    assert built["X-OrgFlow-Event"] == "assigned"
    assert built["Message-ID"].endswith("@example.com>")
    # The raw headers stay ASCII (RFC 2047), so any server takes them.
    assert built.as_bytes().isascii()


def test_message_id_is_stable_per_key_and_differs_between_keys() -> None:
    settings = settings_for(25)

    first = build_email(make_message("wi-42:assigned:1"), RECIPIENT, settings)["Message-ID"]
    again = build_email(make_message("wi-42:assigned:1", title="改了标题"), RECIPIENT, settings)["Message-ID"]
    other = build_email(make_message("wi-42:overdue:1"), RECIPIENT, settings)["Message-ID"]

    assert first == again
    assert first != other


def test_html_document_gets_the_link_inside_body_and_no_link_means_no_link_line() -> None:
    document = "<html><body><p>内容</p></body></html>"
    built = build_email(make_message(html=document), RECIPIENT, settings_for(25))
    rich = built.get_body(preferencelist=("html",))
    assert rich is not None
    assert rich.get_content().rstrip().endswith("去处理</a></p>\n</body></html>")

    without = build_email(make_message(link=None), RECIPIENT, settings_for(25))
    plain, rich = without.get_body(("plain",)), without.get_body(("html",))
    assert plain is not None and rich is not None
    assert "去处理" not in plain.get_content()
    assert "<a " not in rich.get_content()


def test_title_with_line_breaks_cannot_inject_headers() -> None:
    built = build_email(make_message(title="第一行\r\nBcc: evil@example.com"), RECIPIENT, settings_for(25))

    assert built["Subject"] == "第一行 Bcc: evil@example.com"
    assert built["Bcc"] is None


@pytest.mark.parametrize("address", ["", "   "])
def test_empty_address_fails_before_connecting(address: str) -> None:
    closed = free_port()
    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(closed)).deliver(make_message(), address)

    assert caught.value.channel == "email"
    assert caught.value.problem == "用户没有邮箱地址"


@pytest.mark.parametrize("address", ["not-an-address", "a@example.com\r\nBcc: evil@example.com"])
def test_invalid_address_is_refused(address: str) -> None:
    with pytest.raises(DeliveryFailed, match=r"邮箱地址 .* 无效"):
        build_email(make_message(), address, settings_for(25))


# --- settings -----------------------------------------------------------------------------------------------


def test_unknown_security_is_a_configuration_error_naming_the_field() -> None:
    with pytest.raises(ConfigurationError, match="security") as caught:
        SmtpSettings(host="smtp.example.com", security="ssl3", sender=SENDER)
    assert "ssl3" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"timeout": 0}, "timeout"),
        ({"sender": "OrgFlow"}, "sender"),
        ({"host": " "}, "host"),
    ],
)
def test_other_invalid_settings_name_their_field(changes: dict[str, Any], field_name: str) -> None:
    values: dict[str, Any] = {"host": "smtp.example.com", "sender": SENDER} | changes
    with pytest.raises(ConfigurationError, match=field_name):
        SmtpSettings(**values)


def test_repr_hides_the_password() -> None:
    settings = settings_for(587, security="starttls", username=USERNAME, password=PASSWORD)

    assert PASSWORD not in repr(settings)
    assert PASSWORD not in repr(EmailChannel(settings))
    assert USERNAME in repr(settings)  # the repr is still useful
    assert settings.password == PASSWORD


# --- plain SMTP ---------------------------------------------------------------------------------------------


def test_plain_smtp_delivery(start_server: StartServer) -> None:
    recorder, port = start_server()
    channel = EmailChannel(settings_for(port))
    message = make_message()

    channel.deliver(message, RECIPIENT)
    channel.deliver(message, RECIPIENT)  # a retry

    assert len(recorder.received) == 2
    first, second = recorder.received
    assert first.mail_from == "noreply@example.com"
    assert first.rcpt_tos == [RECIPIENT]
    assert not first.encrypted
    parsed = first.parsed
    assert parsed["Subject"] == "【待办】采购申请 PR-2026-001 等待您审批"
    assert parsed["From"].addresses[0].display_name == "OrgFlow 通知"
    assert parsed["To"] == RECIPIENT
    assert parsed["X-OrgFlow-Key"] == "wi-42:assigned:1"
    plain, rich = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and rich is not None
    assert "已到“部门经理审批”节点" in plain.get_content()
    assert f"去处理：{LINK}" in plain.get_content()
    assert "<b>PR-2026-001</b>" in rich.get_content()
    assert 'href="https://orgflow.example.com/work-items/42?tab=form&amp;from=mail"' in rich.get_content()
    assert parsed["Message-ID"] == second.parsed["Message-ID"]
    assert parsed["Message-ID"] == build_email(message, RECIPIENT, settings_for(port))["Message-ID"]


def test_rejected_recipient_fails(start_server: StartServer) -> None:
    recorder, port = start_server(RejectingRecipients())

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port)).deliver(make_message(), RECIPIENT)

    assert f"收件人 {RECIPIENT} 被拒绝" in caught.value.problem
    assert "550" in caught.value.problem
    assert recorder.received == []


def test_closed_port_fails_naming_host_and_port() -> None:
    port = free_port()

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port)).deliver(make_message(), RECIPIENT)

    assert f"无法连接 127.0.0.1:{port}" in str(caught.value)


def test_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]

        with pytest.raises(DeliveryFailed) as caught:
            EmailChannel(settings_for(port, timeout=0.3)).deliver(make_message(), RECIPIENT)

    assert f"连接 127.0.0.1:{port} 超时" in caught.value.problem


# --- AUTH ---------------------------------------------------------------------------------------------------


def test_login_with_the_right_password(start_server: StartServer) -> None:
    recorder, port = start_server(authenticator=check_password, auth_require_tls=False)

    EmailChannel(settings_for(port, username=USERNAME, password=PASSWORD)).deliver(make_message(), RECIPIENT)

    assert len(recorder.received) == 1
    assert recorder.received[0].auth_data == (USERNAME.encode(), PASSWORD.encode())


def test_wrong_password_fails_without_revealing_it(start_server: StartServer) -> None:
    recorder, port = start_server(authenticator=check_password, auth_require_tls=False)
    wrong = "wrong-Pa55word"

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, username=USERNAME, password=wrong)).deliver(make_message(), RECIPIENT)

    assert "SMTP 认证失败" in caught.value.problem
    assert "535" in caught.value.problem
    assert wrong not in str(caught.value)
    assert isinstance(caught.value.__cause__, smtplib.SMTPAuthenticationError)  # kept for the log
    assert recorder.received == []


def test_password_echoed_by_the_server_is_masked(start_server: StartServer) -> None:
    _, port = start_server(authenticator=echo_password, auth_require_tls=False)

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, username=USERNAME, password=PASSWORD)).deliver(
            make_message(), RECIPIENT
        )

    assert "SMTP 认证失败" in caught.value.problem
    assert "password *** is wrong" in caught.value.problem
    assert PASSWORD not in str(caught.value)
    # The server's reply (with the password) is not chained, so a logged traceback does not show it.
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_server_without_auth_fails_clearly(start_server: StartServer) -> None:
    # aiosmtpd by default offers AUTH only over TLS: on a plain connection there is no AUTH.
    _, port = start_server(authenticator=check_password)

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, username=USERNAME, password=PASSWORD)).deliver(
            make_message(), RECIPIENT
        )

    assert "不支持所需功能" in caught.value.problem
    assert PASSWORD not in str(caught.value)


# --- STARTTLS and implicit TLS ------------------------------------------------------------------------------


def test_starttls_with_login(start_server: StartServer, certificate: Certificate) -> None:
    recorder, port = start_server(
        tls_context=certificate.server_context(),
        require_starttls=True,
        auth_required=True,
        authenticator=check_password,
    )
    settings = settings_for(
        port, security="starttls", ca_file=str(certificate.cert), username=USERNAME, password=PASSWORD
    )

    EmailChannel(settings).deliver(make_message(), RECIPIENT)

    assert len(recorder.received) == 1
    assert recorder.received[0].encrypted
    assert recorder.received[0].auth_data == (USERNAME.encode(), PASSWORD.encode())
    assert recorder.received[0].parsed["Subject"] == "【待办】采购申请 PR-2026-001 等待您审批"


def test_starttls_refuses_an_untrusted_certificate(
    start_server: StartServer, certificate: Certificate
) -> None:
    recorder, port = start_server(tls_context=certificate.server_context(), require_starttls=True)

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, security="starttls")).deliver(make_message(), RECIPIENT)

    assert f"无法验证邮件服务器 127.0.0.1:{port} 的 TLS 证书" in caught.value.problem
    assert recorder.received == []


def test_plain_client_against_a_server_requiring_starttls_fails(
    start_server: StartServer, certificate: Certificate
) -> None:
    recorder, port = start_server(tls_context=certificate.server_context(), require_starttls=True)

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port)).deliver(make_message(), RECIPIENT)

    assert "530" in caught.value.problem
    assert recorder.received == []


def test_implicit_tls(start_server: StartServer, certificate: Certificate) -> None:
    recorder, port = start_server(ssl_context=certificate.server_context())

    EmailChannel(settings_for(port, security="tls", ca_file=str(certificate.cert))).deliver(
        make_message(), RECIPIENT
    )

    assert len(recorder.received) == 1
    assert recorder.received[0].encrypted
    assert recorder.received[0].rcpt_tos == [RECIPIENT]


def test_implicit_tls_refuses_an_untrusted_certificate(
    start_server: StartServer, certificate: Certificate
) -> None:
    recorder, port = start_server(ssl_context=certificate.server_context())

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, security="tls")).deliver(make_message(), RECIPIENT)

    assert f"无法验证邮件服务器 127.0.0.1:{port} 的 TLS 证书" in caught.value.problem
    assert recorder.received == []


def test_implicit_tls_without_verification_accepts_a_self_signed_certificate(
    start_server: StartServer, certificate: Certificate
) -> None:
    recorder, port = start_server(ssl_context=certificate.server_context())

    EmailChannel(settings_for(port, security="tls", verify_tls=False)).deliver(make_message(), RECIPIENT)

    assert len(recorder.received) == 1


def test_tls_against_a_plain_server_fails_the_handshake(start_server: StartServer) -> None:
    recorder, port = start_server()

    with pytest.raises(DeliveryFailed) as caught:
        EmailChannel(settings_for(port, security="tls")).deliver(make_message(), RECIPIENT)

    assert "TLS 握手失败" in caught.value.problem
    assert recorder.received == []


def test_missing_ca_file_fails(tmp_path: Path) -> None:
    settings = settings_for(free_port(), security="tls", ca_file=str(tmp_path / "missing.pem"))

    with pytest.raises(DeliveryFailed, match="无法读取 CA 证书文件"):
        EmailChannel(settings).deliver(make_message(), RECIPIENT)


def test_settings_can_be_copied_with_replace() -> None:
    settings = settings_for(25)
    with pytest.raises(ConfigurationError, match="security"):
        replace(settings, security="SSL")
