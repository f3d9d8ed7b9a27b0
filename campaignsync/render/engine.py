"""Stage 3: a localized message through each channel's sandboxed Jinja2 templates.

This is the only module that imports Jinja2.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.bccache import MemcachedBytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import LRUCache
from markupsafe import escape

from campaignsync import channels
from campaignsync.model import Diagnostic, LocalizedMessage, Output, Project, Severity
from campaignsync.render import context, links, templatefiles
from campaignsync.render import dates as datefmt
from campaignsync.render.strings import TemplateStrings

if TYPE_CHECKING:
    from campaignsync.load.textdirections import Directions as Answers

MAX_OUTPUT_BYTES = 1024 * 1024
_MAX_REPEAT = 100_000
_SEQUENCES = (str, list, tuple)


class _SafeLoader(FileSystemLoader):
    """Loads templates from one folder, refusing symbolic links anywhere on the way."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        folder = Path(self.searchpath[0])
        path = folder
        for part in template.split("/"):
            path = path / part
            if path.is_symlink():
                raise TemplateNotFound(f"{template} (a symbolic link, refused)")
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:  # the file and line, not an internal error
            line = exc.object[: exc.start].count(b"\n") + 1
            raise TemplateSyntaxError("not UTF-8 text", line, template, template) from None


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with a cap on ``'x' * n`` and ``**`` (it has none of its own)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError("exponent too large")
        if operator == "*":
            for s, n in ((left, right), (right, left)):
                if isinstance(s, _SEQUENCES) and isinstance(n, int) and len(s) * n > _MAX_REPEAT:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def autoescaped(name: str | None) -> bool:
    """Return True unless a template is a text template (``*.txt.j2``)."""
    return not (name or "").endswith(".txt.j2")


def _strings(ctx: Context) -> TemplateStrings | None:
    value = ctx.get("_strings")
    return value if isinstance(value, TemplateStrings) else None


def _escaped(ctx: Context, text: str) -> str:
    return escape(text) if ctx.eval_ctx.autoescape else text  # no translator's markup in HTML


def _translated(ctx: Context, one: str, context: str = "", many: str = "", n: object = 1) -> str:
    s = _strings(ctx)
    if s is None:
        return _escaped(ctx, many if many and n != 1 else one)
    return _escaped(ctx, s.plural(one, many, n, context) if many else s.get(one, context))


#: The i18n extension's functions, through the locale's template strings.
_gettext = pass_context(lambda ctx, source: _translated(ctx, source))
_ngettext = pass_context(lambda ctx, one, many, n: _translated(ctx, one, "", many, n))
_pgettext = pass_context(lambda ctx, context, source: _translated(ctx, source, context))
_npgettext = pass_context(lambda ctx, c, one, many, n: _translated(ctx, one, c, many, n))


class _Undefined(StrictUndefined):
    """Strict undefined, naming the ``message`` variable when a template misspells a field."""

    @property
    def _undefined_message(self) -> str:
        named = self._undefined_hint is None and isinstance(self._undefined_name, str)
        if named and isinstance(self._undefined_obj, context.MessageValues):
            return f"'message' has no attribute {self._undefined_name!r}"
        return super()._undefined_message


class _Held(LRUCache):
    """Templates' code in memory, as Jinja2's bytecode cache asks a memcached client for it."""

    def set(self, key: str, value: bytes) -> None:
        self[key] = value


#: The templates' code as this process last compiled it, by template file, shared by the
#: environments :func:`make_environment` makes (all alike, so the same source compiles to
#: the same code): Jinja2 takes it while the source's checksum is the same, so a process
#: that builds again (``preview``) and the workers it forks do not compile the channel
#: templates again. In memory only: nothing marshalled is read from disk.
_COMPILED = MemcachedBytecodeCache(_Held(64), prefix="")  # type: ignore[arg-type]


