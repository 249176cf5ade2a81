"""Warnings for case text that looks like it holds personal data.

Authors write pseudonymised text ("moeder", "kind A"); this module points at what still looks
real: BSNs and IBANs (only when their checksum holds), e-mail addresses, Dutch phone numbers,
postcodes with a house number, dates next to a birth cue, first names and surnames after a
form of address. It warns, it does not decide: the author confirms what is a pseudonym.

First names come from the bundled list ``data/dutch_first_names.txt``; its header says how it
was compiled and which sources it was checked against.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from flask_babel import LazyString

from learning.i18n import _, _l

NAMES_FILE = Path(__file__).parent / "data" / "dutch_first_names.txt"

KIND_LABELS: dict[str, LazyString] = {
    "bsn": _l("BSN"),
    "iban": _l("IBAN"),
    "email": _l("e-mailadres"),
    "phone": _l("telefoonnummer"),
    "postcode": _l("postcode met huisnummer"),
    "birth_date": _l("geboortedatum"),
    "first_name": _l("voornaam"),
    "surname_after_title": _l("achternaam na aanspreekvorm"),
}
# Ties between overlapping matches of equal length go to the kind earlier in this order.
_PRIORITY = {kind: rank for rank, kind in enumerate(
    ("bsn", "iban", "email", "phone", "birth_date", "postcode", "first_name", "surname_after_title"))}

# Names that are also everyday Dutch (or English) words: a capital at the start of a sentence
# says nothing there ("Ben je er morgen?"), so these only count elsewhere.
AMBIGUOUS_NAMES = frozenset({
    "Ben", "Wil", "Roos", "Mark", "Lieve", "Jade", "Amber", "Iris", "Bo", "May", "June", "April",
    "Fleur", "Merel", "Linde", "Bas", "Job", "Els", "Lies", "Riet", "Rein", "Leen", "Ton", "Toon",
    "Frank", "Max", "Storm", "Wolf", "Jet", "Lot", "Joy", "Bob", "Mees",
})


@dataclass(frozen=True)
class PersonalDataMatch:
    kind: str  # a key of KIND_LABELS
    start: int
    end: int  # exclusive: text == original[start:end]
    text: str
    reason: str  # a short sentence for the author, in their language


class _Span(NamedTuple):
    kind: str
    start: int
    end: int


def _regex_spans(
    kind: str, pattern: re.Pattern[str], text: str, accept: Callable[[str], bool] | None = None
) -> list[_Span]:
    return [_Span(kind, m.start(), m.end()) for m in pattern.finditer(text) if accept is None or accept(m[0])]


# --- numbers with a checksum -----------------------------------------------------------------

# Glued to letters or other digits it is part of something longer (an IBAN, an amount).
_BSN = re.compile(
    r"(?<!\w)(?<!\d[.,/-])(?:\d{9}|\d{3}([. ])\d{3}\1\d{3}|\d{4}([. ])\d{2}\2\d{3})(?!\w)(?![.,/-]\d)"
)
_IBAN = re.compile(r"(?<!\w)[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?!\w)")
# Countries that issue IBANs: without this, any code-like token has a 1 in 97 chance to pass.
_IBAN_COUNTRIES = frozenset(
    "AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL "
    "GR GT HR HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM "
    "PK PL PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE".split()
)
_NL_IBAN = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")
_NON_DIGITS = re.compile(r"\D")
_NON_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")


def bsn_is_valid(digits: str) -> bool:
    """The elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def iban_is_valid(candidate: str) -> bool:
    iban = "".join(candidate.split()).upper()
    if not 15 <= len(iban) <= 34 or iban[:2] not in _IBAN_COUNTRIES or not iban.isalnum():
        return False
    if iban.startswith("NL") and not _NL_IBAN.fullmatch(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _bsns(text: str) -> list[_Span]:
    return _regex_spans("bsn", _BSN, text, lambda found: bsn_is_valid(_NON_DIGITS.sub("", found)))


def _ibans(text: str) -> list[_Span]:
    spans = []
    for match in _IBAN.finditer(text):
        candidate = match[0]
        # The pattern may swallow a following four-letter word ("... 1643 00 voor"): shorten.
        while candidate and not iban_is_valid(candidate):
            candidate = candidate.rsplit(" ", 1)[0] if " " in candidate else ""
        if candidate:
            spans.append(_Span("iban", match.start(), match.start() + len(candidate)))
    return spans


# --- contact details -----------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+(])(?:(?:\+31|0031)[\s-]?(?:\(0\)[\s-]?)?|\(0(?=\d{1,3}\))|0)"
    r"[1-9](?:\)?[\s.-]?\d){8}(?!\d)(?![.,:]\d)"
)
_DATE_INSIDE = re.compile(r"\d{1,2}([-/.])\d{1,2}\1(?:19|20)\d{2}")
_PHONE_GROUPS = re.compile(r"[\s.()-]+")
_COUNTRY_PREFIX = re.compile(r"^(?:\+31|0031)[\s-]?(?:\(0\)[\s-]?)?")


