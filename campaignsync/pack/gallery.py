"""The preview gallery of a pack (index.html and one page per locale) and a localhost server.

``index.html`` is the overview: one row per message, one column per locale,
each cell saying whether the message is fully translated and how close its
tightest post is to its limit. ``preview/<locale>.html`` shows every post of
that locale as the platform will show it, with its count against its limit,
and links to the HTML and email outputs. One page per locale keeps a large
pack's pages small enough to open.
"""

from __future__ import annotations

import functools
import http.server
from collections import defaultdict
from collections.abc import Iterable
from html import escape
from pathlib import Path

from campaignsync.model import Message, Output, Project

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem}
body{color:#1b1b1b}h1{font-size:1.5rem}h2{font-size:1.15rem;margin:2.2rem 0 .3rem}
h3{font-size:.95rem;margin:1rem 0 .2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.meta{color:#555}.warn{color:#a4000f;font-weight:600}
.over{background:#fde2e2}.near{background:#fff4d6}.ok{color:#1d6b2f}
pre{white-space:pre-wrap;background:#f7f7f9;border:1px solid #e1e1e8;padding:.6rem;margin:.2rem 0}
a{color:#0b4fa6}nav a{margin-right:.6rem}
""".strip()
#: A post within this share of its limit is flagged as close (sort the manifest for all).
NEAR = 0.9


def pages(project: Project, campaign_id: str, outputs: list[Output]) -> dict[str, bytes]:
    """Return the gallery: ``index.html`` and ``preview/<locale>.html``, by pack path."""
    by_locale: dict[str, dict[str, list[Output]]] = defaultdict(lambda: defaultdict(list))
    for output in outputs:
        by_locale[output.locale][output.message].append(output)
    messages = [
        m for m in project.messages_of(campaign_id) if any(m.id in v for v in by_locale.values())
    ]
    locales = [loc.tag for loc in project.config.all_locales if loc.tag in by_locale]
    campaign = project.calendar.campaign(campaign_id)
    title = campaign.name if campaign else campaign_id
    found = {"index.html": _index(title, messages, locales, by_locale, len(outputs))}
    for tag in locales:
        found[f"preview/{tag}.html"] = _locale_page(title, tag, locales, messages, by_locale[tag])
    return found


def _page(title: str, lang: str, body: Iterable[str]) -> bytes:
    head = (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style></head><body>\n"
    )
    return (head + "\n".join(body) + "\n</body></html>\n").encode("utf-8")


def _index(
    title: str,
    messages: list[Message],
    locales: list[str],
    by_locale: dict[str, dict[str, list[Output]]],
    count: int,
) -> bytes:
    body = [
        f"<h1>{escape(title)}: campaign pack</h1>",
        f'<p class="meta">{count} outputs (posts, pages and emails), {len(messages)} messages, '
        f"{len(locales)} locales. "
        'Hashes, sizes and every length against its limit: <a href="manifest.json">'
        'manifest.json</a>. Schedule: <a href="calendar.ics">calendar.ics</a>.</p>',
        "<table><tr><th>message</th><th>publish</th>",
        *(f'<th><a href="preview/{escape(t)}.html">{escape(t)}</a></th>' for t in locales),
        "</tr>",
    ]
    for message in messages:
        when = "<br>".join(f"{escape(p)}: {escape(t.isoformat())}" for p, t in message.publish)
        body.append(f'<tr><th>{escape(message.id)}</th><td class="meta">{when}</td>')
        for tag in locales:
            body.append(_status_cell(tag, message.id, by_locale[tag].get(message.id, [])))
        body.append("</tr>")
    body.append("</table>")
    return _page(f"{title}: campaign pack", "en", body)


def _status_cell(tag: str, message_id: str, items: list[Output]) -> str:
    if not items:
        return "<td></td>"
    link = f'href="preview/{escape(tag)}.html#{escape(message_id)}"'
    tightest = max((o.measure.share for o in items if o.measure), default=0.0)
    css = ' class="over"' if tightest > 1 else ' class="near"' if tightest >= NEAR else ""
    state = (
        '<span class="ok">translated</span>'
        if all(o.translated for o in items)
        else '<span class="warn">not translated</span>'
    )
    share = f" {tightest:.0%}" if tightest else ""
    return f"<td{css}><a {link}>{state}</a><small>{share}</small></td>"


def _locale_page(
    title: str,
    tag: str,
    locales: list[str],
    messages: list[Message],
    items: dict[str, list[Output]],
) -> bytes:
    nav = " ".join(f'<a href="{escape(t)}.html">{escape(t)}</a>' for t in locales)
    body = [
        f'<nav><a href="../index.html">overview</a> {nav}</nav>',
        f"<h1>{escape(title)} · {escape(tag)}</h1>",
    ]
    for message in messages:
        outputs = items.get(message.id)
        if not outputs:
            continue
        fallback = sorted({f for o in outputs for f in o.fallbacks})
        note = f' <span class="warn">uses {", ".join(fallback)}</span>' if fallback else ""
        localized = dict(outputs[0].fields).get("title")
        heading = escape(localized.text if localized else message.title)
        body.append(f'<h2 id="{escape(message.id)}">{heading}{note}</h2>')
        body.append(f'<p class="meta">{escape(message.id)} · {escape(message.path)}</p>')
        for output in sorted(outputs, key=lambda o: (o.channel, o.path)):
            body.append(_output_block(output))
    return _page(f"{title} · {tag}", tag, body)


def _output_block(output: Output) -> str:
    href = f"../{escape(output.path)}"
    name = escape(output.path.rpartition("/")[2])
    heading = f'<h3>{escape(output.channel)} · <a href="{href}">{name}</a>{_count(output)}</h3>'
    if not output.path.endswith(".txt"):
        return heading
    text = output.content.decode("utf-8", "replace")
    return f"{heading}\n<pre>{escape(text)}</pre>"


def _count(output: Output) -> str:
    parts = []
    for measure in output.measure.limits if output.measure else ():
        detail = f", {measure.segments} SMS, {measure.encoding}" if measure.segments else ""
        css = "warn" if measure.over else "meta"
        count = f"{measure.length}/{measure.limit} {escape(measure.unit)}{detail}"
        parts.append(f'<span class="{css}">{count}</span>')
    return f" <small>{' · '.join(parts)}</small>" if parts else ""


def serve(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Return a server for ``folder`` bound to localhost only (call serve_forever())."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the pack without a line on stderr for every request."""

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing: the command prints the address once."""
