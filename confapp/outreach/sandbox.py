"""The Jinja sandbox merge templates run in, with limits on the work a template may ask for.

Jinja's sandbox keeps a template away from application internals but not from the CPU or memory:
`{{ 9**9**9 }}` computes a number with hundreds of millions of digits, `{{ 'x' * 10**10 }}` asks
for ten gigabytes, `lipsum(10**7)` writes a novel and nested loops never end. A merge template only
needs a person's fields, a little text around them and the odd `{% if %}`, so:

- loops, macros, call blocks and imports are refused when the template is read: without them the
  work grows with the template's length only (the form bounds it);
- every value a template computes stays below MAX_VALUE (characters, items, or a number's digits):
  `*`, `**`, `+`, `%`, `~`, method calls and filters are checked, before computing where the
  result could be huge and on the result otherwise; only filters that cannot amplify are offered,
  and of Jinja's globals only `range`, capped at MAX_RANGE;
- a render that still runs past MAX_SECONDS, or writes more than MAX_OUTPUT characters, stops.

Each limit raises TemplateLimit (a SecurityError) whose message is a sentence for the organiser.
"""
from __future__ import annotations

import re
import string
import threading
import time
from typing import Any

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_VALUE = 100_000  # characters or items in any value a template computes (or about that many digits)
MAX_INT_BITS = 256  # numbers: about 77 digits, far beyond any count, price or year
MAX_OUTPUT = 500_000  # characters in one merged subject or body
MAX_RANGE = 1_000
MAX_SECONDS = 2.0

SAFE_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int", "join", "last",
    "length", "list", "lower", "max", "min", "replace", "reverse", "round", "sort", "string", "striptags",
    "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
)
_REFUSED_NODES = (
    (nodes.For, _l("Loops (%(tag)s)", tag="{% for %}")), (nodes.Macro, _l("Macros")), (nodes.CallBlock, _l("Call blocks")),
    (nodes.Include, _l("Includes")), (nodes.Import, _l("Imports")), (nodes.FromImport, _l("Imports")),
    (nodes.Extends, _l("Extends")),
)
_WIDTH = re.compile(r"%[-+ #0(]*(\*|\d+)?(?:\.(\*|\d+))?")
_LARGE_WIDTH = 1_000


class TemplateLimit(SecurityError):
    """The template asks for more work than a message may take; the message says what."""


# Lazy: it reads in the language of whoever is shown the refusal.
_TOO_BIG = _l("it would build a text, list or number far too large for a message")
_render = threading.local()  # the deadline of the render running in this thread


def _tick() -> None:
    deadline = getattr(_render, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateLimit(gettext("it takes longer than %(num)s seconds to fill in", num=format_decimal(MAX_SECONDS)))


def size_of(value: Any, budget: int = MAX_VALUE) -> int:
    """About how many characters `str(value)` makes; stops counting once past `budget` (shared
    references count each time: `str()` writes them out each time)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 1
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item) + 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, range):
            total += len(item) * 6
        else:
            total += 1
        if total > budget:
            return total
        if len(stack) % 4096 == 0:
            _tick()
    return total


def _limit(size: int) -> None:
    if size > MAX_VALUE:
        raise TemplateLimit(_TOO_BIG)


def _check_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(_TOO_BIG)
    _limit(size_of(value))
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _before_binop(op: str, left: Any, right: Any) -> None:
    if op == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
        # The result has about bit_length(left) * right bits: decide before computing it.
        if (abs(left).bit_length() - 1) * right > MAX_INT_BITS:
            raise TemplateLimit(_TOO_BIG)
    elif op == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
                raise TemplateLimit(_TOO_BIG)
        elif _is_int(right):
            _limit(size_of(left) * max(right, 0))
        elif _is_int(left):
            _limit(size_of(right) * max(left, 0))
    elif op == "+":
        _limit(size_of(left) + size_of(right))
    elif op == "%" and isinstance(left, str):
        _check_printf(left)


def _check_printf(template: str) -> None:
    for match in _WIDTH.finditer(template.replace("%%", "")):
        for width in match.groups():
            if width == "*":
                raise TemplateLimit(gettext("it takes a text width from a value"))
            if width and int(width) >= _LARGE_WIDTH:
                raise TemplateLimit(gettext("it asks for a text width far too large for a message"))


def _check_format_spec(template: str) -> None:
    for _literal, _field, spec, _conversion in string.Formatter().parse(template):
        if spec and ("{" in spec or any(int(n) >= _LARGE_WIDTH for n in re.findall(r"\d+", spec))):
            raise TemplateLimit(gettext("it asks for a text width far too large for a message"))


def _check_replace(text: str, old: str, new: str) -> None:
    occurrences = len(text) + 1 if old == "" else text.count(old)
    _limit(len(text) + occurrences * max(len(new) - len(old), 0))


def _before_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Methods of str that make more text than they are given: decide from the arguments."""
    method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in ("center", "ljust", "rjust", "zfill") and args and _is_int(args[0]):
        _limit(args[0])
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if _is_int(tab):
            _limit(len(owner) + owner.count("\t") * max(tab, 0))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_replace(owner, args[0], args[1])
    elif name in ("format", "format_map"):
        _check_format_spec(owner)


def _checked_filter(name: str):
    original = FILTERS[name]

    first = 1 if hasattr(original, "jinja_pass_arg") else 0  # after the environment or context, if passed

    def run(*args, **kwargs):
        _tick()
        if name == "replace" and len(args) >= first + 3:
            _check_replace(str(args[first]), str(args[first + 1]), str(args[first + 2]))
        elif name in ("join", "string", "sum") and len(args) > first:
            _limit(size_of(args[first]))
        return _check_value(original(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):  # Jinja passes the environment or context by this mark
        if hasattr(original, attribute):
            setattr(run, attribute, getattr(original, attribute))
    run.__name__ = original.__name__
    return run


def _capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimit(gettext("it asks for a range of more than %(num)s numbers", num=format_decimal(MAX_RANGE)))
    return numbers


class _CheckedConcat(CodeGenerator):
    """`a ~ b` compiles to a plain join Jinja does not intercept; route it through a check."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.checked_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class MergeSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _CheckedConcat

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_check_value, **options)
        self.filters = {name: _checked_filter(name) for name in SAFE_FILTERS}
        self.globals = {"range": _capped_range}

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        for node_type, label in _REFUSED_NODES:
            if next(tree.find_all(node_type), None) is not None:
                raise TemplateLimit(gettext("%(what)s are not available in messages: use the merge fields and %(tag)s",
                                            what=label, tag="{% if %}"))
        return tree

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _before_binop(operator, left, right)
        return _check_value(self.binop_table[operator](left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _tick()
        _before_call(__obj, args, kwargs)
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def checked_concat(self, values: tuple) -> str:
        _tick()
        _limit(sum(size_of(v) for v in values))
        return "".join(str(v) for v in values)

    def getattr(self, obj, attribute):
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _tick()
        return super().getitem(obj, argument)

    def render_limited(self, template, context: dict) -> str:
        """Render within MAX_SECONDS and MAX_OUTPUT characters."""
        _render.deadline = time.monotonic() + MAX_SECONDS
        try:
            parts: list[str] = []
            size = 0
            for chunk in template.generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise TemplateLimit(gettext("the merged text would be longer than %(num)s characters", num=format_decimal(MAX_OUTPUT)))
                parts.append(chunk)
            return "".join(parts)
        finally:
            _render.deadline = None
