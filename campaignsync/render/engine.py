"""Stage 3: a localized message through each channel's sandboxed Jinja2 templates.

This is the only module that imports Jinja2.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from campaignsync import channels
from campaignsync.channels.press import dateline_date, dateline_place
from campaignsync.l10n import cldr, localize
from campaignsync.l10n.catalog import Lookup
from campaignsync.model import (
    Config,
    Diagnostic,
    Locale,
    LocalizedMessage,
    Message,
    Output,
    Partner,
    Project,
    Severity,
)
from campaignsync.render import dates as datefmt
from campaignsync.render import links

MAX_OUTPUT_BYTES = 1024 * 1024
_MAX_REPEAT = 100_000


class _SafeLoader(FileSystemLoader):
    """Loads templates from one folder, refusing symbolic links anywhere on the way."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        folder = Path(self.searchpath[0])
        path = folder
        for part in template.split("/"):
            path = path / part
            if path.is_symlink():
                raise TemplateNotFound(f"{template} (a symbolic link, refused)")
        return super().get_source(environment, template)


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, with a cap on ``'x' * n`` and ``**`` (it has none of its own)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(count, int)
                    and len(seq) * count > _MAX_REPEAT
                ):
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def autoescaped(name: str | None) -> bool:
    """Return True unless a template is a text template (``*.txt.j2``)."""
    return not (name or "").endswith(".txt.j2")


Language = tuple[str, str]  # (BCP 47 tag, "ltr" or "rtl")


class TemplateStrings:
    """Translations of strings marked in templates, for one locale, noting misses.

    ``languages`` gives, for each lookup and then for the source, the language
    its text is in when that is not the locale's own (None when it is); the
    strings used from such a language are noted in ``foreign``.
    """

    def __init__(
        self,
        lookups: tuple[Lookup, ...],
        is_source: bool,
        languages: tuple[Language | None, ...] = (),
    ) -> None:
        self.lookups = lookups
        self.is_source = is_source
        self.languages = languages
        self.missed: list[str] = []
        self.foreign: dict[str, Language] = {}

    def get(self, source: str, context: str = "") -> str:
        """Return the translation of ``source`` (or ``source`` itself, noting the miss)."""
        for number, lookup in enumerate(self.lookups):
            entry = lookup.get(context, source)
            if entry is not None:
                self._note(entry.text, number)
                return entry.text
        if not self.is_source:
            self.missed.append(source)
        self._note(source, len(self.lookups))
        return source

    def _note(self, text: str, number: int) -> None:
        other = self.languages[number] if number < len(self.languages) else None
        if other is not None:
            self.foreign[text] = other


def template_strings(
    locale: Locale, config: Config, lookups: Mapping[str, Lookup]
) -> TemplateStrings:
    """Return the template strings of ``locale``: its catalog, its fallbacks', the source."""
    tags = tuple(tag for tag in localize.chain(locale) if tag in lookups)
    languages = tuple(
        localize.foreign(tag, locale, config) for tag in (*tags, config.source_locale.tag)
    )
    return TemplateStrings(
        tuple(lookups[tag] for tag in tags), localize.reaches_source(locale, config), languages
    )


_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]|%%")
_START_TAG = r"<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?>(\s*)"


def in_their_language(html: str, foreign: Mapping[str, Language]) -> str:
    """Return HTML where elements starting with a string in another language carry its language.

    The element gets ``lang`` and ``dir`` unless it has a ``lang`` already. A
    string in an attribute is left alone; a string made only of placeholders
    cannot be found and is left alone too.
    """
    for text, (tag, direction) in foreign.items():
        parts = [re.escape(str(escape(part))) for part in _PLACEHOLDER.split(text)]
        if not any(re.search(r"\w", part) for part in parts):
            continue

        def attributes(match: re.Match[str], tag: str = tag, direction: str = direction) -> str:
            name, attrs, space = match.group(1), match.group(2) or "", match.group(3)
            if re.search(r"\slang\s*=", attrs):
                return match.group(0)
            return f'<{name}{attrs} lang="{escape(tag)}" dir="{escape(direction)}">{space}'

        html = re.sub(_START_TAG + "(?=" + "[^<]*?".join(parts) + ")", attributes, html)
    return html


def _strings(ctx: Context) -> TemplateStrings | None:
    value = ctx.get("_strings")
    return value if isinstance(value, TemplateStrings) else None


def _escaped(ctx: Context, text: str) -> str:
    # Jinja marks translations safe; a translator's markup must not reach HTML.
    return escape(text) if ctx.eval_ctx.autoescape else text


