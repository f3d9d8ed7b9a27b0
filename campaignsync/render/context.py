"""What templates see: the variables of a localized message and the filters that shape HTML.

This is the module that marks HTML safe (MarkupSafe) outside the Jinja2
environment itself: the sanitised body, the ``lang``/``dir`` attributes of
fields in another language, the inline styles of an email body and the
gallery's post text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from campaignsync.channels.press import dateline_date, dateline_place
from campaignsync.l10n import cldr, localize
from campaignsync.model import BodyTexts, Config, LocalizedMessage, Message, Partner, Project
from campaignsync.render import links
from campaignsync.render.strings import Language

if TYPE_CHECKING:
    from campaignsync.load.textdirections import Directions as Answers


def template_context(
    project: Project, localized: LocalizedMessage, answers: Answers | None = None
) -> dict[str, Any]:
    """Return the variables every channel template sees (see docs/templates.md).

    ``message.post`` and ``channel`` are added per channel by the renderer. What
    CLDR says (the dateline, the locale's name) is taken from ``answers`` when they
    hold it: Babel merges a locale's whole data to answer (10 ms a locale).
    """
    config = project.config
    message = localized.message
    locale = localized.locale
    partner = config.partner(localized.partner)
    campaign = project.calendar.campaign(message.campaign)
    theme = campaign.theme(message.theme) if campaign and message.theme else None
    parsed = cldr.locale(locale.gettext)
    publish = message.publish_for(localized.partner)
    ask = _asker(answers)
    dateline = _dateline(partner, publish, locale.gettext, ask)
    alternates = language_versions(config, message)
    return {
        "message": _message_values(config, localized, partner, publish),
        "locale": {
            "tag": locale.tag,
            "gettext": locale.gettext,
            "lang": parsed.language,
            "dir": locale.direction,
            "name": ask(("name", locale.gettext), lambda: parsed.get_display_name(parsed))
            or locale.tag,
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


def _message_values(
    config: Config,
    localized: LocalizedMessage,
    partner: Partner | None,
    publish: datetime | None,
) -> MessageValues:
    """Return the ``message`` variable: its texts in the locale, image, times and addresses."""
    message = localized.message
    image = None
    if message.image is not None:
        base = f"{config.base_url}/{message.campaign}"
        image = {
            "src": message.image.src,
            "alt": localized.text("image.alt"),
            "href": f"../../{message.image.src}",
            "url": f"{base}/{message.image.src}",
        }
    values = {
        "id": message.id,
        "title": localized.text("title"),
        "summary": localized.text("summary"),
        "link": message.link or "",
        "link_text": message.link or "",
        "hashtags": list(message.hashtags),
        "image": image,
        **dict.fromkeys(_BODY, _MADE_WHEN_READ),
        "publish": publish.astimezone(ZoneInfo(partner.timezone))
        if publish and partner
        else publish,
        "url": links.page_url(config, message.campaign, localized.locale.tag, message.id),
        "translated": localized.translated,
        "lang_attrs": _lang_attrs(localized, config),
    }
    return MessageValues(values, localized.body)


class MessageValues(Mapping[str, Any]):
    """The ``message`` variable: each form of its body converted when a template reads it.

    ``body_html``, ``body_text`` and ``body_plain`` (see ``l10n.localize``). Otherwise it
    reads as the dict it was: its keys in the same order, printed the same.
    """

    __slots__ = ("_body", "_values")

    def __init__(self, values: dict[str, Any], body: BodyTexts) -> None:
        self._values, self._body = values, body

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if value is not _MADE_WHEN_READ:
            return value
        try:
            text = getattr(self._body, _BODY[key])
        except Exception as exc:  # not a KeyError, which would read as no such key
            raise RuntimeError(f"the message's body could not be converted: {exc}") from exc
        return Markup(text) if key == "body_html" else text  # noqa: S704 (markup.to_html)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return repr(dict(self))

    def replaced(self, **values: Any) -> MessageValues:
        """Return these values with some replaced or added (its body still made when read)."""
        return MessageValues({**self._values, **values}, self._body)


#: The body's values of the ``message`` variable, and the text each is.
_BODY = {"body_html": "html", "body_text": "text", "body_plain": "plain"}
#: Where a value of the body stands until it is read.
_MADE_WHEN_READ = object()


def plain(value: Any) -> Any:
    """Return what ``tojson`` writes of a value json has no form for (else TypeError, as json's).

    The ``message`` variable as a dict, a time (``message.publish``) in ISO 8601.
    """
    if isinstance(value, MessageValues):
        return dict(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


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


Ask = Callable[[tuple[str, ...], Callable[[], str | None]], str | None]


def _asker(answers: Answers | None) -> Ask:
    """Return ``ask(question, answer)``: the answer kept in ``answers``, else ``answer()``."""
    if answers is None:
        return lambda question, answer: answer()
    kept = answers
    return lambda question, answer: kept.get("\0".join(question), lambda: answer() or "") or None


def _dateline(
    partner: Partner | None, publish: datetime | None, locale: str, ask: Ask
) -> dict[str, str]:
    """Return the press dateline: the place and the publication day in the partner's locale."""
    if partner is None:
        return {"place": "", "date": "", "datetime": ""}
    configured, zone = partner.dateline or partner.name, partner.timezone
    place = ask(
        ("place", configured, zone, locale), lambda: dateline_place(configured, zone, locale)
    )
    if publish is None:
        return {"place": place or "", "date": "", "datetime": ""}
    local = publish.astimezone(ZoneInfo(zone)).date().isoformat()
    day = ask(("date", zone, locale, local), lambda: dateline_date(publish, zone, locale))
    return {"place": place or "", "date": day or "", "datetime": local}


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


def hashtags(tags: list[str]) -> str:
    """Return tags as hashtags, space-separated (the ``hashtags`` filter)."""
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


def email_styles(value: str, direction: str = "ltr") -> Markup:
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


def entities(pieces: Iterable[Any]) -> Markup:
    """Return post text runs as HTML: plain runs escaped, links, tags and mentions in spans.

    One Python loop instead of a template loop: the gallery draws tens of thousands of posts.
    """
    # Plain str joins of escaped runs: Markup.format and Markup.join escape again per call.
    found = []
    for piece in pieces:
        text = str(escape(piece.text))
        if piece.kind != "text":
            cut, title = piece.cut, ""
            if cut is not None:  # as the platform shows it; hidden, not removed: copied whole
                start, end, mark = cut
                head, shown, rest = (escape(x) for x in (piece.text[:start],
                                     piece.text[start:end], piece.text[end:]))  # fmt: skip
                more = f' class="ellipsis" data-mark="{escape(mark)}"' if mark else ""
                text = (
                    (f'<span class="invisible">{head}</span>' if head else "")
                    + (f"<span{more}>{shown}</span>")
                    + (f'<span class="invisible">{rest}</span>' if rest else "")
                )
                title = f' title="{escape(piece.text)}"'
            text = f'<span class="ent ent-{escape(piece.kind)}"{title}>{text}</span>'
        found.append(text)
    return Markup("".join(found))  # noqa: S704 - every run escaped above
