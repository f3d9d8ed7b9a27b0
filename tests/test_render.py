"""Rendering every channel: web alternates, Open Graph, email parts, press datelines, goldens."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from conftest import CliInvoke
from test_channels import CONFIG, LINK, SUMMARY, TITLE, Repo

import campaignsync
from campaignsync.l10n import catalog, localize
from campaignsync.load.project import load_project
from campaignsync.model import Output
from campaignsync.render.context import in_their_language
from campaignsync.render.engine import Renderer
from campaignsync.render.strings import template_strings

GOLDEN = Path(__file__).resolve().parent / "golden"
BASE = "https://campaign.example.org/2026"


class Tags(HTMLParser):
    """Collect start tags with their attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def all(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())
        ]


def rendered(repo: Repo) -> dict[str, Output]:
    _data, outputs = repo.outputs()
    return {o.path: o for o in outputs}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(tmp_path / "repo")
    made.message(
        "channels: [x, mastodon, bluesky, sms, email, web, press]\n"
        "hashtags: [CyberSecMonth]\nimage: {src: assets/a.png, alt: A padlock}",
        body="## Why\n\nIt *works*.\n\n- One\n- Two\n\n> Quote",
    )
    made.translate("de", "test:title", TITLE, "Zwei-Schritt-Anmeldung einschalten")
    made.translate("de", "test:image.alt", "A padlock", "Ein Vorhängeschloss")
    made.translate("el", "test:title", TITLE, "Ενεργοποιήστε τη σύνδεση δύο βημάτων")
    return made


def test_web_page_links_every_language_version_and_an_x_default(repo: Repo) -> None:
    page = Tags(rendered(repo)["de/web/test.html"].content.decode())
    (html,) = page.all("html")
    assert html == {"lang": "de", "dir": "ltr"}
    alternates = {a["hreflang"]: a["href"] for a in page.all("link", rel="alternate")}
    assert alternates == {
        "en": f"{BASE}/en/web/test.html",
        "de": f"{BASE}/de/web/test.html",
        "el": f"{BASE}/el/web/test.html",
        "bg": f"{BASE}/bg/web/test.html",
        "x-default": f"{BASE}/en/web/test.html",
    }
    assert page.all("link", rel="canonical") == [
        {"rel": "canonical", "href": f"{BASE}/de/web/test.html"}
    ]


def test_web_page_open_graph_uses_underscored_locales_and_the_image_alt(repo: Repo) -> None:
    page = Tags(rendered(repo)["de/web/test.html"].content.decode())
    meta = [(a["property"], a["content"]) for a in page.all("meta") if "property" in a]
    assert ("og:locale", "de_DE") in meta
    assert [v for k, v in meta if k == "og:locale:alternate"] == ["en_US", "el_GR", "bg_BG"]
    assert ("og:title", "Zwei-Schritt-Anmeldung einschalten") in meta
    assert ("og:image", f"{BASE}/assets/a.png") in meta
    assert ("og:image:alt", "Ein Vorhängeschloss") in meta
    assert page.all("img") == [
        {
            "src": "../../assets/a.png",
            "alt": "Ein Vorhängeschloss",
            "width": "1200",
            "height": "630",
        }
    ]


def test_a_message_published_only_in_some_locales_lists_only_those(tmp_path: Path) -> None:
    config = CONFIG.replace('locales = ["en", "de", "el", "bg"]', 'locales = ["de", "el"]')
    made = Repo(tmp_path / "repo")
    (made.root / "campaignsync.toml").write_text(config, encoding="utf-8")
    made.message("channels: [web]")
    page = Tags(rendered(made)["el/web/test.html"].content.decode())
    alternates = {a["hreflang"]: a["href"] for a in page.all("link", rel="alternate")}
    # Not published in the source locale: the first locale is the x-default.
    assert alternates == {
        "de": f"{BASE}/de/web/test.html",
        "el": f"{BASE}/el/web/test.html",
        "x-default": f"{BASE}/de/web/test.html",
    }


