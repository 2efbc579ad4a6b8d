"""Load YAML remembering the line of every mapping and key, and read typed values with located errors."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import yaml

from forms.errors import FormDefinitionError

# A process owner deploys definitions through the API; refuse anything that is not a small form.
MAX_DEFINITION_CHARS = 200_000


class LineMap(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    def __init__(self, items: dict[str, Any], line: int, key_lines: dict[str, int]) -> None:
        super().__init__(items)
        self.line = line
        self.key_lines = key_lines

    def line_of(self, key: str) -> int:
        """Return the line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that builds `LineMap`s and refuses aliases (no billion-laughs expansion)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose the next node, refusing an alias."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (*name) are not allowed", problem_mark=event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_line_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineMap:
    items: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(problem=f"key {key!r} must be text", problem_mark=key_node.start_mark)
        if key in items:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        items[key] = loader.construct_object(value_node, deep=True)
        key_lines[key] = key_node.start_mark.line + 1
    return LineMap(items, node.start_mark.line + 1, key_lines)


def _construct_timestamp_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    """Keep dates as text: the field types parse them, and PyYAML crashes on 2024-02-30."""
    return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_line_map)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_text)


def load_yaml(text: str, file_name: str) -> Any:
    """Parse one YAML document into plain values with `LineMap` mappings."""
    if len(text) > MAX_DEFINITION_CHARS:
        raise FormDefinitionError(
            file_name, None, f"definition is longer than {MAX_DEFINITION_CHARS} characters"
        )
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise FormDefinitionError(file_name, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise FormDefinitionError(file_name, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


class Reader:
    """Read typed values out of `LineMap`s, raising `FormDefinitionError` at the right line."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name

    def error(self, line: int | None, message: str) -> FormDefinitionError:
        """Return an error located in this file."""
        return FormDefinitionError(self.file_name, line, message)

    def mapping(self, value: Any, line: int, what: str) -> LineMap:
        """Return `value` if it is a mapping, else raise."""
        if not isinstance(value, LineMap):
            raise self.error(line, f"{what} must be a mapping")
        return value

    def check_keys(self, node: LineMap, allowed: Collection[str], what: str) -> None:
        """Refuse keys outside `allowed`, naming the first offender and its line."""
        for key in node:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.error(node.line_of(key), f"unknown key {key!r} in {what} (allowed: {expected})")

    def text(self, node: LineMap, key: str) -> str | None:
        """Return a non-blank string value, or None when absent."""
        return self.required_text(node, key) if node.get(key) is not None else None

    def required_text(self, node: LineMap, key: str) -> str:
        """Return a non-blank string value; refuse a missing one."""
        value = node.get(key)
        if value is None:
            raise self.error(node.line_of(key), f"{key!r} is required")
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                node.line_of(key), f"{key!r} must be non-blank text (quote values like yes/no/1)"
            )
        return value

    def flag(self, node: LineMap, key: str) -> bool:
        """Return a boolean value, False when absent."""
        value = node.get(key, False)
        if not isinstance(value, bool):
            raise self.error(node.line_of(key), f"{key!r} must be true or false")
        return value

    def count(self, node: LineMap, key: str) -> int | None:
        """Return a non-negative integer value, or None when absent."""
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(node.line_of(key), f"{key!r} must be a whole number >= 0")
        return value

    def items(self, node: LineMap, key: str) -> Iterable[tuple[int, Any]]:
        """Yield (line, item) for a non-empty list value."""
        value = node.get(key)
        if not isinstance(value, list) or not value:
            raise self.error(node.line_of(key), f"{key!r} must be a non-empty list")
        line = node.line_of(key)
        for item in value:
            yield (item.line if isinstance(item, LineMap) else line), item
