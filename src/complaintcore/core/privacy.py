"""Masking personal data in free text (PRV-1), shared by messages, views and logs.

Pure: regular expressions over strings, no I/O.  Every pattern reads a run of
characters a bounded number of times (no quantifier nested over characters its
neighbour can also take), so masking hostile text costs time in proportion to
its length: a message, a masked view or the sweep never hangs on one complaint.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator

import attrs

from complaintcore.core.building_forms import BUILDING_NAMES, plain_number
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import mask
from complaintcore.core.room_forms import (
    BUILDING,
    DASHES,
    FLOOR,
    ROOM_ENDS,
    ROOM_WORDS,
    SPACES,
    RoomForm,
    building_led,
    room_alone,
    room_basements,
    room_digits,
    room_flat,
    room_floors,
    room_form,
    room_glued,
    room_kept,
    room_levels,
    room_list,
    room_listed,
    room_part,
    room_read,
)

__all__ = ["Literals", "literals_in", "masked_whole", "redact", "room_address", "shown_site"]

# --------------------------------------------------------------------------- invisible characters

# Characters that are not drawn, so text pasted from a web page or a chat can split
# a number or a name with them and the reader still sees it whole: the format
# characters (Unicode category Cf: zero-width space U+200B, soft hyphen U+00AD,
# word joiner U+2060, bidi marks and overrides, the BOM ...) and every other
# Default_Ignorable_Code_Point of Unicode 15.1 (DerivedCoreProperties.txt: the
# combining grapheme joiner U+034F, the variation selectors U+FE00-FE0F and
# U+E0100-E01EF, the Mongolian and Khmer ones, the Hangul fillers, and the code
# points reserved as ignorable, U+2065, U+FFF0-FFF8, U+E0000-E0FFF: review s51R8
# F01).  The enclosing keycap U+20E3 after a digit (with or without the emoji
# variation selector or any other of these between: "1\ufe0f\u20e3") is drawn as
# that digit in a box, so it is left out too (:data:`_KEYCAP`).  The patterns
# read the text as it is drawn: without them (PRV-1).  The class is written out
# (building it from unicodedata would scan every code point at import; Python
# names no Default_Ignorable property): a test checks it holds every Cf character
# of the running Python's Unicode.
_FORMAT = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# The enclosing keycap after a digit, read in the text with the characters above
# already left out: any of them may stand between ("1\ufe0e\u20e3", the text-style
# keycap, or a grapheme joiner: review s51R18 F03).
_KEYCAP = re.compile("(?<=[0-9])\u20e3")


@attrs.frozen
class _Gaps:
    """Where the characters of a text left out of it as drawn were (:func:`_drawn`):
    each by the index in the drawn text of the character that follows it
    (ascending), and, of those, the combining marks composed into the character
    before them (review s51A F06), which go with it when it ends a span."""

    left: list[int] = attrs.field(factory=list)
    marks: list[int] = attrs.field(factory=list)


_NO_GAPS = _Gaps()


def _drawn(text: str) -> tuple[str, _Gaps]:
    """The text as drawn: without format characters, and composed (:func:`_composed`),
    and where the characters left out were."""
    if text.isascii():
        return text, _NO_GAPS
    gaps = [match.start() - k for k, match in enumerate(_FORMAT.finditer(text))]
    drawn = _FORMAT.sub("", text) if gaps else text
    if "\u20e3" in drawn:
        keycaps = [match.start() for match in _KEYCAP.finditer(drawn)]
        if keycaps:  # each gap at its index in the text without the keycaps too
            gaps = [g - bisect_left(keycaps, g) for g in gaps]
            gaps = sorted(gaps + [at - k for k, at in enumerate(keycaps)])
            drawn = _KEYCAP.sub("", drawn)
    if unicodedata.is_normalized("NFC", drawn):  # most text: one scan in C
        return drawn, _Gaps(gaps) if gaps else _NO_GAPS
    drawn, marks = _composed(drawn)
    # a drawn index of the text before composing, in the composed text
    gaps = [g - bisect_left(marks, g) for g in gaps]
    marks = [m - k for k, m in enumerate(marks)]
    return drawn, _Gaps(sorted(gaps + marks), marks)


# a character and the 30 marks Unicode's Stream-Safe Text Format allows after it
_LONGEST_RUN = 31


def _composed(text: str) -> tuple[str, list[int]]:
    """``text`` with each character and the combining marks after it composed
    (Unicode NFC, one such run at a time), and the indices of the marks composed
    away (ascending).  A name typed half composed (``Zoë`` with its ``ë`` one
    character and ``Ångström`` with its ``Å`` two) is read as the same name in any
    form (review s51A F06: only wholly composed or wholly decomposed text was);
    each composed character stands where its first character stood, so what is
    masked is the text as written.  A character that composes with the one
    before it though it is no mark (a Korean jamo) joins its run.  A run NFC
    would make longer (a few characters Unicode excludes) is left as it is.  A
    run is cut after :data:`_LONGEST_RUN` characters, as Unicode's Stream-Safe
    Text Format cuts one (UAX #15: 30 marks at most): NFC reorders a run's marks
    in time growing with the square of its length, and a run of thousands of
    marks ("Zalgo" text) is no letter of a name (review s51R13 F01)."""
    out: list[str] = []
    marks: list[int] = []
    start = 0
    for at in range(1, len(text) + 1):
        if (
            at < len(text)
            and at - start < _LONGEST_RUN
            and (unicodedata.combining(text[at]) or _composes(text, start, at))
        ):
            continue  # the run goes on
        run = text[start:at]
        composed = unicodedata.normalize("NFC", run) if at - start > 1 else run
        if len(composed) > len(run):
            composed = run
        out.append(composed)
        marks.extend(range(start + len(composed), at))
        start = at
    return "".join(out), marks


def _composes(text: str, start: int, at: int) -> bool:
    """Whether ``text[at]`` composes with the characters of its run before it (the
    two before at most: a Korean syllable's three jamo): a bounded cost each."""
    before = text[max(start, at - 2) : at]
    return len(unicodedata.normalize("NFC", before + text[at])) <= len(
        unicodedata.normalize("NFC", before)
    )


# --------------------------------------------------------------------------- folding

# The patterns read ASCII: the text is folded first, one character for one, so a
# match in the folded text is at the same place in the text.  Full-width forms
# (１３８, ＠, ．, －, what a Chinese IME types) become ASCII; the decimal digits of
# every script (٠١٢, ०१२, 𝟏) and circled, bracketed or dotted digits (①, ⑴, ⒈, ❶)
# become 0-9.  Phones are read with full-width letters left as they are: a letter
# glued to digits protects an id only when it is ASCII, as before.
_OTHER_DIGITS = (
    "\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff"
    "\u2776-\u277e\u2780-\u2788\u278a-\u2792\U0001f100-\U0001f10a"
)
_FOLD_ALL = re.compile(rf"[\uff01-\uff5e]|(?![0-9])\d|[{_OTHER_DIGITS}]")
_FOLD_BUT_LETTERS = re.compile(
    rf"[\uff01-\uff20\uff3b-\uff40\uff5b-\uff5e]|(?![0-9])\d|[{_OTHER_DIGITS}]"
)


def _fold_char(match: re.Match[str]) -> str:
    char = match.group(0)
    if "\uff01" <= char <= "\uff5e":
        return chr(ord(char) - 0xFEE0)
    return str(unicodedata.digit(char))


def _fold(text: str, pattern: re.Pattern[str]) -> str:
    return text if text.isascii() else pattern.sub(_fold_char, text)


# --------------------------------------------------------------------------- patterns

# An address starts where a run of its characters starts (the lookbehind), and
# that run is read once (possessive: "@" is not among them): a 10,000-character
# link or base64 run without "@" costs one scan, not one per character.
# The local part is any run of RFC 5322's atext and dots ("o'neill", "tom&jo",
# "margaret#1", "m=thompson", a "*" a name masked before it left), Latin letters
# beyond ASCII (RFC 6531: "margarét") and the apostrophes a name is typed with
# ("o\u2019neill"): the part before such a character showed (review s54R4 F04).
_LOCAL_PART = (
    r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-"
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u2019\u2018\u02bc\u00b4\u2032"
)
# The domain: labels of letters (any script: 公司.cn, exämple.de, 例子.中国),
# digits and hyphens, the last two letters or more, joined by a dot or by the
# ideographic full stop "。" (or its half-width "｡") a Chinese IME types for the
# "." key in Chinese mode (zhangsan@qq。com: review s57R2 F02; the full-width
# "．" is folded).  Each label is read once (possessive) and the last label is
# looked for after each (lazy): a long run of labels costs one scan.
# The last label is letters of a script other than Han (com, de, рф) or one of
# the Chinese top-level domains (中国, 公司 ...) with no Han character glued after
# it: a Chinese sentence after "@" and "。" is no domain (请Tom@物业客服。谢谢:
# review s57R9 F05).  The first label may start with a hyphen, as before s57R2.
_EMAIL_DOT = "[.\u3002\uff61]"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_TLDS = (
    *("中国", "中國", "公司", "网络", "網絡", "在线"),
    *("集团", "网址", "我爱你", "商城", "中文网"),
)
_EMAIL_TLD = f"(?:[^\\W\\d_{_HAN}]{{2,}}|(?:{'|'.join(_HAN_TLDS)})(?![{_HAN}]))"
_EMAIL = re.compile(
    rf"(?<![{_LOCAL_PART}])[{_LOCAL_PART}]++@-*+[^\W_][\w-]*+"
    rf"(?:{_EMAIL_DOT}[\w-]++)*?{_EMAIL_DOT}{_EMAIL_TLD}"
)
_D = "[0-9]"
# Hyphens and dashes people type between digit groups (the full-width hyphen is
# folded to "-"): the dashes a room key reads, one set for both
# (:data:`~complaintcore.core.room_forms.DASHES`; review s48M F01, s52R11 F01).
_DASH = "\\" + DASHES
# Spaces: space, tab, no-break, the typographic ones (thin U+2009, figure U+2007 …),
# narrow no-break U+202F, medium mathematical U+205F, ideographic U+3000.
_SPACE = "[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
# Line breaks: carriage return and line feed, and the others a text may carry (what
# str.splitlines splits on, the file and record separators aside): the line and
# paragraph separators U+2028 and U+2029 that some editors and apps type for
# Shift+Enter, and in a host's own text the vertical tab, form feed and next line
# (review s51R13 F04).  Each is one line break as "\n" is.
_BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"
_JOIN = rf"[{_DASH}]"
# one dash or two: a Chinese IME types "——" (two em dashes) for Shift+"-"
_JOINS = rf"{_JOIN}{{1,2}}+"
# Between digit groups: up to three spaces, perhaps round one dash or two
# ("138 1234 5678", "135 - 1234 - 5678", "138——1234——5678"), or the dash alone;
# never a line break (an amount ending one line and a date or amount starting the
# next are two numbers).  A later group is
# never the year of a date ("1280  2025-11-14": the amount, then the date); a year
# is 1000-2999 or 9999, the "no expiry" date ("1280 9999-12-31", "1280 2100-01-01",
# "1280 1880-12-25": review s53R14 F04 -- the 19xx/20xx test of review s53R12 F06
# joined such a date to the amount; "5678-3-2" stays no date).  A
# complete mobile or area-code landline in three groups is read whole first
# (_WHOLE_GROUPED: "139-1234-2025-3-2-1201" is a phone, then a room).  The
# two branches start with different characters and every repeat is bounded and
# possessive: a separator is read once.
_SEP_PLAIN = rf"(?:{_SPACE}{{1,3}}+(?:{_JOINS}{_SPACE}{{0,3}}+)?|{_JOINS}{_SPACE}{{0,3}}+)"
_SEP_YEAR = rf"(?:[12]{_D}{{3}}|9999)"
_MONTH_SEP = rf"(?:[{_DASH}]{_D}{{1,2}}[{_DASH}]|\.{_D}{{1,2}}\.|/{_D}{{1,2}}/)"
_YEAR_AHEAD = rf"{_SEP_YEAR}{_MONTH_SEP}{_D}{{1,2}}(?!{_D})"
_SEP = rf"(?:{_SEP_PLAIN}(?!{_YEAR_AHEAD}))"  # one atom: a "?" after it makes it optional
# A dot or slash separates digits in phones (138.1234.5678) but also in decimals,
# dates and IP addresses, so it counts only between three or more groups joined
# by the same character, one of them four digits or longer (see _mask_phone).
_DOT_SLASH = rf"{_D}{{3,}}+(?P<ds>[./]){_D}{{3,}}+(?:(?P=ds){_D}{{3,}}+)+"
# Up to three spaces may stand round it, as round a dash ("138 / 1234 / 5678",
# "138. 1234. 5678": review s49K F01), never a line break, only in ONE phone's
# shape: a mainland mobile in 3-4-4 groups or an area code (0, then 1-9 and one
# or two digits, perhaps in brackets) and a number of seven or eight digits not
# starting 0 or 1, in 3-4 or 4-4 groups; a list ("1201 / 1202 / 1203",
# "1200 / 300 / 450 元") is no phone (review s49U F02).  In that shape the two
# separators need not be the same: a dot or slash and a space or dash
# ("138.1234 5678", "021 6234.5678": review s49V F03), one of them a dot or
# slash (spaces and dashes alone are the general branch's, which reads on);
# after an area code's closing bracket the first may be left out
# ("(021)6234.5678", "(0755)8888/6666": review s50A F02).
# Perhaps after +86 or 0086, in brackets or not, then a separator of either kind
# ("+86 138.1234.5678", "(+86) 138 / 1234 / 5678"): tried before the
# international branch, which would take "+86 138" alone (too short to mask)
# and leave the rest (review s49U F01); after it the area code may drop its 0,
# as an international number does ("+86 21.6234.5678", "+86 755.8888.6666":
# review s49V F01).  An area code and an unsplit number may be joined by one dot
# or slash ("021.62345678", "010/62345678": review s53R12 F07).  A fourth group
# glued on by a dot or slash is the phone's tail (_TAIL: "138.1234.5678.9012" is
# masked whole, as _DOT_SLASH masks it).
# Each run of spaces is bounded and possessive, and
# every alternative starts after a bounded number of characters, so a separator
# is still read a bounded number of times.
# In that shape the dot may also be the ideographic full stop "。" (or its
# half-width form "｡"), which a Chinese IME in Chinese-punctuation mode types for
# the "." key ("138。1234。5678": review s51R13 F03); outside it (_DOT_SLASH, a
# phone's tail) "。" ends a sentence and stays.
_DS_SPACE = rf"{_SPACE}{{0,3}}+"
_DS_SEP = rf"{_DS_SPACE}[./\u3002\uff61]{_DS_SPACE}"
_DS_ANY = rf"(?:{_SEP}|{_DS_SEP})"
_DS_PHONE = (
    rf"(?P<cn>\(?(?:\+|00)86\)?{_DS_ANY}?)?"
    rf"(?:1[3-9]{_D}(?:{_DS_SEP}{_D}{{4}}{_DS_ANY}|{_SEP}{_D}{{4}}{_DS_SEP})"
    rf"|\(?(?(cn)0?|0)[1-9]{_D}{{1,2}}\)?"
    rf"(?:{_DS_SEP}[2-9]{_D}{{2,3}}(?:{_DS_ANY})?|(?:{_DS_ANY}|(?<=\)))[2-9]{_D}{{2,3}}{_DS_SEP}))"
    rf"{_D}{{4}}(?![0-9])"
)
# A number in international form with a dot or slash among its groups, as
# _DOT_SLASH joins them ("+852.9123.4567", "+1.415.555.0100": review s49V F01):
# the country code after "+", "(+" or "00", then groups of digits, each perhaps
# in brackets, joined by a space or dash as in the general branch below or by
# the same dot or slash (review s50A F01, F03), seven digits or more after the
# country code (see _mask_phone).  Either the dot or slash comes right after the
# code, with up to three spaces round it, and stands so again ("+852.9123 4567",
# "+852 / 9123 / 4567", "+852. 9123. 4567", "+86.1062345678") or without
# spaces; or one to three groups come first and it stands without spaces ("+1
# 415.555.0100", "(+852) 9123.4567", "+44 (0)20.7946.0958", "+86 10.62345678"):
# a full stop and a space after a phone ("+852 9123 4567. 3 days") end it.  A
# dot and a slash together are no phone's ("+31.2304/121.4737", coordinates),
# nor is a later group the year of a date (_SEP).  From each "+" or "00" a run
# without a dot or slash is read a bounded length; after one the match ends
# where the groups end.  Without the "+" or "00" the run is _DOT_SLASH's or
# _DS_PHONE's already.
_INTL_GROUP = rf"(?:{_SEP}\(?|\(|(?<=\))){_D}++\)?"
_INTL_DS_GROUP = rf"\(?{_D}++\)?"
_DS_INTERNATIONAL = (
    rf"(?:\(?\+|00(?=[1-9]))(?P<icc>{_D}{{1,3}}+)\)?"
    rf"(?:(?P<dsep>{_DS_SPACE}(?P<di>[./]){_DS_SPACE}){_INTL_DS_GROUP}"
    rf"(?:{_INTL_GROUP}|(?:(?P=dsep)|(?P=di)){_INTL_DS_GROUP})*"
    rf"|(?:{_INTL_GROUP}){{1,3}}+(?P<dj>[./]){_INTL_DS_GROUP}"
    rf"(?:{_INTL_GROUP}|(?P=dj){_INTL_DS_GROUP})*)"
)
# A full stop right before digits protects them only after a digit (3.14159265,
# 2025.11.14); after "Tel.", "No." or a sentence it is no part of the number.
_NOT_A_DECIMAL = r"(?<![0-9]\.)"
# A mainland mobile (1[3-9] and 9 more digits, perhaps in 3-4-4 groups, perhaps
# after +86, or after +86 or 0086 and a dot or slash: "+86.13812345678", the
# "+" or "00" making it no decimal, review s50A F01) is masked even glued to
# letters ("Tel13912345678", "Tel+86 139…", "Tel+86.139…",
# "Tel.13912345678", "138_1234_5678"): only a digit or "+" right before, a digit
# and "." right before, or a digit right after protects it.  Its length is
# bounded, so trying it at every character costs a constant each.
# Its groups may also be split by a line break ("138\n1234\n5678"): the 3-4-4 shape
# is no amount ending a line with a date starting the next; or by a dot, slash or
# "。" as _DS_PHONE reads them ("Tel139.1234.5678", "139/1234/5678a": review s53R12 F04).
_MOBILE_SEP = rf"(?:{_SEP}|_|{_SPACE}{{0,3}}+(?:\r\n?|[{_BREAKS[1:]}]){_SPACE}{{0,3}}+)"
_MOBILE = (
    rf"(?<![0-9+]){_NOT_A_DECIMAL}"
    rf"(?:(?:\+|00)86(?:{_MOBILE_SEP}|{_DS_SEP})?|86{_MOBILE_SEP}?)?"
    rf"1[3-9]{_D}(?:(?:{_MOBILE_SEP}?{_D}{{4}}){{2}}"
    rf"|{_DS_SEP}{_D}{{4}}{_DS_ANY}{_D}{{4}}|{_SEP}{_D}{{4}}{_DS_SEP}{_D}{{4}})"
    r"(?![0-9])"
)
# A phone-like run, either international -- "+" and a country code, then digit
# groups of any length, one of them perhaps in brackets: +852 9123 4567,
# +1 (415) 555-0100, +44 20 7946 0958 -- or digits in groups of 3+ joined by a
# separator, with an optional ID-card check letter (00852 9123 4567, 010-62345678,
# 138.1234.5678), or single digits spelled out one by one (1 3 8 1 2 3 4 5 6 7 8).
# After the first, a group starts at a separator or a bracket, and a group's digits
# are read once (possessive): one run of digits is never split into groups (with a
# letter glued to it, trying every split took 2^n steps).
# Not preceded by an ASCII word character, "X-", "X——" or "9." (so ids like
# "C-20251114-0001" and decimals survive) unless it is shaped as a mobile; Chinese
# text right before the digits ("电话13812345678") does not protect them.
# A number ends where no letter or digit is glued to it, or before an extension
# glued on with an "x" or "ext" ("+1.415.555.0100x12", "+852 9123 4567x": review
# s50Q F06; "010-62345678x12", "0755-88886666ext3": review s51A F01): the number is
# masked, the extension's digits kept.  An ID card's check letter "X" is read as
# the number's own last character first (the general branch's "[Xx]?").
_EXTENSION = r"(?:(?![A-Za-z0-9_])|(?=(?:[Xx]|(?i:ext)\.?)[0-9]*+(?![A-Za-z0-9_])))"
# Digits glued after a phone's last group by a dot or slash, the whole run ending
# where no letter or digit is glued on ("021 6234.5678.9", "138 1234.5678.9",
# "1234567.89"): the phone's tail, masked with it (review s51A F02: the general
# branch stopped at the dot, masked "021 6234" as seven digits and left
# "34.5678.9", six of the phone's digits, readable).  Whether the run is a phone
# is judged without it (_mask_phone): "2025.11.14", "12345.67" stay readable.
# Read once (possessive): taken whole or not at all.
# A mainland mobile after a slash is no tail: it is masked as the mobile it is
# ("房号1201/13812345678", "1201/138-1234-5678": taken as the tail of "1201", the
# run was judged by its four digits, kept whole, and the mobile left readable:
# review s53R8 F04), and so is any phone of its own there (_OWN_PHONE: a landline
# with its area code, a local number of 7-8 digits not starting 0 or 1, split once
# or not, a mobile in dot groups: "13812345678/021-62345678", "1201/62345678",
# "1201/139.1234.5678" -- as a tail the second phone's first group was masked with
# the first phone and the rest left readable, or the whole kept for a room's four
# digits: review s53R12 F01, F02).  After a dot it stays a tail
# ("1201.13812345678": a digit and "." right before protect a mobile, see _MOBILE)
# unless a phone in groups follows (_AFTER_DOT: "13812345678.021-62345678",
# "13812345678.139-1234-5678", "021-62345678.6234 5699", "13812345678.86-21-62345678"):
# that phone is masked on its own (_NEXT_PHONE; as a tail its first group was masked
# with the first phone and the rest left readable: review s53R14 F01, F02, F05).
_AREA_LANDLINE = rf"0[1-9]{_D}{{1,2}}{_DS_ANY}?[2-9]{_D}{{2,3}}{_DS_ANY}?{_D}{{4}}(?![0-9])"
# an area code and a separator of either kind ("021-62345678", "021/62345678"):
# seven or eight digits not starting 0 or 1 after it
_AREA_LANDLINE_SPLIT = rf"0[1-9]{_D}{{1,2}}{_DS_ANY}[2-9]{_D}{{2,3}}{_DS_ANY}?{_D}{{4}}(?![0-9])"
# A landline after the country code 86 written without "+" or "00" ("86-21-62345678",
# "(86)21-62345678", "86.21.6234.5678"), as business cards and web forms write it:
# the area code without its 0 (review s53R12 F05: no group of three digits came
# first, and the number after "21-" is an id's to the general branch).  Its groups are
# split as _DS_PHONE's are, by a space, dash, dot, slash or "。", the separators
# perhaps different ("86-21-6234.5678", "86。21。6234。5678": review s53R14 F07).
_CN_LANDLINE = (
    rf"(?:86{_DS_ANY}|\(86\){_DS_ANY}?)[1-9]{_D}{{1,2}}{_DS_ANY}[2-9]{_D}{{2,3}}{_DS_ANY}?"
    rf"{_D}{{4}}(?![0-9])"
)
# a local number of seven or eight digits not starting 0 or 1, split once or not
_LOCAL = rf"[2-9]{_D}{{2,3}}{_SEP}?{_D}{{4}}(?![0-9])"
_OWN_PHONE = rf"(?:{_MOBILE}|{_AREA_LANDLINE}|{_CN_LANDLINE}|{_LOCAL})"
# The phones in groups a dot does not join to the digits before it: a mobile, a local
# number, a landline with its area code or after 86, its groups split by a space,
# dash, dot, slash or "。"; an unsplit mobile there stays a decimal's digits.
_GROUPED_MOBILE = (
    rf"1[3-9]{_D}(?:{_DS_ANY}{_D}{{4}}{_DS_ANY}?|{_D}{{4}}{_DS_ANY}){_D}{{4}}(?![0-9])"
)
# (a local number split by a space or dash: after a dot, "6234.5678" would be
# the dot groups' run, "1201-139.5724.6813" a mobile)
_LOCAL_SPLIT = rf"[2-9]{_D}{{2,3}}{_SEP}{_D}{{4}}(?![0-9])"
_STRONG_AFTER_DOT = rf"(?:{_GROUPED_MOBILE}|{_AREA_LANDLINE_SPLIT}|{_CN_LANDLINE})"
_AFTER_DOT = rf"(?:{_STRONG_AFTER_DOT}|{_LOCAL_SPLIT})"
_TAIL = rf"(?P<tail>(?:(?:\.(?!{_AFTER_DOT})|/(?!{_OWN_PHONE})){_D}++)++(?![A-Za-z0-9_]))?"
# The second phone after a phone and a dot, read with it and masked on its own
# (_mask_phone): the lookbehinds protect digits after a digit and a dot.
_NEXT_PHONE = rf"(?P<next_dot>\.)(?P<next>{_AFTER_DOT})"
# An area code and a number (0 and two or three digits, then seven or eight
# digits not starting 0 or 1, in 3-4 or 4-4 groups or one) right after a digit and
# a dash or two ("3-2-1201-021-62345678": a room, then the phone): the general
# branch takes no number there (ids such as C-20251114-0001 go on so), but this
# shape is a landline's, masked as a mainland mobile is (review s51A F02).
_GLUED_LANDLINE = (
    rf"(?:(?<=[0-9][{_DASH}])|(?<=[0-9][{_DASH}]{{2}})){_AREA_LANDLINE}"
    rf"|(?<=[0-9]\.){_STRONG_AFTER_DOT}"
)
# A complete mobile (3-4-4, perhaps after +86) or area-code landline whose last group a date's
# month and day follow ("139-1234-2025-3-2-1201": the phone, then a dashed room):
# read whole before the general branch, which takes that group for a year and stops
# before it (review s53R14 F06).
_WHOLE_GROUPED = (
    rf"(?:\(?(?:\+|00)86\)?{_SEP_PLAIN}?)?"
    rf"(?:1[3-9]{_D}{_SEP_PLAIN}{_D}{{4}}|0[1-9]{_D}{{1,2}}{_SEP_PLAIN}[2-9]{_D}{{2,3}})"
    rf"{_SEP_PLAIN}(?={_YEAR_AHEAD}){_D}{{4}}"
)
# A number in international form ("+852 9123 4567", "+1 (415) 555-0100"): the
# country code, then groups of digits, one of them perhaps in brackets.
_INTL_HEAD = rf"(?:\+|00(?=[1-9])){_D}{{1,3}}{_SEP}?\(?{_D}++\)?"
_INTL_GROUP_RUN = rf"(?:(?:{_SEP}\(?|\(|(?<=\))){_D}++\)?)"
_INTL_RUN = rf"{_INTL_HEAD}{_INTL_GROUP_RUN}*"
# The general branch's first group may stand in brackets, the area code as a UK
# number is written ("(01632) 960001", "(07700) 900 123", "(020) 7946 0018",
# "(01632)960001"): the groups after it are counted with it, seven digits or more
# as ever (review s54R4 F05: the bracket ended the run, and "01632" and "960001"
# were two runs of fewer than seven digits, the whole number left readable).  Not
# before a dot or slash and a digit: "(010)2026.12.04" and "(0755)1200.50元" are an
# area code before a date or an amount, as before.
_BRACKETED_AREA = (
    rf"\(?{_D}{{3,}}+\)(?:{_SEP}|(?=[0-9])){_D}{{3,}}+(?:{_SEP}{_D}{{3,}}+)*+"
    r"(?![./][0-9])[Xx]?"
)


# A phone in groups with a Latin letter glued after its last group ("Tel:139-5724-6813Wang",
# "+86 139 5724 6813Wang", "021 6247 8539a", "+852 9247 6853a"): masked whole.  The
# general branch would fail at the letter and fall back to its first groups, masking
# "139-5724" as seven digits and leaving "24-6813" readable (review s53R12 F03); a
# number glued to a letter is masked whole or kept whole, never cut after a group.
# A letter or digit before the number still protects a landline or an international
# number (an id), as below; an extension ("x12", "ext3") stays readable after it.  An
# international number's groups are read whole (possessive), one group at least after
# the code's (a run without any, "+12222…2a", is an id kept whole, as before), its last
# one four digits or more: "+852 9123 4567 101A" masks the phone, not the room "101A".
# The shapes are the general branch's phones in groups: with a dot, slash or "。"
# among them too ("Tel:021.6234.5678Wang", "Tel:(021)6234.5678Wang",
# "Tel:+852 9123.4567Wang") and a landline after 86 ("Tel:86-21-62345678Wang":
# review s53R14 F03); their group names are renamed (_renamed), one pattern
# holding each name once.  The international shape is read once (an atomic group):
# its dot may match as the first separator or as the dot alone, and trying both
# at every group before a missing letter ("0086.0086.…") took 2^n steps.
def _renamed(pattern: str, prefix: str) -> str:
    """``pattern`` with each named group (and its references) renamed ``prefix+name``."""
    return re.sub(r"\(\?(P<|P=|\()([a-z_]+)", rf"(?\1{prefix}\2", pattern)


_GLUED_LETTER = (
    rf"(?:{_MOBILE}"
    rf"|(?<![A-Za-z0-9_+])(?<![A-Za-z0-9_][{_DASH}])(?<![A-Za-z0-9_][{_DASH}]{{2}}){_NOT_A_DECIMAL}"
    rf"(?:\(?0[1-9]{_D}{{1,2}}\)?(?:{_SEP}[2-9]{_D}{{2,3}}{_SEP}?|[2-9]{_D}{{2,3}}{_SEP}){_D}{{4}}"
    rf"|{_CN_LANDLINE}|{_renamed(_DS_PHONE, 'g')}"
    rf"|(?>{_renamed(_DS_INTERNATIONAL, 'g')})(?<=[0-9]{{4}})"
    rf"|{_INTL_HEAD}{_INTL_GROUP_RUN}++(?<=[0-9]{{4}})))(?=[A-Za-z_])"
)
_PHONE = re.compile(
    # every branch starts at a digit, a "+" or a "(" of the folded text: said first,
    # so that each other character is passed over at once (the branches after it
    # are tried at every character otherwise, a line break looked for 24 ahead)
    r"(?=[0-9+(])(?:"
    # a mobile split by a line break is read as a mobile first: the general branch
    # would stop at the line break (or take "+86 139" alone) and leave its groups apart
    rf"(?=[^{_BREAKS}]{{0,24}}[{_BREAKS}]){_MOBILE}|"
    rf"{_GLUED_LETTER}|"
    r"(?<![A-Za-z0-9_+])"
    rf"(?<![A-Za-z0-9_][{_DASH}])(?<![A-Za-z0-9_][{_DASH}]{{2}}){_NOT_A_DECIMAL}"
    rf"(?:{_WHOLE_GROUPED}"
    rf"|{_CN_LANDLINE}"
    rf"|{_DS_PHONE}"
    rf"|{_DS_INTERNATIONAL}"
    rf"|{_INTL_RUN}"
    rf"|{_DOT_SLASH}"
    rf"|{_BRACKETED_AREA}"
    rf"|{_D}{{3,}}+(?:{_SEP}{_D}{{3,}}+)*[Xx]?"
    rf"|{_D}(?:{_SEP}{_D}){{6,}})"
    rf"(?:{_NEXT_PHONE}|{_TAIL}){_EXTENSION}"
    rf"|{_MOBILE}"
    rf"|{_GLUED_LANDLINE})"
)
_MIN_PHONE_DIGITS = 7
_STRONG_NEXT = re.compile(_STRONG_AFTER_DOT)
# what folds into a digit 0-9: every phone holds one, as every e-mail address
# holds an "@" or a full-width "＠" (redact reads no text for what it cannot hold)
_ANY_DIGIT = re.compile(rf"[\d{_OTHER_DIGITS}]")
_NOT_KEPT = re.compile(rf"{_SPACE}|[{_DASH}_()./\u3002\uff61{_BREAKS}]")


def _mask_phone(match: re.Match[str], written: str) -> str | None:
    """The number masked (its digits as folded), or None to keep what was written."""
    nxt = match.group("next")
    if nxt is not None:  # a phone, a dot, a phone in groups: each masked on its own
        cut = match.start("next_dot") - match.start()
        head = _mask_one(match, match.group(0)[:cut])
        if head is None and not _STRONG_NEXT.fullmatch(nxt):
            return None  # "1234.6234 5678": no phone before, a local number kept with it
        first = written[:cut] if head is None else head
        return f"{first}{written[cut]}{mask(_NOT_KEPT.sub('', nxt))}"
    tail = match.start("tail")
    folded = match.group(0)
    head_text = folded if tail < 0 else folded[: tail - match.start()]
    if _mask_one(match, head_text, folded) is None:
        return None
    return mask(_NOT_KEPT.sub("", folded))


def _mask_one(match: re.Match[str], head: str, groups: str | None = None) -> str | None:
    """``head`` (a phone's digits and separators as folded) masked, or None if it is
    no phone: too few digits, an IP address (its ``groups``, by default ``head``)."""
    if sum(map(str.isdigit, head)) < _MIN_PHONE_DIGITS:
        return None  # a date, an amount: a tail glued on makes it no phone
    for code in ("icc", "gicc"):
        if match.group(code) is not None:
            after = match.group(0)[match.end(code) - match.start() :]
            if sum(map(str.isdigit, after)) < _MIN_PHONE_DIGITS:
                return None  # "+1.234.5": too few digits after the country code for a phone
    dot_slash = match.group("ds")
    split = (head if groups is None else groups).split(dot_slash) if dot_slash else []
    if split and max(sum(map(str.isdigit, g)) for g in split) < 4:
        return None  # an IP address such as 192.168.100.200, not a phone
    return mask(_NOT_KEPT.sub("", head))


def _mask_email(match: re.Match[str], written: str) -> str:
    at = match.group(0).index("@")
    return f"{mask(written[:at])}{written[at:]}"


def _substitute(
    pattern: re.Pattern[str],
    text: str,
    fold: re.Pattern[str] | None,
    replace: Callable[[re.Match[str], str], str | None],
) -> str:
    """Replace each match of ``pattern`` in the text as drawn (folded by ``fold``) at
    the same place in ``text``: ``replace`` gets the match and the drawn text
    there (None: keep it)."""
    _, gaps, news = _news(pattern, text, fold, replace)
    return _replaced(text, gaps, news) if news else text


def _news(
    pattern: re.Pattern[str],
    text: str,
    fold: re.Pattern[str] | None,
    replace: Callable[[re.Match[str], str], str | None],
) -> tuple[str, _Gaps, list[tuple[int, int, str]]]:
    """What :func:`_substitute` replaces: the text as drawn, where its format
    characters were, and each span of the drawn text with its new text."""
    drawn, gaps, folded = _reading(text, fold)
    news = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        new = replace(match, drawn[start:end])
        if new is not None and end > start:
            news.append((start, end, new))
    return drawn, gaps, news


def _reading(
    text: str, fold: re.Pattern[str] | None, plain: bool = False
) -> tuple[str, _Gaps, str]:
    """The text as drawn (:func:`_drawn`: without format characters, and where they
    were), and as the patterns read it: folded by ``fold``, its spaces and dashes
    made plain if ``plain`` (one character for one, so an index in either is the
    same character)."""
    drawn, gaps = _drawn(text)
    folded = drawn if fold is None else _fold(drawn, fold)
    if plain and _UNPLAIN.search(folded):
        folded = folded.translate(_PLAIN)
    return drawn, gaps, folded


def _replaced(text: str, gaps: _Gaps, news: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each span of the drawn text (``start``, ``end``: ascending, not
    overlapping, not empty) replaced by its new text; format characters inside a
    span go with it, the others stay, and so do the marks composed into its last
    character (:func:`_composed`)."""
    parts: list[str] = []
    done = 0
    for start, end, new in news:
        first, stop = _written_span(gaps, start, end)
        parts += (text[done:first], new)
        done = stop
    return "".join(parts) + text[done:]


def _written_span(gaps: _Gaps, start: int, end: int) -> tuple[int, int]:
    """Where a span of the drawn text stands in the text (:func:`_replaced`)."""
    # a drawn index i stands at i + (characters left out before it) in text
    left = gaps.left
    first, last = start + bisect_right(left, start), end - 1 + bisect_right(left, end - 1)
    if gaps.marks and _holds(gaps.marks, end):  # its last character's marks too
        last = end - 1 + bisect_right(left, end)
    return first, last + 1


def _holds(values: list[int], value: int) -> bool:
    at = bisect_left(values, value)
    return at < len(values) and values[at] == value


def _written(text: str, gaps: _Gaps, start: int, end: int) -> str:
    """A span of the drawn text as the text writes it, without format characters:
    a name typed decomposed is masked as typed (``Le`` and a circumflex: ``L**``)."""
    return _unformatted(text[slice(*_written_span(gaps, start, end))])


def _unformatted(text: str) -> str:
    """``text`` without the characters :func:`_drawn` leaves out."""
    return _KEYCAP.sub("", _FORMAT.sub("", text))


def _mask_literals(text: str, literals: frozenset[str]) -> str:
    """Each literal masked wherever it occurs, in any letter case and width: a name
    written in capitals (``THOMPSON`` in a letter or a form) is the same name, and
    a room typed by a Chinese IME in full-width mode (``３栋１２０２室``, ``3－1202``)
    the same room (PRV-1); so is one with another dash or other spaces
    (:func:`_spelling`).  Both sides are read folded as phones are (one
    character for one), so what is masked is the text as written.  Rooms are
    found by :func:`_room_spans` (no pattern to compile for them), the others by
    one pattern per complaint; where two found share characters, they are
    masked as one run (neither shows a part of the other)."""
    found = _literal_spans(text, literals)
    if found is None:
        return text
    drawn, gaps, spans = found
    if not gaps.marks:
        return _replaced(text, gaps, ((s, e, _masked(drawn[s:e])) for s, e in spans))
    return _replaced(text, gaps, ((s, e, _masked(_written(text, gaps, s, e))) for s, e in spans))


def _literal_spans(
    text: str, literals: frozenset[str]
) -> tuple[str, _Gaps, list[tuple[int, int]]] | None:
    """Where :func:`_mask_literals` masks ``text``: the text as drawn, where its
    format characters were, and the spans of the drawn text (ascending, not
    overlapping, not empty); None: nowhere."""
    if not literals:
        return None
    literals = _may_occur(text, literals)
    if not literals:  # most messages name no one: no pattern to compile
        return None
    rooms = [room for literal in literals if (room := _room_literal(literal)) is not None]
    others = literals.difference(room.literal for room in rooms) if rooms else literals
    # a value with a room in it (华府3栋1202室) is matched as spelt too, where it may
    # occur so (no pattern compiled for a text that writes its room alone)
    spelt = [room.literal for room in rooms if not room.whole]
    if spelt:
        others |= _may_occur(text, frozenset(spelt), _spelt)
    pattern, wide, digits = None, frozenset[str](), False
    if others:
        # a text without spaces (most Chinese text) or line breaks (most lines) needs
        # no pattern that allows them: fewer parts to compile, the same matches
        spaced = 2 if _BROKEN.search(text) else 1 if _SPACED.search(text) else 0
        pattern, wide, digits = _literals(others, spaced)
        if pattern is None and not rooms:
            return None
    # folding costs a callback per full-width "，" of Chinese text: only a text with
    # a character that folds into a literal's is read folded (the same matches)
    folds = (
        not wide.isdisjoint(text)
        or any(not room.wide.isdisjoint(text) for room in rooms)
        or (rooms and not _ROOM_WORDS_WIDE.isdisjoint(text))
        or ((digits or rooms) and (_OTHER_DECIMAL.search(text) or _OTHER_DIGIT.search(text)))
    )
    drawn, gaps, folded = _reading(text, _FOLD_ALL if folds else None, plain=True)
    spans = _every_match(pattern, folded) if pattern else []
    if rooms:
        forms = [room.form for room in rooms]
        dashed = [room.form for room in rooms if room.dashed]
        read = _names_read(room_basements(room_floors(folded)), others)
        spans += _room_spans(read, forms, dashed)
    spans = _joined(spans)
    return (drawn, gaps, spans) if spans else None


def _names_read(text: str, literals: Iterable[str]) -> str:
    """``text`` as rooms are read in it, one character for one: where it writes a
    stored Chinese name whose surname is also a measure (``张伟``, ``米兰``), the
    surname read as no measure, so a flat written right before the name
    (``3栋2单元，1201张伟家``) is the flat, not a count (review s58RR1 F02)."""
    for name in literals:
        if name[:1] in _ROOM_MEASURE_CHARS and _HAN_NAME.fullmatch(name) and name in text:
            text = text.replace(name, _NAME_READ + name[1:])
    return text


def _every_match(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where ``pattern`` matches ``text``, from every place a match starts, not only
    after the last one ended: a value overlapping itself (``abab`` twice in
    ``ababab``) or two sharing characters (``王小明`` and ``明华`` in ``王小明华``)
    are each found, whichever others are given (review s49K F02), and
    :func:`_joined` masks them as one run.  Each place is tried once, as
    ``finditer`` tries those it reaches: the cost stays in proportion to the text."""
    spans: list[tuple[int, int]] = []
    match = pattern.search(text)
    while match is not None:
        start, end = match.span()
        if end > start:
            spans.append((start, end))
        match = pattern.search(text, start + 1)
    return spans


_LINE_BREAK = re.compile(f"[{_BREAKS}]")


def _masked(written: str) -> str:
    """A literal found in the text masked (:func:`~complaintcore.core.models.mask`) as
    it would be written on one line, its line breaks kept where they stand: a room
    or name pasted over two lines is masked as one, and the text keeps its lines
    (review s49B F03)."""
    if not _LINE_BREAK.search(written):
        return mask(written)
    masked = iter(mask(_LINE_BREAK.sub("", written)))
    return "".join(char if char in _BREAKS else next(masked) for char in written)


def _joined(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, those that overlap made one (a room and a name sharing
    characters are masked as one run: neither shows a part of the other)."""
    if len(spans) < 2:
        return spans
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _mask_numbers(text: str, numeric: frozenset[str]) -> str:
    """The phones masked (:data:`_PHONE`) and the literals of digits without
    letters (``numeric``).

    A literal of digits is masked after the phones (one inside a phone, ``302`` in
    ``139 3021 5678``, would split it into groups too short to read as one), but
    a room of digits and dashes (``3-2-1201``, ``105-1201``: one
    :func:`_room_literal` reads) is found with them, in the same reading of the
    text: masked after them, it lost the digits a phone took from it
    (``3栋2单元120113812345678``: fifteen digits read as one number, ``3栋2单元``
    left showing; review s49B F01).  Where a phone and rooms share characters
    (:func:`_settled`): a phone holding the rooms found in it is masked as the
    phone, as before (``105-1201``, a phone of seven digits, review s48M F04);
    rooms (and mobiles glued to them) holding the phone are each masked as
    found; else the run is masked as one.  A literal of digits alone shorter
    than a phone (a room ``11``, ``302``) is masked where it is a number of its
    own (:func:`_mask_digits`)."""
    short = frozenset(v for v in numeric if len(v) < _MIN_PHONE_DIGITS and _fold_digits(v))
    phones = (
        _news(_PHONE, text, _FOLD_BUT_LETTERS, _mask_phone) if _ANY_DIGIT.search(text) else None
    )
    if phones is None or not phones[2]:  # no phone: nothing to find together
        return _mask_digits(_mask_literals(text, numeric - short), short)
    rooms = frozenset(v for v in numeric if _room_literal(v) is not None) if numeric else numeric
    found = _literal_spans(text, rooms)
    if found is None:
        text = _replaced(text, phones[1], phones[2])
    else:
        drawn, gaps, spans = found
        text = _replaced(text, gaps, _settled(drawn, phones[2], spans))
    # the others as before, where they still occur: no pattern for a phone masked
    return _mask_digits(_mask_literals(text, numeric - rooms - short), short)


def _fold_digits(literal: str) -> bool:
    """Whether ``literal`` is digits alone, of any script (``11``, ``３０２``)."""
    return all("0" <= c <= "9" for c in _fold(literal, _FOLD_ALL))


# Where a literal of digits of one or two characters (a room ``11``, ``7B`` aside:
# digits alone) is no number of its own (review s50D F02), only the unmistakable
# shapes of a date, a time, a decimal, an IP address or an id (review s50Q F01):
# a date joined by dashes, dots or slashes with its year (2025-11-14, 2025.11,
# 14/11/2025; a year 1900-2099), a month and a day joined by a slash (11/21), a
# time (11:00, 9:00:30), a decimal (12.5), an IP address (192.168.1.12), an id
# with a date stamp (C-20251114-0001, I-C-20251114-209d9c001ced2bbf,
# file_20251114_0001), a Chinese date of a month and its day or a year and its
# month (11月21日, 2025年11月) and a Chinese time of an hour and its minutes
# (11点30分, 11时30, 11点半, 30分15秒).  A number with a word after it is no
# such shape: 12点漏水 (the room, or a time?), 12时常, 12元, 12% are masked,
# as a number a word of a date starts (时常 "often", 日夜, 月底, 分摊) is still the
# room.  Every run starts where no digit stands before it, and its length is
# bounded but for an id's and a decimal's, read once (possessive): one scan.
# (two digits tried before one: the shape must end where its number ends)
_A_YEAR = "(?:19|20)[0-9]{2}"
_A_MONTH = "(?:1[0-2]|0?[1-9])"
_A_DAY = "(?:[12][0-9]|3[01]|0?[1-9])"
_AN_HOUR = "(?:2[0-4]|[01]?[0-9])"
_A_MINUTE = "[0-5][0-9]"
_OCTET = "[0-9]{1,3}+"
# an id with a date stamp: letters, then a stamp of eight digits, then its number
_AN_ID = r"(?<![0-9A-Za-z])[A-Za-z]++(?:-[A-Za-z]++)*+[-_][0-9]{8}[-_][0-9A-Za-z]++"
# The English shapes of the same (review s54R4 F03: a flat "Flat 14" blanked "by 14
# Nov", "£14", "Section 14" and "within 14 days" in every masked text): a day
# before or after a month's name or its abbreviation (14 Nov, 14th of November,
# Nov 14), a day with its ordinal ending (14th), a date of two-digit year
# (14/11/25), an hour before am, pm or o'clock (10am, 10.30 pm, 3 o'clock), an
# amount after a currency sign (£14, €3, $11.50), a number after a word of a
# statute or code (Section 14, s.14, para 3, clause 11, Code 5) and a number of
# days, weeks, months or years (14 days, 10 working days).
_A_MONTH_NAME = (
    "(?<![A-Za-z])(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    "|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![A-Za-z])"
)
_AN_ORDINAL = "(?i:st|nd|rd|th)(?![A-Za-z])"
# Those led by a digit, and those led by a word (a month's name, a statute's).
_ENGLISH_SHAPES = (
    rf"|{_A_DAY}(?:{_AN_ORDINAL})? ?(?i:of )?{_A_MONTH_NAME}"
    rf"|{_A_DAY}{_AN_ORDINAL}"
    rf"|{_AN_HOUR}(?:[.:]{_A_MINUTE})? ?(?:(?i:[ap]\.?m)(?![A-Za-z])|o['\u2019]clock)"
    r"|(?<=[£€$])[0-9]++(?:[.,][0-9]++)*+"
    r"|[0-9]++ (?i:(?:working |calendar |business )?(?:days?|weeks?|months?|years?))"
    r"(?![A-Za-z])"
)
_ENGLISH_WORD_SHAPES = (
    rf"{_A_MONTH_NAME}\.? ?{_A_DAY}(?:{_AN_ORDINAL})?"
    r"|(?i:sections?|ss?\.|para(?:graph)?s?\.?|clauses?|codes?|articles?"
    r"|art\.|regulations?|regs?\.|rules?|schedules?|sch\.) ?[0-9]++[A-Za-z]?"
)
# The shapes led by a digit are tried only where a digit stands, those led by a
# word only where a word starts: no place can start both, so the matches are
# those of one alternation in any order, and a letter inside a word of English
# text costs two lookarounds, not one per shape (review s54R4: the English
# shapes made the scan of an English text twice as slow).
_A_SHAPE = re.compile(
    rf"(?<![0-9])(?<![0-9][./:])(?:(?=[0-9])(?:"
    rf"{_OCTET}(?:\.{_OCTET}){{3}}"
    rf"|{_A_YEAR}(?P<ys>[-./]){_A_MONTH}(?:(?P=ys){_A_DAY})?"
    rf"|{_A_DAY}(?P<ds>[-./]){_A_MONTH}(?P=ds)(?:{_A_YEAR}|[0-9]{{2}})"
    rf"{_ENGLISH_SHAPES}"
    rf"|{_AN_HOUR}:{_A_MINUTE}(?::{_A_MINUTE})?"
    rf"|{_A_MONTH}/{_A_DAY}"
    r"|[0-9]++\.[0-9]++"
    rf"|(?:{_A_YEAR} ?年 ?)?{_A_MONTH} ?月 ?{_A_DAY} ?[日号]|{_A_YEAR} ?年 ?{_A_MONTH} ?月"
    rf"|{_AN_HOUR} ?[点时] ?(?:{_A_MINUTE} ?分?|[0-9] ?分|半)|{_A_MINUTE} ?分 ?{_A_MINUTE} ?秒"
    rf")|(?<![A-Za-z])(?:{_ENGLISH_WORD_SHAPES})"
    r")(?![0-9]|[./:][0-9])"
    rf"|{_AN_ID}"
)
_AN_ID_SPAN = re.compile(_AN_ID)
# digits alone this long or shorter may be a month, a day, an hour or a minute
_SHORTEST = 2


def _mask_digits(text: str, literals: frozenset[str]) -> str:
    """Each literal of digits alone shorter than a phone (a room ``11``, ``302``,
    ``1201``) masked where it is a number of its own: no digit glued to it on
    either side (``110``, ``3020`` are other numbers), whatever word or mark
    follows it (``1201时常``, ``1201/1202``, ``1201元``: review s50Q F01).  A
    literal of one or two digits, which months, days, hours and minutes are
    written with, is left readable inside the unmistakable shape of a date, a
    time, a decimal, an IP address or an id (:data:`_A_SHAPE`), whose digits it
    would blank in every text (review s50D F02); a longer one only inside an id
    where a letter is glued to it (``209`` of ``C-20251114-209d9c…``: no number
    of its own).  Elsewhere it is masked as :func:`_mask_literals` masks it, in
    any width and script: ``住11``, ``3-2-1201`` (a building and a unit before
    the room ``1201``), ``Room 12:``."""
    found = _literal_spans(text, literals)
    if found is None:
        return text
    drawn, gaps, spans = found
    read = _fold(drawn, _FOLD_ALL)
    if _UNPLAIN.search(read):
        read = read.translate(_PLAIN)
    shapes = [m.span() for m in _A_SHAPE.finditer(read)]  # ascending, apart
    ids = [m.span() for m in _AN_ID_SPAN.finditer(read)]
    news = [
        (start, end, _masked(drawn[start:end]))
        for start, end in spans
        if not (start > 0 and "0" <= read[start - 1] <= "9")
        and not (end < len(read) and "0" <= read[end] <= "9")
        and not (
            _inside(start, end, shapes) and not _after_room_word(read, start)
            if end - start <= _SHORTEST
            else _glued_letter(read, start, end) and _inside(start, end, ids)
        )
    ]
    return _replaced(text, gaps, news) if news else text


# A word that names a room, right before a number (up to three spaces, a colon or
# a "#" between): Flat, Rm, Room (a word of its own, any case, perhaps with a
# full stop), 室, 房, 房号, 房间.  The number after it is a room, whatever shape it
# makes with what follows: "Flat 12/3" is flat 12, not the 12th of March (review
# s51A F04).  室 and 房 alone are a word of their own only where no Chinese
# character stands before them, as Flat and Room only where no letter does:
# 办公室, 会议室, 配电房, 水泵房 (office, meeting room, switch room, pump room) are
# no room word before a flat ("配电房7月3日停电", review s51R13 F02); 房号 and
# 房间 are one wherever they stand.
_CJK_BEFORE = "(?<![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
_ROOM_CUE_WORD = rf"(?<![A-Za-z])(?i:flat|rm|room)\.?|房[号间]|{_CJK_BEFORE}[室房]"
_ROOM_CUE = re.compile(rf"(?:{_ROOM_CUE_WORD})[ :#]{{0,3}}+\Z")
_ROOM_CUE_REACH = 10  # the longest cue: "Room." and three marks
# the same in a text as written (a one-character room is found there): any space,
# a full-width colon or "#"
_ROOM_CUE_WRITTEN = rf"(?:{_ROOM_CUE_WORD})(?:{_SPACE}|[:：#＃]){{0,3}}+"


def _after_room_word(read: str, start: int) -> bool:
    """Whether a room word (:data:`_ROOM_CUE`) stands right before ``start`` in
    ``read`` (the text folded and plain: a full-width colon or "#" read as ASCII)."""
    return _ROOM_CUE.search(read, max(0, start - _ROOM_CUE_REACH), start) is not None


def _glued_letter(read: str, start: int, end: int) -> bool:
    """Whether an ASCII letter stands right before ``start`` or at ``end``."""
    return (start > 0 and read[start - 1].isascii() and read[start - 1].isalpha()) or (
        end < len(read) and read[end].isascii() and read[end].isalpha()
    )


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``start`` to ``end`` lies inside one of ``spans`` (ascending, not
    overlapping): one search, not one per span."""
    at = bisect_right(spans, start, key=lambda span: span[0]) - 1
    return at >= 0 and end <= spans[at][1]


def _settled(
    drawn: str, phones: list[tuple[int, int, str]], spans: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """Phones (spans of ``drawn`` with their masks) and literals found (spans) as
    one list of replacements (ascending, not overlapping): those sharing
    characters with no other stand as they are; of a run of them that do, the
    phones if each literal is inside one of them, else the literals if they
    cover each phone (adjacent ones together), else the run masked as one."""
    found = sorted([*((s, e, "") for s, e in spans), *phones])  # "": a literal
    news: list[tuple[int, int, str]] = []
    at, count = 0, len(found)
    while at < count:
        start, end, new = found[at]
        at += 1
        if at == count or found[at][0] >= end:  # alone: most are
            news.append((start, end, new or _masked(drawn[start:end])))
            continue
        run = [(start, end, new)]
        while at < count and found[at][0] < end:
            run.append(found[at])
            end = max(end, found[at][1])
            at += 1
        numbers = [(s, e, new) for s, e, new in run if new]
        literals = [(s, e) for s, e, new in run if not new]
        if numbers and literals:
            if all(any(p <= s and e <= q for p, q, _ in numbers) for s, e in literals):
                literals = []
            elif all(_covered(p, q, literals) for p, q, _ in numbers):
                numbers = []
            else:
                news.append((start, end, _masked(drawn[start:end])))
                continue
        news += numbers
        news += ((s, e, _masked(drawn[s:e])) for s, e in literals)
    return news


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``spans`` (ascending, not overlapping) cover ``start`` to ``end``."""
    for s, e in spans:
        if s <= start < e:
            start = e
    return start >= end


_OTHER_DECIMAL = re.compile(r"[^\D0-9]")  # a decimal digit of another script (٣, ३, 𝟑)
_OTHER_DIGIT = re.compile(f"[{_OTHER_DIGITS}]")  # a circled or parenthesised digit (①, ⑴)


def _may_occur(
    text: str,
    literals: frozenset[str],
    clues: Callable[[str], tuple[tuple[str, ...], bool, str]] | None = None,
) -> frozenset[str]:
    """The literals that may occur in ``text`` as :func:`_mask_literals` reads it.

    Each complaint's names and rooms are new to the pattern cache, and compiling a
    pattern costs more than most messages take to mask; one that cannot occur is
    left out first.  A room (:func:`_room`: ``3-2-1201``, ``3栋2单元1201室``,
    ``A座1201``) occurs only with each run of digits of its groups (``3``, ``2``,
    ``1201``) in the text as drawn or folded, whatever words or dashes join them
    and in whatever case its letter is; another literal without cased letters
    (``王小明``) only with each of its pieces (:func:`_pieces`); any other holds
    ASCII digits and caseless
    characters, dashes and spaces aside, that every match holds too (no other
    character equals one of those, in any case: ``IGNORECASE`` pairs only cased
    ones, and folding makes only ASCII).  ``clues``: each literal's, prepared
    (:class:`Literals`); by default :func:`_clues`."""
    clues = clues or _clues
    drawn: str | None = None
    folded: str | None = None
    other_digits: bool | None = None
    live: list[str] = []
    for literal in literals:
        pieces, by_pieces, anchors = clues(literal)
        if by_pieces:
            if drawn is None:
                drawn = _drawn(text)[0]
            missing = [piece for piece in pieces if piece not in drawn]
            if missing:
                if folded is None:
                    folded = _fold(drawn, _FOLD_ALL)
                if any(piece not in folded for piece in missing):
                    continue
            live.append(literal)
            continue
        for anchor in anchors:
            if anchor in text:
                continue
            if anchor <= "9":  # an ASCII digit: its full-width form, another script's
                if chr(ord(anchor) + 0xFEE0) in text:
                    continue
                if other_digits is None:
                    other_digits = bool(_OTHER_DECIMAL.search(text) or _OTHER_DIGIT.search(text))
                if other_digits:
                    continue
            break  # a character every match holds is not in the text
        else:
            live.append(literal)
    return literals if len(live) == len(literals) else frozenset(live)


def _caseless(char: str) -> bool:
    return char.lower() == char == char.upper() and char.casefold() == char


@functools.lru_cache(maxsize=1024)
def _clues(literal: str) -> tuple[tuple[str, ...], bool, str]:
    """A literal as :func:`_may_occur` looks for it: whether it is looked for by its
    pieces, folded -- a room's runs of digits (its words and letters may be
    written otherwise), a caseless literal's :func:`_pieces` -- and if not, its
    ASCII digits and caseless non-ASCII characters but dashes, spaces and name
    dots (a match may hold others in their place)."""
    itself = _fold(literal, _FOLD_ALL).translate(_PLAIN)
    # a room: every form holds its digits, not its words or its letters' case (a
    # phone shaped like one is looked for by its digits too: its pieces); so does
    # a value with a room in it (华府3栋1202室), and so does the value as spelt
    # 3栋B1F-01 is a room (review s52R11 F02), and so is 3栋地下一层01号 (s53R1 F04)
    # (地下一层01号 is read " b1层01号", a space for each character of 地下 but one:
    # the room starts at its b, review s53R8 F02 -- its clues were the literal's own)
    read = room_basements(room_floors(itself)).strip(" ")
    digits = room_digits(read)
    if digits is not None:
        # a basement's number may be written in a numeral (负二层): no clue
        for number in _BASEMENT_NUMBER.findall(read):
            digits = _without(digits, number)
    if digits is None and _ROOM_JOIN_CHAR.search(itself):
        part = room_part(itself)
        digits = None if part is None else room_digits(part)
    if digits is not None:
        return digits, True, ""
    return _spelt.__wrapped__(literal)


# a basement floor's number in a literal read so (:func:`_clues`): the 2 of B2层
_BASEMENT_NUMBER = re.compile(f"(?<![0-9A-Za-z])[Bb]([0-9]++) *+{FLOOR}")


def _without(digits: tuple[str, ...], number: str) -> tuple[str, ...]:
    """``digits`` without the first run equal to ``number``."""
    at = digits.index(number)
    return digits[:at] + digits[at + 1 :]


@functools.lru_cache(maxsize=1024)
def _spelt(literal: str) -> tuple[tuple[str, ...], bool, str]:
    """A literal as :func:`_may_occur` looks for it as it is spelt, a room in it
    aside: a caseless literal by its :func:`_pieces`, any other by its ASCII
    digits and caseless non-ASCII characters but dashes, spaces and name dots."""
    itself = _fold(literal, _FOLD_ALL).translate(_PLAIN)
    if all(map(_caseless, itself)):
        return _pieces(itself), True, ""
    anchors = {
        c
        for c in itself
        if "0" <= c <= "9" or (not c.isascii() and _caseless(c) and c not in _NAME_DOTS)
    }
    return (), False, "".join(sorted(anchors))


# --------------------------------------------------------------------------- spellings of a literal

# A stored room or name is the same when written with another dash (``3–1202``,
# ``3−1202`` for ``3-1202``), other spaces where it has one (a no-break space,
# ``margaret  thompson``, or over one line break), or spaces a person or an IME puts
# between Chinese characters and digits or letters (``3 栋 1202 室``, ``王 小明``)
# and round a dash (``3 - 1202``), one line break among them (``王小`` / ``明``
# pasted over two lines).  Never between two digits or two letters of a
# spaced script: ``12 02`` is no room ``1202`` and ``Thom pson`` no name.
_SPACE_CHARS = frozenset(SPACES)  # a test checks they are _SPACE's (as a room key's)
_DASH_CHARS = frozenset(_DASH.replace("\\-", "-") + "\uff0d")  # "－" when the text is not folded
# Both the literals and the text are read with every space " " and every dash "-"
# (one character for one, so what is masked is the text as written): a class of
# characters above U+00FF costs the ``re`` module a 64 KiB table to compile, and a
# complaint's pattern would hold one per place a space may go.
# A carriage return is read as a space, so "\r\n" is one line break; every other
# line break (U+2028, U+2029 ...: _BREAKS) as "\n" (review s51R13 F04).
_PLAIN = {ord(c): " " for c in _SPACE_CHARS - {" "} | {"\r"}}
_PLAIN |= {ord(c): "-" for c in _DASH_CHARS - {"-"}}
_PLAIN |= {ord(c): "\n" for c in _BREAKS[2:]}
# An apostrophe is typed as any of these (a phone, a word processor or a web editor
# turns "'" into U+2019 as one types; other keyboards give U+2018, U+02BC, U+00B4,
# "`" or U+2032): "O\u2019Neill" is the name stored as "O'Neill", and the other way round,
# as a name's dash is any dash (review s54R4 F01).  The full-width U+FF07 folds.
_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"
_PLAIN |= {ord(c): "'" for c in _APOSTROPHES}
_SPACED = re.compile(rf"{_SPACE}|[{_BREAKS}]")
_BROKEN = re.compile(f"[{_BREAKS[1:]}]")  # a line break, "\r" aside (it is read as a space)
_UNPLAIN = re.compile("[" + "".join(map(re.escape, map(chr, sorted(_PLAIN)))) + "]")
_SPACES = " *+\n?+ *+"  # a run of spaces, one line break in it (a room's groups)
# Between the parts of a name (a literal's spaces, and where spaces may stand in
# it): one line break or a blank line, two line breaks among the spaces, as a
# person writing a message or a form's copy puts them (``Ann`` / blank / ``Lee``,
# ``张`` / blank / ``伟``: review s51A F05; one line break alone since review
# s49P F02), never more.
_LINES = " *+\n?+ *+(?:\n *+)?+"
_SPACE_RUN = f"(?=[ \n]){_LINES}"  # the same, not empty
_MAY_SPACE = " {0,3}+"  # where the literal has none
# the same in a text with line breaks: a line break or a blank line among them (a
# name or a room pasted over two lines, 王小 / 明: review s49P F02; s51A F05)
_MAY_BREAK = " {0,3}+(?:\n {0,3}+){0,2}+"
# where the literal has a space, spaces may or must stand; with line breaks or not
_GAPS = {
    (True, True): _LINES,
    (True, False): " *+",
    (False, True): _SPACE_RUN,
    (False, False): " ++",
}
# The dot between the parts of a transliterated name (阿卜杜拉·买买提, 约翰·史密斯)
# is typed as any of these by one IME or another: a literal's is any of them, or
# spaces where it stands (review s51R13 F06), as its dash is any dash.  The
# text's full stop "．" may be read folded (".") or not.
_NAME_DOTS = "\u00b7\u2022\u2027\u22c5\u30fb\uff0e\uff65"
_NAME_DOT = f"(?:[.{_NAME_DOTS}]|(?<=[ \n]))"
_GAP, _DASHED, _WIDE, _OTHER, _DOTTED = range(5)
# a literal made plain, in runs: spaces, a dash, ASCII, one other character
_RUN = re.compile(r"[ \n]+|-|[\x00-\x09\x0b-\x1f!-,.-\x7f]+|[^\x00-\x7f]")


def _runs(literal: str) -> list[tuple[int, str]]:
    """A plain literal's runs of spaces, dashes and other characters, with their kind."""
    runs = []
    for run in _RUN.findall(literal):
        if run[0] in " \n":
            runs.append((_GAP, run))
        elif run == "-":
            runs.append((_DASHED, run))
        elif run in _NAME_DOTS:  # not the full stop, which a literal reads folded
            runs.append((_DOTTED, run))
        elif run.isascii() or unicodedata.east_asian_width(run) not in "WF":
            runs.append((_OTHER, run))
        else:  # Chinese characters, kana, hangul: written without spaces
            runs.append((_WIDE, run))
    return runs


def _spelling(literal: str, spaced: int) -> str | None:
    """The pattern of a plain literal in every spelling above, for a text that holds
    (``spaced``) no space (0), spaces (1) or line breaks too (2): spaces may stand
    next to a dash or a wide character, and must where the literal has one unless
    they may (None: it cannot occur in a text without them)."""
    runs = _runs(literal)
    parts = []
    before = _GAP
    for i, (kind, chars) in enumerate(runs):
        if kind == _GAP:
            after = runs[i + 1][0] if i + 1 < len(runs) else _GAP
            loose = _loose(before, after)
            if not spaced and not loose:
                return None
            parts.append(_GAPS[loose, spaced > 1] if spaced else "")
        else:
            if spaced and _loose(before, kind):
                parts.append(_MAY_BREAK if spaced > 1 else _MAY_SPACE)
            # a dash may be written doubled ("——", what a Chinese IME types)
            if kind == _DASHED:
                parts.append("-{1,2}+")
            elif kind == _DOTTED:  # any name dot, or spaces (taken before it) alone
                parts.append(_NAME_DOT if spaced else f"[.{_NAME_DOTS}]")
            else:
                parts.append(re.escape(chars))
        before = kind
    return "".join(parts)


# ------------------------------------------------------------- a room in other address forms

# A room is the same room written with address words for its dashes or dashes for
# its words (3栋2单元1201 or 3号楼2单元1201室 for 3-2-1201, and the reverse), any
# of them between any two of its groups, perhaps with 室 or 号 after it (review
# s48H F01).  Its groups stay whole and in order: no digit glued before the first
# or after the last (13-2-1201 and 3-2-12015 are other rooms).
#
# No room has a pattern of its own (compiling one per complaint cost more than
# masking its messages): one pattern, compiled once, finds the runs of the text
# shaped like rooms -- groups of ASCII letters and digits (as the text is read:
# folded, its dashes and spaces plain) joined by a dash or one word of the list,
# spaces round it, any of them -- and each run's groups are compared with the
# rooms' in Python (:func:`_room_spans`).  The groups are read once (possessive,
# and a group starts only where a run of letters and digits starts: the
# lookbehind after its first character, so the pattern still starts with a class
# the ``re`` module scans for), and so are the spaces round a word: a run costs
# time in proportion to its length, and a near miss is never read again.
# The letters that ``IGNORECASE`` pairs with ASCII ones (the Kelvin sign, the
# long s, the dotted and dotless i) are letters of a group too, as they were to
# each room's own pattern.
_ODD_CASE = {0x212A: "k", 0x17F: "s", 0x130: "i", 0x131: "i"}
_ALNUM = "0-9A-Za-z\u0130\u0131\u017f\u212a"
# "——" is one dash; a word may have a dash after it, up to three spaces between
# them, the two one separator (3栋-2-1201, 3栋2单元-1201: review s50D F01).  After
# a building or unit word (栋 幢 座 号楼 #楼 单元) alone, a comma or 、 , and 第 or
# 的 (的第 too) before the next group, either or both (3栋2单元，1201室,
# 3栋2单元、1201, 3栋2单元第1201室, 3栋2单元的1201室: review s57R2 F03); after
# 单元 a colon or a semicolon too (3栋2单元：1201室: review s57R9 F06) -- never
# after 号, 楼, 层 (a date 3月2号，1201元, a count 5层的12个灯: review s57R9 F01),
# and never before a group that a count, an amount, a time or another building
# follows (5栋，12户, 3栋2单元，1201元, 1号楼、2号楼、3号楼): a list stays a list,
# and so does a measure, an area, a weight, a reading, a currency (3栋2单元，1201平方米,
# 1201度电, 1201kg, 1201 RMB, 1201小时, 的第1201位: review s58R1 F07).  户 is a count
# after one or two digits alone (5栋，12户): after a flat's number it is the
# household, the flat (3栋2单元，1201户, 1201户主: review s58R1 F02).
_ROOM_WORD = "|".join(map(re.escape, ROOM_WORDS))
_ROOM_BUILDING_WORDS = ("号楼", "#楼", "栋", "幢", "座")
_ROOM_PUNCT = "[,\uff0c\u3001]"
_ROOM_UNIT_PUNCT = "[,\uff0c\u3001:\uff1a;\uff1b]"
_ROOM_MEASURES = (
    *("元", "块", "个", "人", "月", "日", "点", "时", "分", "年", "次", "天"),
    *("平方米", "平米", "米", "度", "吨", "公斤", "千克", "斤", "克", "小时"),
    *("件", "位", "辆", "张", "台", "套", "袋", "箱", "瓶", "桶", "条", "只"),
    *("¥", "￥", "$", "%", "£", "€"),
)
# the measures that are common surnames too: one a title directly follows is the
# surname of the person living in the flat, no measure (3栋2单元，1201张先生,
# 5栋，12张女士, 1201米阿姨: review s58RR1 F02); 位 before a title stays a count of
# people (12位女士), and 总 is no title here (12台总计)
_ROOM_SURNAME_MEASURES = ("张", "米", "时", "元", "年")
_ROOM_TITLES_AFTER = "|".join(
    ("先生", "女士", "小姐", "太太", "阿姨", "师傅", "老师", "師傅", "老師")
)
# A measure character that starts the complainant's stored Chinese name is that
# name's surname, no measure, where the name follows a flat (3栋2单元，1201张伟家
# for 张伟: review s58RR1 F02): read as the name masked earlier, its first
# character and stars (1201张*家), or where the name is read with the room, as
# the neutral character :data:`_NAME_READ` (:func:`_names_read`).
_HAN_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_ROOM_MEASURE_CHARS = frozenset(m for m in _ROOM_MEASURES if _HAN_CHAR.fullmatch(m))
_NAME_READ = "某"
_ROOM_NOT_BEFORE = "|".join(
    re.escape(measure)
    + (
        f"(?!{_ROOM_TITLES_AFTER}|\\*)"
        if measure in _ROOM_SURNAME_MEASURES
        else "(?!\\*)"
        if measure in _ROOM_MEASURE_CHARS
        else ""
    )
    for measure in _ROOM_MEASURES
)
# units in Latin letters, read after the digits of the group they are glued to
_ROOM_NOT_BEFORE_LATIN = "|".join(("kg", "kwh", "km", "sqm", "m2", "rmb", "cny", "usd", "hkd"))
# a building or a floor after the group: a list of buildings or floors
_ROOM_LEVEL_WORDS = "|".join(map(re.escape, ("号楼", "#楼", "栋", "幢", "座", "楼", "层")))
_ROOM_NEXT = (
    f"(?={_SPACES}(?![0-9]{{1,2}}+(?![{_ALNUM}]) *+户)"
    f"(?![0-9]++ *+(?i:{_ROOM_NOT_BEFORE_LATIN})(?![A-Za-z]))"
    f"[{_ALNUM}]++(?! *+(?:{_ROOM_NOT_BEFORE}|{_ROOM_LEVEL_WORDS}|[:.：．])))"
)


def _room_punct_join(punct: str, *, ahead: bool) -> str:
    """A building or unit word's join before the next group: a dash, or ``punct``
    and 第/的 (的第), either or both, the next group then looked at (``ahead``)."""
    worded = f"(?:{punct}?+ {{0,3}}+(?:的第?+|第)|{punct})"
    return f"(?: {{0,3}}+(?:-{{1,2}}+|{worded}{_ROOM_NEXT if ahead else ''}))?+"


def _room_join(*, ahead: bool) -> str:
    """The join between two groups of a room run (:data:`_ROOM_RUN`; with the next
    group looked at) or as read between two groups found (:data:`_ROOM_TIGHT`)."""
    buildings = "|".join(map(re.escape, _ROOM_BUILDING_WORDS))
    return (
        f"(?:(?:{buildings}){_room_punct_join(_ROOM_PUNCT, ahead=ahead)}"
        f"|单元{_room_punct_join(_ROOM_UNIT_PUNCT, ahead=ahead)}"
        f"|(?:{_ROOM_WORD})(?: {{0,3}}+-{{1,2}}+)?+"
        "|-{1,2}+)"
    )


_ROOM_JOIN = _room_join(ahead=True)
_ROOM_END = f"(?:{'|'.join(ROOM_ENDS)})"
# a character every room holds one of, as given: a dash, the first of a word (the
# full-width form of an ASCII one too: the ＃ of 3＃楼)
_ROOM_WORD_FIRSTS = {word[0] for word in ROOM_WORDS}
# what a text writing a room's word in full width holds (＃): it is read folded
_ROOM_WORDS_WIDE = frozenset(
    chr(ord(c) + 0xFEE0) for word in ROOM_WORDS for c in word if c.isascii()
)
_ROOM_JOIN_CHAR = re.compile(
    "["
    + re.escape(
        "".join(
            sorted(
                _DASH_CHARS
                | _ROOM_WORD_FIRSTS
                | {chr(ord(c) + 0xFEE0) for c in _ROOM_WORD_FIRSTS if c.isascii()}
            )
        )
    )
    + "]"
)
_ROOM_GROUP = re.compile(f"[{_ALNUM}]+")
_ROOM_DASHED = re.compile(f"[{_ALNUM} -]+{_ROOM_END}?")
# a mainland mobile typed right after a room's last group ("3-2-120113812345678",
# SMS style) or right before its first ("138123456783-2-1201", review s49B F01):
# the group holds the room, the mobile is masked on its own
_GLUED_MOBILE = re.compile("1[3-9][0-9]{9}")
# a local landline (seven or eight digits, not starting 0 or 1, in 3-4 or 4-4
# groups or one) glued after a room's last group by a dash or two
# ("3-2-1201-62345678"): the phone patterns take no number right after a digit
# and a dash (ids such as C-20251114-0001 go on so), but after a room found it is
# the complainant's phone, masked apart as a glued mobile is (review s51R13 F05).
# Its length is bounded: tried once per room found.
# Its groups may be split as a phone's are (:data:`_SEP`: "3-2-1201-6234 5678",
# an ideographic space; review s51R18 F04), the later never a date's year.
_GLUED_LOCAL = re.compile(f"-{{1,2}}+(?P<number>[2-9][0-9]{{2,3}}{_SEP}?[0-9]{{4}}){_EXTENSION}")
# a date: a year (1900-2099), a month and a day joined by single dashes
_YEAR = re.compile("(?:19|20)[0-9]{2}")
_MONTH_DAY = re.compile("([0-9]{1,2})-([0-9]{1,2})(?![0-9])")
_ROOM_RUN = re.compile(
    f"[{_ALNUM}](?<![{_ALNUM}].)[{_ALNUM}]*+(?:{_SPACES}{_ROOM_JOIN}{_SPACES}[{_ALNUM}]++)+"
)
# a building written as the building field writes it in English and its group,
# with spaces after it, before a room's next group: Block 3 2单元1201 (review s50H
# F03): the spaces one separator, as a word's
_ROOM_HEAD = re.compile(
    f"(?<![{_ALNUM}])(?i:{'|'.join(BUILDING_NAMES)})(?:\\. {{0,3}}+| {{1,3}}+|(?=[0-9]))"
    f"([{_ALNUM}]++) {{1,3}}+(?=[{_ALNUM}])"
)
_ROOM_LED = re.compile(f" *+(?:(?i:{'|'.join(BUILDING_NAMES)})|第)")
# between two groups where the room has no space: up to three spaces round the
# dash or word, and perhaps one line break before or after it, up to three spaces
# round that (a room pasted from a form over two lines, review s49B F03)
_ROOM_LINE = " {0,3}+(?:\n {0,3}+)?+"
_ROOM_JOIN_READ = _room_join(ahead=False)
_ROOM_TIGHT = re.compile(
    f"{_ROOM_LINE}{_ROOM_JOIN_READ} {{0,3}}+| {{0,3}}+{_ROOM_JOIN_READ}{_ROOM_LINE}"
)
# a 室 or 号 after the last group, taken with it: spaces before it as between
# the room's groups (any, over one line break, where the room has a space there)
_ROOM_TAIL = {False: re.compile(f" {{0,3}}+{_ROOM_END}"), True: re.compile(f"{_SPACES}{_ROOM_END}")}


# A phone a room-shaped literal may be: digits joined by dashes alone, either a
# mainland mobile (138-1234-5678) or an area code (0 and two or three digits) and
# a subscriber's seven or eight digits (010-62345678, 0755-8888-6666).
_PHONE_SHAPED = re.compile(
    " *+(?:1(?: *+- *+)?+[3-9](?:(?: *+- *+)?+[0-9]){9}"
    "|0[0-9]{2,3}+(?=(?: *+- *+[0-9]++)++ *+$)(?:(?: *+- *+)?+[0-9]){7,8}) *+"
)


def _room(literal: str) -> RoomForm | None:
    """A plain literal read as a room (:func:`~complaintcore.core.room_forms.room_form`),
    its groups in lower case, unless it is a phone number written with dashes
    that :func:`redact` masks by itself (a mobile ``138-1234-5678``, a landline
    with its area code ``010-62345678``): a phone is matched as it is spelt, as
    before.  Other digits joined by dashes are a room (``105-1201``: building
    105, room 1201), though a phone pattern would take their seven digits
    (review s48M F04)."""
    room = room_form(literal)
    if room is None:
        return None
    if _PHONE_SHAPED.fullmatch(literal):
        phone = _PHONE.fullmatch(literal)
        if phone is not None and _mask_phone(phone, literal) is not None:
            return None
    lower = tuple(group.lower() for group in room.groups)  # ASCII: one for one
    return room if lower == room.groups else RoomForm(lower, room.spaced)


@attrs.frozen
class _Room:
    """A literal that is or holds a room: as given, its room's form (:func:`_room`),
    the full-width forms of its letters in either case (a text holding one is read
    folded; one holding a full-width digit is, as it holds another script's
    digit), and whether the room is the whole literal (else it is also matched
    as spelt: ``华府3栋1202室`` with its estate's name)."""

    literal: str
    form: RoomForm
    wide: frozenset[str]
    dashed: bool  # its groups joined by dashes alone (3-2-1201, not 3栋2单元1201)
    whole: bool = True


@functools.lru_cache(maxsize=1024)
def _room_literal(literal: str) -> _Room | None:
    """A literal (drawn, without the spaces round it) read as a room, once, or the
    room in it (:func:`~complaintcore.core.room_forms.room_part`: ``3栋1202室`` in
    ``华府3栋1202室``, review s49B F02); one with no dash and no word of a room (a
    name, a phone) is none at a glance."""
    if _ROOM_JOIN_CHAR.search(literal) is None and _ROOM_LED.match(literal) is None:
        return None
    plain = room_basements(room_floors(building_led(_fold(literal, _FOLD_ALL).translate(_PLAIN))))
    part: str | None = plain
    form = _room(plain)
    if form is None and room_form(room_glued(plain)) is not None:
        # a room whose flat's letter is spaced (3栋502 a): matched as spelt (bounded,
        # :func:`_bounded`), not as the room 3栋502 before its letter (review s52R7 F02)
        return None
    if form is None:  # no room as a whole (or a phone): one in it?
        part = room_part(plain)
        form = None if part is None or part == plain else _room(part)
    if part is None or form is None:
        return None
    letters = {c for group in form.groups for c in group if not c.isdigit()}
    wide = frozenset(chr(ord(b) + 0xFEE0) for a in letters for b in (a, a.upper()))
    dashed = _ROOM_DASHED.fullmatch(part) is not None
    return _Room(literal, form, wide, dashed, part == plain)


# a doubled dash ("——", a Chinese IME's Shift+"-"), one dash as a text's room reads it
_DOUBLED_DASH = re.compile("(?<!-)--(?!-)")


def room_address(room: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The groups of a stored room (in lower case) as masking reads the room in a
    text, whatever address form it was typed in, and the level each group before
    the last names (:func:`~complaintcore.core.room_forms.room_levels`):
    ``3-2-1201``, ``3栋2单元1201室``, ``3号楼2单元1201``, ``３－２－１２０１``,
    ``3——2——1201`` and ``3 - 2 - 1201室`` are all ``("3", "2", "1201")`` of a
    building and a unit; ``A座1201`` is ``("a", "1201")`` of a building, and
    ``3单元1201`` ``("3", "1201")`` of a unit (IMP-3 matches rooms by them, reviews
    s49A F01, s49Q F02).  None for a room in none of those forms (one number, an
    estate's name before it, a phone written with dashes).  Masking reads the
    groups alone, whatever their levels.  Not kept:
    :func:`~complaintcore.core.concentration.room_match` keeps what it reads."""
    drawn = _drawn(room)[0].strip()
    if _ROOM_JOIN_CHAR.search(drawn) is None and _ROOM_LED.match(drawn) is None:
        return None
    plain = building_led(_DOUBLED_DASH.sub("-", _fold(drawn, _FOLD_ALL).translate(_PLAIN)))
    form = _room(plain)
    levels = None if form is None else room_levels(plain)
    return None if form is None or levels is None else (form.groups, levels)


def _room_spans(
    text: str, rooms: Collection[RoomForm], dashed: Collection[RoomForm] = ()
) -> list[tuple[int, int]]:
    """Where ``text`` (folded, made plain) writes one of ``rooms`` (:func:`_room`), each
    place once, perhaps overlapping (:func:`_joined` joins them): in a run of
    :data:`_ROOM_RUN`, a room's groups in order, whole -- those between its first
    and last equal, the first perhaps after letters or digits and the last
    perhaps before them, but never a digit beside a digit of theirs (``B3-1201``,
    ``3-1201B`` hold ``3-1201``, ``BA座1201`` holds ``A座1201``; ``13-2-1201`` and
    ``3-2-12015`` do not hold ``3-2-1201``: :func:`_glued`) -- up to
    three spaces round a dash or word where the room has none (and one line
    break before or after it), and a 室 or 号 after the last taken with it.  A
    mainland mobile glued after the last group (``3-2-120113812345678``) or
    before the first (``138123456783-2-1201``) does not make it another room:
    it is masked apart.  A room of two groups of digits is not the month and day
    of a date (``2025-5-12``, ``14-11-2025``) unless it is one of ``dashed``:
    stored with dashes alone, as the date writes it (review s48M F02, F03)."""
    spans: list[tuple[int, int]] = []
    for found, tight in _room_runs(text):
        groups = [g.group().translate(_ODD_CASE).lower() for g in found]
        cut: list[_Cut] = []  # rooms found sharing a group with another (review s51A F03)
        for room in rooms:
            first, *_, last = room.groups
            inner = list(room.groups[1:-1])
            size = len(room.groups)
            for at in range(len(groups) - size + 1):
                head, tail = groups[at], groups[at + size - 1]
                whole_head = _glued(head, first, first=True)
                whole_tail = _glued(tail, last, first=False)
                spaced_end = (
                    None
                    if whole_tail or not last.startswith(tail)
                    else _spaced_tail(text, found[at + size - 1].end(), tail, last)
                )
                if not (
                    (whole_head or head.endswith(first))
                    and (whole_tail or tail.startswith(last) or spaced_end is not None)
                    and groups[at + 1 : at + size - 1] == inner
                ) or (size == 2 and room not in dashed and _dated(text, found, at)):
                    continue
                if _floors_read(text, found, at, size, first, last):
                    continue
                for k, wide in enumerate(room.spaced[:-1], at + 1):
                    if not wide and tight[k] is None:
                        sep = (found[k - 1].end(), found[k].start())
                        tight[k] = _ROOM_TIGHT.fullmatch(text, *sep) is not None
                    if not (wide or tight[k]):
                        break
                else:
                    end = found[at + size - 1].start() + len(last)
                    start = found[at].end() - len(first)
                    at_end = end  # where a digit glued on would start
                    mobiles = []
                    if spaced_end is not None:  # its letter or digits after spaces
                        after = _ROOM_TAIL[room.spaced[-1]].match(text, spaced_end)
                        end = after.end() if after else spaced_end
                        whole_tail = True
                    elif end == found[at + size - 1].end():
                        after = _ROOM_TAIL[room.spaced[-1]].match(text, end)
                        end = after.end() if after else end
                        if (local := _GLUED_LOCAL.match(text, end)) is not None:
                            mobiles.append(local.span("number"))
                    elif _GLUED_MOBILE.fullmatch(text, end, found[at + size - 1].end()):
                        mobiles.append((end, found[at + size - 1].end()))
                    if _GLUED_MOBILE.fullmatch(text, found[at].start(), start):
                        mobiles.append((found[at].start(), start))
                    if whole_head and whole_tail:
                        spans += (*mobiles, (start, end))
                    else:  # a digit glued on: another room's group, or another number
                        cut.append(
                            _Cut(start, end, at_end, not whole_head, not whole_tail, mobiles)
                        )
        if cut:
            spans += _back_to_back(cut)
    return spans


@attrs.frozen
class _Cut:
    """A room found in a run whose first group has a digit glued before it
    (``cut_head``) or whose last has one glued after it (``cut_tail``), not a
    mainland mobile's (:func:`_glued`)."""

    start: int
    end: int  # with a 室 or 号 after it
    last_end: int  # where its last group ends: a digit glued on starts there
    cut_head: bool
    cut_tail: bool
    mobiles: list[tuple[int, int]]  # a mobile glued on where it is not cut


def _back_to_back(found: list[_Cut]) -> list[tuple[int, int]]:
    """The rooms of ``found`` written back to back with another room, no space
    between (``3-2-12013-2-1201``: ``3-2-1201`` twice, the group ``12013`` the
    last of one and the first of the next; review s51A F03): each room whose
    every glued digit starts or ends another room found so, both kept.  A digit
    glued on that starts or ends no such room makes another number, as before
    (``13-2-1201``, ``3-2-12015``).  Each room is dropped once at most, its
    neighbours looked at again then: time in proportion to the rooms found."""
    ends: dict[int, list[int]] = {}  # where a room with a digit glued after it ends
    starts: dict[int, list[int]] = {}  # where one with a digit glued before it starts
    for i, room in enumerate(found):
        if room.cut_tail:
            ends.setdefault(room.last_end, []).append(i)
        if room.cut_head:
            starts.setdefault(room.start, []).append(i)
    kept = [True] * len(found)

    def alone(i: int) -> bool:
        room = found[i]
        return (room.cut_head and not any(kept[j] for j in ends.get(room.start, ()))) or (
            room.cut_tail and not any(kept[j] for j in starts.get(room.last_end, ()))
        )

    waiting = list(range(len(found)))
    while waiting:
        i = waiting.pop()
        if kept[i] and alone(i):
            kept[i] = False
            waiting += ends.get(found[i].start, ()) if found[i].cut_head else ()
            waiting += starts.get(found[i].last_end, ()) if found[i].cut_tail else ()
    return [
        span
        for room, keep in zip(found, kept, strict=True)
        if keep
        for span in (*room.mobiles, (room.start, room.end))
    ]


def _room_runs(text: str) -> Iterator[tuple[list[re.Match[str]], list[bool | None]]]:
    """The runs of :data:`_ROOM_RUN` in ``text``, each as its groups and, between each
    group and the one before it, whether they are known to be joined as a room's
    groups with no space (``None``: not yet looked at).  A run after a building
    written in English (``Block 3 2单元1201``, ``Bldg. 3 1201``: :data:`_ROOM_HEAD`)
    has that building's group first, the spaces after it a separator (review s50H
    F03); such a building before a group alone (``Block 3 1201``) is a run of two."""
    heads = {
        head.end(): building
        for head in _ROOM_HEAD.finditer(text)
        if (building := _ROOM_GROUP.match(text, head.start(1))) is not None
    }
    for run in _ROOM_RUN.finditer(text):
        found = list(_ROOM_GROUP.finditer(text, run.start(), run.end()))
        tight: list[bool | None] = [None] * len(found)  # [i]: between groups i - 1 and i
        building = heads.pop(run.start(), None)
        if building is not None:
            found.insert(0, building)
            tight.insert(1, True)
        yield found, tight
    for at, building in heads.items():
        alone = _ROOM_GROUP.match(text, at)
        if alone is not None:
            yield [building, alone], [None, True]


# The words starting with 楼 or 层 that name what is round a flat, not a floor of a
# range: after a flat written as a floor (3栋5F-502楼下, 3栋5层-6楼管家) the 楼 or 层
# is the word's, so the flat is the room (review s53R1 F01; s53R8 F05).  Whole words,
# not their second character alone (review s53R8 F01: 上下道梯顶层栋面板内外前后里间体高
# also took 5楼外墙, 5层内, 5楼下水道, 5楼前, 5楼面积 for words, so 1楼-5楼外墙渗水 lost
# its range to stars).  Listed are words whose second character rarely starts a word
# that follows a floor: 楼上/楼下 (upstairs, downstairs), 楼道, 楼梯, 楼顶 (the
# corridor, stairs, roof), 楼栋, 楼宇, 楼房 (the building), 楼板 (the floor slab),
# 楼管, 楼长, 楼主 (the building's steward, head, owner), 层高 (a storey's height).
# Left out, as their second character starts a word as often after a floor: 楼内,
# 楼外, 楼前, 楼后, 楼里, 楼间 (内 "within", 外墙, 前面 …), 楼面 (面积), 楼体 (体育),
# 楼层 (5楼层高 is 5楼 and 层高), 层顶, 层面.
_FLOOR_WORDS: tuple[str, ...] = ("楼上", "楼下", "楼道", "楼梯", "楼顶", "楼栋", "楼宇")
_FLOOR_WORDS += ("楼房", "楼板", "楼管", "楼长", "楼主", "层高")
# The words a floor is followed by that start with the second character of a word
# of :data:`_FLOOR_WORDS`: 5楼下水道 is 5楼 and 下水道 (the sewer), not 楼下 and 水道;
# so 上下水 (supply and drain pipes), 下水 (下水道, 下水管), 管道/管线/管网/管子
# (pipes), 长期/长时间/长年 (for long), 主要 (mainly), 主卧 (master bedroom),
# 房间/房屋/房子 (rooms, houses), 高度 (height).
_WORDS_AFTER_A_FLOOR: tuple[str, ...] = ("上下水", "下水", "管道", "管线", "管网", "管子")
_WORDS_AFTER_A_FLOOR += ("长期", "长时间", "长年", "主要", "主卧", "房间", "房屋", "房子")
_WORDS_AFTER_A_FLOOR += ("高度",)
# a floor's mark after a group of a run in a text read with its F floors as 层
# (:func:`~complaintcore.core.room_forms.room_floors`): 1层, 5楼, B1层, 5楼外墙,
# 5楼下水道 -- not the first character of a word of floors (楼上, 楼下, 楼道, 楼管,
# 层高: the flat upstairs of 3栋5F-502楼上, review s53R1 F01, s53R8 F01, F05)
_FLOOR_MARK = re.compile(
    f" *+(?:(?!{'|'.join(_FLOOR_WORDS)})[{FLOOR}楼]"
    f"|[{FLOOR}楼](?={'|'.join(_WORDS_AFTER_A_FLOOR)}))"
)
# a floor's mark and what joins it to the next floor of a range: a dash (a doubled
# one, ——, as one: review s53R1 F02) or spaces (1层-5F, 1层——5层, 1层 2F; 3楼3 is
# building 3's flat 3)
_FLOOR_TO = re.compile(f" *+[{FLOOR}楼](?: *+--?+ *+| ++)")
# a floor's number as the end of a range reads it: one or two digits, no leading
# zero (01 of B1F-01 and 502 of 5F-502 are flats), a basement's after a b
_RANGE_FLOOR = re.compile("(b?)([1-9][0-9]?)")
# a basement floor's group: B and its number before a 层 (B1层, B1F read so); not
# before a 楼, as B3楼 is as often the building B3
_BASEMENT_GROUP = re.compile("b[0-9]+")
_BASEMENT_MARK = re.compile(f" *+{FLOOR}")


def _floors_read(
    text: str, found: list[re.Match[str]], at: int, size: int, first: str, last: str
) -> bool:
    """Whether the groups ``found[at : at + size]`` of a run in ``text`` (folded, plain,
    its F floors read as 层) that hold a room's ``first`` and ``last`` groups are
    floors rather than that room (review s52R15 F01): a basement floor ``B1层``
    (``B1F-01``) as a first group ending in ``1`` (``1-01``: another room, its key
    ``b1层1`` apart from ``1-1``), or a floor range ``1层-5F`` / ``1层-5层``
    (``1F—5F``, ``1F——5F``: an elevator notice), its floors joined by a dash or
    spaces, as a room's flat ``5`` with a letter F or before a 层.  The room's own
    floor is not read so: a stored ``B1F-01`` keeps its ``b1``, a stored ``1F-5F``
    its ``5f``.  A range's upper floor is written as a floor (``5F``, or a 层 or 楼
    that starts no word: not the 楼 of ``502楼下``), is a floor's number (one or two
    digits, no leading zero) and is not below the floor before it: ``3栋5F-502楼下``,
    ``3栋B1F-01楼梯间`` and ``3栋5层-3楼道`` are rooms (review s53R1 F01)."""
    head, tail = found[at], found[at + size - 1]
    written = head.group().lower()
    if (
        written != first
        and _BASEMENT_GROUP.fullmatch(written)
        and _BASEMENT_MARK.match(text, head.end())
    ):
        return True
    below = found[at + size - 2]
    joined = _FLOOR_TO.match(text, below.end())
    if joined is None or joined.end() != tail.start():
        return False
    written = tail.group().lower()
    if not (
        written == last + "f"
        or (written == last and _FLOOR_MARK.match(text, tail.end()) is not None)
    ):
        return False
    lower, upper = _floor_number(below.group().lower()), _floor_number(last)
    return lower is not None and upper is not None and lower <= upper


def _floor_number(group: str) -> int | None:
    """A group of a run read as a floor's number (:data:`_RANGE_FLOOR`), a basement's
    below zero (``b1`` is -1), or None: no floor (``502``, ``01``, ``a5``)."""
    floor = _RANGE_FLOOR.fullmatch(group)
    if floor is None:
        return None
    return -int(floor.group(2)) if floor.group(1) else int(floor.group(2))


def _glued(written: str, group: str, *, first: bool) -> bool:
    """Whether a run of letters and digits ``written`` holds a room's ``group``, at its
    end if it is the room's ``first`` group, else at its start: its digits whole
    (no digit glued on to a digit of it: that makes another number), whatever
    letters or digits are glued on otherwise -- a letter on either side, or a
    digit beside a letter of the group (``BA座1201`` and ``5A-1201`` hold
    ``A座1201``, ``3-1201B`` holds ``3-1201``; review s49K F02: one rule,
    however the letters are written, so a room written twice in a row,
    ``B-0B-0``, is masked twice); where a digit meets a digit, a mainland
    mobile and nothing else may be glued on (review s48M F02, s49B F01)."""
    if written == group:
        return True
    if first:
        return written.endswith(group) and (
            not (group[0].isdigit() and written[-len(group) - 1].isdigit())
            or _GLUED_MOBILE.fullmatch(written, 0, len(written) - len(group)) is not None
        )
    return written.startswith(group) and (
        not (group[-1].isdigit() and written[len(group)].isdigit())
        or _GLUED_MOBILE.fullmatch(written, len(group)) is not None
    )


def _dated(text: str, found: list[re.Match[str]], at: int) -> bool:
    """Whether the groups ``found[at]`` and ``found[at + 1]`` of a run in ``text`` are
    the month and day of a date, with the year before them (``2025-5-12``,
    ``2025-11-19T18:00``) or after (``14-11-2025``, ``11-14-2025``), each joined
    to the next by one dash and nothing else."""
    start, end = found[at].start(), found[at + 1].end()
    pair = _MONTH_DAY.match(text, start, end)
    if pair is None or pair.start(2) != found[at + 1].start():
        return False
    one, two = int(pair.group(1)), int(pair.group(2))
    year = found[at - 1] if at > 0 else None
    if year is not None and text[year.end() : start] == "-" and _YEAR.fullmatch(year.group()):
        return 1 <= one <= 12 and 1 <= two <= 31
    if (
        at + 2 < len(found)
        and end == pair.end()
        and text[end : found[at + 2].start()] == "-"
        and _YEAR.fullmatch(found[at + 2].group())
    ):
        return 1 <= min(one, two) <= 12 and max(one, two) <= 31
    return False


def _loose(before: int, after: int) -> bool:
    """Whether spaces may stand between two characters (neither a space)."""
    return _GAP not in (before, after) and not {_DASHED, _WIDE, _DOTTED}.isdisjoint((before, after))


def _pieces(literal: str) -> tuple[str, ...]:
    """The parts of a plain literal that every match of :func:`_spelling` holds as
    written: the runs of other characters between its dashes and spaces, and each
    wide character alone (spaces may stand round it)."""
    pieces: list[str] = []
    run = ""
    for kind, chars in _runs(literal):
        if kind == _DOTTED:  # a name dot: written otherwise in a match
            kind = _DASHED
        if kind == _OTHER:
            run += chars
            continue
        if run:
            pieces.append(run)
            run = ""
        if kind == _WIDE:
            pieces.append(chars)
    return (*pieces, run) if run else tuple(pieces)


_NO_FLATS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _mask_single(
    text: str, singles: frozenset[str], flats: tuple[frozenset[str], frozenset[str]] = _NO_FLATS
) -> str:
    """Each one-character literal (a flat ``7``, review s40B F01) masked where it
    stands alone: after the start, a space, a bracket or a colon, and before the
    end, a space, a bracket or a mark that ends a clause (a full stop not followed
    by a digit or letter).  Not inside a word, an id, a date or a decimal
    (``C-7``, ``3-7``, ``11/7``, ``7.5``), where it is not the value given; but
    right after a room word (:data:`_ROOM_CUE`: ``Flat 7/3``, ``房号7-1``) it is
    the room wherever no letter or digit is glued after it (review s51A F04).

    ``flats``: the one-character flats stored after an English room word (``3`` of
    ``Flat 3`` or ``Flat 3, 12 High Street``) and the rest of each such stored
    address (``12 High Street``), masked only where they stand as the flat
    (:func:`_flat_pattern`), never as a lone digit or letter elsewhere (review
    s54R4: ``on 3 Nov``, ``3 times``, ``I saw a man`` for ``Flat A``)."""
    cued, rests = flats
    if not any(
        v in text
        for c in singles | cued
        for v in {c.lower(), c.upper(), _wide(c.lower()), _wide(c.upper())}
    ):
        return text
    # read as drawn, as the other literals are: an invisible character beside the
    # room word or inside it hides no room, and one inside 配电房 does not make 房
    # a room word (review s51R18 F01); only the character itself is replaced
    drawn, gaps, _ = _reading(text, None)
    spans: set[tuple[int, int]] = set()
    if singles:
        spans |= {match.span("single") for match in _single_pattern(singles).finditer(drawn)}
    if cued:
        spans |= {match.span("single") for match in _flat_pattern(cued, rests).finditer(drawn)}
    news = [(*span, "*") for span in sorted(spans)]
    return _replaced(text, gaps, news) if news else text


def _wide(c: str) -> str:
    """The full-width form of an ASCII letter or digit (an IME's ``７``)."""
    return chr(ord(c) + 0xFEE0) if len(c) == 1 and c.isascii() else c


@functools.lru_cache(maxsize=64)
def _single_pattern(singles: frozenset[str]) -> re.Pattern[str]:
    chars = "".join(re.escape(x) for c in sorted(singles) for x in {c, _wide(c)})
    return re.compile(
        rf"(?:(?<![^\s(（\[:：])(?=[{chars}](?:$|[\s)）\],，。;；!?！？、]|[.:：](?!\w)))"
        rf"|{_ROOM_CUE_WRITTEN}(?=[{chars}](?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])))(?P<single>[{chars}])",
        re.IGNORECASE,
    )


# A word an English address writes a flat after (the room words of
# :data:`_ROOM_CUE_WRITTEN` and Apartment, Apt, Unit, No., a "#" alone), and the
# street words a UK address's house number and street end with ("3, 12 High
# Street": the flat before a house number and street, review s54R4)
_FLAT_CUE_WRITTEN = (
    rf"(?:{_ROOM_CUE_WRITTEN}|(?:(?<![A-Za-z])(?i:apartment|apt|unit)\.?|(?<![A-Za-z])(?i:no)\."
    rf"|(?<![0-9A-Za-z])[#＃])(?:{_SPACE}|[:：#＃]){{0,3}}+)"
)
_STREET_WORDS = (
    "street|st|road|rd|avenue|ave|lane|ln|close|court|ct|drive|dr|way|place|pl"
    "|crescent|cres|gardens|gdns|terrace|walk|square|sq|grove|row|hill|park|wynd"
    "|view|parade|mews|green|house|mansions|buildings"
)
_STREET_AFTER = (
    rf"(?=,?{_SPACE}{{1,3}}[0-9]{{1,4}}[A-Za-z]?{_SPACE}{{1,3}}"
    rf"(?-i:[A-Z][A-Za-z'’-]*{_SPACE}{{1,3}}){{0,3}}(?:{_STREET_WORDS})\.?(?![A-Za-z]))"
)


@functools.lru_cache(maxsize=64)
def _flat_pattern(cued: frozenset[str], rests: frozenset[str]) -> re.Pattern[str]:
    """Where a one-character flat stored after an English room word (``3`` of
    ``Flat 3``) stands as the flat (review s54R4): after a flat word
    (:data:`_FLAT_CUE_WRITTEN`: ``Flat 3``, ``flat 3/2``, ``Apt 3``, ``No. 3``,
    ``#3``, ``房号3``), no letter or digit glued after it; or standing alone before
    the rest of its stored address (``3, 12 High Street`` of ``Flat 3 12 High
    Street``: ``rests``) or before a house number and a street (``3, 12 High
    Street``, ``3 12a Elm Road``).  A lone ``3`` elsewhere (``on 3 Nov``, ``3
    times``, ``3/11/2025``) is no flat."""
    chars = "".join(re.escape(x) for c in sorted(cued) for x in {c, _wide(c)})
    spelt = "|".join(
        rf"(?=,?{_SPACE}{{1,3}}"
        + rf"{_SPACE}{{1,3}}".join(map(re.escape, rest.split()))
        + "(?![0-9A-Za-z]))"
        for rest in sorted(rests)
    )
    after = f"{_STREET_AFTER}|{spelt}" if spelt else _STREET_AFTER
    return re.compile(
        rf"(?:{_FLAT_CUE_WRITTEN}(?=[{chars}](?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ]))"
        rf"|(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ/.:：-])(?=[{chars}](?:{after})))"
        rf"(?P<single>[{chars}])",
        re.IGNORECASE,
    )


@functools.lru_cache(maxsize=256)
def _literals(
    literals: frozenset[str], spaced: int = 2
) -> tuple[re.Pattern[str] | None, frozenset[str], bool]:
    """One pattern for a complaint's names and other literals but rooms (those of
    :func:`_room_literal`: no pattern of their own), made once for all the
    messages of its step (the ``re`` module's own cache is shared with every other
    pattern); the full-width characters that fold into theirs (a set: a second
    pattern per complaint cost more to compile than it saved); whether they hold
    a digit (another script's digit folds into it).  Capitals that are other
    letters (``Strauß`` as ``STRAUSS``) are searched for too: the ``re`` module
    folds letter by letter.  The longest goes first.  ``spaced`` is what the text
    holds: 0 neither spaces nor line breaks, 1 spaces alone, 2 line breaks too."""
    written = set(literals)
    written |= {f for v in written for f in (v.upper(), v.casefold()) if len(f) != len(v)}
    # the text is read composed: a capital spelt with a combining mark (``ΰ`` as
    # ``Υ`` + two marks) is found composed (``Ϋ`` + one mark)
    written |= {unicodedata.normalize("NFC", v) for v in written}
    folded = {_fold(v, _FOLD_ALL).translate(_PLAIN) for v in written}
    ordered = sorted(folded, key=lambda v: (-len(v), v))
    source = "|".join(filter(None, (_bounded(v, _spelling(v, spaced)) for v in ordered)))
    pattern = re.compile(source, re.IGNORECASE) if source else None
    wide, digits = _wide_forms(folded)
    return pattern, wide, digits


# A Latin letter (ASCII, Latin-1 and Latin Extended-A/B: é, ß, ł; full width, in a
# text read unfolded: ｉ), and a short
# literal of them alone: a name such as Ma, Li, Wu, Ann or Lee (review s50D F03)
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\uff21-\uff3a\uff41-\uff5a"
_SHORT_LATIN = re.compile(f"[{_LATIN}]{{2,3}}")


# a room literal whose flat's letter is spaced from its digits (review s52K F04):
# the letter first (a 1201), or last (1201 b, 3栋502 b), the room led by digits or not
_SPACED_LETTER_FIRST = re.compile("[A-Za-z] [0-9]+")
# the same with a building before its letter (3栋a 1201, 3-a 1201: review s52R15 F02)
_SPACED_LETTER_LED = re.compile(".*?(?<![A-Za-z])[A-Za-z] [0-9]+", re.DOTALL)
_SPACED_LETTER_LAST = re.compile(".*?(?<![0-9])[0-9]+ [A-Za-z]", re.DOTALL)
_DIGIT = "0-9\uff10-\uff19"
# what may not stand beside a spaced flat: a Latin letter or a digit glued to its
# letter, or a letter after a dot (a.m.), or joined to it by a slash or a dash, or a
# plus after it (Type-B, A/B, A-share, A+: review s52R11 F05, the letter is part of
# another word); a digit glued to its digits, or after a dot, a colon, a slash or a
# dash (a time 12:30, a decimal 12.5, a date 12-01)
_LETTER_BEFORE = f"(?<![{_LATIN}{_DIGIT}])(?<![{_LATIN}][/／-])"
_LETTER_AFTER = f"(?![{_LATIN}{_DIGIT}]|[.．/／-][{_LATIN}]|[+＋])"
_DIGITS_BEFORE = f"(?<![{_DIGIT}])(?<![{_DIGIT}][.．:：/-])"
_DIGITS_AFTER = f"(?![{_DIGIT}]|[.．:：/-][{_DIGIT}])"


# a phone's shape after a spaced flat's colon (:func:`_digits_after_led`): a mainland
# mobile, or a number of seven or eight digits not starting with 0 or 1 after an
# area code (0, then 1-9 and one or two digits) or alone, its groups split by a
# space or a dash -- no time (12:30, 12:30:15) is so long
_PHONE_JOIN = f"(?:{_SPACE}?[{_DASH}]{_SPACE}?|{_SPACE})?"
_PHONE_AFTER_COLON = (
    f"(?:1[3-9][{_DIGIT}](?:{_PHONE_JOIN}[{_DIGIT}]{{4}}){{2}}"
    f"|(?:0[1-9][{_DIGIT}]{{1,2}}{_PHONE_JOIN})?[2-9][{_DIGIT}]{{2,3}}{_PHONE_JOIN}[{_DIGIT}]{{4}})"
    f"(?![{_DIGIT}])"
)


def _digits_after_led(flat: int) -> str:
    """What may not stand after a spaced flat with a building before its letter
    (``3栋a 1201``) of ``flat`` digits: a digit glued on, a time or a decimal, a
    date -- but not a list or a range of flats after a slash or a dash (``/1202``,
    ``-1202``: as many digits as the flat, three or more, as a key reads a list's
    flats) nor a phone after a colon or a slash, a mainland mobile or a landline,
    in groups or not (``:13812345678``, ``:138-1234-5678``, ``:138 1234 5678``,
    ``:010-62345678``, ``/13812345678``): with a building and a letter written
    that is the room (review s53R1 F03; s53R8 F03: only the unbroken mobile after
    a colon was, ``3栋A 1201:138-1234-5678`` was read as a time and left the room
    readable).  Not after a dash: ``1201-62345678`` is read as one phone, masked
    whole, and the room taken before it would leave its landline readable."""
    listed = f"(?![{_DIGIT}]{{{flat}}}(?![{_DIGIT}]))" if flat >= 3 else ""
    phone = f"(?!{_PHONE_AFTER_COLON})"
    return (
        f"(?![{_DIGIT}]|[.．][{_DIGIT}]|[:：]{phone}[{_DIGIT}]"
        f"|[/／]{listed}{phone}[{_DIGIT}]|-{listed}[{_DIGIT}])"
    )


# the rest of a room's last group written after spaces, in a text read plain: the
# letter after its digits (3栋-502 a), or the digits after a letter alone (3栋a 1201)
_TAIL_LETTER = re.compile(f" ++([A-Za-z]){_LETTER_AFTER}")
_TAIL_DIGITS = re.compile(f" ++([0-9]++){_DIGITS_AFTER}")


def _spaced_tail(text: str, at: int, written: str, last: str) -> int | None:
    """Where a room's last group ``last`` (a flat with a letter) ends in ``text`` when
    the run's group ``written`` ending at ``at`` is its digits and its letter follows
    after spaces, or its letter alone and its digits follow (``502`` then `` a`` of
    ``502a``, ``a`` then `` 1201`` of ``a1201``), bounded as a spaced flat is
    (:func:`_bounded`): the spaced form in every address form a key reads it in
    (:func:`~complaintcore.core.room_forms.room_glued`; review s52R11 F03:
    ``3栋-502 A``, ``3#502 A`` and ``3号楼502 A`` stayed readable).  None: not so."""
    rest = last[len(written) :]
    if written.isdigit() and len(rest) == 1 and rest.isalpha():
        tail = _TAIL_LETTER.match(text, at)
    elif len(written) == 1 and written.isalpha() and rest.isdigit():
        tail = _TAIL_DIGITS.match(text, at)
    else:
        return None
    return tail.end() if tail is not None and tail.group(1).lower() == rest else None


def _bounded(literal: str, spelling: str | None) -> str | None:
    """The pattern of a literal (folded, plain), bounded as a word where it is a
    short Latin name: two or three Latin letters (``Ma``, ``Li``, ``Ann``) are
    masked only with no Latin letter glued on either side, so ``main``, ``light``
    and ``annual`` stay readable (review s50D F03); Chinese characters, digits
    and marks beside it leave it a word (``Ma说``, ``Ma2``, ``Li's``).  A longer
    literal is matched inside a word as before: a name glued to a given name
    (``WangXiaoming`` for ``Wang``) is more often the name than another word.

    A flat with its letter spaced from its digits (``a 1201``, ``1201 b``,
    ``3栋502 a``: :func:`_lettered`, :func:`_spaced_last`) is bounded as a whole
    token (review s52R7 F01: ``step 2``, ``the data 1201 rows``, ``12 am``,
    ``Plan B 12:30`` and ``A 12.5`` were masked for ``P2``, ``A1201``, ``12A``,
    ``B12`` and ``A座12``): no letter or digit glued to its letter, nor a letter
    after a dot (``12 a.m.``), and no digit glued to its digits, nor after a
    dot, a colon, a slash or a dash (a time, a decimal, a date).  With a
    building before its letter (``3栋a 1201``, ``3-a 1201``) its digits are
    bounded so too (review s52R15 F02: ``3栋B 12:30`` and ``3栋A 12010元`` were
    masked for ``3栋B12`` and ``3栋A1201``).  Digit groups joined by a slash
    (a Scottish flat ``1/2``) are bounded as digits are (:data:`_SLASHED_DIGITS`)."""
    if spelling is None:
        return None
    if _SPACED_LETTER_FIRST.fullmatch(literal):
        return f"{_LETTER_BEFORE}(?:{spelling}){_DIGITS_AFTER}"
    if _SPACED_LETTER_LED.fullmatch(literal):
        flat = len(literal) - len(literal.rstrip("0123456789"))
        return f"(?:{spelling}){_digits_after_led(flat)}"
    if _SPACED_LETTER_LAST.fullmatch(literal):
        before = _DIGITS_BEFORE if literal[0].isdigit() else ""
        return f"{before}(?:{spelling}){_LETTER_AFTER}"
    if _SLASHED_DIGITS.fullmatch(literal):
        return f"{_DIGITS_BEFORE}(?:{spelling}){_DIGITS_AFTER}"
    if (titled := _HAN_TITLED_FORM.fullmatch(literal)) is not None:
        return _han_bounded(titled[1], titled[2], spelling)
    if _NAMED_FORM.fullmatch(literal):
        # the dot of a title or an initial typed as the ideographic full stop, as a
        # Chinese IME types "." (Mrs。Thompson: review s57R9 F04)
        dotted = spelling.replace("\\.", f"[.{_IDEOGRAPHIC_STOPS}]")
        # a form whose first word is also a word of English is taken written as a
        # name is, its first letter no lower-case one: the title Miss (Miss King,
        # MISS KING -- not "miss King Street": review s58R1 F08), a comma form (Long,
        # Anne -- not "long, Anne said"), unless its surname and given name are both
        # in lower case (ma,lin of a CRM export), and an initial without a dot,
        # before a surname with a capital too (M Thompson -- not "a long time":
        # review s58R1 F01).  Any other title (mr, mrs, ms, mx, dr) and a dotted
        # initial make a name in any case (mrs thompson, mr Khan, m.thompson:
        # review s58RR1 F01).  A surname led by its particle (de la Cruz,Anna) is
        # written in lower case.
        capital = ""
        if "," in literal:
            capital = f"(?:{_NOT_LOWER}|{_LOWER_COMMA_LOWER})"
        elif _UNDOTTED_INITIAL.fullmatch(literal):
            capital = f"{_NOT_LOWER}(?=.\\W*+{_NOT_LOWER})"
            # a block's letter before a street or building name (Block B Long
            # Lane, B Green Court) is no initial (review s58RR1 F03)
            return (
                f"{_NOT_AFTER_BLOCK}(?<![{_LATIN}]){capital}(?:{dotted})"
                f"(?![{_LATIN}]){_NO_STREET_AFTER}"
            )
        elif _MISS_FORM.match(literal):
            capital = _NOT_LOWER
        if literal.split(maxsplit=1)[0] in _SURNAME_PARTICLES:
            capital = ""
        return f"(?<![{_LATIN}]){capital}(?:{dotted})(?![{_LATIN}])"
    if (titled := _NAMED_HAN_TITLED.fullmatch(literal)) is not None:
        ahead = _total_ahead(titled["title"])
        return f"(?<![{_LATIN}])(?:{spelling}){ahead}"
    if not _SHORT_LATIN.fullmatch(literal):
        return spelling
    return f"(?<![{_LATIN}])(?:{spelling})(?![{_LATIN}])"


def _han_bounded(surname: str, title: str, spelling: str) -> str:
    """A Han name's titled form (:func:`_han_titled`) bounded where it is more often
    another word (review s55R8 F04): ``总`` (``總``) is no title before a character
    that makes a word of it (``高总体``, ``对方总是``, ``马总结``), and a surname is no
    surname after a character whose word it ends (``明白女士``, ``提高总``)."""
    before = _HAN_WORD_BEFORE.get(surname[0], "")
    ahead = _total_ahead(title)
    return f"{f'(?<![{before}])' if before else ''}(?:{spelling}){ahead}"


def _total_ahead(title: str) -> str:
    """What may not follow a titled form whose title is ``总`` (``總``): a character
    that makes a word of it (:data:`_HAN_WORD_AFTER_TOTAL`); nothing for another."""
    return f"(?!{_SPACE}*[{_HAN_WORD_AFTER_TOTAL}])" if title in ("总", "總") else ""


# A Scottish flat (floor and flat: 1/2, 0/1, 3/2) is digit groups joined by a slash,
# bounded as a number of its own (review s54R4 F02): no digit glued before or after
# it, nor after a digit and a dot, colon, slash or dash, nor before one and a digit,
# so the day and month of a date (01/02/2025, 1/2/2026, 14/11/2025) and other
# numbers (11/2, 1/25, page 1/20) stay whole and readable.
_SLASHED_DIGITS = re.compile("[0-9]+(?:/[0-9]+)+")


def _wide_forms(folded: Iterable[str]) -> tuple[frozenset[str], bool]:
    """The full-width forms of the ASCII each character of ``folded`` (literals,
    folded) matches in either case (ſ and ı too), and whether they hold a digit
    (circled digits and other scripts' fold into digits as well)."""
    chars = "".join(folded)
    ascii = {a for a in {*chars, *chars.upper(), *chars.lower()} if "!" <= a <= "~"}
    digits = not ascii.isdisjoint("0123456789")
    return frozenset(chr(ord(b) + 0xFEE0) for a in ascii for b in (a, a.swapcase())), digits


def literals_in(text: str, also: Iterable[str]) -> list[str]:
    """The literals of ``also`` that :func:`redact` may find in ``text`` or in any part
    of it, in their order: one it cannot find anywhere in ``text`` is left out.

    Masking many texts with many literals (every text of one record, with the
    names and rooms of an issue's other complainants) then prepares only those
    few for each text, not all of them.  The test is the one :func:`redact` makes
    before it compiles a pattern, and it holds for a text holding another: a
    literal left out of the whole is in none of its parts.  A literal of one
    character is always kept (it is masked only as a word of its own).

    :raises InvalidInputError: ``text`` is not a string, or ``also`` not an
        iterable of strings.
    """
    if not isinstance(text, str):
        raise InvalidInputError("text", f"expected a string, got {type(text).__name__}")
    try:
        forms = {v: _forms(_drawn(v)[0].strip()) for v in also}
    except (TypeError, AttributeError):
        raise InvalidInputError("also", "expected an iterable of strings") from None
    literals = frozenset(f for found in forms.values() for f in found if len(f) > 1)
    # a literal a reversed run completes is masked too (review s51R18 F02)
    live = frozenset().union(*(_may_occur(read, literals) for read in _readings(text)))
    return [v for v, found in forms.items() if any(len(f) <= 1 or f in live for f in found)]


_KEY_CHARS = 4
"""The longest run of a literal's characters :class:`Literals` files it under."""


class Literals:
    """Literals (an issue's names, phones and rooms) prepared once for many texts:
    :meth:`found_in` answers what :func:`literals_in` answers, at a cost in
    proportion to the text and to the literals it may hold, not to all of them.

    Each literal is filed under one part that every text it may occur in holds
    (as :func:`literals_in` reads the text): a run of up to four characters of
    one of its pieces (:func:`_pieces`; a room's runs of digits), the one the
    fewest of the others share;
    for another literal with cased letters, one of the caseless characters every match
    of it holds (an ASCII digit only where it has no other).  A literal with no
    such part (a name in Latin letters alone) is tried on every text.  A text is
    read for its runs of up to four characters, as drawn and as folded, and only
    the literals filed under one of them are tried, with the clues prepared here
    (no cache to miss, however many literals an issue has).

    Built once (an issue's, for one command on all its members: review s47G F03)
    and never changed after: not a value, but safe to share.

    :raises InvalidInputError: ``values`` is not an iterable of strings.
    """

    def __init__(self, values: Iterable[str]) -> None:
        self._order: dict[str, int] = {}
        # always kept: a literal of one character, or a room read as one (Rm 7)
        self._short: list[str] = []
        self._given: dict[str, list[str]] = {}  # each literal drawn, and its rooms: as given
        self._clues: dict[str, tuple[tuple[str, ...], bool, str]] = {}
        self._shared: dict[str, int] = {}  # how many literals drawn each part files
        self._always: list[str] = []
        self._filed: dict[str, list[str]] = {}
        self._by_digit: list[str] = []  # cased, filed under a digit: another script's too
        self._lengths: list[int] = []
        self._add(values)

    def extended(self, values: Iterable[str]) -> Literals:
        """These literals and ``values``, the new ones alone prepared: an issue that
        grows one member at a time within one call (a bulk batch's drafts: review
        s56R7 F02) costs what its new members hold, not the whole issue again.
        A new literal is filed under its part the fewest literals share so far
        (the filing only decides how soon it is tried, never whether it is found).

        :raises InvalidInputError: ``values`` is not an iterable of strings.
        """
        more = copy.copy(self)
        more._order = dict(self._order)
        more._short = list(self._short)
        more._given = {d: list(vs) for d, vs in self._given.items()}
        more._clues = dict(self._clues)
        more._shared = dict(self._shared)
        more._always = list(self._always)
        more._filed = {p: list(ds) for p, ds in self._filed.items()}
        more._by_digit = list(self._by_digit)
        more._add(values)
        return more

    def _add(self, values: Iterable[str]) -> None:
        try:
            forms = {v: _forms(_drawn(v)[0].strip()) for v in values if v not in self._order}
        except (TypeError, AttributeError):
            raise InvalidInputError("values", "expected an iterable of strings") from None
        for v in forms:
            self._order[v] = len(self._order)
        self._short += [v for v, read in forms.items() if any(len(f) <= 1 for f in read)]
        fresh: dict[str, None] = {}
        for v, read in forms.items():
            for f in read:
                if len(f) > 1:
                    if f not in self._given:
                        fresh[f] = None
                    self._given.setdefault(f, []).append(v)
        for d in fresh:
            self._clues[d] = _clues.__wrapped__(d)
        parts = {d: _parts(*self._clues[d]) for d in fresh}
        shared = self._shared
        for found in parts.values():
            for part in found:
                shared[part] = shared.get(part, 0) + 1
        for d, found in parts.items():
            if not found:
                self._always.append(d)
                continue
            part = min(found, key=lambda p: (shared[p], -len(p), p))
            self._filed.setdefault(part, []).append(d)
            if not self._clues[d][1] and "0" <= part <= "9":
                self._by_digit.append(d)
        self._lengths = sorted({len(p) for p in self._filed})

    def __bool__(self) -> bool:
        return bool(self._order)

    def found_in(self, text: str) -> list[str]:
        """The literals :func:`literals_in` finds in ``text`` (in the order given).

        :raises InvalidInputError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise InvalidInputError("text", f"expected a string, got {type(text).__name__}")
        # a literal a reversed run completes is masked too (review s51R18 F02)
        kept = {v for read in _readings(text) for v in self._found(read)}
        return sorted(kept, key=self._order.__getitem__)

    def _found(self, text: str) -> set[str]:
        drawn = _drawn(text)[0]
        folded = _fold(drawn, _FOLD_ALL)
        tried = set(self._always)
        filed = self._filed
        for read in {drawn, folded}:
            for n in self._lengths:
                for i in range(len(read) - n + 1):
                    found = filed.get(read[i : i + n])
                    if found is not None:
                        tried.update(found)
        if self._by_digit and (_OTHER_DECIMAL.search(text) or _OTHER_DIGIT.search(text)):
            tried.update(self._by_digit)
        live = _may_occur(text, frozenset(tried), self._clues.__getitem__) if tried else ()
        return {*self._short, *(v for d in live for v in self._given[d])}


def _parts(pieces: tuple[str, ...], by_pieces: bool, anchors: str) -> set[str]:
    """What :class:`Literals` may file a literal under, by its :func:`_clues`: every
    run of up to :data:`_KEY_CHARS` characters of its pieces (each piece is in
    every text it occurs in, as drawn or folded); for any other, its caseless
    characters but ASCII digits, else those digits (one of them, or another
    script's digit, is in every such text); none: it is tried on every text."""
    if by_pieces:
        return {
            piece[i : i + n]
            for piece in pieces
            for n in range(1, _KEY_CHARS + 1)
            for i in range(len(piece) - n + 1)
        }
    return {a for a in anchors if not "0" <= a <= "9"} or set(anchors)


def redact(text: str, *, also: Iterable[str] = ()) -> str:
    """Mask personal data in free text for logs and shared channels (PRV-1).

    Masks every phone-like digit run of 7 or more digits (mobiles such as
    ``13812345678``, ``+86 138 1234 5678``, ``010-12345678``, numbers in
    international form such as ``+852 9123 4567`` or ``+1 (415) 555-0100``,
    ID-card and bank numbers), its groups split by up to three spaces of any
    kind (thin, no-break, ideographic, tabs), a dash with or without spaces
    round it (``135 - 1234 - 5678``), dots or slashes (``138.1234.5678``) with up
    to three spaces round them where the groups are one phone's, a mobile in
    3-4-4 groups or an area code and a number (``138 / 1234 / 5678``,
    ``010 / 6234 / 5678``), after ``+86`` too (``(+86) 138.1234.5678``, and
    ``+86 21.6234.5678`` without the area code's 0), a dot or slash and a space
    or dash mixed in one such phone (``138.1234 5678``, ``021 6234.5678``),
    not a list (``1201 / 1202 / 1203`` stays: review s49U F01, F02; review s49V
    F01, F03), a number in international form joined by the same dot or
    slash with seven digits or more after the country code
    (``+852.9123.4567``), one after ``00`` for ``+`` with dashes or spaces
    (``0086-21-6234-5678``: review s50Q F03), an international number with an
    extension glued on by an ``x`` (``+1.415.555.0100x12``, the extension left:
    review s50Q F06), a line break
    inside a mainland mobile (``138`` / ``1234`` / ``5678`` on three lines), or
    written digit by digit; full-width and other
    scripts' digits (``１３８…``, ``١٣٨…``, ``①③⑧…``) count as digits.  A full
    stop right before a number protects it only after a digit (a decimal): not
    after ``No.`` or a sentence.  A mainland mobile is masked even glued to
    letters (``Tel13912345678``, ``138_1234_5678``).  Also the
    local part of every e-mail address (``＠`` too; its domain's labels in any
    letters, joined by ``.`` or ``。``: ``zhangsan@qq。com``), and each literal in
    ``also`` (names, room numbers: pass the values you know are personal), in
    any letter case (``MARGARET THOMPSON`` for ``Margaret Thompson``) and
    width (``３栋１２０２室`` or ``3－1202`` for ``3栋1202室`` or ``3-1202``, and the
    reverse), without the spaces round it (``王小明`` for ``"王小明 "``), with any
    dash for its dash (``3–1202``, ``3−1202``, ``3 - 1202``), any run of spaces
    of the kinds above, over one line break at most, where it has a space
    (``margaret  thompson``, or a no-break space), and up to three next to a
    Chinese character or a dash where it has none (``3 栋 1202 室``, ``王 小明``
    with an ideographic space), one line break among them (``王小`` / ``明`` on
    two lines; review s49P F02); never between two digits or two letters (``12 02`` is not
    ``1202``).  A room of two or more groups of digits (each perhaps with one
    ASCII letter: ``A座1201``, ``1201B``) joined by dashes or address words is
    masked in any address form (review s48H F01): between any two of its groups
    any dash or one of the words of
    :data:`~complaintcore.core.room_forms.ROOM_WORDS` (``号楼``, ``#楼``, ``单元``,
    ``栋``, ``幢``, ``座``, ``楼``, ``门``, ``号``, ``#``), perhaps with a dash after
    the word (``3栋-2-1201``: one separator, review s50D F01) or a comma or ``、``
    after it and ``第`` or ``的`` before the next group (``3栋2单元，1201室``,
    ``3栋2单元第1201室``: review s57R2 F03), up to three spaces
    round it, and a ``室``
    or ``号`` after it masked with it: ``3栋2单元1201``, ``3号楼2单元1201室``,
    ``3座2-1201``, ``3—2—1201``, ``３栋２单元１２０１`` for ``3-2-1201``, and
    ``3-2-1201`` for ``3栋2单元1201室``.  Its groups stay whole and in order: no
    digit glued before or after them (``12-1201``, ``13-2-1201``, ``3-2-12015``
    are other rooms) -- but a mainland mobile typed right after or before the
    room (``3栋2单元120113812345678``, ``138123456783-2-1201``) leaves it the
    room, and the room and the mobile are each masked (review s49B F01).
    Letters glued on, on either side, and a digit beside a group's letter
    leave it the room (``BA座1201`` and ``5A-1201`` hold ``A座1201``,
    ``3-1201B`` holds ``3-1201``), full-width letters alike, so a room written
    twice in a row (``B-0B-0``) is masked twice (review s49K F02).
    Between two groups (where the stored room has no space) one line break
    may stand before or after the dash or word, and it is kept where it
    stands (``3栋2单元`` / ``1201室`` on two lines; review s49B F03).  A value
    with other words round a room (``华府3栋1202室``, an estate's name before
    it) is matched as it is spelt, and its room part (``3栋1202室``) in every
    form above (review s49B F02); a phone (``010-62345678``) is matched as it
    is spelt.  Literals found sharing characters (``小区3栋`` and
    ``3栋1202室`` in ``小区3栋1202室``) are masked as one run, and so is a literal
    overlapping itself (``ababab`` for ``abab``): every place a literal starts is
    found, whichever others are given; a literal over a
    line break keeps the line break where it stands (``Margaret`` /
    ``Thompson`` on two lines: ``M*******`` / ``********``).
    Dates (``2025-11-14``), times, decimals, IP addresses and other ids glued
    to letters stay readable.  The text is read as it is drawn: format
    characters (zero-width space, soft hyphen, word joiner: category Cf) are
    left out, so they neither split a number nor hide a literal.

    Literals of digits without letters (a room ``302``) are masked after the
    phones: masked first, one inside a phone number (``139 3021 5678``) would
    split its digits into groups too short to read as a phone.  A room of
    digits joined by dashes (``3-2-1201``) is found with the phones in the
    same reading: a phone holding it is masked as the phone (``105-1201``),
    a room holding a phone (with a mobile glued to it) as the room and the
    mobile, and a phone and a room overlapping otherwise as one run.  A literal of one
    letter or digit (a flat ``7``) is masked only where it stands alone, as a
    word of its own (``room: 7``, ``… 900123 7``), not inside an id, a date or a
    decimal; before the phones, so a phone does not take it as its last digit.
    A literal of digits alone shorter than a phone (a room ``11``, ``302``) is
    masked where it is a number of its own, not glued to other digits: of three
    digits or more whatever word or mark follows it (``1201时常``, ``1201/1202``,
    ``1201元``: review s50Q F01), of one or two not inside the whole shape of a
    date, a time, a decimal, an IP address or an id with a date stamp
    (``2025-11-21 11:00``, ``11月21日``, ``C-20251112-…`` and ``110元`` stay
    readable for a room ``11`` or ``12``: review s50D F02; ``12点漏水`` does not).
    A room stored with its end word (``1201室``) is masked so in its other
    spellings too (``1201``, ``1201号``, ``１２０１``: review s50Q F02); a literal
    with an accent in either Unicode normal form, composed or decomposed
    (review s50Q F05).  A name of two or three Latin letters
    (``Ma``, ``Ann``) is masked where it is a word, no Latin letter glued to it
    (``main`` stays: review s50D F03).

    Review s51A: a number with an extension glued on by ``x`` or ``ext``
    (``010-62345678x12``) is masked, the extension's digits kept; digits glued
    after a phone's last group by a dot or slash (``021 6234.5678.9``) are
    masked with it; an area code and a number right after a digit and a dash
    (``3-2-1201-021-62345678``) is masked; rooms written back to back
    (``3-2-12013-2-1201``) are each masked; a room of one or two digits, or of
    one character, right after a room word (``Flat``, ``Rm``, ``Room``, ``室``,
    ``房``) is masked whatever shape follows (``Flat 12/3``); a literal's parts
    may stand over a blank line (``Ann`` / blank / ``Lee``); and the text and
    the literals are read composed (NFC, one character and its marks at a
    time), so a name half composed is found and masked as written.

    Review s51R13: a run of more than 30 combining marks is composed 30 at a
    time (linear time on "Zalgo" text); ``室`` and ``房`` are a room word only
    where no Chinese character stands before them (``配电房7月3日`` stays); a
    phone's dots may be ``。`` (``138。1234。5678``); U+2028, U+2029 (and a
    vertical tab, form feed or U+0085) are line breaks; a local landline glued
    by a dash after a stored room (``3-2-1201-62345678``) is masked; a
    transliterated name's middle dot may be written as any name dot or spaces.

    Review s51R8: every character Unicode calls default-ignorable is left out
    as the format characters are (the combining grapheme joiner U+034F, the
    variation selectors, the Hangul fillers), and a keycap digit (``1️⃣``) is
    read as its digit.  A run after a directional override (U+202D, U+202E) up
    to its pop (U+202C) or the end of its line is drawn in another order than
    it is stored (``\u202e明小王\u202c`` reads ``王小明``), so no pattern can
    find a name or number in it: each of its letters and digits is masked.

    Review s51R7 F04: a stored room is masked too where a text writes it as its
    room key reads it (:func:`_keyed_rooms`): ``1201`` and ``1202`` by
    ``1201/1202``, ``1202`` by ``Rm 1202``, ``502`` by ``5楼502``, ``101`` by
    ``0101``, ``3-2-1201`` by ``三号楼2单元1201``, as a stored room of that
    number or those groups is.

    Review s51R18: a one-character room is read as drawn, as the other literals
    are (an invisible character beside or inside a room word hides no room, and
    one inside ``配电房`` makes no room word); a run under an override is masked
    after the phones and literals are read (a phone or name partly inside it is
    masked whole), and a literal a right-to-left run completes as drawn has every
    letter and digit masked; a keycap after any ignorable character is read; a
    glued local landline's groups may be spaced (``3-2-1201-6234 5678``).

    Review s54R4: a number's first group may stand in brackets (``(01632)
    960001``); a literal's apostrophe is any apostrophe (``O\u2019Neill`` for
    ``O'Neill``); an e-mail local part is any run of RFC 5322 atext; a stored
    Latin name is masked surname first, as initial and surname, after a title,
    and without the title it was stored with; a flat ``1/2`` is bounded as digits.
    Review s55R2 F04: a stored Chinese name of two to four Han characters is masked
    too as its surname (one character, or a compound of two: ``欧阳``) followed by
    a title: ``先生``, ``女士``, ``小姐``, ``太太``, ``阿姨``, ``师傅``, ``老师``,
    ``总`` (``王先生`` for ``王小明``).

    :raises InvalidInputError: ``text`` is not a string, or ``also`` not an
        iterable of strings (checked at no cost to a good call: it runs per log line).
    """
    if not isinstance(text, str):
        raise InvalidInputError("text", f"expected a string, got {type(text).__name__}")
    # the literals of a set of stored values, made once for all the messages of a
    # complaint (an unhashable or other value raises as it did when read)
    try:
        known, numeric, singles, flats, others, named = _stored(tuple(also))
    except (TypeError, AttributeError):  # a try costs nothing until something is raised
        raise InvalidInputError("also", "expected an iterable of strings") from None
    # a run a directional override draws in another order: a literal it reverses is
    # found in the text as drawn, and the run is masked whole after the phones and
    # literals are read as before (review s51R18 F02)
    overridden = "\u202d" in text or "\u202e" in text
    if overridden:
        text = _mask_reversed(text, known)
    text = _mask_literals(text, _unnamed(text, others, named) if named else others)
    # before the phones: a flat "7" after a phone would read as its last digit
    text = _mask_single(text, singles, flats)
    # most texts hold no "@" and many no digit: not read (folded) for what they lack
    if "@" in text or "\uff20" in text:
        text = _substitute(_EMAIL, text, _FOLD_ALL, _mask_email)
    # a room of digits and dashes alone (3-2-1201) is found with the phones, in one
    # reading (review s49B F01); other literals of digits after them
    text = _mask_numbers(text, numeric)
    # a run drawn in reversed order is read by no pattern: what is left of it masked
    return _mask_overridden(text) if overridden else text


@functools.lru_cache(maxsize=256)
def _stored(
    also: tuple[str, ...],
) -> tuple[
    frozenset[str],
    frozenset[str],
    frozenset[str],
    tuple[frozenset[str], frozenset[str]],
    frozenset[str],
    tuple[tuple[re.Pattern[str], frozenset[str]], ...],
]:
    """The literals :func:`redact` masks for the stored values ``also`` (drawn,
    stripped, in each of their forms): those of two characters or more, those of
    them of digits without letters, the letters and digits standing alone, the
    one-character flats stored after an English room word and the rest of their
    addresses (masked only where they stand as the flat: :func:`_flat_pattern`),
    and those of two characters or more but digits alone; and for each stored Latin
    name, its surname's probe and the forms of it only the name gives
    (:func:`_unnamed`).  Made once per set of values (review s54R4: a stored Latin
    name's forms made every message of its complaint cost more), and raising as
    the values are read."""
    # a value stored with the spaces a form field carried ("王小明 ") is the name
    # without them wherever it occurs
    values = frozenset(_drawn(v)[0].strip() for v in also)
    # a room of one group stored with its end word (1201室) is the flat 1201, in
    # whatever spelling a text writes it (1201, 1201号, １２０１: review s50Q F02);
    # so is every room a key reads in a stored room (1202 of 1201/1202, Rm 1202,
    # 502 of 5楼502, 101 of 0101: review s51R7 F04)
    drawn = _composings(frozenset(f for v in values for f in _forms(v)))
    known = frozenset(v for v in drawn if len(v) > 1)
    numeric = frozenset(
        v for v in known if any(map(str.isdigit, v)) and not any(map(str.isalpha, v))
    )
    singles = frozenset(v for v in drawn if len(v) == 1 and v.isalnum())
    # a flat of one character after an English room word (Flat 3, Flat 3, 12 High
    # Street) is the flat only where it stands as one, not every lone "3" or "a" of
    # an English text (review s54R4); one a value gives alone stays a single
    cued: dict[str, None] = {}
    rests: dict[str, None] = {}
    for value in values:
        flat = _ENGLISH_FLAT.fullmatch(value)
        if flat is not None and flat["flat"].casefold() in singles:
            cued[flat["flat"].casefold()] = None
            if flat["rest"]:
                rests[flat["rest"]] = None
    lone = frozenset(
        c for v in values if not _ENGLISH_FLAT.fullmatch(v) for c in _forms(v) if len(c) == 1
    )
    flats = (frozenset(cued) - lone, frozenset(rests))
    singles -= flats[0]
    # a name's forms (:func:`_named`) that no other form of a value is
    plain = _composings(frozenset(f for v in values for f in _forms(v, named=False)))
    named = []
    for value in values:
        probe = _surname_probe(value)
        forms = _composings(frozenset(_named(value))) - plain
        if probe is not None and forms:
            named.append((probe, forms))
    return known, numeric, singles, flats, known - numeric, tuple(named)


def _composings(drawn: frozenset[str]) -> frozenset[str]:
    """``drawn`` and each of them with an accent composed or decomposed: a name with
    an accent is the same name composed (NFC, as most keyboards type it) or
    decomposed (NFD, a macOS file name), each form masked (review s50Q F05)."""
    return drawn | frozenset(filter(None, (_canonical(v) for v in drawn if not v.isascii())))


# A surname a probe is made for: ASCII letters, an apostrophe or a hyphen inside.
_ASCII_SURNAME = re.compile(f"[A-Za-z]+(?:[-'{_APOSTROPHES}][A-Za-z]+)*\\.?")


def _surname_probe(value: str) -> re.Pattern[str] | None:
    """For a stored Latin name with forms (:func:`_named`) whose surname is ASCII
    letters (an apostrophe or a hyphen inside), its longest run of letters, in any
    case (as ``IGNORECASE`` pairs letters: the long s, the Kelvin sign): every
    match of every form holds it as the text is read (drawn and folded; the
    apostrophes, dashes and spaces made plain are no letters).  None: any other
    value, whose forms are always looked for."""
    if not _named(value):
        return None
    if _HAN_NAME.fullmatch(value):  # its surname and a title (review s55R2 F04)
        return _han_probe(_han_surname(value))
    words = value.split()
    if words[0].rstrip(".").lower() in _TITLE_WORDS:
        words = words[1:]
    surname = words[-1]
    if not _ASCII_SURNAME.fullmatch(surname):
        return None
    longest = max(re.findall("[A-Za-z]+", surname), key=len)
    # a pinyin name's first word is a surname too (review s57R9 F03)
    first = words[0] if words[0].lower() in _PINYIN_SURNAMES else ""
    if first and _ASCII_SURNAME.fullmatch(first) and first.lower() != longest.lower():
        return re.compile(f"{longest}|{first}", re.IGNORECASE)
    return re.compile(longest, re.IGNORECASE)


def _unnamed(
    text: str,
    literals: frozenset[str],
    named: tuple[tuple[re.Pattern[str], frozenset[str]], ...],
) -> frozenset[str]:
    """``literals`` without the forms of each stored name (:func:`_stored`) whose
    surname ``text`` does not hold as :func:`_mask_literals` reads it (drawn,
    folded): none of them can match it, so the matches are the same, and a text
    naming someone else (most of a complaint's messages, every Chinese one) is
    searched for the name as stored alone (review s54R4: the forms cost every
    message)."""
    drawn: str | None = None
    read: str | None = None
    absent: list[frozenset[str]] = []
    for probe, forms in named:
        if not probe.pattern.isascii():  # a Han name's: folding changes no Han character
            if not text.isascii():
                if drawn is None:
                    drawn = _drawn(text)[0]
                if probe.search(drawn):
                    continue
            absent.append(forms)
            continue
        if probe.search(text):
            continue
        if not text.isascii():
            if drawn is None:
                drawn = _drawn(text)[0]
            if read is None:
                read = _fold(drawn, _FOLD_ALL)
            if probe.search(read):
                continue
        absent.append(forms)
    return literals.difference(*absent) if absent else literals


# The directional formatting characters that open an embedding or override
# (U+202A-202B, U+202D-202E) and the one that closes one (U+202C), and the line
# ends at which every one open ends (the paragraph separators of the bidi algorithm).
_PUSHES = frozenset("\u202a\u202b\u202d\u202e")
_OVERRIDES = frozenset("\u202d\u202e")
_PARAGRAPH_ENDS = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")


def _override_runs(text: str) -> list[tuple[int, int, bool]]:
    """Each run a directional override (U+202D, U+202E) governs: from the character
    after it to its pop (U+202C, embeddings opened inside counted) or the end of
    its line, and whether it is drawn reversed (right-to-left, U+202E).  One scan."""
    runs: list[tuple[int, int, bool]] = []
    depth = 0  # embeddings and overrides open since the first override
    start, reverse = 0, False
    for at, char in enumerate(text):
        if depth:
            if char in _PARAGRAPH_ENDS or (char == "\u202c" and depth == 1):
                runs.append((start, at, reverse))
                depth = 0
            elif char in _PUSHES:
                depth += 1
            elif char == "\u202c":
                depth -= 1
        elif char in _OVERRIDES:
            depth, start, reverse = 1, at + 1, char == "\u202e"
    if depth:
        runs.append((start, len(text), reverse))
    return runs


def _mask_reversed(text: str, literals: frozenset[str]) -> str:
    """``text`` with each of ``literals`` that a right-to-left override draws (one a
    run reversed completes: ``Margaret Thom\u202enospm\u202c`` is drawn ``Margaret
    Thompson``) masked, every letter and digit of it, inside the run and out
    (PRV-1, review s51R18 F02).  The text is read with each such run reversed (the
    drawn order of Latin letters, Chinese characters and digits under it, nested
    overrides aside); a literal found there that touches no reversed run is left
    to the patterns as before.  One character for one: the overrides stay."""
    runs = _reversed_runs(text)
    if not runs or not literals:
        return text
    drawn, order = _reordered(text, runs)
    found = _literal_spans(drawn, literals)
    if found is None:
        return text
    _, gaps, spans = found
    reversed_at = {at for start, end in runs for at in range(start, end)}
    held = [[order[at] for at in range(*_written_span(gaps, *span))] for span in spans]
    return _starred(text, (at for ats in held if not reversed_at.isdisjoint(ats) for at in ats))


def _reversed_runs(text: str) -> list[tuple[int, int]]:
    """The runs of ``text`` a right-to-left override draws reversed (none without one)."""
    if "\u202e" not in text:
        return []
    return [(start, end) for start, end, reverse in _override_runs(text) if reverse]


def _reordered(text: str, runs: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """``text`` with each of ``runs`` reversed (:func:`_reversed_runs`), and the
    index in ``text`` of each of its characters."""
    order = list(range(len(text)))
    for start, end in runs:
        order[start:end] = reversed(order[start:end])
    return "".join(text[at] for at in order), order


def _readings(text: str) -> tuple[str, ...]:
    """``text``, and as drawn with its reversed runs (:func:`_reversed_runs`) if any:
    where :func:`literals_in` looks for a literal :func:`redact` may mask."""
    runs = _reversed_runs(text)
    return (text, _reordered(text, runs)[0]) if runs else (text,)


def _starred(text: str, places: Iterable[int]) -> str:
    """``text`` with each letter and digit at one of ``places`` a star."""
    chars = list(text)
    for at in places:
        if chars[at].isalnum():
            chars[at] = "*"
    return "".join(chars)


def _mask_overridden(text: str) -> str:
    """``text`` with every letter and digit masked from a left-to-right or
    right-to-left override (U+202D, U+202E) to the pop that closes it (U+202C,
    embeddings opened inside counted) or the end of its line (PRV-1, review
    s51R8 F03): a terminal or a chat draws that run reversed or reordered, so
    what a reader sees there (a name, a room) is not what the patterns read.
    Isolates (U+2066-2069) do not end it: masking more is the cautious side.
    Run last (review s51R18 F02): the phones and literals are read first as
    before, so the part of one outside the run is masked with it.  One scan,
    the length of the text."""
    runs = _override_runs(text)
    return _starred(text, (at for start, end, _ in runs for at in range(start, end)))


def _canonical(value: str) -> str | None:
    """``value``'s other canonical form (NFD of a composed one, NFC of a decomposed
    one), or None when both are the same (Chinese, most names)."""
    for form in ("NFC", "NFD"):
        other = unicodedata.normalize(form, value)
        if other != value:
            return other
    return None


def _forms(value: str, *, named: bool = True) -> tuple[str, ...]:
    """``value`` (drawn, stripped), the rooms a room key reads in it
    (:func:`_keyed_rooms`) and the forms an English text writes a name in
    (:func:`_named`; not unless ``named``), each once: the literals masked for it."""
    flat = _address_flat(value)
    # a Scottish flat after a room word (Flat 3/2) is its digits written alone too:
    # 42 Leith Walk (3/2), close at 3/2 (review s58R1 F09)
    slashed = _SLASHED_FLAT.fullmatch(value)
    return (
        value,
        *_keyed_rooms(value),
        *(_forms(flat, named=False) if flat else ()),
        *((slashed["flat"],) if slashed else ()),
        *(_named(value) if named else ()),
    )


# A UK address stored as the room (review s54R4 F07): a flat after a room word
# (Flat 3, Unit 5, Apt 12B, Flat 2F1, Flat 0/1) or a Scottish flat of digit groups
# joined by a slash (3/2), then a comma or not and the rest of the address, a
# letter in it (12 High Street, Block C; a Scottish flat's a house number first:
# 42 Leith Walk).
_ADDRESS_FLAT = re.compile(
    r"(?P<flat>(?i:flat|apartment|apt|unit|room|rm)\.? +"
    r"(?:[0-9]+(?:/[0-9]+)+|[0-9]+[A-Za-z]{0,2}[0-9]*)"
    r"|[0-9]+(?:/[0-9]+)+(?=,? +[0-9]+[A-Za-z]? ))"
    r",? +(?=[^,]*[A-Za-z]).+"
)

# the same flat after the street, at the end of the address (42 Leith Walk, Flat
# 3/2; 12 High Street, Flat 12B: review s58R1 F09); a flat of two characters or
# more (one of one, Flat 3, is read as one only where the value is the flat alone:
# :data:`_ENGLISH_FLAT`, or every lone "3" of a text would be the flat)
_ADDRESS_FLAT_LAST = re.compile(
    r"(?=[^,]*[A-Za-z])[^,]+?,? +"
    r"(?P<flat>(?i:flat|apartment|apt|unit|room|rm)\.? +"
    r"(?:[0-9]+(?:/[0-9]+)+|(?=[0-9A-Za-z]{2})[0-9]+[A-Za-z]{0,2}[0-9]*))"
)
# a Scottish flat after a room word (Flat 3/2, flat 0/1)
_SLASHED_FLAT = re.compile(r"(?i:flat|apartment|apt|unit|room|rm)\.? +(?P<flat>[0-9]+(?:/[0-9]+)+)")


# A flat of one character stored after an English room word, perhaps with the rest
# of a UK address (Flat 3, Apt 3, Flat A, Flat 3, 12 High Street: review s54R4)
_ENGLISH_FLAT = re.compile(
    r"(?i:flat|apartment|apt|unit|room|rm)\.? +(?P<flat>[0-9A-Za-z])"
    r"(?:,? +(?P<rest>(?=[^,]*[A-Za-z]).+))?"
)


def _address_flat(value: str) -> str | None:
    """The flat of a UK address stored as the room (:data:`_ADDRESS_FLAT`: ``Flat 3``
    of ``Flat 3 12 High Street`` or ``Flat 3, 12 High Street``, ``3/2`` of ``3/2
    42 Leith Walk``), masked on its own in every form a flat stored alone is
    (review s54R4 F07: the address was masked only as spelt, ``Flat 3``, ``flat
    3/2`` showed); None: any other value."""
    match = _ADDRESS_FLAT.fullmatch(value) or _ADDRESS_FLAT_LAST.fullmatch(value)
    return None if match is None else match.group("flat")


# A name in Latin letters of two words or more (each perhaps with an apostrophe or a
# hyphen inside: O'Neill, Smith-Jones), perhaps after a title.
_NAME_WORD = re.compile(f"[{_LATIN}]+(?:['\u2019-][{_LATIN}]+)*")
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")
_TITLE_WORDS = frozenset(t.lower() for t in _TITLES)
_SURNAME_LETTERS = 3  # a surname after a title: at least this many letters
# Common Chinese surnames in pinyin (the most frequent hundred or so, compound ones
# written as one word): a stored name whose first word is one of them may be
# written in Chinese order, surname first (``Zhang Wei``), so its first word is
# read as a surname too, two letters enough (``Mr.Li``, ``Zhang先生``,
# ``Zhang,Wei``: review s57R9 F03).  A word of the list is masked only in those
# forms, bounded as a word (:func:`_bounded`), never alone.
_PINYIN_SURNAMES = frozenset(
    (
        *("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou"),
        *("xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng"),
        *("liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng", "zeng"),
        *("xiao", "tian", "dong", "yuan", "pan", "cai", "jiang", "yu", "du", "ye"),
        *("cheng", "su", "wei", "lu", "ding", "ren", "shen", "yao", "jin", "fu", "zhong"),
        *("cui", "tan", "liao", "fan", "wan", "qian", "dai", "xia", "shi", "qin", "gu"),
        *("hou", "shao", "meng", "long", "duan", "lei", "hao", "kong", "bai", "qiu"),
        *("qiao", "mao", "lai", "yan", "wen", "niu", "xiong", "jia", "kang", "ge"),
        *("yin", "zou", "fang", "qi", "mo", "xue", "ou", "ouyang", "situ", "shangguan"),
        *("zhuge", "dongfang", "huangfu", "murong", "sima"),
    )
)
# the particles a surname may start with, in lower case (de la Cruz, van der Berg)
_SURNAME_PARTICLES = frozenset(
    (
        *("de", "la", "le", "du", "da", "di", "del", "della"),
        *("dos", "das", "van", "von", "der", "den", "ter"),
    )
)
# the Han titles a pinyin surname is written with: those of a Han surname (Zhang先生,
# Li女士, Li阿姨, Wang师傅, Zhang总: review s58R1 F03)
_PINYIN_HAN_TITLES = (
    *("先生", "女士", "小姐", "太太", "阿姨", "师傅", "老师", "总"),
    *("師傅", "老師", "總"),
)

# A form of a Latin name (:func:`_named`) other than the name as stored and its
# words reversed: a title or an initial before the surname, or a comma between
# surname and given name (Mrs.Thompson, M Thompson, Thompson,Margaret).  It is
# masked only as a word of its own, no Latin letter glued on either side (review
# s57R9 F02: rooms.Parking, Dr.Parker, Lee,Announcement were starred for Dan Park
# and Ann Lee; Mrs.Thompson's stays masked); a pinyin surname before a Han title
# (Zhang先生) with no Latin letter before it.
_NAME_PART = f"[{_LATIN}]+(?:['-][{_LATIN}]+)*"
_NAMED_FORM = re.compile(
    f"(?i:(?:{'|'.join(_TITLES)})(?:\\. ?| )|[{_LATIN}](?:\\. ?| ))(?:{_NAME_PART} )*{_NAME_PART}"
    f"|{_NAME_PART}(?: {_NAME_PART})* ?, ?{_NAME_PART}(?: {_NAME_PART})*"
)
_NAMED_HAN_TITLED = re.compile(f"{_NAME_PART}(?P<title>{'|'.join(_PINYIN_HAN_TITLES)})")
_IDEOGRAPHIC_STOPS = "\u3002\uff61"
# a letter that is no lower-case one (read case-sensitively in a pattern that
# ignores case), and an initial without a dot before a surname (A Long, M Thompson)
_NOT_LOWER = "(?-i:(?![a-z\u00df-\u00f6\u00f8-\u00ff]))"
# a surname form with a comma written in lower case: a lower-case letter first and
# the first after the comma (ma,lin, chen, jing).  The text is read folded (a
# full-width comma or letter as its ASCII one), and the classes are small ones: each
# name form is compiled with its own, and a class of characters past U+00FF costs
# several times more to compile
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff"
_LOWER_COMMA_LOWER = f"(?-i:(?=[{_LOWER}][^,]{{0,60}},\\W{{0,3}}+[{_LOWER}]))"
_UNDOTTED_INITIAL = re.compile(f"[{_LATIN}] {_NAME_PART}(?: {_NAME_PART})*")
# what an undotted initial may not follow: a word whose letter it is (Block B, Flat
# C, Unit D, Plan B, Building E), and the street or building word that may not
# follow its surname (B Long Lane, C Green Court): an address, no name (review
# s58RR1 F03)
_NOT_AFTER_BLOCK = "".join(
    f"(?<!{word} )" for word in ("block", "flat", "unit", "plan", "building", "bldg", "tower")
)
_NO_STREET_AFTER = f"(?! *+(?:{_STREET_WORDS}|tower|building)(?![{_LATIN}]))"
# a title form led by Miss, also a verb of English ("miss King Street")
_MISS_FORM = re.compile("(?i:miss)[. ]")
# initials that are words of English (the article "a", the pronoun "I"): "a long
# time", "I long for" are no A Long, I Long (review s58R1 F01); their dotted forms
# (A. Long, A.Long) are names
_WORD_INITIALS = frozenset("aAiI")


@functools.lru_cache(maxsize=1024)
def _named(value: str) -> tuple[str, ...]:
    """The forms English correspondence writes a stored name in (review s54R4 F06):
    without the title it was stored with (``Aisha Khan`` of ``Dr Aisha Khan``),
    surname first (``Thompson, Margaret``, ``THOMPSON Margaret``, the comma glued
    on: ``Thompson,Margaret``), the given name's initial and the surname
    (``M. Thompson``, ``M Thompson``, ``M.Thompson``) and the surname after a title
    (``Mrs Thompson``, ``Dr. Thompson``, ``Mrs.Thompson``; a surname of three
    letters or more; review s57R2 F01).  Letter case, spaces and apostrophes are
    read as for any literal.  The surname or the given name alone is no form: too
    many other words and people share it.  A Chinese name of two to four Han
    characters: its surname and a title (:func:`_han_titled`).  None for any
    other value (a room, a phone)."""
    if _HAN_NAME.fullmatch(value):
        return _han_titled(value)
    words = value.split()
    if not 2 <= len(words) <= 6:
        return ()
    if not all(_NAME_WORD.fullmatch(word.rstrip(".")) for word in words):
        return ()
    forms: list[str] = []
    if words[0].rstrip(".").lower() in _TITLE_WORDS:
        words = words[1:]
        if len(words) >= 2:
            forms.append(" ".join(words))
    surname, given = words[-1], words[:-1]
    if len(surname) < 2 or (given and len(given[0]) < 2):
        return ()  # a letter alone is no name's part (a room "Block C")
    if given:
        first = " ".join(given)
        # the comma and the initial's dot with no space after them or one before the
        # comma (Thompson,Margaret, Thompson ,Margaret, M.Thompson: a CRM export,
        # an IME's full-width "，" read folded; review s57R2 F01)
        forms += (f"{surname}, {first}", f"{surname},{first}", f"{surname} {first}")
        forms += (f"{surname} ,{first}", f"{surname} , {first}")
        forms += _initialled(given[0][0], surname)
    # a pinyin surname given last (Jun Ma, Na Li: Dr Ma, Li女士; review s58R1 F04)
    pinyin = bool(given) and surname.lower() in _PINYIN_SURNAMES
    if pinyin or sum(map(str.isalpha, surname)) >= _SURNAME_LETTERS:
        forms += _titled(surname)
    if pinyin:
        forms += (f"{surname}{title}" for title in _PINYIN_HAN_TITLES)
    # a surname with its particles (Anna de la Cruz: de la Cruz,Anna, Ms.de la Cruz,
    # A.de la Cruz; the forms above read Cruz alone; review s57R9 F02)
    lead = next((i for i, w in enumerate(words) if w in _SURNAME_PARTICLES), 0)
    if lead and all(w in _SURNAME_PARTICLES for w in words[lead:-1]):
        family, first = " ".join(words[lead:]), " ".join(words[:lead])
        forms += (f"{family}, {first}", f"{family},{first}", f"{family} ,{first}")
        forms += _initialled(words[0][0], family)
        forms += _titled(family)
    # a pinyin name may be stored and written surname first (Zhang Wei: Mr.Zhang,
    # Zhang,Wei, W.Zhang, Zhang先生; review s57R9 F03)
    if given and len(words) <= 3 and words[0].lower() in _PINYIN_SURNAMES:
        family, rest = words[0], words[1:]
        after = " ".join(rest)
        forms += (f"{family}, {after}", f"{family},{after}", f"{family} ,{after}")
        forms += (f"{family} , {after}",)
        forms += _initialled(rest[0][0], family)
        forms += _titled(family)
        forms += (f"{family}{title}" for title in _PINYIN_HAN_TITLES)
    return tuple(dict.fromkeys(f for f in forms if f != value))


def _initialled(initial: str, surname: str) -> tuple[str, ...]:
    """An initial before a surname, dotted or not (``M. Thompson``, ``M.Thompson``,
    ``M Thompson``); dotted alone where the initial is an English word (``A.
    Long``, not ``A Long``: "a long time"; review s58R1 F01)."""
    dotted = (f"{initial}. {surname}", f"{initial}.{surname}")
    return dotted if initial in _WORD_INITIALS else (*dotted, f"{initial} {surname}")


def _titled(surname: str) -> tuple[str, ...]:
    """A surname after each title, with a dot or not, spaced or glued (``Mrs
    Thompson``, ``Mrs. Thompson``, ``Mrs.Thompson``: review s57R2 F01)."""
    spaced = (f"{title}{dot} {surname}" for title in _TITLES for dot in ("", "."))
    return (*spaced, *(f"{title}.{surname}" for title in _TITLES))


# A stored Chinese name (review s55R2 F04): two to four Han characters, the surname
# first, one character or a compound of two; and the titles a call note or a CRM
# writes after the surname alone (王先生, 欧阳女士, 李师傅, 陈总).
_HAN_NAME = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]{2,4}")
_COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "钟离",
        "闻人",
        "赫连",
        "濮阳",
        "单于",
        "万俟",
        "司空",
    )
)

_HAN_TITLES = (
    *("先生", "女士", "小姐", "太太", "阿姨", "师傅", "老师", "总"),
    *("師傅", "老師", "總"),  # traditional (review s55R8 F04)
)
# a titled form: a surname (one or two Han characters) and a title
_HAN_TITLED_FORM = re.compile(f"([\u3400-\u4dbf\u4e00-\u9fff]{{1,2}})({'|'.join(_HAN_TITLES)})")
# what makes a word of 总 after it (总是, 总体, 总算, 总结, 总共 …): no title then
_HAN_WORD_AFTER_TOTAL = (
    "是体體算结結共之计計数數额額部量和价價归歸"
    # a company officer's title (总经理, 总监, 总裁, 总工, 总务, 总台, 总督, 总编,
    # 总站, 总署: review s58R1 F12)
    "经經监監裁工务務台督编編站署"
)
# the characters before a common surname that make a word ending in it (明白, 对方,
# 提高, 骑马 …): that surname is no surname then (review s55R8 F04)
_HAN_WORD_BEFORE = {
    "白": "明坦表空清告黑洁苍辩独旁",
    "方": "对對双雙地官北南西大药藥配比这這那一",
    "高": "提升崇最增",
    "马": "人兵骑赛斑",
    "馬": "人兵騎賽斑",
    "林": "森树樹园園",
    "于": "关關对對由属屬终終至等",
    "时": "同及准按当",
    "時": "同及準按當",
    "周": "四每上下本",
    "张": "紧夸主扩开",
    "常": "正日经經平",
    "金": "资資现現黄黃租押",
    "任": "责責信主担擔",
    "程": "工过過课課流",
    "文": "中英原全正",
}
# every match of a Han name's titled form holds its surname and one, as the text is
# drawn (spaces may stand between their characters, as in any literal): a text
# holding none is not searched for them (:func:`_unnamed`; most texts name no one)
_HAN_TITLE_PROBE = re.compile("|".join("\\s*".join(title) for title in _HAN_TITLES))


def _han_titled(value: str) -> tuple[str, ...]:
    """A stored Chinese name's surname followed by a title (``王先生``, ``王女士`` of
    ``王小明``; ``欧阳女士`` of ``欧阳娜娜``), as the English title and surname are
    (``Mrs Thompson``): the same identifying form, in a call note or a CRM's error.
    The surname alone is no form (too many people share it)."""
    surname = _han_surname(value)
    return tuple(f for f in (surname + title for title in _HAN_TITLES) if f != value)


@functools.lru_cache(maxsize=256)
def _han_probe(surname: str) -> re.Pattern[str]:
    """The probe of a Han surname and a title (:func:`_surname_probe`), made once
    per surname: every complaint of 王 shares it."""
    spaced = "\\s*".join(surname)
    return re.compile(f"{spaced}\\s*(?:{_HAN_TITLE_PROBE.pattern})")


def _han_surname(value: str) -> str:
    """A stored Chinese name's surname: its first character, or its first two where
    they are a compound surname and a given name follows."""
    return value[:2] if len(value) > 2 and value[:2] in _COMPOUND_SURNAMES else value[0]


@functools.lru_cache(maxsize=1024)
def _keyed_rooms(value: str) -> tuple[str, ...]:
    """The rooms a room key reads in a stored ``value`` where it writes them otherwise
    (PRV-1; review s51R7 F04: the key says they are one flat, so a text writing
    the flat as the key reads it holds the owner's flat), written as a stored
    room of that number or those groups is: each room of a value of several
    (:func:`~complaintcore.core.room_forms.room_list`: ``1201`` and ``1202`` of
    ``1201/1202``, each part a room in an address form or a flat,
    :func:`~complaintcore.core.room_forms.room_listed`), without an English room
    word (``1202`` of ``Rm 1202``, ``3-1202`` of ``Ｒｍ３－１２０２``) and the
    building's Chinese numerals (``3-2-1201`` of ``三号楼2单元1201``:
    :func:`~complaintcore.core.room_forms.room_read`), without a floor its flat
    holds (``502`` of ``5楼502``, ``3-502`` of ``3栋5楼502``:
    :func:`~complaintcore.core.room_forms.room_kept`), its groups as written and
    as numbers (``101`` of ``0101``), and a flat of one group without its end
    word (``1201`` of ``1201室``, review s50Q F02); a flat with a letter also with
    a space between its letter and digits, and a building of one letter and its
    flat also glued and spaced (``a 1201`` of ``A1201``, ``1201 b`` of ``1201B``,
    ``a1201`` and ``a 1201`` of ``A座1201``: :func:`_lettered`, review s52K F04),
    in an address form too, as written and as kept (``5楼502 a`` and ``502 a`` of
    ``5楼502A``, ``3栋502 a`` and ``3-502 a`` of ``3栋5楼502A``: :func:`_spaced_last`,
    review s52R7 F02); a spaced form is
    masked only where it stands as a whole (:func:`_bounded`, review s52R7 F01).
    Each reading is a bounded
    number of scans of the value: masking stays linear.  A name or a phone reads
    as no other room (nothing, or itself)."""
    parts = room_list(value)
    own = _room_literal(value)
    found: dict[str, None] = {}
    for part in parts:
        read = room_read(part)
        address = room_address(read)
        if address is not None:
            found.update(dict.fromkeys(_spaced_last(*address)))
            groups, levels = room_kept(*address)
            for written in dict.fromkeys((groups, tuple(map(plain_number, groups)))):
                if own is None or written != own.form.groups:
                    found[_worded(written, levels)] = None
                found.update(dict.fromkeys(_spaced_last(written, levels)))
            if levels == (BUILDING,) and _LETTER_BUILDING.fullmatch(" ".join(groups)):
                found.update(dict.fromkeys(_lettered("".join(groups))))
            continue
        spelt = "".join(unicodedata.normalize("NFKC", read).casefold().split())
        if len(parts) == 1 or room_listed(spelt):
            for flat in (room_alone(spelt), room_flat(spelt)):
                if flat is not None:
                    found.update(dict.fromkeys(_lettered(flat)))
    found.pop(value, None)
    found.pop(value.casefold(), None)
    return tuple(found)


# one group of a flat with its letter before or after its digits (a1201, 1201b), and
# a lettered building's letter before a flat's digits (a and 1201 of A座1201)
_LETTERED_FLAT = re.compile("([a-z])([0-9]+)|([0-9]+)([a-z])")
_LETTER_BUILDING = re.compile("[a-z] [0-9]+")


def _lettered(flat: str) -> tuple[str, ...]:
    """A flat of one group as masked (:func:`_keyed_rooms`): itself and, where it has a
    letter, the letter and its digits with a space between (``a 1201`` of ``a1201``,
    ``1201 b`` of ``1201b``), as a room key reads ``A 1201`` as ``A1201`` (review
    s51R23 F01): a literal is matched with spaces only where it has one (review
    s52K F04: a stored ``A1201`` left a text's ``A 1201`` readable)."""
    letter = _LETTERED_FLAT.fullmatch(flat)
    if letter is None:
        return (flat,)
    return flat, " ".join(part for part in letter.groups() if part is not None)


def _spaced_last(groups: tuple[str, ...], levels: tuple[str, ...]) -> tuple[str, ...]:
    """A room's ``groups`` (kept: :func:`_keyed_rooms`) whose last is a flat with a
    letter, written with a space between its letter and digits, as a key reads
    that room (:func:`~complaintcore.core.room_forms.room_read`, review s52R7
    F03): with the words of its levels and with dashes (``502 a`` of ``502a``;
    ``3栋502 a`` and ``3-502 a`` of ``3``, ``502a``; a floor with 楼 and 层,
    ``5楼1201 b`` and ``5层1201 b``).  A spaced form is no room :func:`_room_spans`
    finds in any form: each is a literal of its own, in these forms alone (not
    ``3号楼502 a``).  Nothing for a last group without a letter."""
    spaced = _lettered(groups[-1])[1:]
    if not spaced:
        return ()
    written = (*groups[:-1], spaced[0])
    forms = (_worded(written, levels), _worded(written, levels, FLOOR), "-".join(written))
    return tuple(dict.fromkeys(forms))


def _worded(groups: tuple[str, ...], levels: tuple[str, ...], floor: str = "楼") -> str:
    """A room's ``groups`` written with the word of each one's level (栋, 单元, 楼 for a
    floor kept or ``floor``, a dash for none): a room in an address form, masked in every
    form of it with the literals that are no numbers (:func:`_room_spans`), so a
    text's room holding another literal's (``2单元1201`` of ``三号楼2单元1201``) is
    masked as one run with it, as the stored room is."""
    words = ({FLOOR: floor}.get(level, level) or "-" for level in levels)
    return "".join(g + w for g, w in zip(groups[:-1], words, strict=True)) + groups[-1]


def shown_site(site: str, sites: Collection[str], *, also: Iterable[str] | None = ()) -> str:
    """A complaint's site as a view without personal data shows it (PRV-1): as it is
    when it is one of ``sites`` (the site codes the desk names: its staff
    directory's and its configuration's ``sites``, which intake checks a site
    against), else as :func:`redact` masks free text with ``also`` (the
    complainant's name, phone and room), as a masked notification shows it.  On
    a desk that names no site any site is taken, and an owner may have typed a
    name or a phone there.  Surrounding spaces are ignored.

    ``also=None``: the complainant is not known (a record too damaged to read),
    so nothing typed there is known to be safe, and every letter and digit is
    masked (:func:`masked_whole`; review s47H F05).
    """
    site = site.strip()
    if site in sites:
        return site
    return masked_whole(site) if also is None else redact(site, also=also)


def masked_whole(text: str) -> str:
    """Free text at its most cautious (PRV-1): every letter and digit (of any script)
    masked, spaces and punctuation kept; for text whose personal data cannot be
    known (the complainant of a damaged record).  Format characters are left out."""
    return "".join("*" if char.isalnum() else char for char in _drawn(text)[0])