def test_eml_parses_back_with_both_parts_and_its_language(repo: Repo) -> None:
    outputs = rendered(repo)
    mail = email.message_from_bytes(
        outputs["el/email/test.eml"].content, policy=email.policy.default
    )
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["Subject"] == "Ενεργοποιήστε τη σύνδεση δύο βημάτων"
    assert b"Subject: =?utf-8?" in outputs["el/email/test.eml"].content  # RFC 2047 on the wire
    assert mail["Content-Language"] == "el"
    assert mail["From"] == "Test Campaign <news@campaign.example.org>"
    assert mail["Date"] == "Mon, 05 Oct 2026 10:00:00 +0200"
    assert mail["Message-ID"] == "<2026.test.el@campaign.example.org>"
    assert mail["List-Unsubscribe"] == "<mailto:news@campaign.example.org?subject=UNSUBSCRIBE>"
    text, html = mail.iter_parts()  # type: ignore[misc]
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == outputs["el/email/test.txt"].content.decode()
    assert (
        html.get_content().replace("\r\n", "\n") == outputs["el/email/test.html"].content.decode()
    )


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ('"Line one\\r\\nBcc: all@example.org"', "Line one\r\nBcc: all@example.org"),
        ('"Line one\\nline two"', "Line one\nline two"),
        ('"Line one\\rline two"', "Line one\rline two"),
    ],
)
def test_a_title_on_two_lines_is_one_subject_line_and_adds_no_header(
    tmp_path: Path, written: str, title: str
) -> None:
    """The title is the email's subject: its line break (in the message, or in a
    translation) becomes a space; the line after it is not a header of its own."""
    made = Repo(tmp_path / "repo")
    made.message(f"channels: [email]\ntitle: {written}")
    # (An address the source has not got would keep the translation out: tokens.refused.)
    made.translate("de", "test:title", title, "Zeile eins\nBcc: Empfang, Leitung")
    outputs = rendered(made)
    for path, subject in (
        ("en/email/test.eml", " ".join(title.splitlines())),
        ("de/email/test.eml", "Zeile eins Bcc: Empfang, Leitung"),
    ):
        mail = email.message_from_bytes(outputs[path].content, policy=email.policy.default)
        assert mail["Subject"] == subject
        assert mail["Bcc"] is None
        assert mail.get_content_type() == "multipart/alternative"
        assert not mail.defects


def test_email_html_is_tables_and_inline_styles_with_lang_and_dir(repo: Repo) -> None:
    html = rendered(repo)["de/email/test.html"].content.decode()
    page = Tags(html)
    assert page.all("html") == [{"lang": "de", "dir": "ltr"}]
    tables = page.all("table")
    assert tables and all(t["role"] == "presentation" and t["dir"] == "ltr" for t in tables)
    for tag in ("h2", "p", "ul", "li", "blockquote", "em"):
        found = page.all(tag)
        assert found, tag
        if tag != "em":
            assert all("style" in a for a in found), tag
    assert "<style" not in html
    (preheader,) = [d for d in page.all("div") if "display:none" in d["style"]]
    assert preheader


def test_right_to_left_locales_mirror_the_email(tmp_path: Path) -> None:
    made = Repo(tmp_path / "repo")
    config = CONFIG.replace('"el", "bg"]', '"el", "bg", "ar"]')
    (made.root / "campaignsync.toml").write_text(config, encoding="utf-8")
    made.message("channels: [email, web]", body="- One\n- Two")
    outputs = rendered(made)
    page = Tags(outputs["ar/email/test.html"].content.decode())
    assert page.all("html") == [{"lang": "ar", "dir": "rtl"}]
    assert all(t["dir"] == "rtl" for t in page.all("table"))
    assert all(
        d["align"] == "right" for d in page.all("td") if "align" in d and d["align"] != "center"
    )
    (ul,) = page.all("ul")
    assert "padding:0 24px 0 0" in ul["style"]
    assert Tags(outputs["ar/web/test.html"].content.decode()).all("html")[0]["dir"] == "rtl"


