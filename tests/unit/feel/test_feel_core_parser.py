"""The FEEL parser: precedence, names with spaces, and syntax errors that name the place (DMN 1.5 §10.3.1)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

import feel
from feel import nodes as n
from feel.errors import FeelError
from feel.parser import parse_expression
from feel.parser_unary import parse_unary_tests


def test_precedence_multiplication_before_addition_and_comparison_before_and() -> None:
    node = parse_expression("1 + 2 * 3 = 7 and true")
    assert isinstance(node, n.Logical) and node.op == "and"
    comparison = node.left
    assert isinstance(comparison, n.Comparison)
    assert isinstance(comparison.left, n.Arithmetic) and comparison.left.op == "+"
    assert isinstance(comparison.left.right, n.Arithmetic) and comparison.left.right.op == "*"


def test_names_in_scope_may_have_spaces_and_name_symbols() -> None:
    names = ["Monthly Salary", "Pre-Qualification", "Income/Expenses", "Applicant's age"]
    assert parse_expression("Monthly Salary * 12", names) == n.Arithmetic(
        "*", n.Name("Monthly Salary"), n.Literal(Decimal(12))
    )
    assert parse_expression("Pre-Qualification", names) == n.Name("Pre-Qualification")
    assert parse_expression("Income/Expenses", names) == n.Name("Income/Expenses")
    # not a known name: the same text is a subtraction
    assert parse_expression("Pre-Qualification") == n.Arithmetic("-", n.Name("Pre"), n.Name("Qualification"))


def test_adjacent_words_form_one_name_even_when_unknown() -> None:
    assert parse_expression("first name") == n.Name("first name")


def test_a_context_key_with_spaces_is_a_name_for_later_entries() -> None:
    node = parse_expression("{Unit Price: 2, Total Price: Unit Price * 3}")
    assert isinstance(node, n.ContextNode)
    assert node.entries[1] == ("Total Price", n.Arithmetic("*", n.Name("Unit Price"), n.Literal(Decimal(3))))


def test_builtin_names_with_keywords_inside_are_one_name() -> None:
    node = parse_expression('date and time("2024-01-01T00:00:00")')
    assert isinstance(node, n.Call) and node.callee == n.Name("date and time")


def test_ranges_with_all_four_brackets() -> None:
    assert parse_expression("[1..2]") == n.RangeNode(n.Literal(Decimal(1)), n.Literal(Decimal(2)), True, True)
    assert parse_expression("(1..2)") == n.RangeNode(n.Literal(Decimal(1)), n.Literal(Decimal(2)), False, False)
    assert parse_expression("]1..2[") == n.RangeNode(n.Literal(Decimal(1)), n.Literal(Decimal(2)), False, False)
    assert parse_expression("[1..2[") == n.RangeNode(n.Literal(Decimal(1)), n.Literal(Decimal(2)), True, False)


def test_named_arguments_with_spaces() -> None:
    node = parse_expression('substring(string: "abc", start position: 2)')
    assert isinstance(node, n.Call) and node.named is not None
    assert [name for name, _ in node.named] == ["string", "start position"]


def test_instance_of_types() -> None:
    node = parse_expression("x instance of function<number, string> -> list<context<a: date and time>>")
    assert isinstance(node, n.InstanceOf)
    assert node.type.name == "function" and [t.name for t in node.type.args] == ["number", "string"]
    assert node.type.result == n.TypeRef("list", (n.TypeRef("context", (n.TypeRef("date and time"),), ("a",)),))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("1 +", "end of the expression"),
        ("(1 + 2", "expected ')'"),
        ("if x then 1", "expected 'else'"),
        ("for x in [1] 1", "expected 'return'"),
        ("{a: 1, a: 2}", "the key 'a' twice"),
        ("function(a, a) a", "parameter twice"),
        ('function(x) external {java: {class: "C", method signature: "m()"}}', "external functions"),
        ("1 2", "unexpected '2'"),
        ("[1..2", "to close the range"),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(FeelError, match=re.escape(message)):
        parse_expression(text)


def test_nesting_too_deep_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(FeelError, match="nested too deeply"):
        feel.compile_expression("(" * 500 + "1" + ")" * 500)
    with pytest.raises(FeelError, match="nested too deeply"):
        feel.compile_expression(" else ".join(f"if x = {i} then {i}" for i in range(400)) + " else -1")


def test_a_long_else_if_chain_is_fine() -> None:
    chain = feel.compile_expression(" else ".join(f"if x = {i} then {i}" for i in range(200)) + " else -1")
    assert chain.evaluate({"x": Decimal(199)}) == 199
    assert chain.evaluate({"x": Decimal(500)}) == -1


def test_unary_tests_forms() -> None:
    assert parse_unary_tests("-").any
    negated = parse_unary_tests("not(1, [2..3])")
    assert negated.negated and len(negated.tests) == 2
    plain = parse_unary_tests("< 5, ? > 2")
    assert plain.tests[0] == n.RangeNode(None, n.Literal(Decimal(5)), False, False)
    assert isinstance(plain.tests[1], n.Comparison)
    with pytest.raises(FeelError, match="empty"):
        parse_unary_tests("  ")


def test_a_known_name_may_begin_with_a_keyword_or_contain_one() -> None:
    names = ["for sale", "Is Eligible for Loan", "in a list", "true color", "Is Affordable?"]
    assert parse_expression("Is Affordable? = true", names) == n.Comparison(
        "=", n.Name("Is Affordable?"), n.Literal(True)
    )
    assert parse_expression("for sale and Is Eligible for Loan", names) == n.Logical(
        "and", n.Name("for sale"), n.Name("Is Eligible for Loan")
    )
    assert parse_expression("true color", names) == n.Name("true color")
    node = parse_expression("for i in in a list return i", names)
    assert isinstance(node, n.For) and node.iterations[0].domain == n.Name("in a list")