def _phone_is_plausible(candidate: str) -> bool:
    """Groups like 06 / 010 / 0111 then blocks of two or more digits; dates are not phones."""
    if _DATE_INSIDE.search(candidate):
        return False
    groups = [group for group in _PHONE_GROUPS.split(_COUNTRY_PREFIX.sub("", candidate)) if group]
    if candidate.startswith(("+31", "0031")):
        area_ok = len(groups[0]) <= 3
    else:
        area_ok = groups[0] == "06" or 3 <= len(groups[0]) <= 4
    return len(groups) == 1 or (area_ok and all(len(group) >= 2 for group in groups[1:]))


# --- addresses -----------------------------------------------------------------------------

# SA, SD and SS are never issued. Lowercase letters are accepted ("1234 ab 12"), except pairs
# that are everyday words: "In 2019 is 3 keer ..." is no address.
_LOWERCASE_WORDS = (
    "sa sd ss en in is op te om de na al er ze we zo nu ik je af ja of uw "
    "an at to on or as by it me my no so up us am be do go he"
).split()
_POSTCODE = rf"[1-9]\d{{3}} ?(?:(?!SA|SD|SS)[A-Z]{{2}}|(?!{'|'.join(_LOWERCASE_WORDS)})[a-z]{{2}})(?!\w)"
_HOUSE_NUMBER = r"[1-9]\d{0,4}(?:[ -]?[A-Za-z](?!\w))?(?:-\d{1,4})?(?!\d)(?![.,:]\d)"
_STREET = r"[A-Z][^\W\d_]+(?:[ -](?:[A-Z][^\W\d_]+|van|de|der|den|het|ter|ten|'t))*"
_ADDRESS = re.compile(
    rf"(?<![\w-]){_POSTCODE}\s*,?\s*(?:(?i:huisnummer|nummer|nr\.?)\s*)?{_HOUSE_NUMBER}"
    rf"|(?<![\w-])(?:{_STREET}\s+)?{_HOUSE_NUMBER}\s*,?\s*{_POSTCODE}"
)


# --- dates of birth ------------------------------------------------------------------------

_BIRTH_CUE = re.compile(
    r"(?i)(?<!\w)(?:geboren|geboortedatum|geboortedag|geb\.\s?datum|d\.d\.\s?geboorte|geb\."
    r"|date\s+of\s+birth|born|d\.o\.b\.|dob)(?![^\W\d_])"
)
_MONTH_NAMES = (
    "januari january jan", "februari february feb", "maart march mrt mar", "april apr", "mei may",
    "juni june jun", "juli july jul", "augustus august aug", "september sept sep",
    "oktober october okt oct", "november nov", "december dec",
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?i)(?<![\w-])(?:(?P<d1>\d{{1,2}})(?P<sep>[-/.])(?P<m1>\d{{1,2}})(?P=sep)(?P<y1>\d{{4}}|\d{{2}})"
    rf"|(?P<y2>\d{{4}})-(?P<m2>\d{{1,2}})-(?P<d2>\d{{1,2}})"
    rf"|(?P<d3>\d{{1,2}})\s+(?P<m3>{_MONTH})\.?\s+(?P<y3>\d{{4}})"
    rf"|(?P<m4>{_MONTH})\.?\s+(?P<d4>\d{{1,2}}),?\s+(?P<y4>\d{{4}}))(?!\w)(?![-/.]\d)"
)
_CUE_WINDOW = 40
# A new sentence or paragraph between cue and date means the date belongs to something else.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]|\n\s*\n")


