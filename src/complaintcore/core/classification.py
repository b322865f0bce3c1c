"""Keyword classification: text -> business category, cause, department (CLS-1..4).

Pure core: standard library and attrs only; no I/O and no clock.

How matching works (the same rules serve :func:`complaintcore.core.validity.infer_kind`):

* Text and keywords are normalised the same way: Unicode NFKC (full-width letters
  and digits become half-width), then case folding, then every run of white space
  becomes one space.
* A keyword that contains a CJK character (汉字, kana, hangul) matches as a plain
  substring: ``漏水`` matches ``厨房漏水了``.
* Any other keyword (English, pinyin, digits) matches on word boundaries, where
  a "word character" is a letter or digit that is not CJK; so ``leak`` matches in
  ``漏水leak了`` and ``Leak!``, and ``fee`` does not match ``feedback``.  Simple
  inflections of the keyword's last word also match: ``-s``, ``-es``, ``-ed`` and
  ``-ing``; for keywords ending in a single ``e``, also ``-d`` and ``-ing`` with the
  ``e`` dropped (``charge`` → ``charged``, ``charging``); for keywords ending in a
  consonant + ``y``, ``-ies`` and ``-ied``.  No other stemming: a pack lists other
  forms (``stopped``, ``broken``) explicitly.
* The scan is leftmost-longest and non-overlapping: where ``物业费`` matches, the
  shorter ``物业`` inside it does not also count; at one position the longest
  keyword (or inflected form) that satisfies its boundaries wins, CJK or not.
  All keyword forms are compiled once per pack into trie-shaped regular
  expressions, split by first character (Latin vs CJK, at most 64 first
  characters each) because Python's regex engine tries a top-level alternation
  branch by branch; each pattern makes one C-speed pass and the passes are merged
  by position (a position can start a match in only one pattern).

Scoring (CLS-1): a category scores one point per *distinct* keyword of its own that
occurs in the text (repeating a word does not add weight, and long keywords weigh
the same as short ones, so every score can be explained by counting the quoted
words).  The highest score wins; equal scores go to the category listed first in
the pack.  No match at all gives the pack's ``default_category``.

Target person (CLS-4): when the complaint is about a staff member and the words are
ambiguous (top categories tied, or nothing matched), the cause shifts to software:
among tied categories the first ``conduct`` one wins, else the first one whose cause
is software; with no match the
default category is kept but its cause becomes software.  A clear keyword winner
is never overridden by the target.

Staff words (CLS-4): a category's ``staff_words`` name its staff (保洁阿姨,
``security guard``).  They are scanned with the keywords (so ``保洁阿姨`` wins over
the keyword ``保洁`` inside it) and score for their category like keywords, unless
the same clause (between ``，。；！？,;!?``, a full stop or a line end) also matches
a keyword of a ``conduct`` category (service attitude): then the complaint is about
how that person behaved, the staff words score nothing, and a tie goes to the
conduct category (as it does when a ``target`` is given).

Compiled rules are cached per pack object (:meth:`Classifier.for_pack`, at most 32
packs, least recently used evicted).  This memo is the only module state; it never
changes a result.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Cause, Classified, Fact, TargetPerson
from complaintcore.core.rulepack import Category, RulePack

__all__ = [
    "CategoryScore",
    "Classification",
    "Classifier",
    "classify",
    "normalise_text",
]


# --------------------------------------------------------------------------- matching

# CJK ideographs (with extensions and compatibility forms), kana, bopomofo, hangul.
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3040-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
# Clause ends: a conduct word silences only the staff words of its own clause.
_CLAUSES = re.compile(r"[，。；！？,;!?\n]|\.(?:\s|$)")
# A word character that is not CJK: what must not touch a non-CJK keyword.
_WORD = re.compile(f"[^\\W{_CJK_RANGES}]")

_FIRST_CHARS_PER_PATTERN = 64
_WORD_RUN = re.compile(f"[^\\W{_CJK_RANGES}]+")
_ASCII_LETTER = re.compile(r"[a-z]")
_VOWELS = frozenset("aeiou")


def _is_word(ch: str) -> bool:
    return _WORD.match(ch) is not None


# Full-width ASCII (U+FF01..U+FF5E): NFKC maps each to ASCII by a fixed offset.
_FULL_WIDTH = re.compile("([\uff01-\uff5e]+)")
_FULL_WIDTH_TABLE = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}


def normalise_text(text: str) -> str:
    """NFKC, case-fold and collapse white space: what keywords are matched against.

    CPython's NFKC is slow on Chinese text with full-width punctuation (about
    30 µs for 200 characters), so full-width ASCII is folded first by its fixed
    offset (the same result NFKC gives) and full NFKC runs only if anything else
    still needs it.
    """
    if not unicodedata.is_normalized("NFKC", text):
        parts = _FULL_WIDTH.split(text)
        parts[1::2] = [p.translate(_FULL_WIDTH_TABLE) for p in parts[1::2]]
        text = "".join(parts)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return " ".join(text.casefold().split())


def _word_forms(keyword: str) -> tuple[str, ...]:
    """The inflected forms of a normalised non-CJK keyword, the keyword first."""
    forms = [keyword]
    if not _ASCII_LETTER.fullmatch(keyword[-1]):
        return tuple(forms)
    forms += [keyword + "s", keyword + "es", keyword + "ed", keyword + "ing"]
    if keyword.endswith("e") and not keyword.endswith("ee"):
        forms += [keyword + "d", keyword[:-1] + "ing"]
    if len(keyword) >= 2 and keyword.endswith("y") and keyword[-2] not in _VOWELS:
        forms += [keyword[:-1] + "ies", keyword[:-1] + "ied"]
    return tuple(forms)


def _trie_regex(words: Iterable[str]) -> str:
    """A regex alternation of literal ``words`` factored as a trie (longest first).

    Factoring by prefix means a position tries one branch per distinct first
    character, then follows a single path, instead of trying every keyword.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        end = "" in node
        children = sorted(k for k in node if k)
        if not children:
            return ""
        parts = [re.escape(ch) + emit(node[ch]) for ch in children]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if end:
            # Greedy optional: the longer continuation is tried before stopping here.
            return ("(?:" + body + ")?") if len(parts) == 1 else body + "?"
        return body

    return emit(trie)