@pass_context
def _gettext(ctx: Context, source: str) -> str:
    strings = _strings(ctx)
    return _escaped(ctx, strings.get(source) if strings else source)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    strings = _strings(ctx)
    text = singular if n == 1 else plural
    return _escaped(ctx, strings.get(text) if strings else text)


@pass_context
def _pgettext(ctx: Context, context: str, source: str) -> str:
    strings = _strings(ctx)
    return _escaped(ctx, strings.get(source, context) if strings else source)


@pass_context
def _npgettext(ctx: Context, context: str, singular: str, plural: str, n: int) -> str:
    strings = _strings(ctx)
    text = singular if n == 1 else plural
    return _escaped(ctx, strings.get(text, context) if strings else text)


def _zone_of(ctx: Context, tz: str | None) -> str:
    return tz or ctx.get("partner", {}).get("timezone") or "UTC"


def _date_locale(ctx: Context) -> str:
    # The publishing partner's conventions, whichever clock ``tz=`` shows.
    zone = ctx.get("partner", {}).get("timezone") or "UTC"
    return datefmt.regional_locale(ctx["locale"]["gettext"], zone)


@pass_context
def _format_datetime(
    ctx: Context, value: datetime, format: str = "full", tz: str | None = None
) -> str:
    return datefmt.format_datetime(value, _date_locale(ctx), _zone_of(ctx, tz), format)


@pass_context
def _format_date(ctx: Context, value: datetime, format: str = "long", tz: str | None = None) -> str:
    return datefmt.format_date(value, _date_locale(ctx), _zone_of(ctx, tz), format)


@pass_context
def _format_time(
    ctx: Context, value: datetime, format: str = "short", tz: str | None = None
) -> str:
    return datefmt.format_time(value, _date_locale(ctx), _zone_of(ctx, tz), format)


def _hashtags(tags: list[str]) -> str:
    return " ".join(f"#{tag}" for tag in tags)


_EMAIL_TEXT = "font:16px/1.55 Arial,sans-serif;color:#1d2230;"
_EMAIL_STYLES = {
    "p": "margin:0 0 16px;" + _EMAIL_TEXT,
    "h1": "margin:24px 0 8px;font:700 24px/1.25 Arial,sans-serif;color:#1d2230;",
    "h2": "margin:24px 0 8px;font:700 20px/1.3 Arial,sans-serif;color:#1d2230;",
    "h3": "margin:20px 0 8px;font:700 17px/1.3 Arial,sans-serif;color:#1d2230;",
    "ul": "margin:0 0 16px;padding:0 0 0 24px;",
    "ol": "margin:0 0 16px;padding:0 0 0 24px;",
    "li": "margin:0 0 8px;" + _EMAIL_TEXT,
    "a": "color:#0b4fa6;text-decoration:underline;",
    "blockquote": "margin:0 0 16px;padding:0 0 0 16px;border-left:4px solid #e1e4ea;",
    "pre": "margin:0 0 16px;font:14px/1.4 Consolas,monospace;white-space:pre-wrap;",
    "code": "font-family:Consolas,monospace;",
}
_EMAIL_STYLES.update(h4=_EMAIL_STYLES["h3"], h5=_EMAIL_STYLES["h3"], h6=_EMAIL_STYLES["h3"])
_STYLED_TAG = re.compile(r"<(" + "|".join(_EMAIL_STYLES) + r")\b([^>]*)>")


def _email_styles(value: str, direction: str = "ltr") -> Markup:
    """Return sanitised body HTML with inline styles on each element, as mail clients need.

    Some mail clients drop ``<style>`` blocks, so each element carries its own
    styles; Outlook for Windows knows no logical CSS properties, so
    right-to-left text gets mirrored indents.
    """
    body = value if isinstance(value, Markup) else escape(value)

    def style(match: re.Match[str]) -> str:
        css = _EMAIL_STYLES[match.group(1)]
        if direction == "rtl":
            css = re.sub(r"padding:0 0 0 (\d+px)", r"padding:0 \1 0 0", css)
            css = css.replace("border-left", "border-right")
        return f'<{match.group(1)} style="{css}"{match.group(2)}>'

    return Markup(_STYLED_TAG.sub(style, str(body)))  # noqa: S704 - adds constant attributes only


