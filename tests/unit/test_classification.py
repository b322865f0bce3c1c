"""Keyword classification (CLS-1..4): categories, causes, departments, targets."""

from __future__ import annotations

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.classification import (
    Classification,
    Classifier,
    classify,
    normalise_text,
)
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Cause, Classified, Fact, TargetPerson
from complaintcore.core.rulepack import Category, Department, RulePack, Rung
from complaintcore.rules import load_pack

AT = datetime(2025, 11, 14, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

CATEGORIES = (
    Category(
        code="repairs",
        zh="维修",
        en="repairs",
        cause=Cause.HARDWARE,
        department="engineering",
        keywords=("漏水", "渗水", "维修", "水管", "leak", "repair", "broken", "pipe"),
        helpers=("customer_service",),
    ),
    Category(
        code="fees",
        zh="物业费",
        en="fees",
        cause=Cause.HARDWARE,
        department="finance",
        keywords=("物业费", "管理费", "收费", "fee", "charge", "bill"),
    ),
    Category(
        code="greening",
        zh="绿化",
        en="greening",
        cause=Cause.HARDWARE,
        department="greening",
        keywords=("绿化", "草坪", "树木", "lawn", "tree", "hedge"),
    ),
    Category(
        code="security",
        zh="保安",
        en="security",
        cause=Cause.HARDWARE,
        department="security",
        keywords=("门禁", "保安", "被盗", "guard", "security", "theft"),
        urgent=True,
        facts=(Fact.SERIOUS,),
    ),
    Category(
        code="attitude",
        zh="服务态度",
        en="service attitude",
        cause=Cause.SOFTWARE,
        department="customer_service",
        keywords=("态度", "服务态度", "不理睬", "rude", "attitude", "ignored"),
    ),
    Category(
        code="other",
        zh="其他",
        en="other",
        cause=Cause.HARDWARE,
        department="customer_service",
    ),
)

DEPARTMENTS = (
    Department("engineering", "工程部", "engineering"),
    Department("finance", "财务部", "finance"),
    Department("greening", "绿化部", "greening"),
    Department("security", "保安部", "security"),
    Department("customer_service", "客服部", "customer service"),
)


def make_pack(
    categories: tuple[Category, ...] = CATEGORIES, default_category: str = "other"
) -> RulePack:
    return RulePack(
        name="test-pack",
        title_zh="测试",
        title_en="test",
        ladder=(Rung("front", "接待员", "front line"), Rung("cs", "客服", "complaint handler")),
        departments=DEPARTMENTS,
        categories=categories,
        default_category=default_category,
        customer_service="customer_service",
    )


@pytest.fixture
def pack() -> RulePack:
    return make_pack()


STAFF = TargetPerson(staff_id="S-17", rung="front", role="receptionist")


# --------------------------------------------------------------------------- CLS-1


@pytest.mark.procedure("CLS-1")
def test_chinese_text_matches_substrings(pack: RulePack) -> None:
    c = classify("业主反映厨房漏水，天花板一直渗水。", pack)
    assert c.category == "repairs"
    assert c.matched == ("漏水", "渗水")
    assert c.scores[0].category == "repairs"
    assert c.scores[0].score == 2
    assert not c.default_used


@pytest.mark.procedure("CLS-1")
def test_english_text_is_case_insensitive_with_simple_inflections(pack: RulePack) -> None:
    c = classify("The PIPE above the bathroom is Leaking again", pack)
    assert c.category == "repairs"
    assert c.matched == ("pipe", "leak")


@pytest.mark.procedure("CLS-1")
@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("it leaks", "leak"),
        ("it leaked", "leak"),
        ("Leaking!", "leak"),
        ("two repairs", "repair"),
        ("they charged twice", "charge"),
        ("charging me twice", "charge"),
        ("all the fees", "fee"),
        ("the hedges", "hedge"),
    ],
)
def test_inflected_forms_match(pack: RulePack, text: str, keyword: str) -> None:
    assert keyword in classify(text, pack).matched


@pytest.mark.procedure("CLS-1")
@pytest.mark.parametrize(
    "text",
    ["some feedback about the lobby", "a feeder pipe", "coffee machine", "leakage"],
)
def test_english_keywords_respect_word_boundaries(pack: RulePack, text: str) -> None:
    c = classify(text, pack)
    assert "fee" not in c.matched
    assert c.category != "fees"


@pytest.mark.procedure("CLS-1")
def test_fee_matches_but_feedback_does_not(pack: RulePack) -> None:
    assert classify("The service fee is wrong", pack).category == "fees"
    assert classify("I want to give feedback", pack).category == "other"


