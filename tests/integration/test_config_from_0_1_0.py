"""A configuration written for 0.1.0 after the upgrade (review s34A F01, F06).

0.1.0 kept every key it did not know in ``config.extra`` for plugins, and its
hooks.md showed a plugin choosing its store by ``config.extra["tenant"]``.
``tenant`` now names the store's tenant; a plugin written for 0.1.0 must still
find it, or the desk opens another, empty database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.i18n import translator
from complaintcore.testing import StaffList


class StorePerTenant:
    """The plugin of 0.1.0's docs/hooks.md: one SQLite file per estate group."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @hookimpl
    def complaintcore_get_store(self, config: DeskConfig) -> SqliteStore | None:
        tenant = config.extra.get("tenant")
        return SqliteStore(self.root / f"complaints-{tenant}.sqlite3") if tenant else None

    @hookimpl
    def complaintcore_get_staff_directory(self) -> StaffList:
        return load_sample_staff()


def test_a_0_1_0_plugin_still_finds_the_tenant_set_at_the_top(tmp_path: Path) -> None:
    pm = make_plugin_manager([StorePerTenant(tmp_path)], load_entry_points=False)
    config = DeskConfig.from_mapping({"tenant": "sunrise", "notifiers": {"log": False}})
    with Desk.from_config(config, plugin_manager=pm) as desk:
        assert isinstance(desk.store, SqliteStore)
        assert Path(desk.store.path).name == "complaints-sunrise.sqlite3"
    assert not (tmp_path / "complaintcore.sqlite3").exists()


def test_the_plugins_table_wins_and_the_default_tenant_is_not_shown() -> None:
    both = DeskConfig.from_mapping({"tenant": "sunrise", "plugins": {"tenant": "acme"}})
    assert both.extra == {"tenant": "acme"}
    assert DeskConfig.from_mapping({}).extra == {}


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "[plugins] table"), ("zh_CN", "宿主程序或插件自己的设置应写在 [plugins] 表中")],
)
def test_a_host_setting_at_the_top_is_refused_saying_where_it_goes(lang: str, words: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        DeskConfig.from_mapping({"sms_gateway": "https://sms.example"})
    assert refused.value.path == "sms_gateway"
    assert words in translator(lang).error(refused.value)


def test_a_typo_is_named_not_sent_to_the_plugins_table() -> None:
    with pytest.raises(InvalidInputError) as refused:
        DeskConfig.from_mapping({"databse": "x.sqlite3"})
    assert "[plugins]" not in str(refused.value)
    assert translator("zh_CN").error(refused.value) == "databse：未知的键；是否想写 'database'？"