def make_environment(templates: Path) -> ImmutableSandboxedEnvironment:
    """Return the sandboxed environment: strict undefined, autoescape for HTML, i18n."""
    env = _Environment(
        loader=_SafeLoader(str(templates)),
        autoescape=autoescaped,
        undefined=StrictUndefined,
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
    env.filters.update(
        format_datetime=_format_datetime,
        format_date=_format_date,
        format_time=_format_time,
        hashtags=_hashtags,
        email_styles=_email_styles,
    )
    return env


def extraction_error(exc: BaseException, rel: str) -> Diagnostic:
    """Return the CS030 error of a template whose strings cannot be extracted."""
    line = getattr(exc, "lineno", None) or 1
    text = getattr(exc, "message", None) or str(exc)
    return Diagnostic("CS030", Severity.ERROR, f"cannot extract strings: {text}", rel, line)


def template_names(templates: Path) -> list[str]:
    """Return every template file below the templates folder, as loader names."""
    if not templates.is_dir():
        return []
    names = []
    for folder, dirs, files in os.walk(templates):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if file.endswith(".j2"):
                names.append((Path(folder) / file).relative_to(templates).as_posix())
    return names


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

    def __init__(self, project: Project) -> None:
        self.project = project
        config = project.config
        self.templates_rel = config.paths.templates
        self.env = make_environment(project.root / config.paths.templates)
        self.specs = channels.registry()

    def check_templates(self) -> list[Diagnostic]:
        """Compile every template and report syntax errors and missing channel templates."""
        found = []
        root = self.project.root / self.templates_rel
        for name in template_names(root):
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
        only: tuple[str, ...] | None = None,
    ) -> tuple[list[Output], list[Diagnostic]]:
        """Render every channel of one localized message (or those in ``only``)."""
        outputs: list[Output] = []
        problems: list[Diagnostic] = []
        config = self.project.config
        message = localized.message
        base = template_context(self.project, localized)
        # The addresses the segments hold are the same for every channel: found once.
        in_fields = [u for _, t in localized.fields for u in links.in_text(t.text)]
        for channel in message.channels:
            spec = self.specs[channel]
            settings = config.channel(channel)
            if settings is None or (only is not None and channel not in only):
                continue
            context = dict(base)
            target = links.target(config, message, localized.locale.tag, channel)
            context["message"] = dict(
                base["message"],
                post=localized.text(channels.post_field(message, channel)),
                link=target,
                link_text=links.untracked(target),
            )
            context["channel"] = {
                "name": channel,
                "title": spec.title,
                "limit": spec.effective_limit(settings),
            }
            rendered: dict[str, str] = {}
            strings.missed.clear()
            strings.foreign.clear()
            for output in spec.outputs:
                name = output.template(channel)
                try:
                    text = self.env.get_template(name).render(context, _strings=strings)
                except Exception as exc:
                    problems.append(
                        self._diagnostic("CS031", exc, name, localized.locale.tag, channel)
                    )
                    break
                if len(text) > MAX_OUTPUT_BYTES:
                    problems.append(
                        Diagnostic(
                            "CS031",
                            Severity.ERROR,
                            f"output larger than 1 MiB ({len(text)} characters)",
                            f"{self.templates_rel}/{name}",
                            None,
                            localized.locale.tag,
                            channel,
                        )
                    )
                    break
                if strings.foreign and autoescaped(name):
                    text = in_their_language(text, strings.foreign)
                rendered[output.ext] = text.strip("\n") + "\n"
            else:
                found = links.of_output([target, *in_fields], rendered.values())
                outputs.extend(
                    self._outputs(localized, spec, settings, rendered, not strings.missed, found)
                )
        return outputs, problems

    def _outputs(
        self,
        localized: LocalizedMessage,
        spec: channels.ChannelSpec,
        settings: Any,
        rendered: dict[str, str],
        strings_translated: bool,
        found: tuple[str, ...],
    ) -> Iterator[Output]:
        message = localized.message
        files: dict[str, bytes] = {ext: text.encode("utf-8") for ext, text in rendered.items()}
        if spec.assemble is not None:
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