@attrs.frozen(eq=False)
class _KeywordMatcher:
    """Keywords in labelled groups, compiled into a few trie-shaped regexes.

    Shared by classification (groups = categories) and kind inference (groups =
    complaint / request / enquiry words).  ``scan`` returns, for each distinct
    keyword found, its index into ``keywords``, in order of first appearance.
    """

    patterns: tuple[re.Pattern[str], ...]
    mixed_latin: bool
    forms: Mapping[str, tuple[int, bool]]
    keywords: tuple[str, ...]
    groups_of: tuple[tuple[int, ...], ...]

    @classmethod
    def build(cls, groups: Sequence[Sequence[str]]) -> _KeywordMatcher:
        """Compile ``groups`` (each a sequence of keywords, in priority order)."""
        index: dict[str, int] = {}
        keywords: list[str] = []
        groups_of: list[list[int]] = []
        for g, words in enumerate(groups):
            for word in words:
                norm = normalise_text(word)
                if not norm:
                    continue
                k = index.get(norm)
                if k is None:
                    k = index[norm] = len(keywords)
                    keywords.append(word)
                    groups_of.append([])
                if g not in groups_of[k]:
                    groups_of[k].append(g)
        # form -> (keyword index, needs word boundaries).  Exact keywords claim
        # their own spelling before any inflected form of another keyword does.
        forms: dict[str, tuple[int, bool]] = {}
        for norm, k in index.items():
            forms[norm] = (k, _CJK.search(norm) is None)
        for norm, k in index.items():
            if _CJK.search(norm) is None:
                for form in _word_forms(norm):
                    forms.setdefault(form, (k, True))
        # Patterns split by the first character (by script, then into chunks of
        # at most _FIRST_CHARS_PER_PATTERN first characters).  A position can
        # start a match in only one of them, so merging their matches by position
        # is the same as scanning their union, and each top-level alternation
        # stays short (the regex engine tries its branches one after another).
        latin = [f for f in forms if _CJK.match(f) is None]
        patterns: list[re.Pattern[str]] = []
        for part in (latin, [f for f in forms if _CJK.match(f) is not None]):
            firsts = sorted({f[0] for f in part})
            chunks = -(-len(firsts) // _FIRST_CHARS_PER_PATTERN)
            for j in range(chunks):
                mine = set(firsts[j::chunks])
                patterns.append(re.compile(_trie_regex(f for f in part if f[0] in mine)))
        return cls(
            patterns=tuple(patterns),
            mixed_latin=any(_CJK.search(f) for f in latin),
            forms=forms,
            keywords=tuple(keywords),
            groups_of=tuple(tuple(g) for g in groups_of),
        )

    def scan(self, text: str) -> list[int]:
        """Distinct keyword indices found in ``text``, in order of first appearance.

        Leftmost-longest, non-overlapping: the trie-shaped patterns give the
        longest form at the leftmost position; a non-CJK form must also sit on
        word boundaries, otherwise the next shorter form at that position is
        tried, then the next position.  (Checking boundaries here rather than
        with look-arounds keeps the regex engine's fast first-character skip.)
        """
        if not self.patterns:
            return []
        t = normalise_text(text)
        found = self._scan_fast(t)
        return self._scan_exact(t) if found is None else found

    def _scan_fast(self, t: str) -> list[int] | None:
        """The common case in C-speed passes; None when it cannot be sure.

        Each pattern's matches are listed by ``finditer`` and merged by position
        (no two patterns can match at the same position).  The result equals
        :meth:`_scan_exact` unless two listed matches overlap, a shorter form
        would be needed, or a rejected span could hide another match; then it
        gives up.
        """
        patterns = self.patterns
        if len(patterns) == 1:
            matches = list(patterns[0].finditer(t))
        else:
            matches = [m for p in patterns for m in p.finditer(t)]
            matches.sort(key=re.Match.start)  # a C method: no Python call per match
        n = len(t)
        forms = self.forms
        found: dict[int, None] = {}
        pos = 0
        for m in matches:
            start, end = m.span()
            if start < pos:
                return None
            k, bounded = forms[m.group()]
            if bounded and (
                (start > 0 and _is_word(t[start - 1])) or (end < n and _is_word(t[end]))
            ):
                # Rejected.  A match hidden inside this span would start after a
                # word character (so be rejected too) unless the span holds a
                # non-word character or a CJK-bearing keyword could start there.
                if self.mixed_latin or not _WORD_RUN.fullmatch(t, start, end):
                    return None
                continue
            found.setdefault(k, None)
            pos = end
        return list(found)

    def _scan_exact(self, t: str) -> list[int]:
        """Leftmost-longest scan that restarts a pattern after any overlap."""
        patterns = self.patterns
        n = len(t)
        forms = self.forms
        found: dict[int, None] = {}
        # The next match of each pattern at or after ``pos`` (None: no more).
        ahead = [p.search(t) for p in patterns]
        pos = 0
        while True:
            best = -1
            best_start = n + 1
            for i, m in enumerate(ahead):
                if m is not None and m.start() < pos:
                    m = ahead[i] = patterns[i].search(t, pos)
                if m is not None and m.start() < best_start:
                    best, best_start = i, m.start()
            if best < 0:
                break
            m = ahead[best]
            assert m is not None
            start, end = m.span()
            k, bounded = forms[m.group()]
            if bounded:
                # Every shorter form at this position is a prefix of a non-CJK
                # form, so also non-CJK: a word character on the left rules out all.
                ok = start == 0 or not _is_word(t[start - 1])
                while ok and end < n and _is_word(t[end]):
                    shorter = patterns[best].match(t, start, end - 1) if end - start > 1 else None
                    if shorter is None:
                        ok = False
                    else:
                        end = shorter.end()
                        k = forms[shorter.group()][0]
                if not ok:
                    ahead[best] = patterns[best].search(t, start + 1)
                    continue
            found.setdefault(k, None)
            pos = end
        return list(found)


# --------------------------------------------------------------------------- results


class CategoryScore(NamedTuple):
    """One category's score and the keywords that earned it (for explanations)."""

    category: str
    score: int
    keywords: tuple[str, ...]


@attrs.frozen
class Classification:
    """CLS-1..4: what a complaint is about, who owns the fix, and why.

    ``matched`` lists every keyword found (any category) in order of first
    appearance; ``scores`` holds each category with a non-zero score, best first
    (ties in pack order), so ``scores[0]`` is the winner when anything matched.
    """

    category: str
    cause: Cause
    department: str
    helpers: tuple[str, ...] = ()
    urgent: bool = False
    facts: tuple[Fact, ...] = ()
    target: TargetPerson | None = None
    matched: tuple[str, ...] = ()
    scores: tuple[CategoryScore, ...] = ()
    default_used: bool = False
    cause_shifted: bool = False
    explanation_en: str = ""
    explanation_zh: str = ""

    @property
    def evidence(self) -> tuple[str, ...]:
        """The keywords that support the chosen category."""
        for s in self.scores:
            if s.category == self.category:
                return s.keywords
        return ()

    def explanation(self, lang: str = "en") -> str:
        """A sentence a person can check: the words found and what they led to."""
        return self.explanation_zh if lang.lower().startswith("zh") else self.explanation_en

    def to_event(self, *, at: datetime, actor: str) -> Classified:
        """The ``Classified`` event recording this result (explanations zh, en)."""
        return Classified(
            at=at,
            actor=actor,
            category=self.category,
            cause=self.cause,
            department=self.department,
            explanation=(self.explanation_zh, self.explanation_en),
            helpers=self.helpers,
            target=self.target,
            urgent=self.urgent,
        )


def _quoted(words: Sequence[str], sep: str) -> str:
    return sep.join(f'"{w}"' for w in words)


def _department_labels(pack: RulePack) -> dict[str, tuple[str, str]]:
    return {d.code: (d.en, d.zh) for d in pack.departments}


def _explain(
    departments: Mapping[str, tuple[str, str]],
    category: Category,
    cause: Cause,
    evidence: Sequence[str],
    default_used: bool,
    target: TargetPerson | None,
    cause_shifted: bool,
) -> tuple[str, str]:
    dept = category.department
    dept_en, dept_zh = departments.get(dept, (dept, dept))
    # the English text names the category in English only: an English reader of a
    # UK desk has no use for the pack's Chinese label; the Chinese keeps both
    if default_used:
        en = f"no keyword matched → default category {category.en}"
        zh = f"未匹配到关键词 → 默认分类 {category.zh} ({category.en})"
    else:
        en = f"matched {_quoted(evidence, ', ')} → {category.en}"
        zh = f"匹配 {_quoted(evidence, '、')} → {category.zh} ({category.en})"
    en += f"; cause {cause.value}; department {dept_en}"
    zh += f"；原因 {cause.zh}；责任部门 {dept_zh}"
    if target is not None:
        who_en = target.role or target.rung
        en += f"; about a staff member ({who_en})"
        zh += f"；被投诉人 ({who_en})"
        if cause_shifted:
            en += ", so the cause is software"
            zh += "，原因归为软件"
    return en, zh


# --------------------------------------------------------------------------- classifier


@attrs.frozen(eq=False)
class Classifier:
    """A rule pack's category keywords compiled once; classify with one scan."""

    pack: RulePack
    _matcher: _KeywordMatcher
    _default: Category
    _departments: Mapping[str, tuple[str, str]]
    _codes: tuple[str, ...]
    _conduct: frozenset[int]

    @classmethod
    def compile(cls, pack: RulePack) -> Classifier:
        """Compile ``pack`` without the cache (raises if its default is unknown)."""
        if not isinstance(pack, RulePack):
            raise InvalidInputError("pack", f"expected a RulePack, got {type(pack).__name__}")
        default = next((c for c in pack.categories if c.code == pack.default_category), None)
        if default is None:
            raise InvalidInputError(
                "default_category",
                f"default category {pack.default_category!r} is not a category of pack {pack.name}",
            )
        cats = pack.categories
        # groups 0..n-1: each category's keywords; n..2n-1: its staff words (CLS-4)
        matcher = _KeywordMatcher.build([c.keywords for c in cats] + [c.staff_words for c in cats])
        return cls(
            pack=pack,
            matcher=matcher,
            conduct=frozenset(i for i, c in enumerate(cats) if c.conduct),
            default=default,
            departments=_department_labels(pack),
            codes=tuple(c.code for c in pack.categories),
        )

    @classmethod
    def for_pack(cls, pack: RulePack) -> Classifier:
        """The compiled classifier for this pack object, from a small LRU cache.

        Keyed on the object's identity (hashing a whole pack costs more than a
        scan); the cache holds the pack itself, so an id is never reused while
        its entry lives.
        """
        key = id(pack)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None and hit.pack is pack:
                _CACHE.move_to_end(key)
                return hit
        compiled = cls.compile(pack)
        with _CACHE_LOCK:
            _CACHE[key] = compiled
            _CACHE.move_to_end(key)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        return compiled

    def scores(self, text: str) -> tuple[CategoryScore, ...]:
        """Every category with a non-zero score, best first, ties in pack order."""
        return self._score(text)[1]

    def _score(
        self, text: str
    ) -> tuple[tuple[str, ...], tuple[CategoryScore, ...], tuple[int, ...]]:
        """Matched keywords, the non-zero scores best first, and their category indices."""
        return self._weigh(text)[:3]

    def _weigh(
        self, text: str
    ) -> tuple[tuple[str, ...], tuple[CategoryScore, ...], tuple[int, ...], bool]:
        """``_score`` and whether a staff word was read as the person complained of."""
        if not isinstance(text, str):
            raise InvalidInputError("text", f"expected text, got {type(text).__name__}")
        m = self._matcher
        found = m.scan(text)
        if not found:
            return (), (), (), False
        codes = self._codes
        keywords = m.keywords
        groups_of = m.groups_of
        hits: dict[int, list[str]] = {}
        staff: list[tuple[int, str]] = []
        n = len(codes)
        for k in found:
            word = keywords[k]
            for g in groups_of[k]:
                if g >= n:
                    staff.append((g - n, word))
                elif g in hits:
                    hits[g].append(word)
                else:
                    hits[g] = [word]
        # CLS-4: a word naming staff counts for their trade unless its clause
        # complains of conduct; then it says who, not what
        who = self._who(text) if staff and self._conduct.intersection(hits) else frozenset()
        for g, word in staff:
            if word in who:
                continue
            if g in hits:
                hits[g].append(word)
            else:
                hits[g] = [word]
        ranked = sorted(hits, key=lambda g: (-len(hits[g]), g))
        scores = tuple([CategoryScore(codes[g], len(hits[g]), tuple(hits[g])) for g in ranked])
        return tuple([keywords[k] for k in found]), scores, tuple(ranked), bool(who)

    def _who(self, text: str) -> frozenset[str]:
        """Staff words that share a clause with a conduct word (rare: scanned again)."""
        m = self._matcher
        n = len(self._codes)
        who: set[str] = set()
        for clause in _CLAUSES.split(text):
            found = m.scan(clause)
            groups = {g for k in found for g in m.groups_of[k]}
            if groups.isdisjoint(self._conduct):
                continue
            who.update(m.keywords[k] for k in found if any(g >= n for g in m.groups_of[k]))
        return frozenset(who)

    def classify(self, text: str, *, target: TargetPerson | None = None) -> Classification:
        """CLS-1..4: the category for ``text`` (see the module docstring for the rules)."""
        if target is not None and not isinstance(target, TargetPerson):
            raise InvalidInputError(
                "target", f"expected a TargetPerson, got {type(target).__name__}"
            )
        matched, scores, ranks, about_staff = self._weigh(text)
        cats = self.pack.categories
        cause_shifted = False
        if not scores:
            category = self._default
            default_used = True
            cause = category.cause
            if target is not None and cause is not Cause.SOFTWARE:
                cause, cause_shifted = Cause.SOFTWARE, True
        else:
            default_used = False
            best = scores[0].score
            top = [cats[g] for g, s in zip(ranks, scores, strict=True) if s.score == best]
            category = top[0]
            if (target is not None or about_staff) and len(top) > 1:
                # about a person: a tie goes to conduct, then to a software cause
                category = next(
                    (c for c in top if c.conduct),
                    next((c for c in top if c.cause is Cause.SOFTWARE), top[0]),
                )
                cause_shifted = category is not top[0]
            cause = category.cause
        evidence: tuple[str, ...] = ()
        for s in scores:
            if s.category == category.code:
                evidence = s.keywords
                break
        en, zh = _explain(
            self._departments, category, cause, evidence, default_used, target, cause_shifted
        )
        return Classification(
            category=category.code,
            cause=cause,
            department=category.department,
            helpers=category.helpers,
            urgent=category.urgent,
            facts=category.facts,
            target=target,
            matched=matched,
            scores=scores,
            default_used=default_used,
            cause_shifted=cause_shifted,
            explanation_en=en,
            explanation_zh=zh,
        )


_CACHE_SIZE = 32
_CACHE: OrderedDict[int, Classifier] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def classify(text: str, pack: RulePack, *, target: TargetPerson | None = None) -> Classification:
    """CLS-1, CLS-2, CLS-3, CLS-4: classify ``text`` with ``pack``'s keywords.

    Returns the category (``default_category`` when nothing matches), its cause
    (hardware or software), responsible and helping departments, and a bilingual
    explanation.  Deterministic: equal scores go to the category first in the pack.
    """
    return Classifier.for_pack(pack).classify(text, target=target)
