"""What the checks of rendered outputs share: the message line of a segment, and merging.

A check over outputs reports at the message file and the line of the segment
to change, names the locale and channel, and, when the text came from a
catalog, the PO file and line of the translation
(``kickoff:summary in locales/de/.../messages.po:42``). A problem that reads
the same in several locales is reported once, naming them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from campaignsync.checks import Check, CheckInput
from campaignsync.load import content
from campaignsync.model import Diagnostic, Message, Output, Severity, Translated
from campaignsync.render import templatefiles

#: How a message field is named in "shorten the ..." hints.
_FIELD_NAMES = {
    "title": "title",
    "summary": "summary",
    "posts": "channel's post",
    "body": "body",
    "image": "image alt text",
    "hashtags": "hashtags",
    "link": "link",
}


@dataclass
class OutputContext:
    """What the checks of one run share: messages by id, segment lines, field lookups."""

    data: CheckInput
    _lines: dict[str, dict[str, int]] = field(default_factory=dict)
    _fields: dict[int, dict[str, Translated]] = field(default_factory=dict)
    _written: dict[tuple[str, str], str] = field(default_factory=dict)

    @cached_property
    def messages(self) -> dict[str, Message]:
        return {m.id: m for m in self.data.project.messages}

    @property
    def source(self) -> str:
        return self.data.project.config.source_locale.tag

    @property
    def templates(self) -> str:
        return self.data.project.config.paths.templates

    def fields(self, output: Output) -> dict[str, Translated]:
        """Return the output's localized segments by field (built once per message x locale)."""
        found = self._fields.get(id(output.fields))
        if found is None:
            found = self._fields[id(output.fields)] = dict(output.fields)
        return found

    def line(self, message: Message, field_name: str) -> int:
        """Return the line of a segment (or front-matter key) in the message file."""
        lines = self._lines.get(message.id)
        if lines is None:
            lines = {s.field: s.line for s in content.segments(message)}
            self._lines[message.id] = lines
        return lines.get(field_name) or message.line_of(field_name.partition(".")[0])

    def diagnostic(
        self,
        code: str,
        severity: Severity,
        text: str,
        output: Output,
        field_name: str,
        verb: str = "shorten",
        *,
        locale: bool = True,
        channel: bool = True,
    ) -> Diagnostic:
        """Return a diagnostic at the segment's message line, naming its translation.

        ``locale=False`` reports a problem of the source (the same in every locale);
        ``channel=False`` one seen in several channels (the text names them).
        """
        message = self.messages[output.message]
        found = self.fields(output).get(field_name)
        if verb and locale and found is not None and found.origin:
            text = f"{text}; {verb} {content.msgctxt(message.id, field_name)} in {found.origin}"
        elif verb:
            text = (
                f"{text}; {verb} the {_FIELD_NAMES.get(field_name.partition('.')[0], field_name)}"
            )
        return Diagnostic(
            code,
            severity,
            text,
            message.path,
            self.line(message, field_name),
            output.locale if locale else None,
            output.channel if channel else None,
        )

    def template_of(self, output: Output) -> str:
        """Return the template file that rendered an output."""
        return f"{self.templates}/{output.channel}.{output.path.rpartition('.')[2]}.j2"

    def template_diagnostic(
        self, code: str, severity: Severity, text: str, output: Output, *, locale: bool = True
    ) -> Diagnostic:
        """Return a diagnostic at the template that rendered the output (no message segment)."""
        return Diagnostic(
            code,
            severity,
            f"{text} ({self.messages[output.message].path})",
            self.template_of(output),
            None,
            output.locale if locale else None,
            output.channel,
        )

    def in_template(
        self,
        code: str,
        severity: Severity,
        text: str,
        output: Output,
        part: str,
        verb: str,
        *,
        test: Callable[[str], bool] | None = None,
    ) -> Diagnostic:
        """Return a diagnostic of text that nothing of the message holds: its template wrote it.

        When the source locale's output of the channel holds ``part`` (or passes ``test``,
        given in its stead) too, the template's own text: named for no locale. Else the
        translation of a string the template marks: named for the output's locale. Either
        is the same for every message, and is found from the message's outputs alone (as
        kept findings are).
        """
        mine = self._source_outputs.get(output.path.partition("/")[2])
        file = self.template_of(output)
        if mine is None or (test or contains(part))(text_of(mine)):
            text, locale = f"{text}; {verb} it in the template", None
            file = self._written_in(file, part) if test is None else file
        else:
            text = f"{text}; {verb} the {output.locale} translation of the string that writes it"
            locale = output.locale
        return Diagnostic(code, severity, text, file, None, locale, output.channel)

    def _written_in(self, own: str, part: str) -> str:
        """Return the template that holds ``part`` as written.

        ``own``, or the one alone of those it extends, includes or imports that does
        (``_base.html.j2``).
        """
        if (own, part) not in self._written:
            folder = self.data.project.root / self.templates
            digest = templatefiles.folder_digest(folder)  # what _sources is kept by
            names = _sources(folder, own.rpartition("/")[2], digest)
            held = [n for n, text in names if part in text]
            self._written[own, part] = f"{self.templates}/{held[0]}" if len(held) == 1 else own
        return self._written[own, part]

    @cached_property
    def _source_outputs(self) -> dict[str, Output]:
        """Return the source locale's outputs by their path past the locale's folder."""
        tag = self.source
        return {o.path.partition("/")[2]: o for o in self.data.outputs if o.locale == tag}

    def field_with(self, output: Output, test: Callable[[str], bool]) -> str | None:
        """Return the first segment of the output whose text passes ``test``."""
        return next((name for name, t in self.fields(output).items() if test(t.text)), None)


def per_locale(function: Check) -> Check:
    """Merge a problem that reads the same in several locales into one diagnostic.

    Text that falls back to the source (or to one shared catalog, es-US to es) is
    fixed in one place, so it is reported once, naming the locales it affects.
    """

    @functools.wraps(function)
    def merged(data: CheckInput) -> Iterator[Diagnostic]:
        groups: dict[tuple[object, ...], list[Diagnostic]] = {}
        for d in function(data):
            groups.setdefault((d.code, d.file, d.line, d.text, d.channel), []).append(d)
        for same in groups.values():
            tags = sorted({d.locale for d in same if d.locale})  # en before en-US
            if len(tags) < 2 or not all(d.locale for d in same):
                yield from same
            else:
                yield replace(
                    same[0], text=f"{same[0].text} (locales {', '.join(tags)})", locale=None
                )

    return merged


def contains(part: str) -> Callable[[str], bool]:
    return lambda text: part in text


def text_of(output: Output) -> str:
    return output.content.decode("utf-8", "replace")


def measured(output: Output) -> str:
    return text_of(output).rstrip("\n")


@functools.lru_cache(maxsize=64)
def _sources(folder: Path, name: str, _digest: str) -> tuple[tuple[str, str], ...]:
    """Return a template and those it extends, includes or imports, each with its text."""
    from campaignsync.render import engine

    todo, found = [name], {}
    while todo:
        at = todo.pop()
        if at in found:
            continue
        try:
            found[at] = (folder / at).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # reported as CS030 where it is rendered
            found[at] = ""
        parsed = engine.references(folder, [at])[at]
        todo.extend(n for n in (parsed.templates if parsed else ()) if n is not None)
    return tuple(sorted(found.items()))
