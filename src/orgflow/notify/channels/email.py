"""The email channel: notifications sent over SMTP (plain, STARTTLS or implicit TLS).

Each notification becomes one ``multipart/alternative`` message (plain text and
HTML, both ending with the link to act on it). Its ``Message-ID`` is derived
from the notification's idempotency key, so a re-delivery after a retry carries
the same id and mail clients show it once.

Every failure (refused connection, TLS, authentication, a rejected recipient,
a timeout) is raised as :class:`~orgflow.errors.DeliveryFailed` with a Chinese
description an administrator can act on; the SMTP password never appears in it.
"""

from __future__ import annotations

import hashlib
import html
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from orgflow.errors import ConfigurationError, DeliveryFailed
from orgflow.notify.message import Message

__all__ = ["SECURITY_MODES", "EmailChannel", "SmtpSettings", "build_email"]

#: How the connection is protected: ``none`` (plain SMTP, e.g. a relay on the
#: local network), ``starttls`` (upgrade after connecting, usually port 587) or
#: ``tls`` (TLS from the first byte, usually port 465).
SECURITY_MODES = ("none", "starttls", "tls")

_CHANNEL = "email"


@dataclass(frozen=True, kw_only=True, slots=True)
class SmtpSettings:
    """How to reach the SMTP server; checked when created so a typo fails at start-up, not at 3 a.m.

    Attributes:
        host: The SMTP server's host name or IP address.
        port: Its port (25 plain, 587 STARTTLS, 465 implicit TLS, by convention).
        security: One of :data:`SECURITY_MODES`.
        username: Log in with this user name; ``None`` sends without logging in.
        password: The password for ``username``; never shown by ``repr``.
        sender: The From address, optionally with a display name
            (``"OrgFlow 通知 <noreply@example.com>"``).
        timeout: Seconds to wait for the server on each network operation.
        verify_tls: Check the server's certificate and host name (turn off only
            for a test server, never in production).
        ca_file: A PEM bundle of CA certificates to trust instead of the system
            store (a private CA, or a test's self-signed certificate).
    """

    host: str
    port: int = 25
    security: str = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str
    timeout: float = 10.0
    verify_tls: bool = True
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ConfigurationError("SMTP 配置项 host 不能为空，请填写邮件服务器地址。")
        if self.security not in SECURITY_MODES:
            raise ConfigurationError(
                f"SMTP 配置项 security 的值 {self.security!r} 无效，应为 none、starttls 或 tls 之一。"
            )
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise ConfigurationError(
                f"SMTP 配置项 port 的值 {self.port!r} 无效，应为 1 到 65535 之间的整数。"
            )
        if not self.timeout > 0:
            raise ConfigurationError(f"SMTP 配置项 timeout 的值 {self.timeout!r} 无效，应为大于 0 的秒数。")
        if "@" not in parseaddr(self.sender)[1] or _has_line_break(self.sender):
            raise ConfigurationError(
                f"SMTP 配置项 sender 的值 {self.sender!r} 不是有效的发件人地址，"
                "应形如 noreply@example.com 或 “OrgFlow 通知 <noreply@example.com>”。"
            )
        if self.username is not None and not self.username.strip():
            raise ConfigurationError("SMTP 配置项 username 不能为空字符串；不需要登录时请不填。")

    @property
    def sender_address(self) -> str:
        """The bare From address, used as the envelope sender (MAIL FROM)."""
        return parseaddr(self.sender)[1]


def _has_line_break(value: str) -> bool:
    """Whether ``value`` would break out of a header line (header injection)."""
    return "\r" in value or "\n" in value


def _one_line(value: str) -> str:
    """``value`` with line breaks and runs of blanks folded to single spaces, safe for a header."""
    return " ".join(value.split())


def message_id(key: str, settings: SmtpSettings) -> str:
    """The ``Message-ID`` for the notification with idempotency key ``key``.

    A hash of the key (which may hold characters not allowed in a Message-ID),
    at the sender's domain: the same on every delivery attempt, so mail
    clients de-duplicate re-deliveries.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    domain = settings.sender_address.rpartition("@")[2] or "orgflow.invalid"
    return f"<orgflow.{digest}@{domain}>"


def _html_with_link(body: str, link: str) -> str:
    """``body`` with a paragraph linking to ``link``, inside ``<body>`` when it is a whole document."""
    anchor = f'<p><a href="{html.escape(link, quote=True)}">去处理</a></p>'
    closing = body.lower().rfind("</body>")
    if closing == -1:
        return f"{body}\n{anchor}\n"
    return f"{body[:closing]}{anchor}\n{body[closing:]}"


def build_email(message: Message, address: str, settings: SmtpSettings) -> EmailMessage:
    """The email for ``message`` to ``address``, without sending it (so its content can be tested).

    Raises:
        DeliveryFailed: ``address`` is empty or not an email address.
    """
    address = address.strip()
    if not address:
        raise DeliveryFailed(_CHANNEL, "用户没有邮箱地址")
    if "@" not in parseaddr(address)[1] or _has_line_break(address):
        raise DeliveryFailed(_CHANNEL, f"邮箱地址 {address!r} 无效")

    created_at = message.created_at
    if created_at.tzinfo is None:  # OrgFlow keeps UTC; a naive time is taken as UTC
        created_at = created_at.replace(tzinfo=UTC)

    email = EmailMessage()
    email["Subject"] = _one_line(message.title)
    email["From"] = settings.sender
    email["To"] = address
    email["Date"] = format_datetime(created_at)
    email["Message-ID"] = message_id(message.key, settings)
    # Tells mail servers not to send out-of-office replies to a robot.
    email["Auto-Submitted"] = "auto-generated"
    email["X-OrgFlow-Key"] = _one_line(message.key)
    email["X-OrgFlow-Event"] = _one_line(message.event)

    text = message.text.rstrip("\n")
    body_html = message.html
    if message.link:
        text = f"{text}\n\n去处理：{message.link}"
        body_html = _html_with_link(body_html, message.link)
    # base64 rather than 8bit: Chinese text then passes servers without 8BITMIME.
    email.set_content(f"{text}\n", subtype="plain", charset="utf-8", cte="base64")
    email.add_alternative(body_html, subtype="html", charset="utf-8", cte="base64")
    return email


def _reply(code: int, reply: bytes | str) -> str:
    """An SMTP reply as ``code text``, for an error message."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {_one_line(text)}".strip()


