"""Every shipped pack's sample staff: it loads against its pack and can take every complaint.

``complaintcore init --pack NAME`` writes the pack's sample; a desk must open on it
and route whatever the pack can classify and grade to someone at the site.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from complaintcore.adapters.staff import (
    StaffList,
    load_sample_staff,
    load_staff_file,
    write_sample_staff,
)
from complaintcore.core.models import Complainant, Complaint, Grade, TargetPerson
from complaintcore.core.rulepack import Category, RulePack
from complaintcore.core.workflow import Assess, Classify, Regrade
from complaintcore.desk.access import pick_handler
from complaintcore.rules import DEFAULT_PACK, available_packs, load_pack
from tests.helpers import Runner, intake

PACKS = available_packs()


def sample(name: str) -> tuple[RulePack, StaffList]:
    pack = load_pack(name)
    return pack, load_sample_staff(pack=pack)


def sites(staff: StaffList) -> list[str]:
    """The sample's sites; a sample whose staff all work everywhere is tried at one."""
    return [s for s in staff.sites() if s != "*"] or ["main"]


def grades(pack: RulePack) -> list[Grade]:
    """The grades a complaint can get: its rules' and, by hand, any not below the default."""
    ruled = {r.grade for r in pack.grading.rules}
    return [g for g in Grade if g in ruled or g.rank >= pack.grading.default.rank]


def complaint(
    pack: RulePack,
    site: str,
    category: Category,
    grade: Grade,
    target: TargetPerson | None = None,
) -> tuple[Complaint, datetime]:
    """Registered, classified by hand, assessed valid and graded ``grade``, with its time."""
    rule = next((r for r in pack.grading.rules if r.grade is grade), None)
    phone = "07700 900123" if "GB" in pack.phone_regions else "13812345678"
    run = Runner(
        pack,
        intake(
            complainant=Complainant("A. Owner", phone, "1-101", "1", site),
            site=site,
            channel=rule.channels[0] if rule and rule.channels else "phone",
            target=target,
        ),
    )
    run.register()
    run(Classify(actor="s-front", category=category.code))
    facts = (rule.all_of or rule.any_of[:1]) if rule else ()
    graded = run(Assess(actor="s-front", validity="valid", facts=frozenset(facts)))
    if graded.state.grade is not grade:
        graded = run(Regrade(actor="s-front", grade=grade))
    assert graded.state.grade is grade
    return graded, run.now


@pytest.mark.procedure("ESC-1")
@pytest.mark.parametrize("name", PACKS)
def test_every_shipped_pack_has_a_sample_that_loads_against_it(name: str, tmp_path: Path) -> None:
    pack, staff = sample(name)
    if name != DEFAULT_PACK:
        # its own file: the default one is made for cn-property's ladder
        own = resources.files("complaintcore.data").joinpath(f"sample-staff-{name}.toml")
        assert own.is_file()
    # what `init --pack` writes is what loads
    written = write_sample_staff(tmp_path / "staff.toml", pack=name)
    assert load_staff_file(written, pack=pack) == staff
    departments = {m.department for m in staff}
    for site in sites(staff):
        here = StaffList(staff.at_site(site))
        assert {m.rung for m in here} == {r.code for r in pack.ladder}, site
        routed = {c.department for c in pack.categories} | {pack.customer_service}
        assert routed <= {m.department for m in here}, site
    owners = {d.owner_department for d in pack.duties} | {
        pack.head_office_unit,
        pack.accountability_department,
    }
    assert owners - {""} <= departments
    assert {d.owner_rung for d in pack.duties} - {""} <= {m.rung for m in staff}


@pytest.mark.parametrize("name", PACKS)
def test_every_category_and_grade_finds_a_handler_at_every_site(name: str) -> None:
    pack, staff = sample(name)
    for site in sites(staff):
        for category in pack.categories:
            for grade in grades(pack):
                c, now = complaint(pack, site, category, grade)
                handler = pick_handler(c, staff.members(), pack, now)
                where = (site, category.code, grade.value)
                assert handler is not None, where
                assert handler.works_at(site), where
                needed = pack.rung_index(pack.handler_rung_for(grade))
                assert pack.rung_index(handler.rung) >= needed, where
                if grade is pack.grading.default:
                    # the category's department, else customer service (CLS-3, IN-4)
                    assert handler.department in (category.department, pack.customer_service), where


@pytest.mark.procedure("ESC-4")
@pytest.mark.procedure("ESC-3")
def test_the_sales_office_sample_sends_complaints_about_sales_staff_to_sales_management() -> None:
    """004 篇2 §2.3: 销管部负责处理客户的重要投诉和对售楼员的投诉; §2.4: 副总经理 handles
    complaints about the project manager (the pack's sales_management rung)."""
    pack, staff = sample("cn-sales-office")
    attitude = pack.category("service_attitude")
    for site in sites(staff):
        consultants = [m for m in staff.at_site(site) if m.rung == "sales_consultant"]
        assert consultants, site
        for person in consultants:
            about = TargetPerson(person.staff_id, person.rung, person.role, person.department)
            c, now = complaint(pack, site, attitude, Grade.MINOR, target=about)
            handler = pick_handler(c, staff.members(), pack, now)
            assert handler is not None
            # 销管部 (the pack's customer_service department), its manager's rung
            assert (handler.department, handler.rung) == ("customer_service", "sales_management")
        manager = next(m for m in staff.at_site(site) if m.rung == "sales_management")
        about = TargetPerson(manager.staff_id, manager.rung, manager.role, manager.department)
        c, now = complaint(pack, site, attitude, Grade.MINOR, target=about)
        handler = pick_handler(c, staff.members(), pack, now)
        assert handler is not None
        assert handler.rung == "deputy_gm"
        assert handler.staff_id != manager.staff_id
