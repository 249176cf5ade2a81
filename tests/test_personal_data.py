"""The personal-data detector on labelled examples: what it must flag, and what it must leave alone."""

import re

import pytest

from learning.reviews import personal_data
from learning.reviews.personal_data import KIND_LABELS, PersonalDataMatch, find_personal_data, fingerprint

# (text, expected [(kind, matched text)] in order). Every kind has hits and near misses.
EXAMPLES = [
    # BSN: the elfproef decides, grouping is free, longer digit runs are something else.
    ("BSN van moeder: 123456782.", [("bsn", "123456782")]),
    ("Burgerservicenummer 123.456.782 staat in het dossier.", [("bsn", "123.456.782")]),
    ("BSN 123 456 782 en 1234.56.782", [("bsn", "123 456 782"), ("bsn", "1234.56.782")]),
    ("Dossiernummer 123456789 voldoet niet aan de elfproef.", []),
    ("Nul is geen BSN: 000000000.", []),
    ("Zaaknummer 11234567829 is langer dan negen cijfers.", []),
    # IBAN: mod-97 decides; a single wrong digit is not an account number.
    ("Huur gaat naar NL91 ABNA 0417 1643 00 voor de eerste.", [("iban", "NL91 ABNA 0417 1643 00")]),
    ("Rekening NL91ABNA0417164300.", [("iban", "NL91ABNA0417164300")]),
    ("Belgische rekening BE68 5390 0754 7034 van oma.", [("iban", "BE68 5390 0754 7034")]),
    ("Rekening NL91ABNA0417164301 heeft een fout controlegetal.", []),
    ("Code AB12 CDEF GHIJ KLMN is geen rekening.", []),
    # E-mail addresses.
    ("Mail naar j.jansen@voorbeeld.nl of Fatima.Bakker@mail.example.com.",
     [("email", "j.jansen@voorbeeld.nl"), ("email", "Fatima.Bakker@mail.example.com")]),
    ("Het @-teken en info at voorbeeld punt nl zijn geen adres.", []),
    # Phone numbers: mobile, landline and international; times, dates and amounts are not.
    ("Moeder is bereikbaar op 06-12345678.", [("phone", "06-12345678")]),
    ("Bel 06 1234 5678 of 0612345678.", [("phone", "06 1234 5678"), ("phone", "0612345678")]),
    ("Vader: +31 6 12345678, oma: 0031 6 87654321.", [("phone", "+31 6 12345678"), ("phone", "0031 6 87654321")]),
    ("School 010-1234567, wijkteam 030 123 4567.", [("phone", "010-1234567"), ("phone", "030 123 4567")]),
    ("Kantoor +31 20 123 4567 of (020) 123 45 67.", [("phone", "+31 20 123 4567"), ("phone", "(020) 123 45 67")]),
    ("Overleg op 06-03-2025 10:00 tot 11.30 uur, kosten 0,50 per rit, bel 112.", []),
    ("Het gezin kreeg 1.250 euro en woont er sinds 2015.", []),
    # Postcode with a house number, either way round; lone numbers and opening hours are not.
    ("Het gezin woont op 1234 AB 12.", [("postcode", "1234 AB 12")]),
    ("Nieuw adres: Dorpsstraat 12, 1234 AB Ergenshuizen.", [("postcode", "Dorpsstraat 12, 1234 AB")]),
    ("Opa woont op 1234AB 5a en tante op 9876 xy 3.", [("postcode", "1234AB 5a"), ("postcode", "9876 xy 3")]),
    ("Het team is open van 9 tot 17 uur, kamer 1234.", []),
    ("Letters SS komen niet voor: 1234 SS 12.", []),
    ("In 2019 is 3 keer een melding gedaan.", []),
    # Dates of birth need a cue; other dates are ordinary case history.
    ("Kind A is geboren op 12-03-2015.", [("birth_date", "12-03-2015")]),
    ("Jongen (12), geb. 3 mrt. 2015, woont bij vader.", [("birth_date", "3 mrt. 2015")]),
    ("Geboortedatum: 2015-03-12; DOB 12/3/2015", [("birth_date", "2015-03-12"), ("birth_date", "12/3/2015")]),
    ("Beide kinderen zijn geboren op 4-5-2013 en 9-1-2016.", [("birth_date", "4-5-2013"), ("birth_date", "9-1-2016")]),
    ("Op 12 maart 2025 was er een overleg met de school.", []),
    ("Moeder is geboren in Marokko. Op 12-03-2015 verhuisde het gezin.", []),
    # First names: whole words only, pseudonyms never.
    ("Daarna sprak Fatima met Mohammed en Sophie.", [("first_name", "Fatima"), ("first_name", "Mohammed"),
                                                     ("first_name", "Sophie")]),
    ("Emre belde later terug.", [("first_name", "Emre")]),
    ("De familie Janssen en Annabel kwamen.", [("first_name", "Annabel")]),
    ("Jan-Willem en zijn zus Anne-Marie.", [("first_name", "Jan-Willem"), ("first_name", "Anne-Marie")]),
    ("Moeder, vader, kind A, jongen (12), X en de jeugdige waren aanwezig.", []),
    ("Hij werkt in Noord-Holland en haar broer bij de William Schrikker Groep.", []),
    # Ambiguous names: a capital at sentence start is just the first word.
    ("Ben je er morgen? Roos staat op tafel. Mark het dossier.", []),
    ("Gisteren was Ben er ook, samen met Roos.", [("first_name", "Ben"), ("first_name", "Roos")]),
    ("\"Iris is boos\", zei hij. Toen kwam Iris binnen.", [("first_name", "Iris")]),
    ("Lieve Sanne, dank voor je brief.", [("first_name", "Sanne")]),
    ("De school heeft bijv. Ben gebeld.", [("first_name", "Ben")]),
    # Surnames after a form of address, with tussenvoegsels; placeholders and roles are not names.
    ("Gesprek met mevrouw Jansen en meneer De Vries.",
     [("surname_after_title", "Jansen"), ("surname_after_title", "De Vries")]),
    ("Aanwezig: mw. Bakker, dhr. van den Berg en mevr. El Amrani.",
     [("surname_after_title", "Bakker"), ("surname_after_title", "van den Berg"),
      ("surname_after_title", "El Amrani")]),
    ("Volgens de heer Peters en dhr. J. de Wit.", [("surname_after_title", "Peters"),
                                                   ("surname_after_title", "J. de Wit")]),
    ("Mevrouw X sprak met meneer de wijkcoach en meneer de jeugdbeschermer.", []),
    ("Ook mevrouw Y. Zij was er niet.", []),
    # Overlaps: the longer match wins.
    ("Mail Sanne.deVries@example.nl vandaag.", [("email", "Sanne.deVries@example.nl")]),
    ("Bel meneer Jan de Vries.", [("surname_after_title", "Jan de Vries")]),
    ("Rekening NL20INGB0001234567 en BSN 123456782.", [("iban", "NL20INGB0001234567"), ("bsn", "123456782")]),
    # Nothing at all.
    ("", []),
    ("Moeder en kind A bespraken de voortgang met de gezinsvoogd.", []),
]