@pytest.mark.procedure("CLS-1")
def test_mixed_text_matches_both_scripts(pack: RulePack) -> None:
    c = classify("1201室厨房漏水leak了, the pipe is broken，请尽快维修", pack)
    assert c.category == "repairs"
    assert c.matched == ("漏水", "leak", "pipe", "broken", "维修")
    assert c.scores[0].score == 5


@pytest.mark.procedure("CLS-1")
def test_full_width_text_is_normalised(pack: RulePack) -> None:
    c = classify("ＬＥＡＫ ｉｎ ｔｈｅ ｋｉｔｃｈｅｎ", pack)
    assert c.category == "repairs"
    assert c.matched == ("leak",)
    assert normalise_text("Ａ栋　１２０１") == "a栋 1201"


@pytest.mark.procedure("CLS-1")
def test_repeated_keyword_counts_once(pack: RulePack) -> None:
    c = classify("漏水漏水漏水漏水 收费", pack)
    assert c.scores[0].score == 1
    # one each: the tie goes to the category listed first in the pack
    assert c.category == "repairs"


@pytest.mark.procedure("CLS-1")
def test_ties_go_to_the_category_first_in_the_pack(pack: RulePack) -> None:
    text = "the lawn and the fee"
    assert classify(text, pack).category == "fees"
    reordered = make_pack(
        categories=tuple(c for c in CATEGORIES if c.code == "greening")
        + tuple(c for c in CATEGORIES if c.code != "greening")
    )
    assert classify(text, reordered).category == "greening"
    assert [s.category for s in classify(text, reordered).scores] == ["greening", "fees"]


@pytest.mark.procedure("CLS-1")
def test_highest_score_wins(pack: RulePack) -> None:
    c = classify("物业费 and the management fee; 另外草坪没人管", pack)
    assert c.category == "fees"
    assert [(s.category, s.score) for s in c.scores] == [("fees", 2), ("greening", 1)]


@pytest.mark.procedure("CLS-1")
def test_no_match_uses_the_default_category(pack: RulePack) -> None:
    c = classify("业主来电询问快递柜的位置", pack)
    assert c.category == "other"
    assert c.default_used
    assert c.matched == ()
    assert c.scores == ()
    assert "no keyword matched" in c.explanation()
    assert "未匹配到关键词" in c.explanation("zh")


@pytest.mark.procedure("CLS-1")
def test_longest_keyword_wins_and_nested_shorter_one_does_not_count() -> None:
    cats = (
        Category("general", "综合", "general", Cause.SOFTWARE, "customer_service", ("物业",)),
        Category("fees", "物业费", "fees", Cause.HARDWARE, "finance", ("物业费",)),
        Category("other", "其他", "other", Cause.HARDWARE, "customer_service"),
    )
    pack = make_pack(categories=cats)
    assert classify("物业费太贵", pack).category == "fees"
    assert classify("物业太差", pack).category == "general"


@pytest.mark.procedure("CLS-1")
def test_multi_word_keyword_with_odd_spacing() -> None:
    cats = (
        Category("lift", "电梯", "lift", Cause.HARDWARE, "engineering", ("not working",)),
        Category("other", "其他", "other", Cause.HARDWARE, "customer_service"),
    )
    pack = make_pack(categories=cats)
    assert classify("The lift is NOT\n   working", pack).category == "lift"
    assert classify("The lift is not workingman", pack).category == "other"


@pytest.mark.procedure("CLS-1")
def test_explanation_names_keywords_category_cause_and_department(pack: RulePack) -> None:
    c = classify("漏水, leak", pack)
    assert c.explanation() == (
        'matched "漏水", "leak" → repairs; cause hardware; department engineering'
    )
    assert c.explanation("zh") == '匹配 "漏水"、"leak" → 维修 (repairs)；原因 硬件；责任部门 工程部'
    assert c.evidence == ("漏水", "leak")


@pytest.mark.procedure("CLS-1")
def test_classification_is_deterministic_and_cached(pack: RulePack) -> None:
    assert Classifier.for_pack(pack) is Classifier.for_pack(pack)
    text = "门禁坏了, the guard was rude"
    assert classify(text, pack) == classify(text, pack)
    assert Classifier.compile(pack).classify(text) == classify(text, pack)