class EmailChannel:
    """Delivers notifications as email through one SMTP server."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def __repr__(self) -> str:
        return f"EmailChannel({self.settings!r})"

    def deliver(self, message: Message, address: str) -> None:
        """Send ``message`` to the email address ``address``.

        Raises:
            DeliveryFailed: No or an invalid address, or the server could not be
                reached, refused the login, the sender, the recipient or the content.
        """
        email = build_email(message, address, self.settings)
        recipient = address.strip()
        context = self._tls_context()
        try:
            self._send(email, recipient, context)
        except Exception as error:
            problem = self._describe(error, recipient)
            if problem is None:
                raise
            failure = DeliveryFailed(_CHANNEL, self._without_password(problem))
            if self.settings.password and self.settings.password in str(error):
                # The server echoed the password: keep it out of tracebacks and logs too.
                raise failure from None
            raise failure from error

    def _tls_context(self) -> ssl.SSLContext | None:
        """The TLS settings for ``starttls``/``tls``: the default, safe ones, plus ``ca_file``."""
        settings = self.settings
        if settings.security == "none":
            return None
        try:
            context = ssl.create_default_context(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as error:
            problem = f"无法读取 CA 证书文件 {settings.ca_file}（{error.strerror or error}）"
            raise DeliveryFailed(_CHANNEL, problem) from error
        if not settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _send(self, email: EmailMessage, recipient: str, context: ssl.SSLContext | None) -> None:
        """One SMTP session: connect, secure, log in, send, quit."""
        settings = self.settings
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username is not None:
                client.login(settings.username, settings.password or "")
            client.send_message(email, from_addr=settings.sender_address, to_addrs=[recipient])
        except BaseException:
            client.close()
            raise
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):  # the mail is already accepted
            client.close()

    def _describe(self, error: Exception, recipient: str) -> str | None:
        """What went wrong, in words for an administrator; ``None`` for errors that are bugs, not failures."""
        where = f"{self.settings.host}:{self.settings.port}"
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return f"SMTP 认证失败（{_reply(error.smtp_code, error.smtp_error)}），请检查用户名和密码"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            replies = "；".join(_reply(code, text) for code, text in error.recipients.values())
            return f"收件人 {recipient} 被拒绝（{replies}）"
        if isinstance(error, smtplib.SMTPSenderRefused):
            return f"发件人 {error.sender} 被拒绝（{_reply(error.smtp_code, error.smtp_error)}）"
        if isinstance(error, smtplib.SMTPDataError):
            return f"邮件内容被服务器拒绝（{_reply(error.smtp_code, error.smtp_error)}）"
        if isinstance(error, smtplib.SMTPConnectError):
            return f"无法连接 {where}（{_reply(error.smtp_code, error.smtp_error)}）"
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return f"邮件服务器 {where} 不支持所需功能（{error}），请检查 security 配置"
        if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, TimeoutError):
            return f"连接 {where} 超时（{self.settings.timeout:g} 秒内无响应）"
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return f"邮件服务器 {where} 意外断开连接（{error}）"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"邮件服务器 {where} 返回错误（{_reply(error.smtp_code, error.smtp_error)}）"
        if isinstance(error, smtplib.SMTPException):
            return f"与邮件服务器 {where} 通信出错（{error}）"
        if isinstance(error, ssl.SSLCertVerificationError):
            reason = error.verify_message or error.reason or str(error)
            return f"无法验证邮件服务器 {where} 的 TLS 证书（{reason}），请检查 ca_file 配置"
        if isinstance(error, ssl.SSLError):
            reason = error.reason or str(error)
            return f"与邮件服务器 {where} 的 TLS 握手失败（{reason}），请检查 security 和 port 配置"
        if isinstance(error, TimeoutError):
            return f"连接 {where} 超时（{self.settings.timeout:g} 秒内无响应）"
        if isinstance(error, socket.gaierror):
            return f"无法解析邮件服务器地址 {self.settings.host}（{error.strerror or error}）"
        if isinstance(error, ConnectionRefusedError):
            return f"无法连接 {where}（连接被拒绝，服务器未运行或端口有误）"
        if isinstance(error, OSError):
            return f"无法连接 {where}（{error.strerror or error}）"
        if isinstance(error, UnicodeEncodeError):  # smtplib's AUTH only takes ASCII
            return "SMTP 认证失败：用户名或密码含有 SMTP 登录不支持的非 ASCII 字符"
        return None

    def _without_password(self, text: str) -> str:
        """``text`` with the password masked, in case a server echoed it back."""
        password = self.settings.password
        if password:
            text = text.replace(password, "***")
        return text
