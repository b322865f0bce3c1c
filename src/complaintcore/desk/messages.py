"""What the desk tells people, rendered per recipient (PRV-1).

A message shows the complainant's name, phone and room only to recipients who
need them (:func:`complaintcore.desk.access.sees_personal_data`); everyone else
gets masked values, also where the complainant wrote them into the summary.
Every message is bilingual, Chinese first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from complaintcore.core.models import Complaint, mask
from complaintcore.core.privacy import redact
from complaintcore.core.rulepack import RulePack
from complaintcore.desk.access import sees_personal_data
from complaintcore.desk.ports import Notification, StaffMember

__all__ = ["TOPICS", "render"]

TOPICS: dict[str, tuple[str, str]] = {
    "assigned": ("投诉已指派给您", "A complaint has been assigned to you"),
    "escalated": ("投诉已升级", "A complaint has been escalated"),
    "urgent": ("紧急事件：请立即处理", "Urgent: report at once (HDL-6)"),
    "help_requested": ("请协助处理投诉", "Your department's help is requested (HDL-4)"),
    "unanswerable": ("投诉无法即时答复", "A complaint cannot be answered at once (REC-4)"),
    "at_risk": ("投诉时限即将到期", "A complaint deadline is at risk (DL-7)"),
    "breached": ("投诉已超时", "A complaint deadline has been missed (DL-7)"),
    "late_department": ("部门超时未处理", "A department missed its deadline (ESC-6)"),
    "meeting_agenda": (
        "回访发现重大问题，列入例会议程",
        "Major issue from a return visit: put on the meeting agenda (VIS-4)",
    ),
    "sign_off": (
        "书面投诉已关闭，请主管签署",
        "Written complaint closed: supervisor sign-off (REC-6)",
    ),
    "duty_owed": ("您有一项待履行的职责", "A duty is owed"),
    "duty_at_risk": ("待履行职责即将到期", "A duty is due soon (DL-7)"),
    "duty_overdue": ("待履行职责已超时", "A duty is overdue (DL-7)"),
    "concentrated_issue": (
        "集中反映的问题：请统一安排解释",
        "Concentrated issue: one unified explanation for everyone (HDL-5)",
    ),
    "group_incident": (
        "群体事件：请立即处理",
        "Group incident: reported to you at once (HDL-6)",
    ),
}


def _key(complaint_id: str, topic: str, recipient: str, discriminator: str) -> str:
    raw = f"{complaint_id}|{topic}|{recipient}|{discriminator}"
    return f"{complaint_id}:{topic}:{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def render(
    complaint: Complaint,
    topic: str,
    recipient: StaffMember,
    pack: RulePack,
    *,
    at: datetime,
    discriminator: str,
    detail: Sequence[str] = (),
) -> Notification:
    """One notification; ``discriminator`` makes the dedupe key (same -> sent once)."""
    zh, en = TOPICS[topic]
    person = complaint.intake.complainant
    full = sees_personal_data(recipient, complaint, pack)
    name = person.name if full else mask(person.name)
    phone = person.phone if full else mask(person.phone)
    room = person.room if full else mask(person.room)
    secrets = () if full else (person.name, person.phone, person.room)
    summary = complaint.intake.summary if full else redact(complaint.intake.summary, also=secrets)
    state = complaint.state
    lines = [
        f"{zh} / {en}",
        f"编号 / ID: {complaint.id}",
        f"项目 / site: {complaint.intake.site or person.site or '-'}",
        f"摘要 / summary: {summary}",
        f"类别 / category: {state.category or '-'}; 等级 / grade: "
        f"{state.grade.value if state.grade else '-'}; 层级 / rung: {state.rung or '-'}",
        f"投诉人 / complainant: {name} {phone} {room}",
        *(line if full else redact(line, also=secrets) for line in detail),
    ]
    data = (
        ("complainant_name", person.name),
        ("complainant_phone", person.phone),
        ("complainant_room", person.room),
    )
    return Notification(
        key=_key(complaint.id, topic, recipient.staff_id, discriminator),
        complaint_id=complaint.id,
        topic=topic,
        recipient=recipient.staff_id,
        subject=f"[{complaint.id}] {zh} / {en}",
        body="\n".join(lines),
        created_at=at,
        data=data if full else (),
    )