@pytest.mark.procedure("CLS-1")
def test_a_pack_whose_default_is_not_a_category_is_refused() -> None:
    bad = make_pack(default_category="nope")
    with pytest.raises(InvalidInputError) as err:
        classify("漏水", bad)
    assert err.value.path == "default_category"


@pytest.mark.procedure("CLS-1")
def test_non_text_is_refused(pack: RulePack) -> None:
    with pytest.raises(InvalidInputError) as err:
        classify(42, pack)  # type: ignore[arg-type]
    assert err.value.path == "text"


_WORDS = [kw for c in CATEGORIES for kw in c.keywords]
_FILLER = st.text(alphabet="的了是在有我他 ,.!?abcxyz0123456789", max_size=8)


@pytest.mark.procedure("CLS-1")
@given(st.lists(st.one_of(st.sampled_from(_WORDS), _FILLER), max_size=12))
def test_property_result_is_a_pack_category_and_scores_explain_it(parts: list[str]) -> None:
    pack = make_pack()
    text = " ".join(parts)
    c = classify(text, pack)
    codes = [cat.code for cat in pack.categories]
    assert c.category in codes
    assert all(s.score == len(s.keywords) > 0 for s in c.scores)
    if c.scores:
        best = c.scores[0]
        assert c.category == best.category
        # best first, and ties in pack order
        keys = [(-s.score, codes.index(s.category)) for s in c.scores]
        assert keys == sorted(keys)
        assert set(c.evidence) <= set(c.matched)
    else:
        assert c.category == pack.default_category
    # Case and full width do not change the answer.
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)
    assert classify(text.upper(), pack).category == c.category
    assert classify(wide, pack).category == c.category


@pytest.mark.procedure("CLS-1")
@given(st.sampled_from([c for c in CATEGORIES if c.keywords]), st.data())
def test_property_a_single_keyword_selects_its_category(cat: Category, data: st.DataObject) -> None:
    pack = make_pack()
    kw = data.draw(st.sampled_from(cat.keywords))
    c = classify(f"业主反映: {kw}。", pack)
    assert c.category == cat.code
    assert c.matched == (kw,)


# --------------------------------------------------------------------------- CLS-2, CLS-3


@pytest.mark.procedure("CLS-2")
def test_cause_comes_from_the_category(pack: RulePack) -> None:
    assert classify("物业费太高", pack).cause is Cause.HARDWARE
    assert classify("前台服务态度恶劣", pack).cause is Cause.SOFTWARE
    assert "cause software" in classify("the receptionist was rude", pack).explanation()


@pytest.mark.procedure("CLS-3")
def test_department_helpers_urgency_and_facts_come_from_the_category(pack: RulePack) -> None:
    repairs = classify("水管漏水", pack)
    assert repairs.department == "engineering"
    assert repairs.helpers == ("customer_service",)
    assert not repairs.urgent
    security = classify("家里被盗，门禁没用", pack)
    assert security.department == "security"
    assert security.urgent
    assert security.facts == (Fact.SERIOUS,)
    assert "department security" in security.explanation()
    assert "责任部门 保安部" in security.explanation("zh")


@pytest.mark.procedure("CLS-3")
def test_to_event_records_the_result_and_both_explanations(pack: RulePack) -> None:
    c = classify("水管漏水", pack)
    event = c.to_event(at=AT, actor="cs-01")
    assert isinstance(event, Classified)
    assert event.category == "repairs"
    assert event.cause is Cause.HARDWARE
    assert event.department == "engineering"
    assert event.helpers == ("customer_service",)
    assert event.explanation == (c.explanation("zh"), c.explanation("en"))


# --------------------------------------------------------------------------- CLS-4


@pytest.mark.procedure("CLS-4")
def test_target_breaks_a_tie_towards_a_software_category(pack: RulePack) -> None:
    text = "漏水的事情找他，态度很差"
    assert classify(text, pack).category == "repairs"
    c = classify(text, pack, target=STAFF)
    assert c.category == "attitude"
    assert c.cause is Cause.SOFTWARE
    assert c.cause_shifted
    assert c.target == STAFF
    assert "receptionist" in c.explanation()
    assert "S-17" not in c.explanation()


@pytest.mark.procedure("CLS-4")
def test_target_does_not_override_a_clear_winner(pack: RulePack) -> None:
    c = classify("漏水，水管也坏了，他态度不好", pack, target=STAFF)
    assert c.category == "repairs"
    assert c.cause is Cause.HARDWARE
    assert not c.cause_shifted
    assert c.target == STAFF


