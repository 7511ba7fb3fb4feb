"""The roster parser: encodings, separators, an optional header, and a reason for every refused row."""

from __future__ import annotations

import codecs

import pytest

from api.students.roster import (
    MAX_ROWS,
    EmptyRoster,
    Roster,
    RosterTooLong,
    RosterUnreadable,
    decode,
    parse,
)


def created(roster: Roster) -> list[tuple[int, str, str]]:
    return [(r.number, r.student.name, r.student.email) for r in roster.rows if r.student]


def refused(roster: Roster) -> list[tuple[int, str]]:
    return [(r.number, r.problem or "") for r in roster.rows if r.student is None]


def test_rows_without_a_header() -> None:
    roster = parse("Giulia Rossi,giulia@example.com\nMarco Neri , Marco@Example.COM \n")

    assert not roster.has_header and roster.delimiter == ","
    assert created(roster) == [
        (1, "Giulia Rossi", "giulia@example.com"),
        (2, "Marco Neri", "marco@example.com"),
    ]


@pytest.mark.parametrize(
    "header", ["name,email", "Name,Email", "NOME,E-mail", "email,nome", " Email , Full name "]
)
def test_a_header_in_any_case_or_order_names_the_columns(header: str) -> None:
    first, second = ("giulia@example.com", "Giulia Rossi")
    row = f"{first},{second}" if header.lower().strip().startswith("email") else f"{second},{first}"

    roster = parse(f"{header}\n{row}\n")

    assert roster.has_header
    assert created(roster) == [(2, "Giulia Rossi", "giulia@example.com")]


def test_semicolons_as_excel_writes_them_in_italy() -> None:
    roster = parse("Nome;Email\r\nRossi, Giulia;giulia@example.com\r\nNeri Marco;marco@example.com")

    assert roster.delimiter == ";"
    assert [name for _, name, _ in created(roster)] == ["Rossi, Giulia", "Neri Marco"]


def test_tabs_as_cells_copied_from_a_spreadsheet() -> None:
    roster = parse("Giulia Rossi\tgiulia@example.com\nMarco Neri\tmarco@example.com\n")

    assert roster.delimiter == "\t" and len(created(roster)) == 2


def test_quoted_names_with_commas_and_quotes() -> None:
    roster = parse('"Rossi, Giulia",giulia@example.com\n"D\'Amico ""Lia""",lia@example.com\n')

    assert [name for _, name, _ in created(roster)] == ["Rossi, Giulia", 'D\'Amico "Lia"']


def test_blank_lines_and_trailing_separators_are_skipped_and_lines_keep_their_numbers() -> None:
    roster = parse("\n\nname;email;;\n\n  \n;;\nGiulia;giulia@example.com;\n\nMarco;marco@x.it\n")

    assert created(roster) == [(7, "Giulia", "giulia@example.com"), (9, "Marco", "marco@x.it")]


def test_a_quoted_value_over_two_lines_is_numbered_by_its_first_line() -> None:
    roster = parse('"Giulia\nRossi",giulia@example.com\nMarco,marco@example.com\n')

    assert created(roster) == [
        (1, "Giulia Rossi", "giulia@example.com"),
        (3, "Marco", "marco@example.com"),
    ]


def test_each_refused_row_says_why() -> None:
    text = "\n".join(
        [
            "name,email",
            "Giulia Rossi,giulia@example.com",  # 2
            "Marco Neri",  # 3
            "sofia@example.com",  # 4
            ",luca@example.com",  # 5
            "Anna,anna-at-example.com",  # 6
            "Pia,pia@example",  # 7
            "Giulia Bis,GIULIA@example.com",  # 8
            "Lia,lia@example.com,3B",  # 9
            "X" * 201 + ",long@example.com",  # 10
            "Ok,ok@example.com",  # 11
        ]
    )

    roster = parse(text)

    assert [n for n, _, _ in created(roster)] == [2, 11]
    problems = dict(refused(roster))
    assert problems[3] == "missing email"
    assert problems[4] == "missing name: only an email address"
    assert problems[5] == "missing name"
    assert problems[6].startswith("invalid email address (An email address must have an @-sign")
    assert problems[7].startswith("invalid email address (")
    assert problems[8] == "duplicate in the file: the same email as row 2"
    assert problems[9].startswith("too many columns: 3 values") and "'3B'" in problems[9]
    assert problems[10] == "name is longer than 200 characters"
    # The report shows what the row said.
    row = next(r for r in roster.rows if r.number == 6)
    assert (row.name, row.email, row.values) == ("Anna", "anna-at-example.com", row.values)


def test_a_header_with_more_columns_allows_them() -> None:
    roster = parse("name,email,class\nGiulia,giulia@example.com,3B\nLia,lia@example.com,3B,x\n")

    assert created(roster) == [(2, "Giulia", "giulia@example.com")]
    assert refused(roster)[0][1].startswith("too many columns: 4 values")


def test_at_most_1000_rows() -> None:
    rows = [f"Pupil {i},p{i}@example.com" for i in range(MAX_ROWS)]
    assert len(parse("name,email\n" + "\n".join(rows)).rows) == MAX_ROWS

    with pytest.raises(RosterTooLong, match="at most 1000"):
        parse("\n".join([*rows, "One more,more@example.com"]))


@pytest.mark.parametrize("text", ["", "\n \n", "name,email\n", "\ufeff"])
def test_an_empty_roster_is_refused(text: str) -> None:
    with pytest.raises(EmptyRoster):
        parse(text)


def test_utf8_with_and_without_bom() -> None:
    text = "nome;email\nNiccolò Bianchi;niccolo@example.com\n"
    for data in (text.encode(), codecs.BOM_UTF8 + text.encode()):
        roster = parse(decode(data))
        assert roster.has_header
        assert created(roster) == [(2, "Niccolò Bianchi", "niccolo@example.com")]


def test_windows_1252_and_latin1_when_not_utf8() -> None:
    assert decode("Niccolò Bianchi – 3ª".encode("cp1252")) == "Niccolò Bianchi – 3ª"
    # 0x81 is undefined in Windows-1252: Latin-1 reads every byte.
    assert decode(b"Jos\xe9 \x81") == "José \x81"


def test_utf16_as_excel_unicode_text() -> None:
    data = codecs.BOM_UTF16_LE + "Giulia\tgiulia@example.com\n".encode("utf-16-le")

    assert created(parse(decode(data))) == [(1, "Giulia", "giulia@example.com")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00", "workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "workbook"),
        (b"name\x00,email", "not a text file"),
    ],
)
def test_workbooks_and_binary_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(RosterUnreadable, match=message):
        decode(data)


def test_an_unreadable_line_says_where() -> None:
    huge = "x" * (200 * 1024)  # beyond the csv module's field size limit
    with pytest.raises(RosterUnreadable, match="Line 2"):
        parse(f'Giulia,giulia@example.com\n"{huge}",a@example.com\n')


def test_control_and_bidi_characters_are_refused() -> None:
    roster = parse("Giu\u202elia Rossi,giulia@example.com\nMarco\x07,marco@example.com\n")

    assert refused(roster) == [
        (1, "name contains control or text-direction characters (U+202E); type plain text"),
        (2, "name contains control or text-direction characters (U+0007); type plain text"),
    ]
