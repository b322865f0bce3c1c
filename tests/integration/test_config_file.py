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