def _date_is_real(match: re.Match[str]) -> bool:
    day = match["d1"] or match["d2"] or match["d3"] or match["d4"]
    month_text = match["m1"] or match["m2"] or match["m3"] or match["m4"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
    return 1 <= int(day) <= 31 and 1 <= month <= 12


def _birth_dates(text: str) -> list[_Span]:
    spans = []
    for cue in _BIRTH_CUE.finditer(text):
        anchor = cue.end()
        # Follow on from each date, so "geboren 3-4-2015 en 9-1-2018" flags both children.
        for date in _DATE.finditer(text, anchor):
            if date.start() - anchor > _CUE_WINDOW or _SENTENCE_BREAK.search(text, anchor, date.start()):
                break
            if _date_is_real(date):
                spans.append(_Span("birth_date", date.start(), date.end()))
                anchor = date.end()
    return spans


# --- names ---------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_QUOTES_AND_SPACE = " \t\r\n\"'“”‘’„«»([*"
# A full stop after these does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mw mevr mvr dhr mnr mr dr drs ir ing prof bijv bv o.a evt ca nl zgn m.b.t t.a.v i.p.v i.v.m "
    "d.w.z e.d jl a.s geb nr tel vs resp z.s.m incl excl m.i.v".split()
)
# Institutions named after people, common in child-protection text: the name is no one's.
_INSTITUTION = re.compile(
    r"William Schrikker|Ronald McDonald"
    r"|(?:Emma|Sophia|Wilhelmina|Juliana|Beatrix|Amalia)\s?(?:Kinderziekenhuis|Ziekenhuis|Kinderkliniek)"
    r"|(?:Prins|Prinses|Koning|Koningin)\s+[A-Z][^\W\d_]+"
)
_TUSSENVOEGSELS = frozenset("van von de der den het 't ’t ter ten te el al la le du da di dos v.d.".split())
_TUSSENVOEGSEL = "(?:" + "|".join(map(re.escape, sorted(_TUSSENVOEGSELS, key=len, reverse=True))) + ")"
_SURNAME = (
    rf"(?:(?i:{_TUSSENVOEGSEL})\s+){{0,3}}"
    rf"(?P<word>[^\W\d_]{{2,}})(?:-(?:(?i:{_TUSSENVOEGSEL})\s+)*[^\W\d_]{{2,}})*"
)
_TITLE = re.compile(
    r"(?<!\w)(?:(?i:mevr|mw|mvr|mnr|dhr|mr|dr|drs)\.\s*|(?i:mevrouw|meneer|de\s+heer|mevr|mw|mvr|mnr|dhr)\s+)"
    rf"(?P<surname>(?:[A-Z]\.\s?){{0,4}}{_SURNAME})"
)
_MORE_SURNAME = re.compile(rf"\s+{_SURNAME}")
_LAST_WORD = re.compile(r"[^\s(]*$")
_NOT_SURNAMES = frozenset("Hij Zij Ze Het De Een Dit Dat Er Wij We Ik Die Deze Daar Toen Ook Maar En".split())


@cache
def first_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(stripped for line in lines if (stripped := line.strip()) and not stripped.startswith("#"))


def _at_sentence_start(text: str, index: int) -> bool:
    while index > 0 and text[index - 1] in _QUOTES_AND_SPACE:
        index -= 1
    if index == 0 or text[index - 1] in "!?…":
        return True
    if text[index - 1] != ".":
        return False
    word_before = _LAST_WORD.search(text, max(0, index - 12), index - 1)
    return word_before is None or word_before[0].lower() not in _ABBREVIATIONS


def _is_name(word: str) -> bool:
    names = first_names()
    return word in names or ("-" in word and all(part in names for part in word.split("-")))


def _first_names(text: str) -> list[_Span]:
    institutions = [(m.start(), m.end()) for m in _INSTITUTION.finditer(text)]
    spans = []
    for match in _WORD.finditer(text):
        word, start = match[0], match.start()
        if not _is_name(word) or any(a <= start < b for a, b in institutions):
            continue
        if word in AMBIGUOUS_NAMES and _at_sentence_start(text, start):
            continue
        spans.append(_Span("first_name", start, match.end()))
    return spans


