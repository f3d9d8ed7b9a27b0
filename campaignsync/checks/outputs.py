"""What the checks of rendered outputs share: the message line of a segment, and merging.

A check over outputs reports at the message file and the line of the segment
to change, names the locale and channel, and, when the text came from a
catalog, the PO file and line of the translation
(``kickoff:summary in locales/de/.../messages.po:42``). A problem that reads
the same in several locales is reported once, naming them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from campaignsync import channels as registry
from campaignsync.checks import Check, CheckInput
from campaignsync.l10n import localize
from campaignsync.l10n.catalog import Key, extract_templates
from campaignsync.load import content
from campaignsync.model import Diagnostic, Message, Output, Severity, Translated
from campaignsync.render import templatefiles
from campaignsync.render.strings import formats_as

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
    _strings: dict[tuple[str, str, str], tuple[str, str, int, str] | None] = field(
        default_factory=dict
    )

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
        """Return a diagnostic of text that no segment of the message holds: its template's.

        At the PO line of the translation of a string the channel's templates mark that
        holds ``part`` (or passes ``test``), else at the template. Either is the same for
        every message (and, for a catalog that several locales fall back to, for each of
        them): the one place to change.
        """
        string = self.template_string_with(output, part, test)
        if string is None:  # the same in every locale: named for none
            file, line, locale = self.template_of(output), None, None
            text = f"{text}; {verb} it in the template"
        else:
            source, file, line, locale = string
            text = f'{text}; {verb} the translation of the template string "{source}"'
        return Diagnostic(code, severity, text, file, line, locale, output.channel)

    def template_string_with(
        self, output: Output, part: str, test: Callable[[str], bool] | None = None
    ) -> tuple[str, str, int, str] | None:
        """Return the template string whose translation wrote ``part`` into the output.

        As (the string, its PO file, the line, that catalog's locale): of the strings the
        channel's templates mark, the first whose translation (as rendering takes it: the
        locale's catalog, then those it falls back to) holds ``part``, or passes ``test``.
        None: the template wrote it.
        """
        known = (output.channel, output.locale, part)
        if known not in self._strings:
            self._strings[known] = self._find_string(output, test or contains(part))
        return self._strings[known]

    def _find_string(
        self, output: Output, test: Callable[[str], bool]
    ) -> tuple[str, str, int, str] | None:
        project = self.data.project
        locale = project.config.locale(output.locale)
        if locale is None:
            return None
        templates = project.root / project.config.paths.templates
        marked = _marked_by(templates, output.channel, templatefiles.folder_digest(templates))
        for context, source in marked:
            for tag in localize.chain(locale):
                lookup = self.data.lookups.get(tag)
                entry = lookup.get(context, source) if lookup is not None else None
                if entry is None or not formats_as(source, entry.text):
                    continue  # not the translation rendering takes (see render.strings)
                if test(entry.text) and lookup is not None:
                    return source, lookup.path, entry.line, tag
                break
        return None

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
def _marked_by(templates: Path, channel: str, _digest: str) -> tuple[Key, ...]:
    """Return the strings marked in the templates a channel renders from, sorted.

    Kept by the templates folder's digest: asked again message after message.
    """
    spec = registry.registry().get(channel)
    own = [o.template(channel) for o in spec.outputs] if spec is not None else []
    files = templatefiles.channel_files(templates, {channel: own})[channel]
    chosen = templatefiles.names(templates) if files is None else files
    return tuple(sorted({key for name in chosen for key in marked_strings(templates, name)}))


def marked_strings(root: Path, rel: str) -> frozenset[Key]:
    """Return the (msgctxt, msgid) of every string a template marks (none if it cannot be read).

    Kept by the template's bytes: a check asks for them again message after message.
    """
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return frozenset()
    return _marked(root, rel, hashlib.sha256(data).hexdigest())


@functools.lru_cache(maxsize=64)
def _marked(root: Path, rel: str, _digest: str) -> frozenset[Key]:
    try:
        found = list(extract_templates(root, rel))
    except Exception:  # a template that cannot be parsed is reported as CS030 elsewhere
        return frozenset()
    return frozenset(
        (context or "", text if isinstance(text, str) else text[0])
        for _rel, _line, text, context, _comments in found
    )
