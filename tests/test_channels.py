"""Channels as their platforms count them, and the CS2xx checks on rendered outputs."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from campaignsync import channels, pipeline
from campaignsync.channels import email, sms
from campaignsync.channels.press import dateline_place
from campaignsync.channels.social import bluesky_record
from campaignsync.checks import CheckInput, registered
from campaignsync.checks.textrules import camel_case
from campaignsync.l10n.cldr import og_locale
from campaignsync.load.config import load_config
from campaignsync.load.project import load_project
from campaignsync.model import ChannelSettings, Diagnostic, Locale, Output

ROOT = Path(__file__).resolve().parent.parent
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
LINK = "https://campaign.example.org/2026/test"

CONFIG = """\
name = "Test Campaign"
source_locale = "en"
locales = ["de", "el", "bg"]
default_campaign = "2026"
base_url = "https://campaign.example.org"

[partners.eu]
name = "EU partners"
timezone = "Europe/Brussels"
locales = ["en", "de", "el", "bg"]
business_hours = "09:00-18:00"
dateline = "Brussels"

[channels.threads]
enabled = true

[channels.instagram]
enabled = true

[channels.email]
from = "Test Campaign <news@campaign.example.org>"
"""
CALENDAR = """\
campaigns:
  - id: "2026"
    name: Test Month 2026
    start: 2026-10-01
    end: 2026-10-31
    themes:
      - {id: accounts, name: Accounts, start: 2026-10-01, end: 2026-10-31}
