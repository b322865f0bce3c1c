"""The matching keys of stored complaints, recomputed from their intakes.

Both bundled stores use this when an upgrade changes how a complainant or room
key is made (SQLite schema 11, PostgreSQL schema 8: six hex digits became
sixteen, so that two owners of one site are no longer taken for one person;
SQLite 20, PostgreSQL 18: a room read in any address form; SQLite 22,
PostgreSQL 21: a room read by the level each of its groups names, review s49Q;
SQLite 23, PostgreSQL 22: end words, 第 and Block, a blank building field, review
s50H; SQLite 25, PostgreSQL 24: Chinese numerals, leading zeros, floors, review
s51B; SQLite 28, PostgreSQL 27: spaces between digits, floors written 层 or F, a
floor-led room below its building field, a floor after a dashed building, reviews
s51R20, s51R23, s52K) or a building's key with them (SQLite 21, PostgreSQL 20: a
building read in any form, review s49L).
"""

from __future__ import annotations

import json

from complaintcore.core.concentration import building_key, complainant_key
from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Complainant
from complaintcore.core.repeats import room_key

__all__ = ["stored_complainant", "stored_keys", "stored_place_keys"]


def stored_complainant(intake_json: str) -> tuple[Complainant, str] | None:
    """The complainant of a stored intake and the site it came from; ``None`` for a
    malformed one, which the store leaves as it is (``verify`` reports it)."""
    try:
        intake = json.loads(intake_json)
    except ValueError:
        return None
    person = intake.get("complainant") if isinstance(intake, dict) else None
    if not isinstance(person, dict):
        return None
    site = str(intake.get("site") or person.get("site") or "").strip()
    try:
        who = Complainant(
            person.get("name", ""),
            person.get("phone", ""),
            person.get("room", ""),
            person.get("building", ""),
            person.get("site", ""),
        )
    except (ComplaintCoreError, TypeError):
        return None
    return who, site


def stored_keys(intake_json: str) -> tuple[str, str] | None:
    """``(complainant_key, room_key)`` of a stored intake; ``None`` for a malformed one."""
    keys = stored_place_keys(intake_json)
    return None if keys is None else keys[1:]


def stored_place_keys(intake_json: str) -> tuple[str, str, str] | None:
    """``(building, complainant_key, room_key)`` of a stored intake as a projection
    row holds them (the building as its key); ``None`` for a malformed one."""
    found = stored_complainant(intake_json)
    if found is None:
        return None
    who, site = found
    building = building_key(who.building)
    return building, complainant_key(who), room_key(site, who.building.strip(), who.room)
