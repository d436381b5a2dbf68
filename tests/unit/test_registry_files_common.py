"""The registries' shared file helpers: the transport registry's CSV files read as the assessment registry's are (a
lone CR ends a line, a malformed row is a problem naming it, not an exception), and one code check."""

from __future__ import annotations

from city.registry_files_common import Problems, check_code, flag
from city.transport.registry_files import COMPANIES, VEHICLES, read_csv

VEHICLE_HEADER = "plate,company_code,device_id,active"


def test_a_transport_csv_with_lone_carriage_returns_is_read_line_by_line() -> None:
    problems = Problems()
    rows = read_csv(VEHICLES, f"{VEHICLE_HEADER}\r闽E12345,C01,D-1,1\r闽E12346,C01,D-2,0\r", problems)
    assert problems.found == {}
    assert [(r["row"], r["plate"], r["active"]) for r in rows] == [(2, "闽E12345", True), (3, "闽E12346", False)]


def test_a_transport_csv_with_an_unterminated_quote_is_a_problem_naming_the_row() -> None:
    problems = Problems()
    rows = read_csv(COMPANIES, 'code,name,active\nC01,"Unclosed,1\n', problems)
    assert rows == []
    assert list(problems.found) == ["companies.csv: row 2: row"]
    assert problems.found["companies.csv: row 2: row"].startswith("not readable CSV")


def test_a_code_check_names_the_value() -> None:
    said: dict[str, str] = {}
    check_code("bad code!", "code", said.__setitem__)
    check_code("C-01_x", "other", said.__setitem__)
    check_code(None, "none", said.__setitem__)
    assert said == {"code": "'bad code!' is not a code (1–40 letters, digits, '_' or '-')"}


def test_a_flag_reads_text_and_the_numbers_one_and_zero() -> None:
    assert [flag(v) for v in ("1", " TRUE ", "no", 1, 0, 2, True, None, "maybe")] == [
        True, True, False, True, False, None, None, None, None]