@pytest.mark.procedure("CLS-4")
def test_target_with_no_match_keeps_default_category_with_software_cause(
    pack: RulePack,
) -> None:
    c = classify("他上周说好的事没有办", pack, target=STAFF)
    assert c.category == "other"
    assert c.default_used
    assert c.cause is Cause.SOFTWARE
    assert c.cause_shifted
    assert c.to_event(at=AT, actor="cs-01").target == STAFF


@pytest.mark.procedure("CLS-4")
def test_target_must_be_a_target_person(pack: RulePack) -> None:
    with pytest.raises(InvalidInputError) as err:
        classify("态度", pack, target="S-17")  # type: ignore[arg-type]
    assert err.value.path == "target"


@pytest.mark.procedure("CLS-4")
def test_classification_without_target_has_none(pack: RulePack) -> None:
    c = classify("态度", pack)
    assert isinstance(c, Classification)
    assert c.target is None
    assert not c.cause_shifted


# --------------------------------------------------------------------------- the matcher

_TRICKY = (
    ("物业", "物业费", "业主", "fee", "ice", "service", "not working", "working"),
    ("wifi坏了", "app闪退", "门禁ic卡", "ic", "wifi", "leak", "le", "a-b"),
    ("坏了", "闪退", "charge", "lift", "lifts", "fly", "b c"),
)
_PIECES = st.sampled_from(
    [*(w for group in _TRICKY for w in group), " ", "x", "z", "-", "，", "了", "e", "s", "ing"]
)


def _reference_scan(words: tuple[str, ...], text: str) -> list[str]:
    """The documented semantics, naively: longest acceptable form at the leftmost spot."""
    from complaintcore.core.classification import _CJK, _is_word, _word_forms

    forms: dict[str, str] = {}
    for w in words:
        norm = normalise_text(w)
        forms.setdefault(norm, w)
    for w in words:
        norm = normalise_text(w)
        if not _CJK.search(norm):
            for f in _word_forms(norm):
                forms.setdefault(f, forms[norm])
    t = normalise_text(text)
    n = len(t)
    found: dict[str, None] = {}
    i = 0
    while i < n:
        best = None
        for f in sorted(forms, key=len, reverse=True):
            if not t.startswith(f, i):
                continue
            end = i + len(f)
            if not _CJK.search(f) and (
                (i > 0 and _is_word(t[i - 1])) or (end < n and _is_word(t[end]))
            ):
                continue
            best = f
            break
        if best is None:
            i += 1
            continue
        found.setdefault(forms[best], None)
        i += len(best)
    return list(found)


@pytest.mark.procedure("CLS-1")
@given(st.lists(_PIECES, max_size=25))
def test_property_scan_matches_the_documented_semantics(pieces: list[str]) -> None:
    from complaintcore.core import classification

    words = tuple(w for group in _TRICKY for w in group)
    text = "".join(pieces)
    t = normalise_text(text)
    expected = _reference_scan(words, text)
    one = classification._KeywordMatcher.build(_TRICKY)
    # Also split the keywords over many patterns (two first characters each).
    with mock.patch.object(classification, "_FIRST_CHARS_PER_PATTERN", 2):
        many = classification._KeywordMatcher.build(_TRICKY)
    assert len(many.patterns) > len(one.patterns)
    for matcher in (one, many):
        exact = [matcher.keywords[k] for k in matcher._scan_exact(t)]
        assert exact == expected
        fast = matcher._scan_fast(t)
        if fast is not None:
            assert [matcher.keywords[k] for k in fast] == expected
        assert [matcher.keywords[k] for k in matcher.scan(text)] == expected


# --------------------------------------------------------------------------- CLS-4 staff words


@pytest.mark.procedure("CLS-4")
@pytest.mark.parametrize("name", ["cn-property", "cn-service-centre"])
@pytest.mark.parametrize(
    "text",
    [
        "保洁阿姨态度不好",
        "维修工态度不好",
        "保安不耐烦",
        "保安骂人",
        "收费员态度恶劣",
        "The security guard was rude to me",
        "the cleaner was rude",
    ],
)
def test_a_staff_member_named_by_trade_with_conduct_words_is_about_service_attitude(
    name: str, text: str
) -> None:
    """CLS-4: a complaint about a person (a staff member and their role); CLS-1 names
    service attitude (服务态度) a category and CLS-2 makes attitude a software cause.
    The trade word says who the complaint is about, not what (review s57R4 F03)."""
    found = classify(text, load_pack(name))
    assert (found.category, found.cause) == ("service_attitude", Cause.SOFTWARE)
    assert found.department == "customer_service"


