"""The one script engine for model code: gateway conditions, timers, script tasks and DMN cells.

Models are uploaded by users, so their code is untrusted. Source is checked against a whitelist
(Dutch messages), then compiled with RestrictedPython's policy, which routes attribute, item,
iteration and write access through the guards below. Extra AST transforms route operators,
``while`` loops and f-strings through guards that enforce a per-call budget of time, loop steps
and allocated size. No signals or process-wide rlimits: this runs inside web-server threads.
"""

from __future__ import annotations

import ast
import builtins
import contextvars
import functools
import itertools
import math
import operator
import re
import reprlib
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
from types import CodeType, MappingProxyType, TracebackType
from typing import Any, Literal

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations


class SandboxError(Exception):
    """Base of all refusals; ``message`` is Dutch for end users, ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.reason, self.line = message, line
        self.message = f"{message} (regel {line})" if line else message
        super().__init__(self.message)


class SandboxCompileError(SandboxError):
    """The source was refused before anything ran (syntax error or forbidden construct)."""


class SandboxRuntimeError(SandboxError):
    """The code failed while running (unknown name, division by zero, refused access...)."""


class SandboxLimitExceeded(SandboxError):
    """A time, step or size limit stopped the call; the process itself stays healthy."""


DEFAULT_TIME_LIMIT: float = 1.0  # seconds of wall-clock time per call
MAX_SOURCE_LENGTH = 100_000  # characters of model source
MAX_SIZE = 1_000_000  # items/characters of one value the code builds
MAX_INT_BITS = 100_000  # bits of one integer the code computes
MAX_RANGE = 100_000  # elements of one range()
MAX_STEPS = 2_000_000  # for-loop and comprehension steps per call (bounds comprehension memory)
MAX_ALLOCATED = 20_000_000  # items/characters (or int bytes) created by guarded operations per call
MAX_RESULT = 5_000_000  # size of an expression result, or of all variables after a script
MAX_DEPTH = 100  # nesting of values (repr/JSON of deeper data would recurse too far)
_FILENAME = "<sandbox>"
_SEQUENCES = (str, bytes, list, tuple)
_CONTAINERS = (str, bytes, list, tuple, dict, set, frozenset)
_SCALARS = frozenset({int, float, bool, type(None), date, datetime, clock_time, timedelta})
_TOO_BIG = "Resultaat te groot"
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})  # imported by date.strftime()/datetime.strptime() in C


def _dutch_number(value: float) -> str:
    return f"{value:_}".replace("_", ".") if isinstance(value, int) else f"{value:.1f}".replace(".", ",")


class _Budget:
    """Counters of one call; kept in a ContextVar so concurrent calls and threads never share it."""

    def __init__(self, limit: float) -> None:
        self.limit, self.deadline = limit, time.monotonic() + limit
        self.steps = self.allocated = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise SandboxLimitExceeded(f"Tijdslimiet van {_dutch_number(self.limit)} s overschreden")

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SandboxLimitExceeded(f"Te veel herhalingen (meer dan {_dutch_number(MAX_STEPS)} stappen)")
        self.tick()

    def charge(self, amount: int) -> None:
        self.allocated += amount
        if self.allocated > MAX_ALLOCATED:
            raise SandboxLimitExceeded("Geheugenlimiet overschreden: te veel of te grote waarden gemaakt")
        self.tick()


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("sandbox_budget", default=None)


def _budget() -> _Budget:
    return _BUDGET.get() or _Budget(DEFAULT_TIME_LIMIT)


def _weight(value: object, limit: int) -> int:
    """Estimate the size of repr()/JSON of ``value``, stopping once past ``limit``.

    Shared references count every time, because repr() and JSON expand them every time.
    """
    total, stack = 0, [(iter((value,)), 0)]
    while stack and total <= limit:
        children, depth = stack[-1]
        item = next(children, stack)
        if item is stack:
            stack.pop()
        elif isinstance(item, _CONTAINERS):
            total += len(item)
            if isinstance(item, (str, bytes)) or total > limit:
                continue
            if depth >= MAX_DEPTH:
                raise SandboxLimitExceeded("Gegevens zijn te diep genest")
            parts = (item.keys(), item.values()) if isinstance(item, dict) else (item,)
            nested = (itertools.compress(p, map(operator.not_, map(_SCALARS.__contains__, map(type, p))))
                      for p in parts)  # skips scalars in C instead of item by item
            stack.append((itertools.chain.from_iterable(nested), depth + 1))
    return total


def _check_size(value: object, limit: int = MAX_SIZE) -> int:
    if (size := _weight(value, limit)) > limit:
        raise SandboxLimitExceeded(_TOO_BIG)
    return size


def _charged(value: Any) -> Any:
    if isinstance(value, _CONTAINERS):
        _budget().charge(len(value))
    elif isinstance(value, int) and value.bit_length() > 4096:
        _budget().charge(value.bit_length() // 8)
    return value


# --- guards the compiled code calls (names start with "_", so model code cannot touch them) ---

_ATTR_TYPES = _SCALARS | {str, list, tuple, dict, set, frozenset, range, timezone}
_ATTR_CLASSES = (date, datetime, timedelta)
_DENIED_ATTRS = INSPECT_ATTRIBUTES | {"format", "format_map", "translate", "to_bytes", "encode", "mro"}
_ACCESSORS = frozenset({"get", "pop", "popitem", "setdefault", "index", "count"})  # return, not build


def _take(iterable: Iterable[Any], limit: int) -> list[Any]:
    if len(items := list(itertools.islice(_guarded_iter(iterable), max(limit, 0) + 1))) > limit:
        raise SandboxLimitExceeded(_TOO_BIG)
    return items


def _precheck(obj: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse method calls that would build far more than their inputs, before they run."""
    size = 0
    if name in ("ljust", "rjust", "center", "zfill") and args and isinstance(args[0], int):
        size = args[0]
    elif name == "expandtabs" and isinstance(obj, str):
        tab = kwargs.get("tabsize", args[0] if args else 8)
        size = len(obj) + obj.count("\t") * tab if isinstance(tab, int) else 0
    elif name == "replace" and isinstance(obj, str) and len(args) >= 2 and isinstance(args[1], str):
        hits = obj.count(args[0])
        hits = hits if len(args) < 3 or args[2] < 0 else min(hits, args[2])
        size = len(obj) + hits * (len(args[1]) - len(args[0]))
    elif name == "join" and isinstance(obj, str) and args:
        args = (_take(args[0], MAX_SIZE), *args[1:])
        size = sum(len(i) for i in args[0] if isinstance(i, str)) + len(obj) * (len(args[0]) - 1)
    elif name == "strftime" and args and isinstance(args[0], str):
        size = _format_size(args[0])
    elif name == "extend" and isinstance(obj, list) and args:
        args = (_take(args[0], MAX_SIZE - len(obj)), *args[1:])
    if size > MAX_SIZE:
        raise SandboxLimitExceeded(_TOO_BIG)
    return args


