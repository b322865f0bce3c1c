"""An issue's names, phones and rooms prepared once for many texts (PRV-1, review s47G F03).

:class:`~complaintcore.core.privacy.Literals` answers what
:func:`~complaintcore.core.privacy.literals_in` answers, for every member's
message of a command on a whole issue, without trying every literal of the
issue on every text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaintcore.core import privacy
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.privacy import Literals, literals_in
from tests.unit.test_redaction import _CONFUSABLE

GIVEN = ["李四", "王小明", "7-703", "Margaret Thompson", "13712345673", "7-701", "7", ""]


@pytest.mark.procedure("PRV-1")
def test_the_literals_a_text_may_hold_in_their_order() -> None:
    """The text of ``literals_in``'s own example: 王小明 split by a zero-width space,
    the name in full-width capitals, the room with a full-width dash; by hand, those
    three, and the one-character room and the empty one (always kept)."""
    text = "电梯已修好。ＭＡＲＧＡＲＥＴ thompson（7－701）家门口。王\u200b小明 7 号"
    assert Literals(GIVEN).found_in(text) == ["王小明", "Margaret Thompson", "7-701", "7", ""]
    # a name in Latin letters alone has no caseless character to be filed under:
    # tried on every text, as literals_in tries it
    assert Literals(GIVEN).found_in("电梯坏了") == ["Margaret Thompson", "7", ""]
    assert not Literals([])
    assert Literals([]).found_in("王小明") == []
    with pytest.raises(InvalidInputError):
        Literals([1])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError):
        Literals(GIVEN).found_in(None)  # type: ignore[arg-type]


def _owner(i: int) -> tuple[str, str, str]:
    return f"业主{i}", f"139{i:08d}", f"3-1-{1000 + i}"


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_two_owners_of_a_two_thousand_owner_issue_are_found_without_the_shared_cache() -> None:
    """An issue of 2,000 owners: a reason naming owner 17 (name and room) and
    owner 1203 (phone, in full-width digits) finds theirs alone, by hand; no
    literal's clues are looked up in the cache ``literals_in`` shares (an issue
    holds more literals than it keeps, so every lookup missed)."""
    values = [v for i in range(2000) for v in _owner(i)]
    prepared = Literals(values)
    before = privacy._clues.cache_info()
    text = "业主17（3-1-1017）和１３９００００１２０３说电梯又坏了"
    found = prepared.found_in(text)
    assert privacy._clues.cache_info() == before
    # by hand, what "may occur" means: every piece of a literal (each Chinese
    # character, each run of digits) is somewhere in the text, the phone's digits
    # read folded.  Names: 业主 and a number written in "17", "3", "1", "1017" or
    # "13900001203" (no leading zero, below 2000); rooms 3-1-N: N one of its
    # four-digit runs from 1000 to 2999; the phone: owner 1203's alone
    numbers = [0, 1, 2, 3, 7, 9, 10, 12, 13, 17, 20, 39, 90, 101, 120, 139, 203, 390, 900]
    names = [f"业主{n}" for n in (*numbers, 1017, 1203, 1390)]
    rooms = ["3-1-1017", "3-1-1203", "3-1-1390"]
    assert sorted(found) == sorted([*names, "13900001203", *rooms])
    assert found == literals_in(text, values)


@pytest.mark.procedure("PRV-1")
@settings(max_examples=2000, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.text(alphabet=_CONFUSABLE, max_size=12), st.text(alphabet=_CONFUSABLE, max_size=6)
        ),
        min_size=1,
        max_size=5,
    ),
    absent=st.lists(st.text(alphabet=_CONFUSABLE, max_size=6), max_size=4),
    upper=st.booleans(),
)
def test_prepared_literals_find_what_literals_in_finds(
    parts: list[tuple[str, str]], absent: list[str], upper: bool
) -> None:
    """Whatever widths, cases, other scripts' digits, format characters, dashes and
    spaces the text and the literals hold, the prepared set finds the literals
    ``literals_in`` finds, in the same order: masking with them masks alike."""
    literals = [v for _, v in parts] + absent
    text = "".join(t + (v.upper() if upper else v) for t, v in parts)
    assert Literals(literals).found_in(text) == literals_in(text, literals)


@pytest.mark.procedure("PRV-1")
def test_literals_extended_find_what_literals_of_all_find() -> None:
    """Review s56R7 F02: a bulk batch's issue grows one draft at a time; the
    prepared literals grow by the new ones alone and find, in the order given,
    what the literals of all of them prepared at once find."""
    first, later = GIVEN[:3], [*GIVEN[3:], "李四", "7-704"]
    grown = Literals(first).extended(later)
    text = "电梯已修好。ＭＡＲＧＡＲＥＴ thompson（7－701）家门口。王\u200b小明 7 号，李四 7-704"
    assert grown.found_in(text) == Literals([*first, *later]).found_in(text)
    expected = ["李四", "王小明", "Margaret Thompson", "7-701", "7", "", "7-704"]
    assert grown.found_in(text) == expected
    assert Literals(first).found_in(text) == ["李四", "王小明"]  # the first unchanged
    with pytest.raises(InvalidInputError):
        Literals(first).extended([1])  # type: ignore[list-item]
