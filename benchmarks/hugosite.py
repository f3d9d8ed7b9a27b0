"""A Hugo site equivalent to the benchmark campaign, for a yardstick in the same run.

Each message becomes a page in every language (the same front matter and
pseudo-translated body), rendered through eight output formats, so each page
writes eight files as a campaignsync message x locale does: a web page, an
email (HTML and text), a press release and four short posts. The page template
does comparable work to campaignsync's: a loop over links and tags, truncate,
lower, replaceRE, urlquery and three i18n strings. Taxonomies, RSS and sitemaps
are off.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FORMATS = {
    # name: (media type, base name, extension)
    "emailhtml": ("text/html", "email", "html"),
    "presshtml": ("text/html", "press", "html"),
    "emailtxt": ("text/plain", "email", "txt"),
    "linkedin": ("text/plain", "linkedin", "txt"),
    "xpost": ("text/plain", "x", "txt"),
    "mastodon": ("text/plain", "mastodon", "txt"),
    "sms": ("text/plain", "sms", "txt"),
}

PAGE = """<!DOCTYPE html>
<html lang="{{ .Language.Lang }}"><head><meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
<meta name="description" content="{{ .Params.summary | truncate 160 }}">
<link rel="canonical" href="{{ .Permalink }}">
</head><body>
<header><p>{{ i18n "campaign" }}: {{ .Site.Title }}</p></header>
<main><h1>{{ .Title }}</h1>
<p class="summary">{{ .Params.summary }}</p>
{{ .Content }}
<ul class="tags">{{ range sort .Params.hashtags }}<li>#{{ . | lower }}</li>{{ end }}</ul>
<p><a href="{{ .Params.link }}?utm_source={{ "web" | urlquery }}">{{ i18n "read_more" }}</a></p>
{{ with .Params.image }}<img src="{{ .src }}" alt="{{ .alt }}">{{ end }}
<p class="slug">{{ replaceRE "[^a-z0-9]+" "-" (lower .Title) }}</p>
</main><footer>{{ i18n "footer" }}</footer></body></html>
"""
TEXT = """{{ .Title }}

{{ .Plain }}

{{ i18n "read_more" }}: {{ .Params.link }}
"""
SHORT = """{{ .Params.summary | truncate 240 }} {{ .Params.link }} \
{{ range .Params.hashtags }}#{{ . }} {{ end }}
"""


def config(languages: list[str]) -> str:
    lines = [
        'baseURL = "https://example.org/"',
        'title = "Benchmark campaign"',
        'defaultContentLanguage = "en"',
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]',
        "[outputs]",
        f"page = [{', '.join(repr(n) for n in ['HTML', *FORMATS])}]".replace("'", '"'),
        'home = ["HTML"]',
        'section = ["HTML"]',
    ]
    for name, (media, base, _ext) in FORMATS.items():
        lines += [
            f"[outputFormats.{name}]",
            f'mediaType = "{media}"',
            f'baseName = "{base}"',
            f"isPlainText = {'true' if media == 'text/plain' else 'false'}",
            f"isHTML = {'true' if media == 'text/html' else 'false'}",
        ]
    for weight, lang in enumerate(languages, start=1):
        lines += [f'[languages."{lang}"]', f'contentDir = "content/{lang}"', f"weight = {weight}"]
    return "\n".join(lines) + "\n"


def page(message: str, body: str) -> str:
    """Return a Hugo page from a campaignsync message (front matter kept, body replaced)."""
    front = message.split("\n---\n", 1)[0].removeprefix("---\n")
    kept = [
        line
        for line in front.splitlines()
        if line.split(":", 1)[0] in ("title", "summary", "link", "hashtags", "image")
    ]
    return "---\n" + "\n".join(kept) + "\ndate: 2026-10-01T09:00:00+02:00\n---\n" + body


def generate(repo: Path, site: Path, languages: list[str], translate) -> None:
    """Write the site for the campaign in ``repo`` (``translate(text, tag)`` pseudo-translates)."""
    if site.exists():
        shutil.rmtree(site)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (site / "hugo.toml").write_text(config(languages), encoding="utf-8")
    (layouts / "single.html").write_text(PAGE, encoding="utf-8")
    (layouts / "list.html").write_text("<h1>{{ .Title }}</h1>\n", encoding="utf-8")
    (layouts / "single.emailhtml.html").write_text(PAGE, encoding="utf-8")
    (layouts / "single.presshtml.html").write_text(PAGE, encoding="utf-8")
    (layouts / "single.emailtxt.txt").write_text(TEXT, encoding="utf-8")
    for name in ("linkedin", "xpost", "mastodon", "sms"):
        (layouts / f"single.{name}.txt").write_text(SHORT, encoding="utf-8")
    (site / "i18n").mkdir()
    for lang in languages:
        strings = {"campaign": "Campaign", "read_more": "Read more", "footer": "Stay safe online"}
        (site / "i18n" / f"{lang}.toml").write_text(
            "".join(
                f'{k} = "{translate(v, lang) if lang != "en" else v}"\n' for k, v in strings.items()
            ),
            encoding="utf-8",
        )
        folder = site / "content" / lang / "post"
        folder.mkdir(parents=True)
        for path in sorted((repo / "content" / "messages" / "2026").glob("*.md")):
            text = path.read_text(encoding="utf-8")
            body = text.split("\n---\n", 1)[1]
            if lang != "en":
                body = (
                    "\n".join(
                        translate(line, lang) if line.strip() else line
                        for line in body.splitlines()
                    )
                    + "\n"
                )
            (folder / path.name).write_text(page(text, body), encoding="utf-8")