def _guarded_getattr(obj: Any, name: str) -> Any:
    if not isinstance(name, str) or name.startswith("_") or name in _DENIED_ATTRS:
        raise SandboxRuntimeError(f"Attribuut '{name}' is niet toegestaan")
    if type(obj) not in _ATTR_TYPES and not any(obj is cls for cls in _ATTR_CLASSES):
        raise SandboxRuntimeError(f"Attribuut '{name}' is bij dit soort waarde niet toegankelijk")
    value = getattr(obj, name)
    if not (callable(value) and (isinstance(obj, _CONTAINERS) or name == "strftime")):
        return value

    def method(*args: Any, **kwargs: Any) -> Any:
        result = value(*_precheck(obj, name, args, kwargs), **kwargs)
        return result if name in _ACCESSORS else _charged(result)

    return method


def _guarded_getitem(obj: Any, key: Any) -> Any:
    if type(obj) not in (dict, list, tuple, str, range):
        raise SandboxRuntimeError("Indexeren met [...] is bij dit soort waarde niet toegestaan")
    return _charged(obj[key]) if isinstance(key, slice) else obj[key]


def _guarded_iter(obj: Any) -> Iterator[Any]:
    budget, items = _budget(), iter(obj)
    for item in items:
        budget.step()
        yield item


