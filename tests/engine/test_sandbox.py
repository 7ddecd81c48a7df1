"""The model-code sandbox: normal model code works, escape and exhaustion attempts are refused."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from engine.workflow.sandbox import (
    DEFAULT_TIME_LIMIT,
    SAFE_HELPERS,
    SandboxCompileError,
    SandboxError,
    SandboxLimitExceeded,
    SandboxRuntimeError,
    compile_expression,
    compile_script,
    evaluate,
    execute,
)

ENGLISH = ("Traceback", "Error", "not allowed", "invalid", "is not", "has no attribute", "restricted", "object")
DUTCH = ("niet", "te ", "Te veel", "bestaat", "overschreden", "toegestaan", "Ongeldig", "Deling", "Syntaxfout",
         "Sleutel", "heeft", "groot", "alleen")


def werkdagen(n: int) -> date:
    """Stand-in for the engine's helper that is bound to an injected clock."""
    return date(2026, 3, 2) + timedelta(days=n)


HELPERS = {"werkdagen": werkdagen}


def assert_dutch(message: str) -> None:
    assert message.strip()
    assert not any(word in message for word in ENGLISH), message
    assert any(word in message for word in DUTCH), message


# --- normal model code -----------------------------------------------------------------------

@pytest.mark.parametrize(("source", "expected"), [
    ("1 + 2 * 3", 7),
    ("(10 - 4) / 4", 1.5),
    ("7 // 2, 7 % 2, -7", (3, 1, -7)),
    ("2 ** 10", 1024),
    ("1 << 4 | 1", 17),
    ("x > 3 and x <= 5", True),
    ("not (x == 4)", False),
    ("'ja' if x else 'nee'", "ja"),
    ("1 < x < 10", True),
])
def test_arithmetic_and_comparisons_work_like_python(source: str, expected: Any) -> None:
    assert evaluate(source, {"x": 4}) == expected


def test_dict_and_list_values_are_read_by_subscription_and_slicing() -> None:
    data = {"persoon": {"naam": "An", "talen": ["nl", "en", "de"]}}
    assert evaluate('persoon["naam"]', data) == "An"
    assert evaluate('persoon["talen"][-1]', data) == "de"
    assert evaluate('persoon["talen"][:2]', data) == ["nl", "en"]
    assert evaluate('persoon.get("leeftijd", 0)', data) == 0
    assert evaluate('sorted(persoon.keys())', data) == ["naam", "talen"]


def test_ordinary_string_and_container_methods_are_available() -> None:
    assert evaluate('"abc".upper()', {}) == "ABC"
    assert evaluate('" a,b ".strip().split(",")', {}) == ["a", "b"]
    assert evaluate('"-".join(["a", "b"])', {}) == "a-b"
    assert evaluate('naam.replace("e", "é").startswith("R")', {"naam": "Rene"}) is True
    assert evaluate('len(s) + sum(lijst) + max(lijst)', {"s": "abc", "lijst": [1, 2, 3]}) == 12
    assert evaluate('[i * 2 for i in range(3) if i]', {}) == [2, 4]
    assert evaluate('{k: v for k, v in zip("ab", [1, 2])}', {}) == {"a": 1, "b": 2}
    assert evaluate('any(x > 2 for x in lijst) and all(lijst)', {"lijst": [1, 3]}) is True
    assert evaluate('list(enumerate("ab"))', {}) == [(0, "a"), (1, "b")]
    assert evaluate('isinstance(x, (int, float)) and not isinstance(x, str)', {"x": 2}) is True
    assert evaluate('round(2.567, 1), abs(-2), int("7"), float("1.5"), bool(0)', {}) == (2.6, 2, 7, 1.5, False)
    assert evaluate('str(3) + str([1])', {}) == "3[1]"
    assert evaluate('set([1, 1, 2]) | {3}', {}) == {1, 2, 3}
    assert evaluate('tuple(dict(a=1))', {}) == ("a",)