class Languages(HTMLParser):
    """Map the first text of each element to the lang and dir it reads in (inherited)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[tuple[str, str, str]] = []
        self.texts: dict[str, tuple[str, str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        lang, direction = self.stack[-1][1:] if self.stack else ("", "")
        if tag in ("img", "meta", "link", "br", "hr"):
            return
        self.stack.append((tag, found.get("lang", lang), found.get("dir", direction)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack:
            self.texts.setdefault(data.strip(), self.stack[-1][1:])


@pytest.mark.parametrize(
    "templates",
    [
        pytest.param(Path(__file__).resolve().parent.parent / "templates", id="sample"),
        pytest.param(Path(campaignsync.__file__).parent / "starter/templates", id="starter"),
    ],
)
def test_a_fallback_paragraph_carries_its_language_on_a_right_to_left_page(
    tmp_path: Path, templates: Path
) -> None:
    made = Repo(tmp_path / "repo")
    shutil.rmtree(made.root / "templates")
    shutil.copytree(templates, made.root / "templates")
    config = CONFIG.replace('"el", "bg"]', '"el", "bg", "ar"]')
    (made.root / "campaignsync.toml").write_text(config, encoding="utf-8")
    made.message(
        "channels: [email, web, press]",
        body="## Why it matters\n\nIt *works*, really.\n\nNot translated yet.\n\n"
        "- An item, not yet.\n\n> A quote, not yet.",
    )
    made.translations["ar"] = {}
    made.translate("ar", "test:title", TITLE, "فعّل تسجيل الدخول بخطوتين")
    made.translate("ar", "test:body.1", "Why it matters", "لماذا يهم ذلك")
    made.translate("ar", "test:body.2", "It *works*, really.", "إنه *يعمل* فعلًا.")
    outputs = rendered(made)
    rtl, ltr = ("ar", "rtl"), ("en", "ltr")
    for channel in ("web", "press", "email"):
        texts = Languages(outputs[f"ar/{channel}/test.html"].content.decode()).texts
        assert texts["فعّل تسجيل الدخول بخطوتين"] == rtl, channel
        assert texts["لماذا يهم ذلك"] == rtl, channel
        assert texts["إنه"] == texts["يعمل"] == rtl, channel
        assert texts["Not translated yet."] == ltr, channel
        assert texts["An item, not yet."] == ltr, channel
        assert texts["A quote, not yet."] == ltr, channel
        if channel != "email":  # the email shows no summary
            assert texts[SUMMARY] == ltr, channel
        # The template strings have no Arabic yet: they read in English too.
        footer = {
            ("templates", "web"): "Part of Test Month 2026, a joint campaign of European and US",
            ("templates", "press"): "About the campaign",
            ("templates", "email"): "You receive this newsletter as a partner of Test Campaign.",
            ("starter", "web"): "Read more",
            ("starter", "press"): "For immediate release",
            ("starter", "email"): "Read more",
        }["starter" if "starter" in templates.parts else "templates", channel]
        assert [v for k, v in texts.items() if k.startswith(footer)] == [ltr], channel
    if "starter" not in templates.parts:
        web = Languages(outputs["ar/web/test.html"].content.decode()).texts
        assert web["More advice on this topic"] == ltr
    # A page in the fallback's own language needs no marks.
    assert 'lang="en"' not in outputs["en/web/test.html"].content.decode().split("<body>")[1]


@pytest.mark.parametrize(
    ("locale", "place"),
    [
        pytest.param("en", "Brussels", id="en"),
        pytest.param("de", "Brüssel", id="de"),
        pytest.param("el", "Βρυξέλλες", id="el"),
        pytest.param("bg", "Брюксел", id="bg"),
    ],
)
def test_press_release_dateline_in_the_partners_locale(repo: Repo, locale: str, place: str) -> None:
    html = rendered(repo)[f"{locale}/press/test.html"].content.decode()
    dateline = re.search(
        r'<strong class="dateline">([^<]*), <time datetime="[^"]*">([^<]*)</time></strong>', html
    )
    assert dateline, html
    assert dateline.group(1) == place
    # The day as CLDR's long date writes it in that language: 5, the month's name, 2026
    # (its punctuation and spacing are CLDR's to change between releases).
    month = Locale.parse(locale).months["format"]["wide"][10]
    assert re.fullmatch(rf"\D*5\D+{month}\D+2026\D*", dateline.group(2)), dateline.group(2)


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        pytest.param("hashtags: [A, B]", f"{SUMMARY}\n\n{LINK} #A #B\n", id="link-and-tags"),
        pytest.param("hashtags: []", f"{SUMMARY}\n\n{LINK}\n", id="no-tags-no-trailing-space"),
        pytest.param("-link\nhashtags: [A]", f"{SUMMARY}\n\n#A\n", id="no-link"),
        pytest.param("-link\nhashtags: []", f"{SUMMARY}\n", id="post-only"),
    ],
)
def test_posts_have_no_stray_spaces(repo: Repo, front: str, expected: str) -> None:
    repo.message(f"channels: [x]\n{front}")
    assert rendered(repo)["en/x/test.txt"].content.decode() == expected


# --- Goldens: the sample's kickoff message in every channel, in en and de ------------------

LOCALES = ("en", "de")


def kickoff_outputs(sample_repo: Path) -> dict[str, bytes]:
    """Render the sample's ``kickoff`` message in en and de, as the pack would."""
    project, _ = load_project(sample_repo)
    assert project is not None
    lookups, _ = catalog.load_lookups(project.root, project.config)
    renderer = Renderer(project)
    (message,) = [m for m in project.messages if m.id == "kickoff"]
    found: dict[str, bytes] = {}
    for tag in LOCALES:
        locale = project.config.locale(tag)
        assert locale is not None
        localized = localize.localize(message, locale, project.config, lookups)
        strings = template_strings(locale, project.config, lookups)
        outputs, problems = renderer.render(localized, strings)
        assert not problems
        found.update((o.path, o.content) for o in outputs)
    return found


