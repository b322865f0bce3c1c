"""The staff directory over a dict: what a host's HR export or database gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

from complaintcore import StaffDirectory, StaffMember
from complaintcore.adapters.staff import parse_duty


class StaffRecord(TypedDict):
    """One person as the host's HR system keeps them."""

    name: str
    role: str
    rung: str  # a rung of the rule pack's ladder (ESC-1)
    department: str  # a department of the rule pack (CLS-3)
    site: str  # "*" for head office
    email: NotRequired[str]
    duty: NotRequired[str]  # "Mon-Fri 09:00-18:00"; none means always reachable
    sees_personal_data: NotRequired[bool]


STAFF: dict[str, StaffRecord] = {
    "SR-103": {
        "name": "陈静",
        "role": "前台接待",
        "rung": "front_line",
        "department": "customer_service",
        "site": "sunrise",
    },
    "SR-102": {
        "name": "王芳",
        "role": "客服专员",
        "rung": "complaint_handler",
        "department": "customer_service",
        "site": "sunrise",
        "sees_personal_data": True,
    },
    "SR-101": {
        "name": "刘洋",
        "role": "客服主管",
        "rung": "department_head",
        "department": "customer_service",
        "site": "sunrise",
        "sees_personal_data": True,
    },
    "SR-201": {
        "name": "李建国",
        "role": "工程部主管",
        "rung": "department_head",
        "department": "engineering",
        "site": "sunrise",
        "email": "li.jianguo@example.com",
        "duty": "Mon-Fri 08:00-17:00",
    },
    "SR-001": {
        "name": "赵敏",
        "role": "项目经理",
        "rung": "project_manager",
        "department": "customer_service",
        "site": "sunrise",
    },
    "HQ-001": {
        "name": "孙伟",
        "role": "物业总监",
        "rung": "senior_management",
        "department": "head_office",
        "site": "*",
    },
    "HQ-010": {
        "name": "周丽",
        "role": "行政人事",
        "rung": "department_head",
        "department": "hr_admin",
        "site": "*",
    },
}
"""The example company: one site, ``sunrise``, and head office."""


class DictDirectory:
    """A :class:`complaintcore.StaffDirectory` over ``{staff_id: record}``.

    The desk asks it on every command, so a directory over live HR data sees a
    transfer at once; this one converts the records once, up front.
    """

    def __init__(self, records: Mapping[str, StaffRecord]) -> None:
        self._members = {
            staff_id: StaffMember(
                staff_id=staff_id,
                name=record["name"],
                role=record["role"],
                rung=record["rung"],
                department=record["department"],
                site=record["site"],
                email=record.get("email", ""),
                duty=parse_duty(record.get("duty", ""), path=f"{staff_id}.duty"),
                sees_personal_data=record.get("sees_personal_data", False),
            )
            for staff_id, record in records.items()
        }

    def get(self, staff_id: str) -> StaffMember | None:
        return self._members.get(staff_id)

    def members(self) -> Sequence[StaffMember]:
        return tuple(self._members.values())


def directory() -> StaffDirectory:
    """The example company's directory, typed as the port the desk needs."""
    return DictDirectory(STAFF)