def _guarded_write(obj: Any) -> Any:
    if type(obj) in (dict, list):
        return obj
    raise SandboxRuntimeError("Deze waarde kan niet worden gewijzigd")


_DIGITS = re.compile(r"\d+")
_STAR = re.compile(r"%[^a-zA-Z%]*\*")  # '%*d' takes its width from the arguments


def _format_size(fmt: str) -> int:
    """Upper bound of what a %-format, format spec or strftime() pattern can produce."""
    widths = sum(int(n) if len(n) < 8 else MAX_SIZE + 1 for n in _DIGITS.findall(fmt))
    return len(fmt) + 32 * fmt.count("%") + widths


def _too_big(op: str, left: Any, right: Any) -> bool:
    """Estimate the result size of ``*``, ``**``, ``<<``, ``+`` and ``%`` before computing it."""
    ints = isinstance(left, int) and isinstance(right, int)
    if op == "Mult" and ints:
        return bool(left.bit_length() + right.bit_length() > MAX_INT_BITS)
    if op == "Mult":
        seq, count = (left, right) if isinstance(right, int) else (right, left)
        return (isinstance(count, int) and isinstance(seq, _SEQUENCES) and count > 1
                and count * _weight(seq, MAX_SIZE // count + 1) > MAX_SIZE)
    if op == "Pow" and ints and right > 0 and abs(left) > 1:
        return bool(right > MAX_INT_BITS or right * math.log2(abs(left)) > MAX_INT_BITS)
    if op == "LShift" and ints and left:
        return bool(left.bit_length() + right > MAX_INT_BITS)
    if op == "Add" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        return len(left) + len(right) > MAX_SIZE
    if op == "Mod" and isinstance(left, str):
        if _STAR.search(left):
            raise SandboxRuntimeError("Een '*' in %-opmaak is niet toegestaan")
        return _format_size(left) + _weight(right, MAX_SIZE) > MAX_SIZE
    return False


_BINOPS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "Add": ("+", operator.add), "Sub": ("-", operator.sub), "Mult": ("*", operator.mul),
    "Div": ("/", operator.truediv), "FloorDiv": ("//", operator.floordiv), "Mod": ("%", operator.mod),
    "Pow": ("**", operator.pow), "LShift": ("<<", operator.lshift), "RShift": (">>", operator.rshift),
    "BitOr": ("|", operator.or_), "BitXor": ("^", operator.xor), "BitAnd": ("&", operator.and_),
    "MatMult": ("@", operator.matmul),
}
_AUGMENTED = {symbol + "=": name for name, (symbol, _) in _BINOPS.items()}


def _guarded_binop(op: str, left: Any, right: Any) -> Any:
    if _too_big(op, left, right):
        raise SandboxLimitExceeded(_TOO_BIG)
    return _charged(_BINOPS[op][1](left, right))


def _guarded_inplace(symbol: str, left: Any, right: Any) -> Any:
    """``x += y`` on a list extends it in place (as in Python); everything else rebinds."""
    if symbol == "+=" and isinstance(left, list):
        left.extend(items := _take(right, MAX_SIZE - len(left)))
        _budget().charge(len(items))
        return left
    return _guarded_binop(_AUGMENTED[symbol], left, right)


def _guarded_format_value(value: Any) -> Any:
    _budget().charge(_check_size(value))
    return value


def _guarded_format_spec(spec: str) -> str:
    if (size := _format_size(spec)) > MAX_SIZE:
        raise SandboxLimitExceeded(_TOO_BIG)
    _budget().charge(size)
    return spec


class _DiscardingPrinter:
    """RestrictedPython turns ``print(...)`` into ``_print_(_getattr_)._call_print(...)``: we print nothing.

    Whatever a script prints is case data, and a server's stdout is its log, which must never carry case content.
    """

    def __init__(self, _getattr: Any = None) -> None:
        pass

    def _call_print(self, *_values: Any, **_options: Any) -> None:
        return None


_GUARDS: Mapping[str, Any] = MappingProxyType({
    "_print_": _DiscardingPrinter, "_print": _DiscardingPrinter(),  # the latter for expressions (eval mode)
    "_getattr_": _guarded_getattr, "_getitem_": _guarded_getitem, "_getiter_": _guarded_iter,
    "_write_": _guarded_write, "_inplacevar_": _guarded_inplace,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence, "_unpack_sequence_": guarded_unpack_sequence,
    "_sr_binop_": _guarded_binop, "_sr_tick_": lambda: _budget().tick(),
    "_sr_fmt_": _guarded_format_value, "_sr_spec_": _guarded_format_spec,
})


# --- safe builtins ---------------------------------------------------------------------------

def _safe_range(*args: int) -> range:
    if (result := range(*args))[MAX_RANGE:]:
        raise SandboxLimitExceeded(f"range() met meer dan {_dutch_number(MAX_RANGE)} elementen is te groot")
    return result


def _safe_str(value: object = "") -> str:
    _budget().charge(_check_size(value))
    return str(value)


def _safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    if isinstance(start, _CONTAINERS):
        raise SandboxRuntimeError("sum() werkt alleen met getallen")
    return sum(values, start)


def _safe_round(number: Any, ndigits: int | None = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > 1000:  # round(5, -10**7) computes 10**10**7
        raise SandboxLimitExceeded("round() met zoveel cijfers is niet toegestaan")
    return round(number, ndigits)


def _internal_import(name: str, *args: Any, **kwargs: Any) -> Any:
    """``__import__`` for C code such as strftime(); model code can never name it (underscore)."""
    if name not in _INTERNAL_IMPORTS:
        raise SandboxRuntimeError("Importeren is niet toegestaan")
    return __import__(name, *args, **kwargs)


def _building(kind: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a constructor so what it builds counts against the call's size budget."""
    def build(*args: Any, **kwargs: Any) -> Any:
        return _charged(kind(*args, **kwargs))
    return build


_LIST, _TUPLE, _SET, _DICT, _SORTED = (_building(k) for k in (list, tuple, set, dict, sorted))
_TYPE_FOR: Mapping[object, type] = MappingProxyType({
    _LIST: list, _TUPLE: tuple, _SET: set, _DICT: dict, _safe_str: str, int: int, float: float, bool: bool,
    date: date, datetime: datetime, timedelta: timedelta,
})


def _safe_isinstance(value: object, kinds: Any) -> bool:
    try:
        resolved = tuple(_TYPE_FOR[k] for k in (kinds if isinstance(kinds, tuple) else (kinds,)))
    except (KeyError, TypeError):
        raise SandboxRuntimeError("isinstance() werkt alleen met typen als int, str en list") from None
    return isinstance(value, resolved)


def _discarded_print(*_values: Any, **_options: Any) -> None:
    """``print`` for models written for SpiffWorkflow and SpiffArena: accepted, output discarded.

    Its output would go to the server's stdout, i.e. the log, and whatever a script prints is
    case data; so nothing is printed. The values are not even turned into text (no cost, no side effect).
    """


SAFE_HELPERS: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "print": _discarded_print,
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": _DICT, "enumerate": enumerate, "float": float,
    "int": int, "isinstance": _safe_isinstance, "len": len, "list": _LIST, "max": max, "min": min,
    "range": _safe_range, "round": _safe_round, "set": _SET, "sorted": _SORTED, "str": _safe_str,
    "sum": _safe_sum, "tuple": _TUPLE, "zip": zip, "date": date, "datetime": datetime, "timedelta": timedelta,
})


# --- compilation -----------------------------------------------------------------------------

_UNDERSCORE = "namen die met een liggend streepje beginnen zijn verboden"
_FORBIDDEN_NAMES = frozenset({"printed", "builtins", "breakpoint", "eval", "exec"})
_FORBIDDEN_CALLS = _FORBIDDEN_NAMES | {  # only as calls, so task data may still hold e.g. 'type'
    "open", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr", "hasattr", "type", "dir",
    "input", "exit", "quit", "help", "memoryview", "object", "super", "iter", "next", "format",
}
_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.For, ast.While, ast.If,
    ast.Break, ast.Continue, ast.Pass, ast.Delete, ast.Assert, ast.BoolOp, ast.BinOp, ast.UnaryOp,
    ast.IfExp, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Compare,
    ast.Call, ast.JoinedStr, ast.FormattedValue, ast.Constant, ast.Attribute, ast.Subscript, ast.Starred,
    ast.Name, ast.List, ast.Tuple, ast.Slice, ast.comprehension, ast.keyword, ast.expr_context, ast.boolop,
    ast.operator, ast.unaryop, ast.cmpop,
)
_REFUSED: tuple[tuple[tuple[type[ast.AST], ...], str], ...] = (
    ((ast.Import, ast.ImportFrom), "Importeren is niet toegestaan"),
    ((ast.FunctionDef, ast.AsyncFunctionDef), "Functies definiëren (def) is niet toegestaan"),
    ((ast.Lambda,), "lambda-functies zijn niet toegestaan"),
    ((ast.ClassDef,), "Klassen definiëren (class) is niet toegestaan"),
    ((ast.Try, ast.TryStar), "try/except/finally is niet toegestaan"),
    ((ast.With, ast.AsyncWith), "with-blokken zijn niet toegestaan"),
    ((ast.Yield, ast.YieldFrom, ast.Await, ast.AsyncFor), "yield, async en await zijn niet toegestaan"),
    ((ast.Global, ast.Nonlocal), "global en nonlocal zijn niet toegestaan"),
    ((ast.NamedExpr,), "De toewijzingsoperator := is niet toegestaan"),
    ((ast.Raise, ast.Return), "raise en return zijn niet toegestaan"),
)


