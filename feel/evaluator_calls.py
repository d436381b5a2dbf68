"""Function values and invocations: built-ins, user-defined ``function(a, b) …`` closures, positional and named
arguments (DMN 1.5 §10.3.2.13, §10.3.4). A failing invocation is null; recursion is bounded (feel.budget)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from feel import budget
from feel import nodes as n
from feel.conformance import literal_type
from feel.errors import FeelBudgetExceeded
from feel.operators import conform
from feel.scope import Scope
from feel.values import VARIADIC, FeelFunction

Run = Callable[[Scope], Any]
Compile = Callable[[n.Node], Run]


def _not(args: list[Any]) -> Any:
    if len(args) != 1:
        raise TypeError("not() takes one argument")
    return (not args[0]) if isinstance(args[0], bool) else None


#: functions of the language core itself (the built-in library in feel.builtins may define them too)
CORE_FUNCTIONS = {"not": FeelFunction(("negand",), _not, "not")}


@functools.cache
def _library() -> dict[str, FeelFunction]:
    try:
        module = importlib.import_module("feel.builtins")
    except ImportError:
        return dict(CORE_FUNCTIONS)
    return {**CORE_FUNCTIONS, **getattr(module, "BUILTINS", {})}


def builtin(name: str) -> FeelFunction | None:
    """The built-in function called ``name``, or None."""
    return _library().get(name)


def invoke(function: Any, args: list[Any]) -> Any:
    """Call a FEEL function value; null when it is no function or the call fails as the spec calls an error."""
    if not isinstance(function, FeelFunction):
        return None
    budget.tick()
    try:
        result = function.call(args)
        budget.allocate(budget.size_of(result))  # what built-ins make (string join, concatenate…) is metered
        return result
    except FeelBudgetExceeded:
        raise
    except (ValueError, TypeError, ArithmeticError, LookupError):
        return None


def arguments_by_name(function: FeelFunction, given: dict[str, Any]) -> list[Any] | None:
    """Named arguments in parameter order (not given: None, trailing ones left off); None for an unknown name."""
    params = [param for param in function.params if param != VARIADIC]
    if any(name not in params for name in given):
        return None
    last = max(params.index(name) for name in given) if given else -1
    return [given.get(param) for param in params[: last + 1]]


def compile_call(node: n.Call, compile_node: Compile) -> Run:
    """An invocation: the callee evaluated, then its arguments, then the call."""
    callee = compile_node(node.callee)
    positional = [compile_node(arg) for arg in node.args]
    named = [(name, compile_node(arg)) for name, arg in node.named] if node.named is not None else None

    def run(scope: Scope) -> Any:
        function = callee(scope)
        if not isinstance(function, FeelFunction):
            return None
        if named is None:
            return invoke(function, [arg(scope) for arg in positional])
        given = {name: arg(scope) for name, arg in named}
        if function.takes_named is not None and not function.takes_named(given):
            return None
        args = arguments_by_name(function, given)
        return None if args is None else invoke(function, args)

    return run


def compile_function_definition(node: n.FunctionDefinition, compile_node: Compile) -> Run:
    """``function(a, b) body``: a closure over the scope it is defined in (recursion through a context works)."""
    body = compile_node(node.body)
    params, types = node.params, node.types
    result_type = literal_type(node.body)

    def run(scope: Scope) -> Any:
        def call(args: list[Any]) -> Any:
            if len(args) > len(params):
                raise TypeError("too many arguments")
            values: dict[str, Any] = {}
            for index, param in enumerate(params):
                fits, value = conform(args[index] if index < len(args) else None, types[index])
                if not fits:
                    return None  # an argument of the wrong type: the invocation is null
                values[param] = value
            with budget.call_level():
                return body(Scope(values, scope))

        return FeelFunction(params, call, "anonymous function", tuple(types), result_type)

    return run