@pytest.mark.parametrize("text, expected", EXAMPLES)
def test_labelled_examples(app, text, expected):
    matches = find_personal_data(text)
    assert [(match.kind, match.text) for match in matches] == expected


@pytest.mark.parametrize("text", [text for text, expected in EXAMPLES if expected])
def test_spans_point_into_the_text_sorted_and_without_overlap(app, text):
    matches = find_personal_data(text)
    for match in matches:
        assert text[match.start:match.end] == match.text
        assert match.kind in KIND_LABELS and match.reason
    for earlier, later in zip(matches, matches[1:], strict=False):
        assert earlier.end <= later.start


def test_everything_at_once_comes_back_in_text_order(app):
    text = (
        "Mevrouw Jansen (BSN 123456782) woont op Dorpsstraat 12, 1234 AB. Zij is geboren op 1-2-1990 "
        "en bereikbaar op 06-12345678 of via m.jansen@example.nl; rekening NL91 ABNA 0417 1643 00. "
        "Haar zoon Daan speelt buiten."
    )
    kinds = [match.kind for match in find_personal_data(text)]
    assert kinds == ["surname_after_title", "bsn", "postcode", "birth_date", "phone", "email", "iban", "first_name"]
    starts = [match.start for match in find_personal_data(text)]
    assert starts == sorted(starts)


def test_reasons_are_dutch_sentences_and_labels_exist_for_every_kind(app):
    match = find_personal_data("BSN 123456782")[0]
    assert "elfproef" in match.reason
    assert str(KIND_LABELS["bsn"]) == "BSN"
    assert set(KIND_LABELS) == set(personal_data._PRIORITY)


def test_elfproef_and_mod97():
    assert personal_data.bsn_is_valid("123456782")
    assert not personal_data.bsn_is_valid("123456789")
    assert personal_data.iban_is_valid("NL91 ABNA 0417 1643 00")
    assert not personal_data.iban_is_valid("NL91 ABNA 0417 1643 01")
    assert not personal_data.iban_is_valid("XX91 ABNA 0417 1643 00")


def test_name_list_is_large_honest_and_loaded_once():
    names = personal_data.first_names()
    assert len(names) >= 600
    assert {"Jan", "Fatima", "Mohammed", "Aylin", "Priya", "Wiktoria", "Dewi"} <= names
    assert not {"moeder", "vader", "X", "Hoop"} & names
    assert personal_data.AMBIGUOUS_NAMES <= names
    assert personal_data.first_names() is names
    header = personal_data.NAMES_FILE.read_text(encoding="utf-8")[:1200]
    assert "Meertens" in header and "SVB" in header and "not" in header


def test_fingerprint_is_stable_and_does_not_contain_the_text(app):
    first = find_personal_data("Bel 06-1234 5678.")[0]
    again = find_personal_data("Bel 06-1234 5678.")[0]
    other_spelling = find_personal_data("Bel +31 6 12345678.")[0]
    mark = fingerprint(first)
    assert re.fullmatch(r"[0-9a-f]{64}", mark)
    assert fingerprint(again) == mark == fingerprint(other_spelling)
    assert "12345678" not in mark and "0612345678" not in mark
    as_name = PersonalDataMatch("first_name", 0, 10, first.text, first.reason)
    assert fingerprint(as_name) != mark
    assert fingerprint(first, key=b"secret") not in {mark, fingerprint(first, key=b"other")}
