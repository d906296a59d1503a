"""The notification settings file: what it allows, and errors that name the key without showing a secret."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from orgflow.errors import ConfigurationError
from orgflow.notify.config import ChannelSource, NotifyConfig, load_notify_config, read_notify_config


def read(raw: object, **env: str) -> NotifyConfig:
    return read_notify_config(raw, source="notify.yaml", env=env)


def test_the_defaults_send_to_the_in_app_inbox_only() -> None:
    config = load_notify_config(None)
    assert config.personal_channels("anyone", "assigned") == ("inbox",)
    assert config.endpoints == () and config.email is None


def test_a_persons_choice_beats_the_event_default_which_beats_the_default() -> None:
    config = read(
        {
            "channels": ["inbox", "email"],
            "events": {"due_soon": ["inbox"]},
            "users": {"li": {"channels": ["inbox"], "events": {"overdue": ["email"]}}},
            "email": {"host": "smtp.example.com"},
        }
    )
    assert config.personal_channels("zhang", "assigned") == ("inbox", "email")
    assert config.personal_channels("zhang", "due_soon") == ("inbox",)
    assert config.personal_channels("li", "assigned") == ("inbox",)
    assert config.personal_channels("li", "overdue") == ("email",)


def test_an_own_choice_for_the_event_beats_an_own_choice_for_all_which_beats_the_administrator() -> None:
    config = read(
        {
            "channels": ["inbox"],
            "events": {"overdue": ["inbox", "email"]},
            "users": {"li": {"events": {"escalated": ["inbox", "email"]}}, "wang": {"channels": ["inbox"]}},
            "email": {"host": "smtp.example.com"},
        }
    )
    own = {"assigned": ("inbox", "email"), "*": ("inbox",)}
    assert config.channel_choice("li", "assigned", own) == (("inbox", "email"), ChannelSource.OWN)
    assert config.channel_choice("li", "escalated", own) == (("inbox",), ChannelSource.OWN)  # * beats admin
    assert config.channel_choice("li", "escalated", {"assigned": ("inbox", "email")}) == (
        ("inbox", "email"),
        ChannelSource.ADMIN,
    )
    assert config.channel_choice("wang", "overdue", {}) == (("inbox",), ChannelSource.ADMIN)
    assert config.channel_choice("zhang", "overdue", None) == (("inbox", "email"), ChannelSource.EVENT)
    assert config.channel_choice("zhang", "assigned") == (("inbox",), ChannelSource.DEFAULT)
    assert config.personal_channels("li", "assigned", own) == ("inbox", "email")


def test_an_own_choice_of_email_is_dropped_while_no_smtp_server_is_configured() -> None:
    config = read({"channels": ["inbox"]})
    assert config.channel_choice("li", "assigned", {"assigned": ("inbox", "email")}) == (
        ("inbox",),
        ChannelSource.OWN,
    )


def test_notifications_are_on_unless_switched_off() -> None:
    assert load_notify_config(None).enabled
    assert not read({"enabled": False}).enabled


def test_email_is_dropped_while_no_smtp_server_is_configured() -> None:
    assert read({"channels": ["inbox", "email"]}).personal_channels("zhang", "assigned") == ("inbox",)


def test_secrets_come_from_the_environment_and_never_show() -> None:
    config = read(
        {
            "email": {"host": "smtp.example.com", "security": "starttls", "password_env": "SMTP_PW"},
            "robots": [
                {"name": "群", "kind": "feishu", "url": "https://open.feishu.cn/x", "secret_env": "FS"}
            ],
        },
        SMTP_PW="p@ss-秘密",
        FS="feishu-秘密",
    )
    assert config.email is not None and config.email.password == "p@ss-秘密" and config.email.port == 587
    assert config.endpoint("群").secret == "feishu-秘密"
    assert "秘密" not in repr(config)


def test_quiet_hours_may_span_midnight() -> None:
    config = read({"quiet_hours": {"start": "22:00", "end": "08:00"}})
    assert config.quiet_hours is not None
    assert config.quiet_hours.covers(time(23, 30)) and config.quiet_hours.covers(time(7, 59))
    assert not config.quiet_hours.covers(time(8, 0)) and not config.quiet_hours.covers(time(21, 59))
    assert "overdue" in config.quiet_hours.urgent and "assigned" not in config.quiet_hours.urgent


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"chanels": ["inbox"]}, "chanels"),
        ({"channels": ["sms"]}, "channels"),
        ({"email": {"port": 25}}, "email.host"),
        ({"email": {"host": "h", "security": "ssl3"}}, "email.security"),
        ({"email": {"host": "h", "password_env": "MISSING"}}, "email.password_env"),
        ({"robots": [{"name": "群", "kind": "slack", "url": "https://x"}]}, "robots[0].kind"),
        ({"webhooks": [{"name": "erp", "url": "ftp://x"}]}, "webhooks[0].url"),
        (
            {
                "webhooks": [{"name": "a", "url": "https://x"}],
                "robots": [{"name": "a", "kind": "wecom", "url": "https://y"}],
            },
            "唯一",
        ),
        ({"quiet_hours": {"start": "late"}}, "quiet_hours"),
        ({"locale": "fr"}, "locale"),
        ({"enabled": "no"}, "enabled"),
    ],
)
def test_mistakes_name_the_key(raw: object, named: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        read(raw)
    assert named in str(refused.value)


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notify.yaml").write_text("email: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="不是合法的 YAML"):
        load_notify_config(tmp_path / "notify.yaml")
    with pytest.raises(ConfigurationError, match="无法读取"):
        load_notify_config(tmp_path / "missing.yaml")