def _surname_ok(match: re.Match[str]) -> bool:
    word = match["word"]
    return word[0].isupper() and word.lower() not in _TUSSENVOEGSELS and word not in _NOT_SURNAMES


def _surnames(text: str) -> list[_Span]:
    spans = []
    for match in _TITLE.finditer(text):
        if not _surname_ok(match):
            continue
        end = match.end("surname")
        # "meneer Jan de Vries": after a first name the surname follows.
        more = _MORE_SURNAME.match(text, end)
        if match["word"] in first_names() and more and _surname_ok(more):
            end = more.end()
        spans.append(_Span("surname_after_title", match.start("surname"), end))
    return spans


# --- putting it together -------------------------------------------------------------------

_DETECTORS: tuple[Callable[[str], list[_Span]], ...] = (
    _bsns, _ibans, _birth_dates, _first_names, _surnames,
    lambda text: _regex_spans("email", _EMAIL, text),
    lambda text: _regex_spans("phone", _PHONE, text, _phone_is_plausible),
    lambda text: _regex_spans("postcode", _ADDRESS, text),
)


def _reasons() -> dict[str, str]:
    # Translated per call: the reader's language is known only inside a request.
    return {
        "bsn": _("Negen cijfers die de elfproef doorstaan: dit lijkt een BSN."),
        "iban": _("Een rekeningnummer met een kloppend controlegetal: dit lijkt een IBAN."),
        "email": _("Dit lijkt een e-mailadres."),
        "phone": _("Dit lijkt een Nederlands telefoonnummer."),
        "postcode": _("Een postcode met huisnummer wijst één adres aan."),
        "birth_date": _("Een datum bij ‘geboren’: dit lijkt een geboortedatum."),
        "first_name": _("Dit woord staat in de lijst met voornamen."),
        "surname_after_title": _("Na een aanspreekvorm als ‘mevrouw’ volgt meestal een achternaam."),
    }


def _without_overlaps(spans: list[_Span]) -> list[_Span]:
    """Longest first, then the more specific kind; a span that touches a kept one is dropped."""
    kept: list[_Span] = []  # sorted by start and disjoint, so only the neighbours can overlap
    for span in sorted(spans, key=lambda s: (s.start - s.end, _PRIORITY[s.kind], s.start)):
        index = bisect.bisect(kept, span.start, key=lambda s: s.start)
        fits_after = index == 0 or kept[index - 1].end <= span.start
        if fits_after and (index == len(kept) or span.end <= kept[index].start):
            kept.insert(index, span)
    return kept


def find_personal_data(text: str) -> list[PersonalDataMatch]:
    """All matches, sorted by start, non-overlapping (when two overlap keep the longer / more specific one)."""
    if not text:
        return []
    spans = [span for detector in _DETECTORS for span in detector(text)]
    reasons = _reasons()
    return [
        PersonalDataMatch(span.kind, span.start, span.end, text[span.start:span.end], reasons[span.kind])
        for span in _without_overlaps(spans)
    ]


def _normalised(kind: str, text: str) -> str:
    """The same data written differently ("06-1234 5678", "0612345678") gets one fingerprint."""
    if kind == "phone":
        digits = _NON_DIGITS.sub("", text.replace("(0)", ""))
        country_code = 2 if text.startswith("+31") else 4 if text.startswith("0031") else 0
        return "0" + digits[country_code:] if country_code else digits
    if kind in {"bsn", "iban", "postcode"}:
        return _NON_ALPHANUMERIC.sub("", text).upper()
    return " ".join(text.split()).casefold()


def fingerprint(match: PersonalDataMatch, *, key: bytes | None = None) -> str:
    """sha256 hex of "kind:normalised text", to remember a confirmation without keeping the text.

    A BSN or a name has little entropy, so a bare hash can be reversed by trying every value;
    pass a secret ``key`` to get an HMAC instead where that matters.
    """
    data = f"{match.kind}:{_normalised(match.kind, match.text)}".encode()
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()
