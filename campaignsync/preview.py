"""The preview gallery (index.html) and a localhost server for a built pack."""

from __future__ import annotations

import functools
import http.server
from collections import defaultdict
from html import escape
from pathlib import Path

from campaignsync.model import Output, Project

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin:2rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}.meta{color:#555}.warn{color:#a4000f;font-weight:600}
.over{background:#fde2e2}a{color:#0b4fa6}
""".strip()


def gallery(project: Project, campaign_id: str, outputs: list[Output]) -> bytes:
    """Return index.html: every message, one row per locale, one cell per channel."""
    by_message: dict[str, dict[str, list[Output]]] = defaultdict(lambda: defaultdict(list))
    for output in outputs:
        by_message[output.message][output.locale].append(output)
    campaign = project.calendar.campaign(campaign_id)
    title = campaign.name if campaign else campaign_id
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}: campaign pack</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{len(outputs)} files for {len(by_message)} messages. '
        'Open <a href="manifest.json">manifest.json</a> for hashes and lengths, '
        '<a href="calendar.ics">calendar.ics</a> for the schedule.</p>',
    ]
    for message in project.messages_of(campaign_id):
        locales = by_message.get(message.id)
        if not locales:
            continue
        when = ", ".join(f"{pid}: {t.isoformat()}" for pid, t in message.publish)
        parts.append(f'<h2 id="{escape(message.id)}">{escape(message.title)}</h2>')
        parts.append(f'<p class="meta">{escape(message.id)} &middot; {escape(when)}</p>')
        parts.append("<table><tr><th>locale</th>")
        parts.extend(f"<th>{escape(c)}</th>" for c in message.channels)
        parts.append("</tr>")
        for locale, items in locales.items():
            translated = all(o.translated for o in items)
            flag = "" if translated else ' <span class="warn">not fully translated</span>'
            parts.append(f"<tr><th>{escape(locale)}{flag}</th>")
            for channel in message.channels:
                parts.append(_cell([o for o in items if o.channel == channel]))
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8")


def _cell(items: list[Output]) -> str:
    if not items:
        return "<td></td>"
    links = " ".join(
        f'<a href="{escape(o.path)}">{escape(o.path.rpartition(".")[2])}</a>' for o in items
    )
    measured = next((o.measure for o in items if o.measure), None)
    if measured is None:
        return f"<td>{links}</td>"
    css = ' class="over"' if measured.over else ""
    extra = f", {measured.segments} SMS" if measured.segments else ""
    return f"<td{css}>{links} <small>{measured.length}/{measured.limit}{extra}</small></td>"


def serve(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """Return a server for ``folder`` bound to localhost only (call serve_forever())."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