"""


def spec_measure(channel: str, text: str, **settings: int) -> tuple[int, int, str]:
    spec = channels.registry()[channel]
    measure = spec.measure_text(text, ChannelSettings(channel, **settings))  # type: ignore[arg-type]
    assert measure is not None
    return measure.length, measure.limit, measure.unit


@pytest.mark.parametrize(
    ("channel", "text", "expected"),
    [
        # X: weighted, URLs 23 with or without a scheme, an emoji sequence 2.
        pytest.param("x", "Grüße aus Köln", (14, 280, "weighted"), id="x-latin-diacritics"),
        pytest.param("x", "Ασφάλεια στο διαδίκτυο", (22, 280, "weighted"), id="x-greek"),
        pytest.param("x", "Киберсигурност за всички", (24, 280, "weighted"), id="x-bulgarian"),
        pytest.param("x", f"👍🏽 {FAMILY}", (5, 280, "weighted"), id="x-skin-tone-zwj"),
        pytest.param("x", f"See {LINK}", (27, 280, "weighted"), id="x-url-with-scheme"),
        pytest.param("x", "See campaign.example.org/x", (27, 280, "weighted"), id="x-url-bare"),
        pytest.param("x", "Prix : 10 €…", (14, 280, "weighted"), id="x-euro-ellipsis"),
        # Mastodon: graphemes; only URLs with a scheme are links.
        pytest.param("mastodon", "Grüße aus Köln", (14, 500, "graphemes"), id="mastodon-latin"),
        pytest.param("mastodon", "Ασφάλεια", (8, 500, "graphemes"), id="mastodon-greek"),
        pytest.param("mastodon", "България", (8, 500, "graphemes"), id="mastodon-bulgarian"),
        pytest.param("mastodon", f"👍🏽{FAMILY}", (2, 500, "graphemes"), id="mastodon-emoji"),
        pytest.param("mastodon", f"See {LINK}", (27, 500, "graphemes"), id="mastodon-url"),
        pytest.param(
            "mastodon", "See campaign.example.org/x", (26, 500, "graphemes"), id="mastodon-bare"
        ),
        # Bluesky: graphemes of the visible text, where the app shortens each link.
        pytest.param("bluesky", "Grüße aus Köln", (14, 300, "graphemes"), id="bluesky-latin"),
        pytest.param("bluesky", "Ασφάλεια", (8, 300, "graphemes"), id="bluesky-greek"),
        pytest.param("bluesky", f"👍🏽{FAMILY}", (2, 300, "graphemes"), id="bluesky-emoji"),
        pytest.param("bluesky", f"See {LINK}", (34, 300, "graphemes"), id="bluesky-url-short"),
        pytest.param(
            "bluesky", f"See {LINK}/a/long/path", (40, 300, "graphemes"), id="bluesky-url-shortened"
        ),
        # LinkedIn and Instagram: UTF-16 units, as schedulers count.
        pytest.param("linkedin", "Ασφάλεια", (8, 3000, "utf-16"), id="linkedin-greek"),
        pytest.param("linkedin", f"👍🏽{FAMILY}", (15, 3000, "utf-16"), id="linkedin-emoji"),
        pytest.param("instagram", "Киберсигурност", (14, 2200, "utf-16"), id="instagram-cyrillic"),
        pytest.param("instagram", "🔐 Grüße", (8, 2200, "utf-16"), id="instagram-emoji"),
        # Threads: characters, an emoji its UTF-8 bytes.
        pytest.param("threads", "Grüße aus Köln", (14, 500, "characters"), id="threads-latin"),
        pytest.param("threads", "Ασφάλεια 🔐", (13, 500, "characters"), id="threads-greek-emoji"),
        pytest.param("threads", FAMILY, (25, 500, "characters"), id="threads-zwj"),
    ],
)
def test_each_channel_counts_as_its_platform(
    channel: str, text: str, expected: tuple[int, int, str]
) -> None:
    assert spec_measure(channel, text) == expected


def test_bluesky_also_caps_utf8_bytes() -> None:
    spec = channels.registry()["bluesky"]
    measure = spec.measure_text(FAMILY * 150, ChannelSettings("bluesky"))
    assert measure is not None
    assert (measure.length, measure.over) == (150, 0)
    (size,) = measure.also
    assert (size.length, size.limit, size.unit, size.over) == (3750, 3000, "utf-8", 750)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The limit is what the configured maximum of 2 segments holds in that encoding.
        pytest.param("a" * 160, ("GSM-7", 1, 306), id="gsm-one"),
        pytest.param("Grüße aus Köln", ("GSM-7", 1, 306), id="german-in-gsm"),
        pytest.param("Ασφάλεια", ("UCS-2", 1, 134), id="greek-ucs2"),
        pytest.param("Киберсигурност " * 5, ("UCS-2", 2, 134), id="bulgarian-two-parts"),
        pytest.param("a" * 200, ("GSM-7", 2, 306), id="gsm-two"),
    ],
)
def test_sms_measure_has_encoding_segments_and_limit(
    text: str, expected: tuple[str, int, int]
) -> None:
    spec = channels.registry()["sms"]
    measure = spec.measure_text(text, ChannelSettings("sms", max_segments=2))
    assert measure is not None
    assert (measure.encoding, measure.segments, measure.limit) == expected


def test_config_may_tighten_limits() -> None:
    assert spec_measure("x", "a", limit=200) == (1, 200, "weighted")
    assert spec_measure("bluesky", "a", limit=250) == (1, 250, "graphemes")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        pytest.param(
            "limit = 501",
            "channels.threads.limit may only tighten the platform's limit: use 1 to 500, not 501",
            id="limit",
        ),
        pytest.param(
            "max_hashtags = 2",
            "channels.threads.max_hashtags may only tighten the platform's cap: use 1, not 2",
            id="hashtags",
        ),
        pytest.param(
            "max_hashtags = -1",
            "channels.threads.max_hashtags may only tighten the platform's cap: use 1, not -1",
            id="negative-hashtags",
        ),
    ],
)
def test_config_never_loosens_a_platform_limit(tmp_path: Path, setting: str, message: str) -> None:
    text = CONFIG.replace("[channels.threads]\n", f"[channels.threads]\n{setting}\n")
    (tmp_path / "campaignsync.toml").write_text(text, encoding="utf-8")
    config, found = load_config(tmp_path)
    assert config is None
    line = text.splitlines().index(setting) + 1
    assert [(d.code, d.line, d.text) for d in found] == [("CS003", line, message)]


def test_config_may_cap_hashtags_where_the_platform_does_not(tmp_path: Path) -> None:
    (tmp_path / "campaignsync.toml").write_text(CONFIG + "\n[channels.x]\nmax_hashtags = 40\n")
    config, found = load_config(tmp_path)
    assert found == () and config is not None
    x, instagram = config.channel("x"), config.channel("instagram")
    assert x is not None and instagram is not None
    assert channels.registry()["x"].effective_max_hashtags(x) == 40
    assert channels.registry()["instagram"].effective_max_hashtags(instagram) == 5


def test_a_hashtag_cap_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "campaignsync.toml").write_text(CONFIG + "\n[channels.x]\nmax_hashtags = -1\n")
    _config, found = load_config(tmp_path)
    assert [d.text for d in found] == ["channels.x.max_hashtags must be a positive number, not -1"]


def test_threads_and_instagram_are_opt_in(tmp_path: Path) -> None:
    (tmp_path / "campaignsync.toml").write_text(CONFIG.split("[channels.threads]")[0])
    config, _ = load_config(tmp_path)
    assert config is not None
    assert config.channel("threads") is None and config.channel("instagram") is None
    assert config.channel("bluesky") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("It’s time to act now" + "." * 141, ((("’", 3, "'"),), 3, 2), id="apostrophe"),
        pytest.param(
            "„Sicher“ – jetzt! " + "x" * 60,
            ((("„", 1, '"'), ("“", 8, '"'), ("–", 10, "-")), 2, 1),
            id="german-quotes-and-dash",
        ),
        pytest.param("Stay safe 🔐 " + "x" * 60, ((("🔐", 11, ""),), 2, 1), id="emoji-dropped"),
        pytest.param("Prix\u202f: 10 € " + "x" * 60, ((("\u202f", 5, " "),), 2, 1), id="nnbsp"),
    ],
)
def test_avoidable_ucs2_names_characters_and_segments(
    text: str, expected: tuple[tuple[tuple[str, int, str], ...], int, int]
) -> None:
    cause = sms.avoidable_ucs2(text)
    assert cause is not None
    assert (cause.characters, cause.segments, cause.gsm_segments) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("It’s short", id="same-segments"),
        pytest.param("Zażółć gęślą jaźń – " + "x" * 60, id="polish-letters-need-ucs2"),
        pytest.param("Ασφάλεια – τώρα", id="greek-letters-need-ucs2"),
        pytest.param("Plain GSM text", id="gsm"),
    ],
)
def test_unavoidable_or_free_ucs2_is_not_reported(text: str) -> None:
    assert sms.avoidable_ucs2(text) is None


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        pytest.param("CyberSecMonth", True, id="camel"),
        pytest.param("Phishing", True, id="one-word"),
        pytest.param("ENISA", True, id="acronym"),
        pytest.param("2FA", True, id="digits-and-acronym"),
        pytest.param("Κυβερνοασφάλεια", True, id="greek-capitalised"),
        pytest.param("日本語", True, id="script-without-case"),
        pytest.param("cybersecmonth", False, id="lower"),
        pytest.param("CYBERSECMONTH", False, id="all-caps-words"),
        pytest.param("киберсигурност", False, id="cyrillic-lower"),
    ],
)
def test_camel_case(tag: str, ok: bool) -> None:
    assert camel_case(tag) is ok


@pytest.mark.parametrize(
    ("gettext", "expected"),
    [
        pytest.param("de", "de_DE", id="language-only"),
        pytest.param("en", "en_US", id="en-likely-us"),
        pytest.param("pt_PT", "pt_PT", id="territory-kept"),
        pytest.param("es_US", "es_US", id="us-spanish"),
        pytest.param("el", "el_GR", id="greek"),
        pytest.param("bg", "bg_BG", id="bulgarian"),
        pytest.param("zh_Hant", "zh_TW", id="script"),
    ],
)
def test_og_locale(gettext: str, expected: str) -> None:
    assert og_locale(gettext) == expected


@pytest.mark.parametrize(
    ("configured", "zone", "locale", "expected"),
    [
        pytest.param("Brussels", "Europe/Brussels", "de", "Brüssel", id="de"),
        pytest.param("Brussels", "Europe/Brussels", "fr", "Bruxelles", id="fr"),
        pytest.param("Brussels", "Europe/Brussels", "el", "Βρυξέλλες", id="el"),
        pytest.param("Brussels", "Europe/Brussels", "bg", "Брюксел", id="bg"),
        pytest.param("New York", "America/New_York", "es_US", "Nueva York", id="es-us"),
        pytest.param("Washington, D.C.", "America/New_York", "es", "Washington, D.C.", id="kept"),
    ],
)
def test_dateline_place_in_the_output_language(
    configured: str, zone: str, locale: str, expected: str
) -> None:
    assert dateline_place(configured, zone, locale) == expected


def test_bluesky_record_has_byte_facets_for_links_and_tags() -> None:
    class Localized:  # the two attributes bluesky_record reads
        locale = Locale("el", "el")
        partner = "eu"

        class message:
            @staticmethod
            def publish_for(partner: str) -> datetime:
                return datetime(2026, 10, 1, 8, tzinfo=UTC)

    text = "Ασφάλεια 🔐 campaign.example.org/el #Ασφάλεια https://example.org/a"
    record = bluesky_record(text, Localized())  # type: ignore[arg-type]
    # The app shows each link shortened and keeps the full address in the facet.
    assert record["text"] == "Ασφάλεια 🔐 campaign.example.org/el #Ασφάλεια example.org/a"
    data = str(record["text"]).encode("utf-8")
    spans = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in record["facets"]  # type: ignore[attr-defined]
    ]
    assert spans == [
        (
            "campaign.example.org/el",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://campaign.example.org/el"},
        ),
        ("#Ασφάλεια", {"$type": "app.bsky.richtext.facet#tag", "tag": "Ασφάλεια"}),
        (
            "example.org/a",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/a"},
        ),
    ]
    assert record["langs"] == ["el"] and record["createdAt"] == "2026-10-01T08:00:00.000Z"


def test_preheader_is_the_hidden_element() -> None:
    html = '<body><div style="display:none;max-height:0">Read &amp; act\n now</div><p>x</p>'
    assert email.preheader(html) == "Read & act now"
    assert email.preheader("<body><p>No preheader</p></body>") is None


# --- The checks, on a real repository rendered in every locale ---------------------------


def po_file(entries: dict[tuple[str, str], str], language: str) -> str:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    parts = [
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Language: {language}\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    ]
    for (context, source), translation in entries.items():
        parts.append(
            f"msgctxt {quote(context)}\nmsgid {quote(source)}\nmsgstr {quote(translation)}\n"
        )
    return "\n".join(parts)


class Repo:
    """A small campaign repository (en source; de, el and bg) using the sample's templates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "content" / "messages" / "2026").mkdir(parents=True)
        (root / "content" / "assets").mkdir()
        shutil.copy2(ROOT / "content" / "assets" / "kickoff.png", root / "content/assets/a.png")
        shutil.copytree(ROOT / "templates", root / "templates")
        (root / "campaignsync.toml").write_text(CONFIG, encoding="utf-8")
        (root / "content" / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
        self.translations: dict[str, dict[tuple[str, str], str]] = {"de": {}, "el": {}, "bg": {}}

    def message(self, front: str, body: str = "Body text.") -> None:
        """Write the message ``test``; ``front`` adds or overrides front-matter lines."""
        lines = {
            "id": "test",
            "campaign": '"2026"',
            "theme": "accounts",
            "partners": "[eu]",
            "channels": "[x, mastodon]",
            "publish": "2026-10-05T10:00:00+02:00",
            "title": "Turn on two-step login",
            "summary": "A second step stops most account takeovers.",
            "link": LINK,
        }
        for line in textwrap.dedent(front).strip().splitlines():
            key, _, value = line.partition(": ")
            if key.startswith("-"):
                del lines[key[1:]]  # "-link" removes a key
            else:
                lines[key] = value
        text = "---\n" + "".join(f"{k}: {v}\n" for k, v in lines.items()) + "---\n" + body + "\n"
        (self.root / MSG).write_text(text, encoding="utf-8")

    def translate(self, locale: str, context: str, source: str, text: str) -> str:
        """Add a translation; return its place as diagnostics name it (PO file:msgstr line)."""
        self.translations[locale][(context, source)] = text
        rel = f"locales/{locale}/LC_MESSAGES/messages.po"
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        po = po_file(self.translations[locale], locale)
        (self.root / rel).write_text(po, encoding="utf-8")
        lines = po.splitlines()
        at = lines.index(f'msgctxt "{context}"')
        return f"{rel}:{at + 3}"

    def outputs(self) -> tuple[CheckInput, tuple[Output, ...]]:
        project, found = load_project(self.root)
        assert project is not None, found
        assert not [d for d in found if d.is_error], found
        rendered = pipeline.render_selection(project, pipeline.select(project, "2026"))
        assert not [d for d in rendered.diagnostics if d.is_error], rendered.diagnostics
        data = CheckInput(
            project, "2026", rendered.outputs, rendered.lookups, datetime(2026, 6, 1, tzinfo=UTC)
        )
        return data, rendered.outputs

    def check(self) -> list[str]:
        """Return every CS2xx diagnostic as ``file:line: severity code: text [locale/channel]``."""
        data, _ = self.outputs()
        found: list[Diagnostic] = []
        for codes, function in registered():
            if all(code.startswith("CS2") for code in codes):
                found.extend(function(data))
        return sorted(_line(d) for d in found)


def _line(d: Diagnostic) -> str:
    scope = "/".join(p for p in (d.locale, d.channel) if p)
    where = f"{d.file}:{d.line}" if d.line else f"{d.file}"
    return f"{where}: {d.severity.value} {d.code}: {d.text}" + (f" [{scope}]" if scope else "")


MSG = "content/messages/2026/test.md"
SUMMARY = "A second step stops most account takeovers."
TITLE = "Turn on two-step login"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_a_clean_message_passes_every_channel_check(repo: Repo) -> None:
    repo.message(
        """
        channels: [x, mastodon, bluesky, linkedin, threads, instagram, sms, email, web, press]
        hashtags: [CyberSecMonth, ENISA]
        image: {src: assets/a.png, alt: A padlock}
        posts: {sms: Turn on two-step login today.}
        """,
    )
    repo.translate("de", "test:title", TITLE, "Zwei-Schritt-Anmeldung einschalten")
    repo.translate("el", "test:summary", SUMMARY, "Ένα δεύτερο βήμα σταματά τις υποκλοπές.")
    repo.translate("bg", "test:summary", SUMMARY, "Втората стъпка спира повечето кражби.")
    assert repo.check() == []


def test_over_the_limit_names_the_translation_to_shorten(repo: Repo) -> None:
    repo.message("channels: [x]")
    de = repo.translate("de", "test:summary", SUMMARY, "Ä" * 300)
    repo.translate("el", "test:summary", SUMMARY, "Ω" * 250)  # 250 + link 23 + 2 newlines fits
    assert repo.check() == [
        f"{MSG}:9: error CS201: 325 weighted characters is 45 over the X limit of 280; "
        f"shorten test:summary in {de} [de/x]"
    ]


def test_over_the_limit_in_the_source_is_reported_once(repo: Repo) -> None:
    repo.message(f"channels: [bluesky]\nsummary: {'Grüße ' * 50}")
    assert repo.check() == [
        f"{MSG}:9: error CS201: 331 characters is 31 over the Bluesky limit of 300; "
        "shorten the summary (locales bg, de, el, en) [bluesky]"
    ]


def test_bluesky_counts_utf8_bytes_too(repo: Repo) -> None:
    repo.message(f"channels: [bluesky]\nposts: {{bluesky: '{FAMILY * 120}'}}")
    assert repo.check() == [
        f"{MSG}:11: error CS201: 3032 UTF-8 bytes is 32 over the Bluesky limit of 3000; shorten "
        "the channel's post (locales bg, de, el, en) [bluesky]"
    ]


def test_sms_over_its_segments_names_what_forced_ucs2(repo: Repo) -> None:
    repo.message("channels: [sms]\nposts: {sms: 'Turn it on now.'}")
    greek = "Ενεργοποιήστε τη σύνδεση δύο βημάτων τώρα."
    el = repo.translate("el", "test:posts.sms", "Turn it on now.", greek)
    assert repo.check() == [
        f"{MSG}:11: error CS201: 81 UCS-2 units need 2 SMS segments, 11 UCS-2 units more than "
        "the 70 that fit in 1 (channels.sms.max_segments) (UCS-2 because of Ε at column 1, ν at column 2, "
        f"ε at column 3, ρ at column 4, γ at column 5 and 15 more); shorten test:posts.sms in {el} "
        "[el/sms]"
    ]


#: 306 GSM-7 septets with the sms template's " " + LINK: two segments hold 306, but the €
#: (an escape pair) at septets 153-154 may not be split, so the SMS needs three.
STRADDLE = "a" * 152 + "€" + "b" * (306 - 154 - 1 - len(LINK))


def test_an_sms_that_fits_by_length_but_needs_more_segments_is_over(repo: Repo) -> None:
    from campaignsync.pack import cards
    from campaignsync.pack.manifest import manifest_entry

    with (repo.root / "campaignsync.toml").open("a", encoding="utf-8") as config:
        config.write("\n[channels.sms]\nmax_segments = 2\n")
    repo.message(f"channels: [sms]\nposts: {{sms: '{STRADDLE}'}}")
    assert repo.check() == [
        f"{MSG}:11: error CS201: 306 GSM-7 septets need 3 SMS segments, 1 more than the 2 "
        "allowed (channels.sms.max_segments): no segment splits € at column 153, so the text "
        "takes the room of 307 of the 306 that fit; shorten the channel's post (locales bg, de, "
        "el, en) [sms]"
    ]
    _data, outputs = repo.outputs()
    output = next(o for o in outputs if o.path == "en/sms/test.txt")
    row = manifest_entry(output, "0" * 64)
    assert (row["length"], row["limit"], row["segments"], row["padding"]) == (306, 306, 3, 1)
    assert row["headroom"] == -1 and row["percent"] > 100
    (gauge,) = cards.gauges(output.measure)
    assert (gauge.level, gauge.words) == (
        "over",
        "3 SMS of 2 allowed, 306 of 306 GSM-7 septets: 1 over the limit, 1 lost at segment ends",
    )


def test_an_sms_within_its_segments_is_not_over_whatever_it_leaves_unused(repo: Repo) -> None:
    with (repo.root / "campaignsync.toml").open("a", encoding="utf-8") as config:
        config.write("\n[channels.sms]\nmax_segments = 3\n")
    repo.message(f"channels: [sms]\nposts: {{sms: '{STRADDLE}'}}")
    assert repo.check() == []


def test_a_dash_that_costs_segments_is_named_with_its_column(repo: Repo) -> None:
    post = "Two-step login stops most account takeovers; it takes a minute."
    repo.message(f"channels: [sms]\nposts: {{sms: '{post}'}}")
    german = "Die Zwei-Schritt-Anmeldung stoppt die meisten Kontoübernahmen – es dauert 1 Minute."
    de = repo.translate("de", "test:posts.sms", post, german)
    assert repo.check() == [
        f"{MSG}:11: error CS201: 122 UCS-2 units need 2 SMS segments, 52 UCS-2 units more than "
        f"the 70 that fit in 1 (channels.sms.max_segments) (UCS-2 because of – at column 63); "
        f"shorten test:posts.sms in {de} [de/sms]",
        f"{MSG}:11: warning CS209: – at column 63 forces UCS-2: 2 segments instead of 1 "
        f"(write - instead); fix test:posts.sms in {de} [de/sms]",
    ]


def test_too_many_hashtags_and_links(repo: Repo) -> None:
    many = "[One, Two, Three, Four, Five, Six]"
    links = " ".join(f"https://example.org/{n}" for n in range(6))
    repo.message(
        f"channels: [instagram, threads]\nhashtags: {many}\n"
        f"image: {{src: assets/a.png, alt: A lock}}\nposts: {{threads: 'Read {links} #Extra'}}"
    )
    assert repo.check() == [
        f"{MSG}:11: error CS202: 6 hashtags (#One #Two #Three #Four #Five #Six), 1 more than 5 "
        "allowed; trim the hashtags (locales bg, de, el, en) [instagram]",
        f"{MSG}:13: error CS203: 7 links, 2 more than Threads allows (5); trim the channel's "
        "post (locales bg, de, el, en) [threads]",
        f"{MSG}:13: warning CS202: 2 hashtags (#Extra #One): Threads makes only the first the "
        "post's topic and leaves the others as plain text; trim the channel's post "
        "(locales bg, de, el, en) [threads]",
    ]


def test_the_config_may_cap_hashtags_of_any_channel(repo: Repo) -> None:
    (repo.root / "campaignsync.toml").write_text(CONFIG + "\n[channels.x]\nmax_hashtags = 1\n")
    repo.message("channels: [x]\nhashtags: [One, Two]")
    assert repo.check() == [
        f"{MSG}:11: error CS202: 2 hashtags (#One #Two), 1 more than 1 allowed; trim the "
        "hashtags (locales bg, de, el, en) [x]"
    ]


def test_instagram_needs_an_image(repo: Repo) -> None:
    repo.message("channels: [instagram, mastodon]")
    assert repo.check() == [
        f"{MSG}:6: error CS210: Instagram cannot publish a post without an image: add one with "
        "its alt text (image: {src: ..., alt: ...}) or remove instagram from the channels"
        " [instagram]"
    ]


def test_every_image_needs_alt_text_within_the_platform_limit(repo: Repo) -> None:
    alt = ("A long description. " * 78).strip()  # 1,559 characters
    repo.message(f"channels: [mastodon, web]\nimage: {{src: assets/a.png, alt: '{alt}'}}")
    de = repo.translate("de", "test:image.alt", alt, " ")
    assert repo.check() == [
        f"{MSG}:11: error CS204: the image has no alt text; fill test:image.alt in {de} "
        "[de/mastodon]",
        f"{MSG}:11: error CS205: image alt text of 1559 characters is 59 over the Mastodon "
        "limit of 1500; shorten the image alt text (locales bg, el, en) [mastodon]",
    ]


def test_an_image_in_a_template_needs_alt_text(repo: Repo) -> None:
    web = repo.root / "templates" / "web.html.j2"
    web.write_text(web.read_text().replace("<article>", '<article><img src="logo.png">'))
    repo.message("channels: [web]")
    assert repo.check() == [
        "templates/web.html.j2: error CS204: an image in the template has no alt text: "
        f'<img src="logo.png"> ({MSG}) [web]'
    ]


def test_non_https_links_hashtags_not_in_camelcase_and_text_not_nfc(repo: Repo) -> None:
    repo.message(
        "channels: [x, mastodon]\nhashtags: [cybermonth]\nlink: http://campaign.example.org/x"
    )
    # (A translation that adds an address is not used at all: CS314, tokens.refused.)
    de = repo.translate("de", "test:summary", SUMMARY, "Cafe\u0301 #sicherheit")
    assert repo.check() == [
        f"{MSG}:10: warning CS206: link http://campaign.example.org/x is not https (in mastodon, "
        "x); fix the link",
        f"{MSG}:11: warning CS207: hashtag #cybermonth is not in CamelCase, so screen readers "
        "cannot tell its words apart (in mastodon, x); capitalise the hashtags",
        f"{MSG}:9: warning CS207: hashtag #sicherheit is not in CamelCase, so screen readers "
        f"cannot tell its words apart (in mastodon, x); capitalise test:summary in {de} [de]",
        f"{MSG}:9: warning CS208: text not in Unicode NFC: U+0065 U+0301 at column 4 is the "
        "single character 'é' (U+00E9) in NFC; platforms that do not normalise count it longer, "
        "and search and matching treat the two forms as different text (in mastodon, x); "
        f"normalise test:summary in {de} [de]",
    ]


def test_nfc_that_only_reorders_marks_is_named_for_what_it_is(repo: Repo) -> None:
    # Bet, dagesh, qamats as many keyboards type them; NFC puts qamats (class 18) before
    # dagesh (class 21) and composes nothing (U+FB31 is excluded from composition).
    repo.message("channels: [x, mastodon]")
    de = repo.translate("de", "test:summary", SUMMARY, "Schalom \u05d1\u05bc\u05b8")
    assert repo.check() == [
        f"{MSG}:9: warning CS208: text not in Unicode NFC: U+05D1 U+05BC U+05B8 at column 9 has "
        "its combining marks out of canonical order (NFC writes U+05D1 U+05B8 U+05BC); it looks "
        "the same, but search and matching treat the two forms as different text (in mastodon, "
        f"x); normalise test:summary in {de} [de]",
    ]


def test_text_that_nfc_leaves_unchanged_is_not_reported(repo: Repo) -> None:
    # The same letters with their marks in canonical order, and shin with its shin dot: NFC
    # leaves both as they are, so there is nothing to report.
    repo.message("channels: [x, mastodon]")
    repo.translate("de", "test:summary", SUMMARY, "Schalom \u05d1\u05b8\u05bc \u05e9\u05c1")
    assert repo.check() == []


def test_a_non_https_link_in_the_body_is_named_once_for_all_channels(repo: Repo) -> None:
    repo.message("channels: [web, email]", body="See [the guide](http://example.org/guide).")
    assert repo.check() == [
        f"{MSG}:12: warning CS206: link http://example.org/guide is not https (in email, web); "
        "fix the body (locales bg, de, el, en)"
    ]


def test_email_subject_and_preheader_lengths(repo: Repo) -> None:
    title = "A subject line that is far too long for any inbox to show in full"
    summary = ("Preview. " * 17).strip()
    repo.message(f"channels: [email]\ntitle: '{title}'\nsummary: '{summary}'")
    de_title = "Eine Betreffzeile, die etwas länger ist als die englische, aber noch passt"
    repo.translate("de", "test:title", title, de_title)
    el = repo.translate("el", "test:title", title, ("Θέμα " * 17).strip())
    found = repo.check()
    assert found == [
        f"{MSG}:8: warning CS211: subject of 65 characters is 5 over the recommended 60; "
        "inboxes cut it; shorten the title (locales bg, en) [email]",
        f"{MSG}:8: warning CS211: subject of 84 characters is 6 over the recommended 78; "
        f"inboxes cut it; shorten test:title in {el} [el/email]",
        f"{MSG}:9: warning CS212: preheader of 152 characters is 12 over the recommended 140; no "
        "inbox shows the rest (posts: {email: ...} gives the email a preheader of its own); "
        "shorten the summary (locales bg, de, el, en) [email]",
    ]


def test_manifest_gives_length_limit_unit_and_closeness(repo: Repo) -> None:
    from campaignsync.pack.manifest import manifest_entry

    repo.message("channels: [x, bluesky, sms]")
    _data, outputs = repo.outputs()
    rows = {o.path: manifest_entry(o, "0" * 64) for o in outputs if o.locale == "en"}
    x = rows["en/x/test.txt"]
    assert (x["length"], x["limit"], x["unit"], x["headroom"], x["percent"]) == (
        68,
        280,
        "weighted",
        212,
        24.3,
    )
    sms_row = rows["en/sms/test.txt"]
    assert (sms_row["encoding"], sms_row["segments"], sms_row["unit"]) == ("GSM-7", 1, "septets")
    bluesky = rows["en/bluesky/test.txt"]
    assert bluesky["also"] == [{"length": 75, "limit": 3000, "unit": "utf-8", "headroom": 2925}]
    assert "limit" not in rows["en/bluesky/test.json"]
    record = json.loads(next(o for o in outputs if o.path == "en/bluesky/test.json").content)
    text = (next(o for o in outputs if o.path == "en/bluesky/test.txt").content).decode()
    # The record shows the link as the Bluesky app does; the .txt keeps it whole for pasting.
    link = "https://campaign.example.org/2026/test"
    assert record["text"] == text.rstrip("\n").replace(link, link.removeprefix("https://"))
    assert record["langs"] == ["en"] and link in text


def test_check_reports_channel_problems_with_file_line_locale_and_channel(
    repo: Repo, cli_invoke: Callable[..., Result]
) -> None:
    repo.message("channels: [x]")
    de = repo.translate("de", "test:summary", SUMMARY, "Ä" * 300)
    result = cli_invoke(["check", "--repo", str(repo.root), "--now", "2026-06-01"], expect=1)
    assert (
        f"{MSG}:9: error CS201: 325 weighted characters is 45 over the X limit of 280; "
        f"shorten test:summary in {de} [de/x]\n"
    ) in result.stdout


def test_a_finding_in_several_locales_lists_them_in_order() -> None:
    """One merged finding names its locales sorted, en before en-US (not in path order)."""
    from campaignsync.checks.outputs import per_locale as _per_locale
    from campaignsync.model import Diagnostic, Severity

    def found(_: object) -> Iterator[Diagnostic]:
        for tag in ("de", "en-US", "en", "es-US", "es"):
            yield Diagnostic("CS201", Severity.ERROR, "too long", "m.md", 9, tag, "x")

    assert list(_per_locale(found)(None)) == [
        Diagnostic(
            "CS201",
            Severity.ERROR,
            "too long (locales de, en, en-US, es, es-US)",
            "m.md",
            9,
            None,
            "x",
        )
    ]


def test_links_and_hashtags_a_template_wrote_are_reported_at_it_or_its_string(repo: Repo) -> None:
    x = repo.root / "templates" / "x.txt.j2"
    x.write_text(x.read_text(encoding="utf-8").rstrip("\n") + " #cybersecuritymonth\n")
    repo.message("channels: [x, linkedin]")
    repo.translate("de", "", "Read more:", "Mehr auf #sicherheit:")
    assert sorted(set(repo.check())) == [  # each locale's, said once (checks.finish)
        "templates/linkedin.txt.j2: warning CS207: hashtag #sicherheit is not in CamelCase, so "
        "screen readers cannot tell its words apart; capitalise the de translation of the "
        "string that writes it [de/linkedin]",
        "templates/x.txt.j2: warning CS207: hashtag #cybersecuritymonth is not in CamelCase, so "
        "screen readers cannot tell its words apart; capitalise it in the template [x]",
    ]


def test_text_a_template_s_base_writes_is_reported_at_the_base(repo: Repo) -> None:
    base = repo.root / "templates" / "_base.html.j2"
    imprint = '<p><a href="http://example.org/imprint">Imprint</a></p>\n</footer>'
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", imprint))
    repo.message("channels: [web, press]")
    assert sorted(set(repo.check())) == [  # each locale's, said once (checks.finish)
        f"templates/_base.html.j2: warning CS206: link http://example.org/imprint is not https; "
        f"fix it in the template [{channel}]"
        for channel in ("press", "web")
    ]