def make_environment(templates: Path) -> ImmutableSandboxedEnvironment:
    """Return the sandboxed environment: strict undefined, autoescape for HTML, i18n."""
    env = _Environment(
        loader=_SafeLoader(str(templates)),
        bytecode_cache=_COMPILED,
        autoescape=autoescaped,
        undefined=_Undefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": context.plain}
    env.filters.update(
        format_datetime=pass_context(datefmt.shown_as(datefmt.format_datetime, "full")),
        format_date=pass_context(datefmt.shown_as(datefmt.format_date, "long")),
        format_time=pass_context(datefmt.shown_as(datefmt.format_time, "short")),
        hashtags=context.hashtags,
        email_styles=context.email_styles,
    )
    return env


def extraction_error(exc: BaseException, rel: str) -> Diagnostic:
    """Return the CS030 error of a template whose strings cannot be extracted."""
    line = getattr(exc, "lineno", None) or 1
    text = getattr(exc, "message", None) or str(exc)
    return Diagnostic("CS030", Severity.ERROR, f"cannot extract strings: {text}", rel, line)


class Parsed(NamedTuple):
    """What a template file names (:func:`references`)."""

    templates: tuple[str | None, ...]  # (None: a name worked out as it renders)
    variables: frozenset[str]  # (of those watched, the ones it reads)


def references(
    templates: Path, names: Iterable[str], watched: Collection[str] = ()
) -> dict[str, Parsed | None]:
    """Return what each template extends, includes or imports, and the variables it reads.

    Of the variables ``watched`` (``jinja2.meta``), and only in a file whose text spells
    one (finding them costs a parse again); None for a file not read or parsed.
    """
    from jinja2 import meta

    env, found = make_environment(templates), dict[str, Parsed | None]()
    for name in names:
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            parsed, spelled = env.parse(source), {w for w in watched if w in source}
            read = meta.find_undeclared_variables(parsed) & spelled if spelled else set()
            found[name] = Parsed(tuple(meta.find_referenced_templates(parsed)), frozenset(read))
        except (TemplateError, OSError, UnicodeDecodeError):  # unreadable: reported later
            found[name] = None
    return found


def _error_place(exc: BaseException, fallback: str, templates_rel: str) -> tuple[str, int | None]:
    """Return the template file and line where rendering failed (the innermost template)."""
    if isinstance(exc, TemplateSyntaxError):
        return f"{templates_rel}/{exc.name or fallback}", exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return f"{templates_rel}/{Path(frames[-1].filename).name}", frames[-1].lineno
    return f"{templates_rel}/{fallback}", None


class Renderer:
    """Compiled templates of one campaign repository, reused for every output."""

    def __init__(self, project: Project, answers: Answers | None = None) -> None:
        from campaignsync.load.textdirections import render_answers

        self.project = project
        config = project.config
        #: What CLDR answered before, kept beside the packs (see ``context.template_context``),
        #: and what it answers now, saved by its caller once the units are rendered
        #: (``workers.render_selection``; the workers it forks hand theirs back with each
        #: chunk: ``workers._render_in_worker``).
        self.answers = answers or render_answers(project.root / config.paths.out)
        self.templates_rel = config.paths.templates
        self.env = make_environment(project.root / config.paths.templates)
        self.specs = channels.registry()

    def check_templates(self) -> list[Diagnostic]:
        """Compile every template and report syntax errors and missing channel templates."""
        found = []
        root = self.project.root / self.templates_rel
        for name in templatefiles.names(root):
            try:
                self.env.get_template(name)
            except TemplateError as exc:
                found.append(self._diagnostic("CS030", exc, name, None, None))
        needed: dict[str, str] = {}
        for message in self.project.messages:
            for channel in message.channels:
                for output in self.specs[channel].outputs:
                    needed.setdefault(output.template(channel), message.path)
        for name, first_user in sorted(needed.items()):
            if not (root / name).is_file():
                found.append(
                    Diagnostic(
                        "CS032",
                        Severity.ERROR,
                        f"missing template {self.templates_rel}/{name} (needed by {first_user})",
                        f"{self.templates_rel}/{name}",
                        None,
                    )
                )
        return found

    def _diagnostic(
        self, code: str, exc: BaseException, name: str, locale: str | None, channel: str | None
    ) -> Diagnostic:
        text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if not isinstance(exc, TemplateError):
            text = f"{type(exc).__name__}: {text}"
        file, line = _error_place(exc, name, self.templates_rel)
        first = text.splitlines()[0] if text else "template error"
        return Diagnostic(code, Severity.ERROR, first, file, line, locale, channel)

    def render(
        self,
        localized: LocalizedMessage,
        strings: TemplateStrings,
        only: Collection[str] | None = None,
        assemble: bool = True,
    ) -> tuple[list[Output], list[Diagnostic]]:
        """Render every channel of one localized message (or those in ``only``).

        ``assemble=False`` leaves out the files a channel assembles from its rendered ones
        (an ``.eml``, a Bluesky record): no check reads them, so ``check`` does not make
        them; ``channels.assembled`` adds them to such outputs when a build takes them.
        """
        outputs: list[Output] = []
        problems: list[Diagnostic] = []
        config = self.project.config
        message = localized.message
        base = context.template_context(self.project, localized, self.answers)
        # The addresses the segments hold are the same for every channel: found once.
        in_fields = [u for _, t in localized.fields for u in links.in_text(t.text)]
        for channel in message.channels:
            spec = self.specs[channel]
            settings = config.channel(channel)
            if settings is None or (only is not None and channel not in only):
                continue
            values = dict(base)
            target = links.target(config, message, localized.locale.tag, channel)
            values["message"] = base["message"].replaced(
                post=localized.text(channels.post_field(message, channel)),
                link=target,
                link_text=links.untracked(target),
            )
            values["channel"] = {
                "name": channel,
                "title": spec.title,
                "limit": spec.effective_limit(settings),
            }
            strings.missed.clear()
            strings.foreign.clear()
            rendered = self._files(spec, values, strings, localized.locale.tag, problems)
            if rendered is not None:
                found = links.of_output([target, *in_fields], rendered.values())
                made = self._outputs(
                    localized, spec, settings, rendered, not strings.missed, found, assemble
                )
                outputs.extend(made)
        return outputs, problems

    def _files(
        self,
        spec: channels.ChannelSpec,
        values: dict[str, Any],
        strings: TemplateStrings,
        locale: str,
        problems: list[Diagnostic],
    ) -> dict[str, str] | None:
        """Return each output's text of one channel by extension (None: a problem, noted)."""
        rendered: dict[str, str] = {}
        for output in spec.outputs:
            name = output.template(spec.name)
            try:
                text = self.env.get_template(name).render(values, _strings=strings)
            except Exception as exc:
                problems.append(self._diagnostic("CS031", exc, name, locale, spec.name))
                return None
            if len(text) > MAX_OUTPUT_BYTES:
                problems.append(
                    Diagnostic(
                        "CS031",
                        Severity.ERROR,
                        f"output larger than 1 MiB ({len(text)} characters)",
                        f"{self.templates_rel}/{name}",
                        None,
                        locale,
                        spec.name,
                    )
                )
                return None
            if strings.foreign and autoescaped(name):
                text = context.in_their_language(text, strings.foreign)
            rendered[output.ext] = text.strip("\n") + "\n"
        return rendered

    def _outputs(
        self,
        localized: LocalizedMessage,
        spec: channels.ChannelSpec,
        settings: Any,
        rendered: dict[str, str],
        strings_translated: bool,
        found: tuple[str, ...],
        assemble: bool,
    ) -> Iterator[Output]:
        message = localized.message
        files: dict[str, bytes] = {ext: text.encode("utf-8") for ext, text in rendered.items()}
        if assemble and spec.assemble is not None:
            files.update(spec.assemble(rendered, localized, settings))
        text = rendered.get(spec.measured_ext)
        measure = spec.measure_text(text.rstrip("\n"), settings) if text is not None else None
        for ext in sorted(files):
            yield Output(
                message=message.id,
                locale=localized.locale.tag,
                channel=spec.name,
                path=f"{localized.locale.tag}/{spec.name}/{message.id}.{ext}",
                content=files[ext],
                translated=localized.translated and strings_translated,
                fallbacks=localized.fallbacks,
                measure=measure if ext == spec.measured_ext else None,
                fields=localized.fields,
                links=found,
            )


def page_renderer(
    folder: Path, names: Mapping[str, Callable[..., Any]] | None = None
) -> Callable[..., str]:
    """Return ``render(name, **values)`` over the HTML templates of campaignsync's own pages.

    The gallery shows text written by others (messages, translations), so every
    value is escaped unless a template marks it safe; undefined names are errors.
    ``names`` are functions every template may call.
    """
    from jinja2 import Environment

    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package files: no stat of the template on every card
    )

    env.filters["entities"] = context.entities
    env.globals.update(names or {})

    def render(name: str, **values: object) -> str:
        return env.get_template(name).render(**values)

    return render
