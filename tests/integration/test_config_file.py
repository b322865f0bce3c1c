"""Reading complaintcore.toml from disk: errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.config import load_config


def test_a_typo_in_the_file_is_refused_with_the_file_key_and_closest_key(tmp_path: Path) -> None:
    path = tmp_path / "complaintcore.toml"
    path.write_text('databse = "desk.sqlite3"\npack = "cn-property"\n', encoding="utf-8")
    with pytest.raises(InvalidInputError) as err:
        load_config(path)
    assert str(err.value) == "complaintcore.toml:databse: unknown key; did you mean 'database'?"


def test_the_plugins_table_reaches_the_config(tmp_path: Path) -> None:
    path = tmp_path / "complaintcore.toml"
    path.write_text(
        'database = "desk.sqlite3"\n\n[plugins.tenant]\nname = "north"\nsites = ["a", "b"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.plugins == {"tenant": {"name": "north", "sites": ["a", "b"]}}
    assert config.resolve(config.database) == str(tmp_path / "desk.sqlite3")


def test_the_configs_repr_shows_no_secret(tmp_path: Path) -> None:
    # review s41A F06: notifiers hide their secrets, the config they come from did not
    (tmp_path / "complaintcore.toml").write_text(
        'database = "postgresql://desk:Db?Pw-1@db.example.com/desk?password=DbPw-2"\n'
        "[[notifiers.webhooks]]\n"
        'url = "https://oapi.dingtalk.com/robot/send?access_token=ROBOTTOKEN123"\n'
        'format = "dingtalk"\n'
        'secret = "SECsigningsecret"\n'
        "[[notifiers.webhooks]]\n"
        'url = "https://hooks.example.com/in"\n'
        'name = "hook"\n'
        'headers = { Authorization = "Bearer tok-ABCDEF" }\n'
        "[notifiers.email]\n"
        'host = "smtp.example.com"\n'
        'sender = "a@example.com"\n'
        'username = "a@example.com"\n'
        'password = "SmtpPw-XYZ789"\n'
        "[plugins.billing]\n"
        'api_key = "BillingKey-42"\n',
        encoding="utf-8",
    )
    config = load_config(str(tmp_path / "complaintcore.toml"))
    shown = repr(config)
    for secret in (
        "Pw-1",  # libpq reads a ? in a password as part of it (review s41G F04)
        "DbPw-2",
        "ROBOTTOKEN123",
        "SECsigningsecret",
        "tok-ABCDEF",
        "SmtpPw-XYZ789",
        "BillingKey-42",
    ):
        assert secret not in shown
    # what is not secret still helps whoever reads it
    for seen in ("db.example.com", "oapi.dingtalk.com/…", "Authorization", "billing"):
        assert seen in shown
    assert "robot/send" not in shown  # a URL's path may hold its token (review s50P F02)
    assert config.notifiers["email"]["password"] == "SmtpPw-XYZ789"  # the value itself kept
