"""Rule packs: the shipped TOML packs and their loader/validator.

>>> from complaintcore.rules import load_pack
>>> load_pack().name
'cn-property'

Shipped packs (see ``docs/rule-packs.md``): ``cn-property`` (the default),
``cn-sales-office`` and ``cn-service-centre``.  A host may load its own file with
``load_pack("path/to/pack.toml")``.  Importing this package does not import
cattrs; loading the first pack does.
"""

from __future__ import annotations

from complaintcore.rules.loader import (
    DEFAULT_PACK,
    available_packs,
    default_pack,
    known_event_tags,
    load_pack,
    load_pack_data,
    load_pack_text,
    validate_pack,
)

__all__ = [
    "DEFAULT_PACK",
    "available_packs",
    "default_pack",
    "known_event_tags",
    "load_pack",
    "load_pack_data",
    "load_pack_text",
    "validate_pack",
]