def test_kickoff_uses_every_built_in_channel_of_the_sample(sample_repo: Path) -> None:
    channels = {path.split("/")[1] for path in kickoff_outputs(sample_repo)}
    assert channels == {"x", "mastodon", "bluesky", "linkedin", "sms", "email", "web", "press"}


def test_goldens(sample_repo: Path, update_golden: bool) -> None:
    """Every channel of kickoff in en and de, byte for byte (``--update-golden`` rewrites)."""
    outputs = kickoff_outputs(sample_repo)
    if update_golden:
        for path in GOLDEN.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                path.unlink()
        for rel, data in outputs.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    stored = {
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert stored == set(outputs), "run pytest --update-golden after an intended change"
    different = [rel for rel, data in outputs.items() if (GOLDEN / rel).read_bytes() != data]
    assert not different, f"outputs differ from tests/golden (--update-golden): {different}"


# --- Every template text is translatable --------------------------------------------

TEMPLATES = sorted(
    [
        *(Path(__file__).resolve().parent.parent / "templates").glob("*.j2"),
        *(Path(campaignsync.__file__).parent / "starter/templates").glob("*.j2"),
    ]
)


def unmarked_words(template: str) -> list[str]:
    """Return the words a template shows that are not marked for translation."""
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<style\b.*?</style>|<!DOCTYPE[^>]*>", " ", text, flags=re.S)
    shown = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    return re.findall(r"[^\W\d_]{2,}", " ".join([text, *shown]))


def test_unmarked_words_finds_text_outside_the_i18n_tags() -> None:
    assert unmarked_words('<p>{{ _("Read more") }}</p><p>Read on</p><img alt="Logo">') == [
        "Read",
        "on",
        "Logo",
    ]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_template_text_is_marked_for_translation(path: Path) -> None:
    assert unmarked_words(path.read_text(encoding="utf-8")) == []


def test_the_sample_catalogs_translate_every_template_string() -> None:
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "locales"
    with (root / "messages.pot").open("rb") as handle:
        strings = {m.id for m in read_po(handle) if m.id and not m.context}
    assert "More advice on this topic" in strings
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        if po.parts[-3] == "en_US":
            continue  # US English reads the English source
        with po.open("rb") as handle:
            done = {m.id for m in read_po(handle) if m.id in strings and m.string and not m.fuzzy}
        assert done == strings, po.parts[-3]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("<p>Read more</p>", '<p lang="en" dir="ltr">Read more</p>', id="element"),
        pytest.param(
            '<td align="right">\nPart of Q &amp; A, a joint campaign.</td>',
            '<td align="right" lang="en" dir="ltr">\nPart of Q &amp; A, a joint campaign.</td>',
            id="placeholder-and-space",
        ),
        pytest.param('<img alt="Read more">', '<img alt="Read more">', id="attribute"),
        pytest.param('<p lang="de">Read more</p>', '<p lang="de">Read more</p>', id="has-lang"),
        pytest.param("<p>Read on</p>", "<p>Read on</p>", id="other-text"),
    ],
)
def test_template_strings_in_another_language_carry_it(html: str, expected: str) -> None:
    foreign = {"Read more": ("en", "ltr"), "Part of %(campaign)s, a joint campaign.": ("en", "ltr")}
    assert in_their_language(html, foreign) == expected


@pytest.mark.parametrize(
    ("translation", "garbled"),
    [
        ("Sie erhalten diesen Newsletter zu 100% als Partner des %(campaign)s.", "{'campaign'"),
        ("Sie erhalten diesen Newsletter als Partner des %(kampagne)s.", "kampagne"),
    ],
)
def test_a_template_string_whose_translation_would_not_format_is_taken_from_the_source(
    cli_invoke: CliInvoke, sample_repo: Path, translation: str, garbled: str
) -> None:
    """A stray ``%`` printed the values' dict into the email; a misspelt name stopped the build."""
    po = sample_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    source = "You receive this newsletter as a partner of %(campaign)s."
    text = po.read_text(encoding="utf-8")
    entry = re.search(rf'msgid "{re.escape(source)}"\nmsgstr "([^"]*)"', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(0), f'msgid "{source}"\nmsgstr "{translation}"'))
    cli_invoke(["build", "--repo", str(sample_repo)], env={"SOURCE_DATE_EPOCH": "1790000000"})
    emails = sorted((sample_repo / "dist" / "2026" / "de" / "email").glob("*.txt"))
    assert emails
    for path in emails:
        sent = path.read_text(encoding="utf-8")
        assert garbled not in sent and "You receive this newsletter as a partner of" in sent
    line = text[: entry.start()].count("\n") + 2  # the msgstr's line
    said = cli_invoke(["check", "--repo", str(sample_repo)], expect=1).stdout
    assert f"messages.po:{line}: error CS310" in said


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_template_that_is_not_utf8_text_is_named_with_its_line(
    cli_invoke: CliInvoke, sample_repo: Path, command: str
) -> None:
    """It said "internal error: UnicodeDecodeError" and named no file."""
    (sample_repo / "templates" / "x.txt.j2").write_bytes(b"{{ message.post }}\n\xff\n")
    said = cli_invoke([command, "--repo", str(sample_repo)], expect=1)
    assert "templates/x.txt.j2:2: error CS030: not UTF-8 text" in said.stdout + said.stderr
    assert "internal error" not in said.stdout + said.stderr