def template_context(project: Project, localized: LocalizedMessage) -> dict[str, Any]:
    """Return the variables every channel template sees (see docs/templates.md).

    ``message.post`` and ``channel`` are added per channel by the renderer.
    """
    config = project.config
    message = localized.message
    locale = localized.locale
    partner = config.partner(localized.partner)
    campaign = project.calendar.campaign(message.campaign)
    theme = campaign.theme(message.theme) if campaign and message.theme else None
    base = f"{config.base_url}/{message.campaign}"
    parsed = cldr.locale(locale.gettext)
    publish = message.publish_for(localized.partner)
    dateline = _dateline(partner, publish, locale.gettext)
    alternates = language_versions(config, message)
    image = None
    if message.image is not None:
        image = {
            "src": message.image.src,
            "alt": localized.text("image.alt"),
            "href": f"../../{message.image.src}",
            "url": f"{base}/{message.image.src}",
        }
    return {
        "message": {
            "id": message.id,
            "title": localized.text("title"),
            "summary": localized.text("summary"),
            "link": message.link or "",
            "link_text": message.link or "",
            "hashtags": list(message.hashtags),
            "image": image,
            "body_html": Markup(localized.body_html),  # noqa: S704 - sanitised by markup.to_html
            "body_text": localized.body_text,
            "body_plain": localized.body_plain,
            "publish": publish.astimezone(ZoneInfo(partner.timezone))
            if publish and partner
            else publish,
            "url": links.page_url(config, message.campaign, locale.tag, message.id),
            "translated": localized.translated,
            "lang_attrs": _lang_attrs(localized, config),
        },
        "locale": {
            "tag": locale.tag,
            "gettext": locale.gettext,
            "lang": parsed.language,
            "dir": locale.direction,
            "name": parsed.get_display_name(parsed) or locale.tag,
            "og": cldr.og_locale(locale.gettext),
        },
        "partner": {
            "id": partner.id if partner else "",
            "name": partner.name if partner else "",
            "timezone": partner.timezone if partner else "UTC",
            "dateline": dateline["place"],
        },
        "campaign": {
            "id": message.campaign,
            "name": campaign.name if campaign else message.campaign,
            "start": campaign.start if campaign else None,
            "end": campaign.end if campaign else None,
        },
        "theme": {"id": theme.id, "name": theme.name} if theme else None,
        "site": {"name": config.name, "base_url": config.base_url},
        "dateline": dateline,
        "alternates": alternates["locales"],
        "x_default": alternates["x_default"],
    }


def _lang_attrs(localized: LocalizedMessage, config: Config) -> dict[str, Markup]:
    """Return `` lang=".." dir=".."`` for each field that falls back to another language.

    Templates put them on the element that holds the field (``<h1{{
    message.lang_attrs.title }}>``), so a title left in English on an Arabic
    page reads left to right, with its punctuation where it belongs.
    """
    found = dict(localized.fields)
    attrs = {}
    for key, name in (("title", "title"), ("summary", "summary"), ("alt", "image.alt")):
        other = (
            localize.foreign(found[name].locale, localized.locale, config)
            if name in found
            else None
        )
        attrs[key] = Markup(  # noqa: S704 - a validated locale tag and ltr/rtl, escaped
            f' lang="{escape(other[0])}" dir="{escape(other[1])}"' if other else ""
        )
    return attrs


def _dateline(partner: Partner | None, publish: datetime | None, locale: str) -> dict[str, str]:
    """Return the press dateline: the place and the publication day in the partner's locale."""
    if partner is None:
        return {"place": "", "date": "", "datetime": ""}
    place = dateline_place(partner.dateline or partner.name, partner.timezone, locale)
    if publish is None:
        return {"place": place, "date": "", "datetime": ""}
    local = publish.astimezone(ZoneInfo(partner.timezone))
    day = dateline_date(publish, partner.timezone, locale)
    return {"place": place, "date": day, "datetime": local.date().isoformat()}


def language_versions(config: Config, message: Message) -> dict[str, Any]:
    """Return the web page of every locale a message is published in, and the x-default.

    Every version lists all of them, itself included (as Google asks); the
    x-default is the source locale's page, or the first locale's when the
    message is not published in the source locale.
    """
    versions = [
        {
            "tag": other.tag,
            "hreflang": other.tag,
            "og": cldr.og_locale(other.gettext),
            "url": links.page_url(config, message.campaign, other.tag, message.id),
        }
        for other in localize.locales_for(config, message)
    ]
    default = next(
        (v for v in versions if v["tag"] == config.source_locale.tag),
        versions[0] if versions else None,
    )
    return {"locales": versions, "x_default": default["url"] if default else ""}


def lookups_for(locale_chain: tuple[str, ...], lookups: Mapping[str, Lookup]) -> tuple[Lookup, ...]:
    """Return the lookups of a locale chain that exist."""
    return tuple(lookups[tag] for tag in locale_chain if tag in lookups)


def page_renderer(folder: Path) -> Callable[..., str]:
    """Return ``render(name, **values)`` over the HTML templates of campaignsync's own pages.

    The gallery shows text written by others (messages, translations), so every
    value is escaped unless a template marks it safe; undefined names are errors.
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

    env.filters["entities"] = _entities

    def render(name: str, **values: object) -> str:
        return env.get_template(name).render(**values)

    return render


def _entities(pieces: Iterable[Any]) -> Markup:
    """Return post text runs as HTML: plain runs escaped, links, tags and mentions in spans.

    One Python loop instead of a template loop: the gallery draws tens of thousands of posts.
    """
    # Plain str joins of escaped runs: Markup.format and Markup.join escape again per call.
    found = []
    for piece in pieces:
        text = str(escape(piece.text))
        if piece.kind != "text":
            text = f'<span class="ent ent-{escape(piece.kind)}">{text}</span>'
        found.append(text)
    return Markup("".join(found))  # noqa: S704 - every run escaped above
