"""Safe YAML: no code, no aliases, no duplicate keys, bounded size, with line numbers."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class YamlError(ValueError):
    """Invalid or unsafe YAML, at a 1-based line."""

    def __init__(self, text: str, line: int) -> None:
        super().__init__(text)
        self.text = text
        self.line = line


def _flow_depth(text: str) -> int:
    """Return the deepest nesting of flow brackets outside quotes (a cheap pre-check).

    libyaml's C parser recurses once per bracket and crashes on very deep
    input, so the depth is bounded before the parser sees the text.
    """
    depth = deepest = 0
    quote = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "\n":
            quote = ""
    return deepest


def load(text: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Parse one YAML document; return the data and the line of every mapping key.

    Keys are reported as dotted paths (``image.alt``, ``themes.2.start``) and
    lines count from ``first_line``, so errors point into the enclosing file.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(f"YAML larger than {MAX_BYTES // 1024} KiB", first_line)
    if _flow_depth(text) > MAX_DEPTH:
        raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels", first_line)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if exc.problem and exc.context and start and mark and start.line != mark.line:
            # An unclosed quote or bracket is found lines later: say where it opened.
            problem += f" ({exc.context} that starts on line {first_line + start.line})"
        raise YamlError(f"invalid YAML: {problem}", line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlError(f"invalid YAML: {exc}", first_line) from None
    if node is None:
        return None, {}
    lines: dict[str, int] = {}
    builder = _Builder(_Loader(""), text, first_line, lines)
    return builder.build(node, "", 0), lines


class _Builder:
    """Turns a composed node tree into plain data, refusing aliases and duplicates."""

    def __init__(self, loader: Any, text: str, first_line: int, lines: dict[str, int]) -> None:
        self.loader = loader
        self.text = text
        self.first_line = first_line
        self.lines = lines
        self.seen: set[int] = set()

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def alias_line(self) -> int:
        """Return the line of the first alias (``*name``); only called on the error path."""
        for event in yaml.parse(self.text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return self.first_line + event.start_mark.line
        return self.first_line

    def build(self, node: yaml.Node, path: str, depth: int) -> Any:
        if id(node) in self.seen:
            raise YamlError("YAML anchors and aliases (&, *) are not allowed", self.alias_line())
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels", self.line(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            raise YamlError(f"YAML tag {node.tag!r} is not allowed", self.line(node))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1)
                if not isinstance(key, str):
                    raise YamlError(
                        f"a key must be text, not {key!r} (quote it)", self.line(key_node)
                    )
                dotted = f"{path}.{key}" if path else key
                if key in result:
                    raise YamlError(f"duplicate key {key!r}", self.line(key_node))
                self.lines[dotted] = self.line(key_node)
                result[key] = self.build(value_node, dotted, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value, start=1):
                self.lines.setdefault(f"{path}.{index}", self.line(item))
                items.append(self.build(item, f"{path}.{index}", depth + 1))
            return items
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            where = f" for {path!r}" if path else ""
            problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else None
            raise YamlError(f"invalid value{where}: {problem or exc}", self.line(node)) from None