def _problem(node: ast.AST) -> str | None:
    """Dutch reason why ``node`` is refused, or None; stricter than RestrictedPython's own policy."""
    if isinstance(node, ast.Name):
        if node.id.startswith("_") and node.id != "_":
            return f"Naam '{node.id}' is niet toegestaan: {_UNDERSCORE}"
        if node.id in _FORBIDDEN_NAMES:
            return f"Functie '{node.id}' bestaat niet in de sandbox"
        if not isinstance(node.ctx, ast.Load) and node.id in SAFE_HELPERS:
            return f"Naam '{node.id}' is een ingebouwde functie en kan niet worden overschreven"
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            return f"Attribuut '{node.attr}' is niet toegestaan: {_UNDERSCORE}"
        if node.attr in _DENIED_ATTRS or not isinstance(node.ctx, ast.Load):
            return f"Attribuut '{node.attr}' is niet toegestaan"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
        return f"Functie '{node.func.id}' bestaat niet in de sandbox"
    elif isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, type(None))):
        return "Dit soort constante (bytes, complexe getallen, ...) is niet toegestaan"
    elif isinstance(node, ast.Starred) and not isinstance(node.ctx, ast.Store):
        return "Uitpakken met * is alleen toegestaan links van een toewijzing"
    elif isinstance(node, ast.keyword) and node.arg is None or isinstance(node, ast.Dict) and None in node.keys:
        return "Uitpakken met ** is niet toegestaan"
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and isinstance(node.ctx, ast.Store):
        return "Toewijzen aan een deel van een lijst (x[a:b] = ...) is niet toegestaan"
    elif isinstance(node, ast.AugAssign) and not isinstance(node.target, ast.Name):
        return "Verkorte toewijzing (zoals +=) kan alleen op een variabele; schrijf x[k] = x[k] + 1"
    elif isinstance(node, ast.comprehension) and node.is_async:
        return "yield, async en await zijn niet toegestaan"
    if isinstance(node, _ALLOWED_NODES):
        return None
    return next((msg for kinds, msg in _REFUSED if isinstance(node, kinds)),
                f"Deze constructie ({type(node).__name__}) is niet toegestaan")


