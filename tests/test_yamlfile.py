"""Safe YAML: only plain data, with the line of every key."""

from __future__ import annotations

import pytest

from campaignsync.load.yamlfile import YamlError, load


def test_lines_of_nested_keys_count_from_the_first_line() -> None:
    data, lines = load("a: 1\nb:\n  c: x\nlist:\n  - {id: one}\n  - {id: two}\n", first_line=5)
    assert data == {"a": 1, "b": {"c": "x"}, "list": [{"id": "one"}, {"id": "two"}]}
    assert lines["a"] == 5 and lines["b.c"] == 7 and lines["list.2.id"] == 10


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        pytest.param(
            "a: &x 1\nb: *x\n", "YAML anchors and aliases (&, *) are not allowed", 2, id="alias"
        ),
        pytest.param("a: 1\na: 2\n", "duplicate key 'a'", 2, id="duplicate"),
        pytest.param(
            "a: !!python/object/apply:os.system [ls]\n",
            "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
            1,
            id="python-tag-seq",
        ),
        pytest.param(
            "a: !!python/name:os.system ''\n",
            "invalid value for 'a': could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'",
            1,
            id="python-tag-scalar",
        ),
        pytest.param("a: [1, 2\nb: 3\n", "invalid YAML: ", 2, id="syntax"),
        pytest.param("1: one\n", "a key must be text, not 1 (quote it)", 1, id="number-key"),
        pytest.param(
            "a: " + "[" * 40 + "]" * 40 + "\n",
            "YAML nested deeper than 32 levels",
            1,
            id="deep-flow",
        ),
        pytest.param("a: " + "x" * 300_000 + "\n", "YAML larger than 256 KiB", 1, id="too-large"),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused_with_a_line(
    text: str, message: str, line: int
) -> None:
    with pytest.raises(YamlError) as caught:
        load(text)
    assert caught.value.text.startswith(message)
    assert caught.value.line == line


def test_deep_nesting_never_reaches_the_c_parser() -> None:
    with pytest.raises(YamlError, match="nested deeper"):
        load("a: " + "[" * 100_000 + "\n")


def test_empty_document() -> None:
    assert load("") == (None, {})


@pytest.mark.parametrize(
    ("text", "opened"),
    [
        pytest.param('id: x\ntitle: "Turn on MFA\nsummary: Do it today.\n', 2, id="quote"),
        pytest.param("id: x\nchannels: [x, linkedin\npublish: {}\nlink: y\n", 2, id="bracket"),
    ],
)
def test_an_unclosed_quote_or_bracket_names_the_line_where_it_opened(
    text: str, opened: int
) -> None:
    # PyYAML notices the problem lines later; the writer needs the line they left open.
    with pytest.raises(YamlError) as caught:
        load(text, first_line=2)
    assert caught.value.text.startswith("invalid YAML: ")
    assert caught.value.text.endswith(f" that starts on line {opened + 1})")
    assert caught.value.line > opened + 1
