"""complaintcore.toml: a key nobody reads is an error that names the closest known key."""

from __future__ import annotations

import pytest

from complaintcore.adapters.notify.config import notifiers_from_config
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.config import DeskConfig, SqlitePolicy


@pytest.mark.parametrize(
    ("data", "path", "suggestion"),
    [
        ({"databse": "x.sqlite3"}, "databse", "did you mean 'database'?"),
        ({"stafffile": "staff.toml"}, "stafffile", "did you mean 'staff_file'?"),
        ({"notifier": {}}, "notifier", "did you mean 'notifiers'?"),
        ({"plugin": {"tenant": "a"}}, "plugin", "did you mean 'plugins'?"),
        ({"retry": {"max_attemps": 3}}, "retry.max_attemps", "did you mean 'max_attempts'?"),
        ({"retry": {"first_delay": 3}}, "retry.first_delay", "did you mean 'first_delay_seconds'?"),
    ],
)
def test_a_misspelt_key_names_itself_and_the_closest_known_key(
    data: dict[str, object], path: str, suggestion: str
) -> None:
    with pytest.raises(InvalidInputError) as err:
        DeskConfig.from_mapping(data)
    assert err.value.path == path
    assert str(err.value) == f"{path}: unknown key; {suggestion}"
    assert "\n" not in str(err.value)


def test_a_key_like_nothing_known_lists_the_known_keys() -> None:
    with pytest.raises(InvalidInputError) as err:
        DeskConfig.from_mapping({"company": "north"})
    assert str(err.value) == (
        "company: unknown key; expected one of database, tenant, pack, pack_parameters,"
        " staff_file, notifiers, retry, languages, plugins, sites, limits, delivery, sqlite;"
        " a host's or plugin's own setting goes in the [plugins] table"
    )


def test_the_tenant_is_a_checked_setting() -> None:
    assert DeskConfig.from_mapping({"tenant": "north"}).tenant == "north"
    assert DeskConfig.from_mapping({}).tenant == "default"
    for bad in ("", "north/east", "x" * 65, 7):
        with pytest.raises(InvalidInputError) as err:
            DeskConfig.from_mapping({"tenant": bad})
        assert err.value.path == "tenant"


def test_host_and_plugin_settings_live_in_the_plugins_table() -> None:
    config = DeskConfig.from_mapping(
        {"database": ":memory:", "plugins": {"tenant": "north", "billing": {"url": "x"}}}
    )
    assert config.plugins == {"tenant": "north", "billing": {"url": "x"}}
    assert config.extra == config.plugins  # the 0.1.0 name
    with pytest.raises(InvalidInputError, match=r"^plugins: must be a table$"):
        DeskConfig.from_mapping({"plugins": "tenant=north"})


def test_a_misspelt_notifier_key_is_named_with_its_path_and_the_closest_key() -> None:
    with pytest.raises(InvalidInputError) as err:
        notifiers_from_config({"emial": {"host": "smtp.example.com"}})
    assert str(err.value) == "emial: unknown key; did you mean 'email'?"
    with pytest.raises(InvalidInputError) as err:
        notifiers_from_config({"webhooks": [{"url": "http://h/x", "fromat": "json"}]})
    assert str(err.value) == "webhooks[0].fromat: unknown key; did you mean 'format'?"


def test_sqlite_commits_are_synced_unless_the_configuration_says_normal() -> None:
    """Review s49N F01: ``[sqlite] synchronous`` is "full" unless set to "normal"."""
    assert DeskConfig.from_mapping({}).sqlite == SqlitePolicy(synchronous="full")
    assert DeskConfig().sqlite.synchronous == "full"
    config = DeskConfig.from_mapping({"sqlite": {"synchronous": "normal"}})
    assert config.sqlite.synchronous == "normal"
    assert DeskConfig.from_mapping({"sqlite": {"synchronous": "full"}}).sqlite.synchronous == "full"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sqlite": {"synchronous": "off"}}, "sqlite.synchronous: must be 'full' or 'normal'"),
        ({"sqlite": {"synchronous": "NORMAL"}}, "sqlite.synchronous: must be 'full' or 'normal'"),
        ({"sqlite": {"synchronous": 1}}, "sqlite.synchronous: must be 'full' or 'normal'"),
        (
            {"sqlite": {"synchronus": "normal"}},
            "sqlite.synchronus: unknown key; did you mean 'synchronous'?",
        ),
        (
            {"sqlite": {"journal": "wal"}},
            "sqlite.journal: unknown key; expected one of synchronous",
        ),
        ({"sqlite": "normal"}, "sqlite: must be a table"),
        ({"sqlit": {}}, "sqlit: unknown key; did you mean 'sqlite'?"),
    ],
)
def test_a_bad_sqlite_setting_is_refused_naming_it(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        DeskConfig.from_mapping(data)
    assert str(err.value) == message


def test_a_bad_sqlite_policy_made_in_code_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as err:
        SqlitePolicy(synchronous="off")  # type: ignore[arg-type]
    assert str(err.value) == "sqlite.synchronous: must be 'full' or 'normal'"
