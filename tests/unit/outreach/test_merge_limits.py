"""Merge templates cannot make a worker compute, allocate or loop without bound: each attack below
returns a clear error at once, and ordinary templates still work."""
import time

import pytest

from confapp.errors import ValidationFailed
from confapp.outreach import merge

CONTEXT = {"first_name": "Ana", "last_name": "Ruiz", "answers": {"city": "Pittsburgh"}}

ATTACKS = [
    "{{ 9**9**9 }}",
    "{{ 2**100000000 }}",
    "{{ (10**70) * (10**70) * (10**70) * (10**70) }}",
    "{{ 'x' * 10**10 }}",
    "{{ ['x'] * 10**9 }}",
    "{{ ('x' * 99999) ~ ('x' * 99999) }}",
    "{{ ('x' * 99999) + ('x' * 99999) }}",
    "{% set a = 'x' * 60000 %}{{ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a }}",
    "{% set a = 'x' * 90000 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b] %}{{ c }}",
    "{% set a = 'x' * 90000 %}{% set b = [a, a, a, a] %}{{ b|join }}",
    "{{ ('a' * 50000).replace('a', 'aaaaaaaaaa') }}",
    "{{ 'a'.center(10**9) }}",
    "{{ 'a'.ljust(10**9) }}",
    "{{ '{:999999999}'.format(1) }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ ('a' * 50000)|replace('a', 'aaaaaaaaaa') }}",
    "{{ range(10**9)|list }}",
    "{{ lipsum(10**7) }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'|indent(10**9) }}",
    "{% for a in range(10**5) %}{% for b in range(10**5) %}{% endfor %}{% endfor %}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_expensive_templates_are_refused_promptly(attack):
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as error:
        merge.render_string(attack, CONTEXT, "body")
    assert time.monotonic() - started < 1.5
    assert error.value.errors["body"]


def test_the_error_says_what_was_too_much():
    with pytest.raises(ValidationFailed) as error:
        merge.render_string("Hello {{ 9**9**9 }}", CONTEXT, "body")
    assert "far too large for a message" in error.value.errors["body"]
    with pytest.raises(ValidationFailed) as error:
        merge.render_string("{% for x in range(3) %}x{% endfor %}", CONTEXT, "body")
    assert "Loops ({% for %}) are not available" in error.value.errors["body"]


@pytest.mark.parametrize("template, expected", [
    ("Dear {{ first_name }} {{ last_name|upper }},", "Dear Ana RUIZ,"),
    ("{% if answers.city %}See you in {{ answers.city }}!{% endif %}", "See you in Pittsburgh!"),
    ("{{ first_name ~ ' ' ~ last_name }}", "Ana Ruiz"),
    ("{{ 3 * 4 }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ 7 % 3 }}", "12 1024 ababab 1"),
    ("{{ '%s, %s' % (last_name, first_name) }} {{ '{} {}'.format(first_name, last_name) }}", "Ruiz, Ana Ana Ruiz"),
    ("{{ first_name|default('friend')|title }} {{ [first_name, last_name]|join(' & ') }}", "Ana Ana & Ruiz"),
    ("{{ range(3)|list|length }} {{ first_name.replace('A', 'Á') }}", "3 Ána"),
])
def test_ordinary_templates_still_work(template, expected):
    assert merge.render_string(template, CONTEXT, "body") == expected


def test_a_long_plain_message_is_fine():
    body = "A paragraph of news for everyone. " * 1400 + "{{ first_name }}"  # about 48,000 characters
    assert merge.render_string(body, CONTEXT, "body").endswith("Ana")