def test_f_strings_and_percent_formatting_work_within_limits() -> None:
    assert evaluate('f"{naam:>4}|{n:03d}|{n!r}"', {"naam": "An", "n": 7}) == "  An|007|7"
    assert evaluate('"%s is %d%%" % ("x", 5)', {}) == "x is 5%"


@pytest.mark.parametrize(("cell", "variables", "expected"), [
    ('"SU"', {}, "SU"),
    ('dmninputexpr == "SU"', {"dmninputexpr": "SU"}, True),
    ('dmninputexpr == "SU"', {"dmninputexpr": "AMA"}, False),
    ("x < 5", {"x": 3}, True),
    ('x in ["a", "b"]', {"x": "c"}, False),
    ("  x >= 5  ", {"x": 5}, True),
    ("type == 'melding'", {"type": "melding"}, True),  # task data may use names of unsafe builtins
])
def test_dmn_style_cells_evaluate_against_task_data(cell: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(cell, variables) == expected


def test_dates_datetimes_and_timedeltas_can_be_used() -> None:
    data = {"ontvangen": date(2026, 3, 2), "moment": datetime(2026, 3, 2, 9, 30)}
    assert evaluate("ontvangen + timedelta(days=3)", data) == date(2026, 3, 5)
    assert evaluate("date(2026, 1, 1) < ontvangen", data) is True
    assert evaluate('moment.strftime("%d-%m-%Y %H:%M")', data) == "02-03-2026 09:30"
    assert evaluate('f"{ontvangen:%Y}"', data) == "2026"
    assert evaluate('datetime.strptime("2026-03-02", "%Y-%m-%d").date() == ontvangen', data) is True
    assert evaluate("(moment - datetime(2026, 3, 1)).days", data) == 1


def test_script_assignments_are_written_back_and_other_variables_stay_untouched() -> None:
    bestaand = ["blijft"]
    variables: dict[str, Any] = {"x": 2, "bestaand": bestaand, "_intern": 1}
    execute("y = x * 10\ntotaal = 0\nfor i in range(4):\n    totaal += i\na, *rest = [1, 2, 3]", variables)
    assert variables == {"x": 2, "bestaand": ["blijft"], "_intern": 1, "y": 20, "totaal": 6, "i": 3, "a": 1,
                         "rest": [2, 3]}
    assert variables["bestaand"] is bestaand
    assert "sum" not in variables and "werkdagen" not in variables


def test_scripts_can_change_lists_and_dicts_they_are_given() -> None:
    variables: dict[str, Any] = {"data": {"lijst": [1]}}
    script = 'data["lijst"].append(2)\ndata["lijst"] = data["lijst"] + [3]\ndata["nieuw"] = 1\ndel data["nieuw"]'
    execute(script, variables)
    assert variables == {"data": {"lijst": [1, 2, 3]}}


def test_a_script_that_deletes_a_variable_removes_it() -> None:
    variables: dict[str, Any] = {"tijdelijk": 1, "blijft": 2}
    execute("del tijdelijk", variables)
    assert variables == {"blijft": 2}


def test_a_failing_script_leaves_the_variables_as_they_were() -> None:
    variables: dict[str, Any] = {"x": 1}
    with pytest.raises(SandboxRuntimeError):
        execute("x = 2\ny = 1 / 0", variables)
    assert variables == {"x": 1}


def test_helpers_passed_per_call_can_be_used_but_do_not_leak() -> None:
    assert evaluate("werkdagen(3)", {}, helpers=HELPERS) == date(2026, 3, 5)
    variables: dict[str, Any] = {}
    execute("deadline = werkdagen(5)", variables, helpers=HELPERS)
    assert variables == {"deadline": date(2026, 3, 7)}


def test_a_script_looping_ten_thousand_times_finishes_within_the_limit() -> None:
    variables: dict[str, Any] = {}
    start = time.monotonic()
    execute("n = 0\nwhile n < 10000:\n    n += 1\nparen = [i for i in range(10000) if i % 2 == 0]", variables)
    assert variables["n"] == 10000 and len(variables["paren"]) == 5000
    assert time.monotonic() - start < DEFAULT_TIME_LIMIT


def test_compiled_code_is_cached_because_conditions_run_many_times() -> None:
    assert compile_expression("x + 1 == 2") is compile_expression("x + 1 == 2")
    assert compile_script("y = 1") is compile_script("y = 1")


def test_safe_helpers_are_exactly_the_documented_whitelist() -> None:
    assert set(SAFE_HELPERS) == {
        "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list", "max",
        "min", "print", "range", "round", "set", "sorted", "str", "sum", "tuple", "zip", "date", "datetime",
        "timedelta",
    }


# --- errors users see ------------------------------------------------------------------------

def test_runtime_errors_carry_a_dutch_message_and_the_line_number() -> None:
    with pytest.raises(SandboxRuntimeError) as caught:
        execute("a = 1\nb = {}\nc = b['ontbreekt']", {})
    assert caught.value.line == 3
    assert caught.value.message == "Sleutel 'ontbreekt' bestaat niet (regel 3)"
    with pytest.raises(SandboxRuntimeError, match="Naam 'onbekend' bestaat niet"):
        evaluate("onbekend + 1", {})
    with pytest.raises(SandboxRuntimeError, match="Deling door nul"):
        evaluate("1 / 0", {})


def test_syntax_errors_are_compile_errors_with_a_line_number() -> None:
    with pytest.raises(SandboxCompileError) as caught:
        compile_script("x = 1\nif x\n    y = 2")
    assert caught.value.line == 2
    assert_dutch(caught.value.message)
    with pytest.raises(SandboxCompileError, match="Lege expressie"):
        evaluate("   ", {})


def test_forbidden_names_have_the_documented_messages() -> None:
    with pytest.raises(SandboxCompileError, match="Naam '_x' is niet toegestaan: namen die met een liggend"):
        evaluate("_x", {})
    with pytest.raises(SandboxCompileError, match="Importeren is niet toegestaan"):
        execute("import os", {})
    with pytest.raises(SandboxCompileError, match="Functie 'open' bestaat niet in de sandbox"):
        evaluate("open('/etc/passwd')", {})


def test_the_time_limit_stops_a_long_loop() -> None:
    start = time.monotonic()
    with pytest.raises(SandboxLimitExceeded, match="Tijdslimiet van 1,0 s overschreden") as caught:
        execute("n = 0\nwhile True:\n    n = n + 1", {})
    assert time.monotonic() - start <= 2.5
    assert caught.value.line == 2  # the line of the loop that was stopped


def test_the_time_limit_can_be_set_per_call() -> None:
    start = time.monotonic()
    with pytest.raises(SandboxLimitExceeded, match="Tijdslimiet van 0,2 s"):
        execute("while True:\n    pass", {}, time_limit=0.2)
    assert time.monotonic() - start < 1.0


def test_a_variable_named_like_a_helper_is_refused() -> None:
    with pytest.raises(SandboxRuntimeError, match="Variabele 'werkdagen' heeft de naam van een hulpfunctie") as c:
        evaluate("werkdagen(2)", {"werkdagen": 5}, helpers=HELPERS)
    assert_dutch(c.value.message)
    with pytest.raises(SandboxRuntimeError, match="Variabele 'max'"):
        evaluate("max(x, 2)", {"max": 1, "x": 3})


def test_a_helper_may_not_shadow_a_safe_builtin() -> None:
    with pytest.raises(SandboxRuntimeError, match="Hulpfunctie 'len'"):
        evaluate("len(x)", {"x": "ab"}, helpers={"len": lambda value: 0})


def test_a_script_may_not_overwrite_a_helper_or_builtin() -> None:
    with pytest.raises(SandboxRuntimeError, match="Naam 'werkdagen' is een hulpfunctie"):
        execute("werkdagen = 3", {}, helpers=HELPERS)
    with pytest.raises(SandboxCompileError, match="Naam 'sum' is een ingebouwde functie"):
        execute("sum = 3", {})


def test_calls_running_in_parallel_threads_have_their_own_budget() -> None:
    errors: list[BaseException] = []

    def endless() -> None:
        try:
            execute("while True:\n    pass", {}, time_limit=0.5)
        except SandboxLimitExceeded as exc:
            errors.append(exc)

    worker = threading.Thread(target=endless)
    worker.start()
    results = [evaluate("x * 2", {"x": i}) for i in range(200)]
    worker.join(timeout=5)
    assert results[-1] == 398
    assert len(errors) == 1


# --- escape and exhaustion attempts ----------------------------------------------------------

C, R, L = SandboxCompileError, SandboxRuntimeError, SandboxLimitExceeded
ESCAPES = [
    # walk from a tuple to object.__subclasses__() to find os/subprocess classes
    pytest.param("().__class__.__mro__[1].__subclasses__()", "eval", C, id="mro-subclasses"),
    # import a module through the builtin hook
    pytest.param("__import__('os').system('id')", "eval", C, id="dunder-import"),
    # plain import statement
    pytest.param("import os", "exec", C, id="import"),
    # from-import of a single function
    pytest.param("from os import system", "exec", C, id="from-import"),
    # read a file from the server
    pytest.param("open('/etc/passwd').read()", "eval", C, id="open"),
    # nested eval of arbitrary source
    pytest.param("eval('1')", "eval", C, id="eval"),
    # nested exec of arbitrary source
    pytest.param("exec('x = 1')", "exec", C, id="exec"),
    # compile new code objects
    pytest.param("compile('1', 'f', 'eval')", "eval", C, id="compile"),
    # reach the module namespace with the guards in it
    pytest.param("globals()", "eval", C, id="globals"),
    # same via vars()
    pytest.param("vars()", "eval", C, id="vars"),
    # same via locals()
    pytest.param("locals()", "eval", C, id="locals"),
    # getattr with a dunder name built at runtime
    pytest.param("getattr(x, '__class__')", "eval", C, id="getattr"),
    # get a type object and walk it
    pytest.param("type(x)", "eval", C, id="type"),
    # format-string attribute walking
    pytest.param('"{0.__class__}".format(1)', "eval", C, id="str-format"),
    # format_map attribute walking to a function's globals
    pytest.param('"{x.__init__.__globals__}".format_map({"x": lijst})', "eval", C, id="format-map"),
    # format reached through the str type
    pytest.param('str.format("{0.__class__}", 1)', "eval", C, id="str-type-format"),
    # generator frame to the caller's globals
    pytest.param("(i for i in []).gi_frame.f_back.f_globals", "eval", C, id="gi-frame"),
    # generator code object
    pytest.param("(i for i in []).gi_code", "eval", C, id="gi-code"),
    # list literal to its class
    pytest.param("[].__class__", "eval", C, id="list-class"),
    # instance dictionary
    pytest.param("lijst.__dict__", "eval", C, id="dunder-dict"),
    # lambda to build functions (and reach __globals__)
    pytest.param("lambda: 1", "eval", C, id="lambda"),
    # function definition
    pytest.param("def f():\n    pass", "exec", C, id="def"),
    # class definition (metaclass tricks)
    pytest.param("class A:\n    pass", "exec", C, id="class"),
    # endless loop: stopped by the time limit
    pytest.param("while True:\n    pass", "exec", L, id="while-true"),
    # huge range to loop over
    pytest.param("for i in range(10**12):\n    pass", "exec", L, id="range-huge-loop"),
    # C-level summing of a huge range
    pytest.param("sum(range(10**8))", "eval", L, id="sum-range"),
    # nested comprehension bomb
    pytest.param("[[i for i in range(10**5)] for j in range(10**5)]", "eval", L, id="comprehension-bomb"),
    # string repetition of 10 GB
    pytest.param('"a" * 10**10', "eval", L, id="str-repeat"),
    # list repetition of a billion items
    pytest.param("[0] * 10**9", "eval", L, id="list-repeat"),
    # tower of powers
    pytest.param("10 ** 10 ** 10", "eval", L, id="pow-tower"),
    # power with a 100-million-bit result
    pytest.param("2 ** 10**8", "eval", L, id="pow-big"),
    # shift with a 10-billion-bit result
    pytest.param("1 << 10**10", "eval", L, id="lshift"),
    # repeated squaring in a loop
    pytest.param("n = 3\nwhile True:\n    n = n * n", "exec", L, id="square-loop"),
    # padding methods with a huge width
    pytest.param('"x".ljust(10**10)', "eval", L, id="ljust"),
    # centering with a huge width
    pytest.param('"x".center(10**10)', "eval", L, id="center"),
    # zero-padding with a huge width
    pytest.param('"1".zfill(10**10)', "eval", L, id="zfill"),
    # tab expansion with a huge tab size
    pytest.param('"\\t".expandtabs(10**10)', "eval", L, id="expandtabs"),
    # replace every gap with a long string
    pytest.param('("a" * 10**5).replace("", "b" * 10**5)', "eval", L, id="replace"),
    # join with a long separator
    pytest.param('("x" * 10**5).join("a" * 10**5)', "eval", L, id="join"),
    # bytes of 10 GB
    pytest.param("bytes(10**10)", "eval", R, id="bytes"),
    # a huge range object
    pytest.param("range(10**12)", "eval", L, id="range-object"),
    # swallow the timeout with try/except
    pytest.param("try:\n    while True:\n        pass\nexcept Exception:\n    pass", "exec", C, id="try-except"),
    # read back what print collected (RestrictedPython's 'printed')
    pytest.param("y = printed", "exec", C, id="printed"),
    # the builtins namespace
    pytest.param("__builtins__", "eval", C, id="builtins"),
    # subclasses of dict
    pytest.param("dict.__subclasses__()", "eval", C, id="dict-subclasses"),
    # class of a datetime via the module-style path
    pytest.param("datetime.datetime.now().__class__", "eval", C, id="datetime-class"),
    # module of a builtin function through __self__
    pytest.param("isinstance.__self__", "eval", C, id="isinstance-self"),
    # same through sorted
    pytest.param("sorted.__self__", "eval", C, id="sorted-self"),
    # module name of a builtin
    pytest.param("max.__module__", "eval", C, id="max-module"),
    # globals of a helper function
    pytest.param("werkdagen.__globals__", "eval", C, id="helper-globals"),
    # public attribute of a helper function (type not whitelisted)
    pytest.param("werkdagen.x", "eval", R, id="helper-attribute"),
    # dict view to its underlying mapping proxy
    pytest.param("lijst.copy().__class__.__base__", "eval", C, id="base-walk"),
    # f-string with a 10 GB width
    pytest.param('f"{1:>10000000000}"', "eval", L, id="fstring-width"),
    # %-format with a 10 GB width
    pytest.param('"%10000000000d" % 1', "eval", L, id="percent-width"),
    # %-format taking the width from the arguments
    pytest.param('"%*d" % (10**10, 1)', "eval", R, id="percent-star"),
    # strftime pattern that pads every field
    pytest.param('d.strftime("%1000Y" * 100000)', "eval", L, id="strftime-width"),
    # doubling a string in a loop
    pytest.param('s = "a"\nwhile True:\n    s = s + s', "exec", L, id="str-doubling"),
    # doubling a list in place
    pytest.param("l = [1]\nfor i in range(100):\n    l.extend(l)", "exec", L, id="extend-doubling"),
    # doubling a list with +=
    pytest.param("l = [1]\nfor i in range(100):\n    l += l", "exec", L, id="iadd-doubling"),
    # many big lists built inside the time limit
    pytest.param("[[0] * 10**6 for i in range(10**5)]", "eval", L, id="allocation-loop"),
    # one list referenced a million times, then printed
    pytest.param("a = [0] * 10**6\nb = []\nfor i in range(10**5):\n    b.append(a)\nc = str(b)", "exec", L,
                 id="repr-bomb"),
    # self-referencing structure handed back to the engine
    pytest.param("x = []\nx.append(x)", "exec", L, id="cycle"),
    # int.to_bytes of 10 GB
    pytest.param('(1).to_bytes(10**10, "big")', "eval", C, id="to-bytes"),
    # bytes via encode, then repeated
    pytest.param('"a".encode() * 10**10', "eval", C, id="encode"),
    # complex numbers dodge the integer checks
    pytest.param("1j ** 10**9", "eval", C, id="complex"),
    # round() with huge negative digits computes 10**10**7
    pytest.param("round(5, -10**7)", "eval", L, id="round"),
    # sum() concatenating lists quadratically
    pytest.param("sum([[0]] * 1000, [])", "eval", R, id="sum-lists"),
    # slice assignment growing a list in C
    pytest.param("l = [1]\nl[0:0] = l * 1000", "exec", C, id="slice-assign"),
    # context manager to run code on exit
    pytest.param('with open("/etc/passwd") as f:\n    pass', "exec", C, id="with"),
    # rebinding module-level names from a nested scope
    pytest.param("global x\nx = 1", "exec", C, id="global"),
    # generator protocol at module level
    pytest.param("x = (yield)", "exec", C, id="yield"),
    # assignment expression in a condition
    pytest.param("(y := 1)", "eval", C, id="walrus"),
    # unpacking into a call bypasses the iteration guard
    pytest.param("max(*range(10**5))", "eval", C, id="star-call"),
    # dict unpacking
    pytest.param("{**lijst}", "eval", C, id="double-star"),
    # match statement patterns
    pytest.param("match x:\n    case 1:\n        pass", "exec", C, id="match"),
    # async function
    pytest.param("async def f():\n    pass", "exec", C, id="async"),
    # debugger hook
    pytest.param("breakpoint()", "eval", C, id="breakpoint"),
    # very deeply nested source
    pytest.param("-" * 100_000 + "1", "eval", C, id="deep-source"),
]


@pytest.mark.parametrize(("source", "mode", "expected"), ESCAPES)
def test_escape_attempt_is_refused_quickly_with_a_dutch_message(
        source: str, mode: str, expected: type[SandboxError]) -> None:
    variables: dict[str, Any] = {"x": 1, "lijst": [1, 2, 3], "d": date(2026, 3, 2)}
    start = time.monotonic()
    with pytest.raises(SandboxError) as caught:
        if mode == "eval":
            evaluate(source, variables, helpers=HELPERS)
        else:
            execute(source, variables, helpers=HELPERS)
    assert time.monotonic() - start < 3.0
    assert type(caught.value) is expected, caught.value.message
    assert_dutch(caught.value.message)


def test_the_escape_corpus_has_at_least_thirty_attacks() -> None:
    assert len(ESCAPES) >= 30


def test_normal_expressions_still_evaluate_after_the_escape_corpus() -> None:
    """Runs after the corpus (file order): the process and its caches are still healthy."""
    assert evaluate("x + 1 > 1 and 'ok'.upper() == 'OK'", {"x": 1}) is True
    variables: dict[str, Any] = {"x": 1}
    execute("y = [i for i in range(10)]", variables)
    assert variables["y"] == list(range(10))


def test_print_from_models_of_other_tools_runs_and_prints_nothing(capfd):
    """SpiffWorkflow and SpiffArena models print from script tasks; here that is accepted and discarded:
    a server's output is its log, and what a script prints is case data."""
    data: dict[str, Any] = {"naam": "Voorbeeldnaam"}
    execute("print('melding van', naam)\nprint(naam, sep='-', end='')\nklaar = True", data)
    assert data == {"naam": "Voorbeeldnaam", "klaar": True}
    assert evaluate("print(naam) is None", data) is True
    out, err = capfd.readouterr()
    assert "Voorbeeldnaam" not in out + err
