"""FEEL string built-ins (DMN 1.5 §10.3.4.3): code-point semantics, the spec's examples, XPath regular
expressions (flags, groups, refusals), and null for every misuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from feel_builtin_calls import call, call_named

from feel import budget
from feel.builtins.regex import MAX_INPUT
from feel.builtins.regex_safety import RegexRefused, check, input_limit
from feel.errors import FeelBudgetExceeded

HORSE = "\U0001f40e"  # one code point outside the Basic Multilingual Plane (two UTF-16 units)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("foobar", 3), "obar"),
        (("foobar", 3, 3), "oba"),
        (("foobar", -2, 1), "a"),
        (("foob r", -2, 1), " "),
        (("foobar", -6, 6), "foobar"),
        (("foobar", 3, Decimal("3.8")), "oba"),
        ((HORSE + "ab", 2), "ab"),
        (("foobar", 0), None),
        (("foobar", 7), None),
        (("foobar", -7), None),
        (("foobar", 1, -1), None),
        ((None, 1), None),
        (("foobar",), None),
    ],
)
def test_substring(args: tuple[object, ...], expected: str | None) -> None:
    assert call("substring", *args) == expected


def test_substring_by_name() -> None:
    assert call_named("substring", string="foobar", start_position=3) == "obar"


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("string length", ("foo",), Decimal(3)),
        ("string length", (HORSE + "ab",), Decimal(3)),
        ("string length", ("",), Decimal(0)),
        ("string length", (1,), None),
        ("upper case", ("aBc4",), "ABC4"),
        ("lower case", ("aBc4",), "abc4"),
        ("upper case", (True,), None),
        ("substring before", ("foobar", "bar"), "foo"),
        ("substring before", ("foobar", "xyz"), ""),
        ("substring after", ("foobar", "ob"), "ar"),
        ("substring after", ("", "a"), ""),
        ("substring after", ("foobar", ""), "foobar"),
        ("contains", ("foobar", "of"), False),
        ("contains", ("foobar", "ob"), True),
        ("starts with", ("foobar", "fo"), True),
        ("ends with", ("foobar", "r"), True),
        ("ends with", ("foobar", None), None),
        ("string join", (["a", "b", "c"], "_and_"), "a_and_b_and_c"),
        ("string join", (["a", None, "c"],), "ac"),
        ("string join", ([],), ""),
        ("string join", (["a", 1],), None),
    ],
)
def test_string_functions(name: str, args: tuple[object, ...], expected: object) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("abcd", "(ab)|(a)", "[1=$1][2=$2]"), "[1=ab][2=]cd"),
        (("0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3"), "(012) 345-6789"),
        (("abracadabra", "bra", "*"), "a*cada*"),
        (("abracadabra", "a.*a", "*"), "*"),
        (("abracadabra", "a.*?a", "*"), "*c*bra"),
        (("AAAA", "A+", "b"), "b"),
        (("darted", "^(.*?)d(.*)$", "$1c$2"), "carted"),
        (("a.b.c", "\\.", "\\$"), "a$b$c"),
        (("a.b.c", ".", "-", "q"), "a-b-c"),
        (("Hello", "h", "j", "i"), "jello"),
        (("abc", "b", "$12"), "a2c"),  # no group 12, nor 1: "$1" is empty and the "2" stays
        (("abracadabra", ".*", "x"), None),  # a pattern matching "" cannot replace (FORX0003)
        (("abc", "(?i)b", "x"), None),  # not XPath
        (("abc", "b", "x", "z"), None),  # unknown flag
        (("abc", "b", "$"), None),
        (("abc", None, "x"), None),
    ],
)
def test_replace(args: tuple[object, ...], expected: str | None) -> None:
    assert call("replace", *args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("foobar", "^fo*b"), True),
        (("foobar", "^fo*z"), False),
        (("FooBar", "^foo", "i"), True),
        (("line1\nline2", "^line2$", "m"), True),
        (("line1\nline2", "^line2$"), False),
        (("abc\n", "c$"), False),  # XPath's $ is the very end, not before a final newline
        (("a b", "a b", "x"), False),  # x drops the pattern's whitespace
        (("ab", "a b", "x"), True),
        (("a\nb", "a.b", "s"), True),
        (("a.b", "a.b", "q"), True),
        (("axb", "a.b", "q"), False),
        (("Ünïcödé", "^\\p{L}+$"), True),
        (("123", "^\\p{Nd}+$"), True),
        (("X", "[A-Z-[OI]]", "i"), True),  # class subtraction
        (("i", "[A-Z-[OI]]", "i"), False),
        (("Mary\rJones", "Mary.Jones"), False),  # XPath's . matches no carriage return
        (("\u212a", "k", "i"), True),  # the Kelvin sign is a K, caselessly
        (("hello world", "he ll o[ ]worl d", "x"), True),  # x drops whitespace outside classes
        (("hello world", "\\p{ IsBasicLatin}+", "x"), True),
        (("hello world", "\\p{ IsBasicLatin}+"), None),
        (("h", "(.)\\2"), None),  # a back-reference to no group
        (("abcd", "(asd)[\\1]"), None),  # a back-reference inside a class
        (("aA", "(a)\\1", "i"), True),
        (("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+b"), None),  # catastrophic backtracking refused
        (("abc", "(a*)*"), None),
        (("abc", "["), None),
        ((1, "a"), None),
    ],
)
def test_matches(args: tuple[object, ...], expected: bool | None) -> None:
    assert call("matches", *args) is expected


def test_regex_input_is_bounded() -> None:
    assert call("matches", "a" * (MAX_INPUT + 1), "a") is None
    assert call("matches", "a" * MAX_INPUT, "a") is True


@pytest.mark.parametrize(
    ("pattern", "limit"),
    [
        ("abc", MAX_INPUT),  # no repetition: linear
        ("\\s+", 10_000),  # one repetition, searched from every position: n² steps
        ("^a*b", MAX_INPUT),  # anchored: tried at the start only
        ("(.*)(.*)x", 464),  # two repetitions: n³ steps
        ("^(.*?)d(.*)$", 10_000),
        ("x{2,5}", MAX_INPUT),  # a narrow bounded repetition is not a repetition to fear
        ("x{2,}", 10_000),
    ],
)
def test_input_limit_follows_the_patterns_repetitions(pattern: str, limit: int) -> None:
    assert input_limit(pattern) == limit


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+b", "(a*)*", "(.*a){20}", "(a|a)*b", "(a|aa)+", "(\\d|x)*", "(|a)+", "((a+)b)*"],
)
def test_exponential_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(RegexRefused):
        check(pattern)
    assert call("matches", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", pattern) is None


def test_alternatives_alike_but_for_case_are_refused_under_the_i_flag() -> None:
    check("(a|A)*b")
    with pytest.raises(RegexRefused):
        check("(a|A)*b", ignore_case=True)


@pytest.mark.parametrize(
    "pattern", ["(ab|cd)+", "(a|b)*c", "(an)+", "(\\d{3})(\\d{3})", "^(.*?)d(.*)$", "[a-z]+@[a-z]+"]
)
def test_safe_repetitions_are_accepted(pattern: str) -> None:
    check(pattern)


def test_a_polynomial_pattern_on_a_long_input_is_null_not_slow() -> None:
    assert call("matches", "a" * 5_000, "(.*)(.*)x") is None  # would take seconds; refused at once
    assert call("matches", "a" * 400, "(.*)(.*)x") is False


def test_regex_work_counts_against_the_budget() -> None:
    with pytest.raises(FeelBudgetExceeded), budget.limit(max_steps=100):
        call("matches", "a" * 50_000, "b")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("John Doe", "\\s"), ["John", "Doe"]),
        (("a;b;c;;", ";"), ["a", "b", "c", "", ""]),
        (("a1b22c", "\\d+"), ["a", "b", "c"]),
        (("abc", "x"), ["abc"]),
        (("foo", "f", "f"), None),  # two arguments exactly
        (("abc", ".*"), None),  # a delimiter matching "" is refused
        ((None, ";"), None),
    ],
)
def test_split(args: tuple[object, ...], expected: list[str] | None) -> None:
    assert call("split", *args) == expected