def _call(name: str, like: ast.AST, *args: ast.expr) -> ast.Call:
    call = ast.Call(ast.Name(name, ast.Load()), list(args), [])
    copy_locations(call, like)  # type: ignore[arg-type]
    return call


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus size guards on operators and f-strings, and a clock in ``while``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        return _call("_sr_binop_", node, ast.Constant(type(node.op).__name__), node.left, node.right)

    def visit_While(self, node: ast.While) -> ast.AST:
        node = self.node_contents_visit(node)
        node.body.insert(0, tick := ast.Expr(_call("_sr_tick_", node)))
        copy_locations(tick, node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        node.value = _call("_sr_fmt_", node.value, node.value)
        if node.format_spec is not None:
            spec = ast.FormattedValue(_call("_sr_spec_", node, node.format_spec), -1, None)
            node.format_spec = ast.JoinedStr([spec])
            copy_locations(spec, node)
            copy_locations(node.format_spec, node)
        return node


def _compile(source: str, mode: Literal["eval", "exec"]) -> CodeType:
    if not isinstance(source, str):
        raise SandboxCompileError("Code moet tekst zijn")
    if len(source) > MAX_SOURCE_LENGTH:
        raise SandboxCompileError(f"Code is te lang (meer dan {_dutch_number(MAX_SOURCE_LENGTH)} tekens)")
    if not (text := source.strip() if mode == "eval" else textwrap.dedent(source)) and mode == "eval":
        raise SandboxCompileError("Lege expressie")
    try:
        tree = ast.parse(text, _FILENAME, mode)
        assert isinstance(tree, (ast.Module, ast.Expression))
        if problems := [(getattr(n, "lineno", 0), p) for n in ast.walk(tree) if (p := _problem(n))]:
            line, message = min(problems, key=lambda problem: problem[0])
            raise SandboxCompileError(message, line or None)
        compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        result = compiler(tree, _FILENAME, policy=_Policy)
    except SyntaxError as exc:
        raise SandboxCompileError("Syntaxfout: de code kan niet worden gelezen", exc.lineno) from None
    except (RecursionError, MemoryError, ValueError):
        raise SandboxCompileError("Code is te ingewikkeld of te diep genest") from None
    if result.errors or result.code is None:  # RestrictedPython refused what the whitelist let through
        found = re.match(r"Line (\d+)", result.errors[0] if result.errors else "")
        raise SandboxCompileError("Code geweigerd door de beveiliging", int(found[1]) if found else None)
    return result.code


@functools.lru_cache(maxsize=2048)
def compile_expression(source: str) -> CodeType:
    """Compile a condition, timer expression or DMN cell; cached because they run on every pass."""
    return _compile(source, "eval")


@functools.lru_cache(maxsize=1024)
def compile_script(source: str) -> CodeType:
    """Compile a script task; cached because the same task runs for every instance."""
    return _compile(source, "exec")


# --- running ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _code_names(code: CodeType) -> frozenset[str]:
    nested = (_code_names(c) for c in code.co_consts if isinstance(c, CodeType))
    return frozenset(code.co_names).union(*nested)


def _namespace(code: CodeType, variables: Mapping[str, Any],
               helpers: Mapping[str, Callable[..., Any]] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Globals for one call; refuses helpers and used variables that would shadow each other."""
    available: dict[str, Any] = {**SAFE_HELPERS, "__import__": _internal_import}
    for name, helper in (helpers or {}).items():
        if name in SAFE_HELPERS or not name.isidentifier() or name.startswith("_"):
            raise SandboxRuntimeError(f"Hulpfunctie '{name}' mag geen ingebouwde naam overschrijven")
        available[name] = helper
    used = _code_names(code)
    if clash := next((n for n in variables if n in available and n in used), None):
        raise SandboxRuntimeError(f"Variabele '{clash}' heeft de naam van een hulpfunctie; hernoem haar")
    namespace = {k: v for k, v in variables.items() if isinstance(k, str) and not k.startswith("_")}
    return {**namespace, **_GUARDS, "__builtins__": available}, available


def _line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        line = tb.tb_lineno if tb.tb_frame.f_code.co_filename == _FILENAME else line
        tb = tb.tb_next
    return line


_MESSAGES: tuple[tuple[type[Exception], str], ...] = (
    (ZeroDivisionError, "Deling door nul"), (IndexError, "Index valt buiten de lijst of tekst"),
    (OverflowError, "Getal is te groot"), (TypeError, "Deze bewerking kan niet met deze soorten waarden"),
    (ValueError, "Ongeldige waarde"), (AssertionError, "Controle (assert) is mislukt"),
)


def _translate(exc: Exception, line: int | None) -> SandboxError:
    """Turn any failure into a SandboxError with a Dutch message (the cause stays chained for logs)."""
    if isinstance(exc, SandboxError):
        return exc if exc.line or not line else type(exc)(exc.reason, line)
    if isinstance(exc, (MemoryError, RecursionError)):
        return SandboxLimitExceeded("Geheugen- of nestinglimiet overschreden", line)
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or "?"
        message = f"{'Functie' if hasattr(builtins, name) else 'Naam'} '{name}' bestaat niet in de sandbox"
    elif isinstance(exc, KeyError):
        message = f"Sleutel {reprlib.repr(exc.args[0]) if exc.args else ''} bestaat niet"
    elif isinstance(exc, AttributeError):
        message = f"Attribuut '{getattr(exc, 'name', None) or '?'}' bestaat niet"
    else:
        message = next((msg for kind, msg in _MESSAGES if isinstance(exc, kind)), "Fout bij het uitvoeren")
    return SandboxRuntimeError(message, line)


def _run(code: CodeType, namespace: dict[str, Any], time_limit: float) -> Any:
    if not time_limit > 0:
        raise ValueError("time_limit must be positive")
    token = _BUDGET.set(_Budget(time_limit))
    try:
        return eval(code, namespace)  # a RestrictedPython code object with guards, never raw source
    except Exception as exc:
        if (translated := _translate(exc, _line(exc.__traceback__))) is exc:
            raise
        raise translated from exc
    finally:
        _BUDGET.reset(token)


def evaluate(source: str, variables: Mapping[str, Any], *,
             helpers: Mapping[str, Callable[..., Any]] | None = None,
             time_limit: float = DEFAULT_TIME_LIMIT) -> Any:
    """Evaluate a condition, timer expression or DMN cell against the task data."""
    code = compile_expression(source)
    result = _run(code, _namespace(code, variables, helpers)[0], time_limit)
    _check_size(result, MAX_RESULT)
    return result


def execute(source: str, variables: dict[str, Any], *,
            helpers: Mapping[str, Callable[..., Any]] | None = None,
            time_limit: float = DEFAULT_TIME_LIMIT) -> None:
    """Run a script task; top-level names it assigns (or deletes) are written back to ``variables``.

    On an error no top-level name changes (objects the script mutated in place stay mutated).
    """
    code = compile_script(source)
    namespace, available = _namespace(code, variables, helpers)
    _run(code, namespace, time_limit)
    data = {k: v for k, v in namespace.items() if not k.startswith("_")}
    if rebound := next((n for n in data if n in available and variables.get(n, None) is not data[n]), None):
        raise SandboxRuntimeError(f"Naam '{rebound}' is een hulpfunctie en kan niet worden overschreven")
    _check_size([v for k, v in data.items() if k not in available], MAX_RESULT)
    for name in [n for n in variables if isinstance(n, str) and not n.startswith("_") and n not in data]:
        del variables[name]
    variables.update((k, v) for k, v in data.items() if k not in available)