def test_a_counted_template_string_takes_the_form_its_language_gives_the_count(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """ngettext looked the plural msgid up as a msgid: every language printed English's plural."""
    x = small_repo / "templates" / "x.txt.j2"
    count = "{% trans count=5 %}{{ count }} tip{% pluralize %}{{ count }} tips{% endtrans %}\n\n"
    x.write_text(count + x.read_text(encoding="utf-8"), encoding="utf-8")
    forms = {"de": ("Tipp", "Tipps"), "pl": ("porada", "porady", "porad")}
    for locale, words in forms.items():
        po = small_repo / "locales" / locale / "LC_MESSAGES" / "messages.po"
        entry = '\nmsgid "%(count)s tip"\nmsgid_plural "%(count)s tips"\n' + "".join(
            f'msgstr[{i}] "%(count)s {word}"\n' for i, word in enumerate(words)
        )
        po.write_text(po.read_text(encoding="utf-8") + entry, encoding="utf-8")
    build = ["build", "--repo", str(small_repo), "--no-zip"]
    cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1790000000"})

    def first_lines(locale: str) -> set[str]:
        posts = (small_repo / "dist" / "2026" / locale / "x").glob("*.txt")
        return {p.read_text(encoding="utf-8").splitlines()[0] for p in posts}

    # Five takes German's plural, and Polish's third form ("many"), not English's plural.
    assert first_lines("en") == {"5 tips"}
    assert first_lines("de") == {"5 Tipps"}
    assert first_lines("pl") == {"5 porad"}
    # A form edited is seen by the next build (the render cache keys on the forms).
    po = small_repo / "locales" / "pl" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace("s porad", "s wskazówek"))
    cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert first_lines("pl") == {"5 wskazówek"}


def test_a_count_that_is_not_a_whole_number_takes_the_forms_as_english_does() -> None:
    from campaignsync.l10n.catalog import Entry, Lookup
    from campaignsync.model import Locale
    from campaignsync.render.strings import TemplateStrings

    one, many = "%(count)s tip", "%(count)s tips"
    forms = ("%(count)s porada", "%(count)s porady", "%(count)s porad")
    entry = Entry(forms[0], 9, forms, many)
    strings = TemplateStrings(
        (Lookup("pl.po", {("", one): entry}),), False, (), (Locale("pl", "pl"),)
    )
    assert [strings.plural(one, many, n) for n in (1, 2, 5, 22)] == [
        forms[0], forms[1], forms[2], forms[1]
    ]  # fmt: skip
    assert strings.plural(one, many, 2.5) == forms[1]  # not a count: "other", as n != 1
    assert strings.plural(one, many, True) == forms[0]  # nor is True: as English, singular


def test_a_process_compiles_a_template_again_only_once_its_source_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from campaignsync.render.engine import make_environment

    compiled: list[str | None] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):
        compiled.append(name)
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        folder.mkdir()
        (folder / "post.txt.j2").write_text("{{ word }} one\n", encoding="utf-8")

    def rendered(folder: Path) -> str:  # each build makes its own environment
        return make_environment(folder).get_template("post.txt.j2").render(word="hi")

    assert rendered(first) == "hi one\n" and compiled == ["post.txt.j2"]
    assert rendered(first) == "hi one\n" and compiled == ["post.txt.j2"]  # taken, not compiled
    (first / "post.txt.j2").write_text("{{ word }} two\n", encoding="utf-8")
    assert rendered(first) == "hi two\n" and len(compiled) == 2  # its source changed
    assert rendered(second) == "hi one\n" and len(compiled) == 3  # another folder's file
    assert rendered(first) + rendered(second) == "hi two\nhi one\n" and len(compiled) == 3
