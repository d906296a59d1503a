from __future__ import annotations

from pathlib import Path

from orgflow.settings import Settings


def test_the_embedded_default_is_a_sqlite_file_in_the_home_folder():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///.orgflow/orgflow.db"
    assert settings.home == Path(".orgflow") and settings.locale == "zh-CN" and settings.services == ()


def test_environment_variables_override_the_defaults():
    settings = Settings.from_env(
        {
            "ORGFLOW_HOME": "/srv/orgflow",
            "ORGFLOW_DATABASE_URL": "postgresql://127.0.0.1/test",
            "ORGFLOW_LOCALE": "en",
            "ORGFLOW_SERVICES": " acme.handlers , examples/services.py ,",
        }
    )
    assert settings.database_url == "postgresql://127.0.0.1/test"
    assert settings.home == Path("/srv/orgflow") and settings.locale == "en"
    assert settings.services == ("acme.handlers", "examples/services.py")


def test_home_alone_moves_the_embedded_database():
    assert Settings.from_env({"ORGFLOW_HOME": "/tmp/x"}).database_url == "sqlite:////tmp/x/orgflow.db"