@pytest.mark.procedure("CLS-4")
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("保洁阿姨今天没来", "cleaning"),  # the staff word alone still names the trade
        ("小区保安形同虚设，陌生人随便进", "security"),
        ("维修工一直没来，厨房漏水", "repairs"),
        ("the cleaner never came", "cleaning"),
        ("漏水，态度很差", "repairs"),  # a matter word and a conduct word: a tie, pack order
        ("维修师傅态度很差，漏水还没修好", "repairs"),  # two matter words outweigh one
    ],
)
def test_a_staff_word_counts_for_its_trade_when_no_conduct_is_complained_of(
    text: str, category: str
) -> None:
    assert classify(text, load_pack("cn-property")).category == category


def _with_staff_words(conduct: bool) -> RulePack:
    cats = tuple(
        attrs.evolve(c, staff_words=("保洁阿姨",))
        if c.code == "greening"
        else attrs.evolve(c, conduct=conduct)
        if c.code == "attitude"
        else c
        for c in CATEGORIES
    )
    return make_pack(categories=cats)


@pytest.mark.procedure("CLS-4")
def test_staff_words_score_like_keywords_and_only_a_conduct_category_silences_them() -> None:
    plain = classify("保洁阿姨态度差", _with_staff_words(conduct=False))
    assert [(s.category, s.keywords) for s in plain.scores] == [
        ("greening", ("保洁阿姨",)),
        ("attitude", ("态度",)),
    ]
    assert plain.category == "greening"  # a tie, pack order
    marked = classify("保洁阿姨态度差", _with_staff_words(conduct=True))
    assert [(s.category, s.keywords) for s in marked.scores] == [("attitude", ("态度",))]
    assert marked.category == "attitude"
    assert marked.matched == ("保洁阿姨", "态度")
    assert marked.explanation() == (
        'matched "态度" → service attitude; cause software; department customer service'
    )


@pytest.mark.procedure("CLS-1")
@pytest.mark.parametrize("name", ["cn-property", "cn-service-centre"])
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("草坪很久没修剪", "greening"),  # 没修 (not repaired) must not swallow 修剪 (trimming)
        ("树木一直不修剪", "greening"),
        ("没修剪过的树枝挡路", "greening"),
        ("单元门卫生很差", "cleaning"),  # 门 + 卫生 (hygiene at the entrance), no guard
        ("电梯一直没修", "repairs"),
    ],
)
def test_overlapping_keywords_of_two_categories_keep_the_meant_one(
    name: str, text: str, category: str
) -> None:
    """CLS-1 names greening (绿化) and cleaning (清洁卫生) categories of their own
    (review s58R4 F04)."""
    assert classify(text, load_pack(name)).category == category


@pytest.mark.procedure("CLS-4")
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the conduct word is about someone else, in another clause: the guard's trade
        ("邻居天天骂人，保安也不管", "security"),
        ("保洁工作不到位，邻居还骂人", "cleaning"),
        # 不理想 (unsatisfactory) is no 不理 (ignoring someone)
        ("保洁阿姨打扫不理想", "cleaning"),
        # a staff member's conduct in other words than 态度
        ("the cleaner yelled at my son", "service_attitude"),
        ("the plumber swore at me", "service_attitude"),
        ("the handyman was disrespectful", "service_attitude"),
        ("保安对业主吼", "service_attitude"),
        ("维修师傅说话难听", "service_attitude"),
        # about a person: a tie between the trade's matter and conduct goes to conduct
        ("晚上巡逻的保安态度很差", "service_attitude"),
        # two matters, one about a person: the matter with more words wins
        ("The security guard was rude to me. The lift is broken.", "repairs"),
    ],
)
def test_a_staff_word_is_read_as_who_only_within_its_clause(text: str, category: str) -> None:
    """CLS-4 (review s58RR3 F01, F05, F06)."""
    assert classify(text, load_pack("cn-property")).category == category


@pytest.mark.procedure("CLS-4")
def test_a_tie_about_a_named_person_goes_to_the_conduct_category() -> None:
    """CLS-4: a complaint about a staff member whose words tie between the trade and
    conduct is about conduct (security is a software cause too, so the software rule
    alone kept it there: review s58RR3 F06)."""
    pack = load_pack("cn-property")
    guard = TargetPerson(staff_id="SR-302", rung="front_line", role="guard")
    assert classify("门岗的人不耐烦", pack).category == "security"
    assert classify("门岗的人不耐烦", pack, target=guard).category == "service_attitude"
