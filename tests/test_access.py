"""Accessibility of posts (CS410-CS415): emoji, capitals, vague links, alt text, look-alikes."""

from __future__ import annotations

import pytest
from conftest import CliInvoke
from test_readability import check, msgstr, set_translation

from campaignsync.checks.access import VAGUE_LINKS, _post_findings

KICKOFF = "content/messages/2026/kickoff.md"


def codes(text: str, locale: str = "en", most: int = 3) -> list[str]:
    return [code for code, *_ in _post_findings(text, locale, most)]


def test_emoji_over_the_configured_number() -> None:
    assert codes("Update today 🔒 📱 💻") == []
    assert codes("Update today 🔒 📱 💻 ✅") == ["CS410"]
    assert codes("Update today 🔒 📱 💻 ✅", most=4) == []
    # A family joined by ZWJ, a flag and a keycap are one emoji each; © and ™ are not emoji.
    assert codes("Families 👨‍👩‍👧 🇪🇺 1️⃣ © ™") == []


def test_emoji_as_bullets_or_words() -> None:
    assert codes("Three steps:\n✅ a long password\n✅ two-step login") == ["CS411"]
    assert codes("Three steps:\n- a long password\n- two-step login ✅") == []
    assert codes("Protect your 🔑 today") == ["CS411"]
    assert codes("Protect your keys today 🔑") == []
    assert codes("Schützen Sie Ihr 📱 heute") == ["CS411"]
    assert codes("Schützen Sie heute Ihr Smartphone 📱") == []


@pytest.mark.parametrize(
    ("shouted", "fine"),
    [
        ("Update NOW before it is TOO LATE", "Update now: the EU and ENISA say so"),
        ("Aktualisieren Sie SOFORT", "Die EU und das BSI raten es"),
        ("Mettez à jour MAINTENANT", "L'ANSSI et la CNIL le conseillent"),
        ("Zaktualizuj NATYCHMIAST", "CERT Polska i NASK radzą"),
    ],
)
def test_words_in_capitals_beyond_acronyms(shouted: str, fine: str) -> None:
    assert codes(shouted) == ["CS412"]
    assert codes(fine) == []
    assert codes("#JointCyberMonth #STAYSAFEONLINE https://EXAMPLE.ORG/ABCDEFG") == []


@pytest.mark.parametrize(
    ("locale", "vague", "clear"),
    [
        (
            "en",
            "Click here: https://campaign.example.org",
            "Our tips: https://campaign.example.org",
        ),
        (
            "de",
            "Hier klicken: https://campaign.example.org",
            "Unsere Tipps: https://campaign.example.org",
        ),
        (
            "fr",
            "Cliquez ici : https://campaign.example.org",
            "Nos conseils : https://campaign.example.org",
        ),
        (
            "es",
            "Haz clic aquí: https://campaign.example.org",
            "Nuestros consejos: https://campaign.example.org",
        ),
        (
            "it",
            "Clicca qui: https://campaign.example.org",
            "I nostri consigli: https://campaign.example.org",
        ),
        (
            "nl",
            "Klik hier: https://campaign.example.org",
            "Onze tips: https://campaign.example.org",
        ),
        (
            "pl",
            "Kliknij tutaj: https://campaign.example.org",
            "Nasze porady: https://campaign.example.org",
        ),
        (
            "pt-PT",
            "Clique aqui: https://campaign.example.org",
            "As nossas dicas: https://campaign.example.org",
        ),
    ],
)
def test_vague_link_text_in_each_language(locale: str, vague: str, clear: str) -> None:
    assert codes(vague, locale) == ["CS413"]
    assert codes(clear, locale) == []


def test_every_language_with_a_vague_link_list_is_tested() -> None:
    assert sorted(VAGUE_LINKS) == ["de", "en", "es", "fr", "it", "nl", "pl", "pt"]


@pytest.mark.parametrize(
    "fancy",
    [
        "Turn on 𝐛𝐨𝐥𝐝 login",  # mathematical bold
        "Turn on 𝘪𝘵𝘢𝘭𝘪𝘤 login",  # mathematical sans-serif italic
        "Turn on ｗｉｄｅ login",  # full-width
        "Turn on ⓒⓘⓡⓒⓛⓔⓓ login",  # circled
        "Turn on ᴛᴡᴏ-sᴛᴇᴘ login",  # small capitals
        "Log in to Pаypal",  # Cyrillic а inside a Latin word
    ],
)
def test_letter_look_alikes_are_errors(fancy: str) -> None:
    assert codes(fancy) == ["CS415"]


def test_real_letters_of_every_language_are_not_look_alikes() -> None:
    for text in ("Zwei Schritte für Ihr Konto", "1ª edição, nº 2", "Włącz logowanie dwuetapowe",
                 "Ενεργοποιήστε τον έλεγχο", "Включите вход в два этапа", "m² und H₂O"):  # fmt: skip
        assert codes(text) == [], text
    assert codes("ＡＢＣ の パスワード", "ja") == []


def test_a_post_with_bold_letters_gets_its_error_at_the_po_line(
    cli_invoke: CliInvoke, small_repo
) -> None:
    line = set_translation(
        small_repo,
        "de",
        "kickoff:posts.sms",
        msgstr(small_repo, "de", "kickoff:posts.sms").replace("Wochen", "𝐖𝐨𝐜𝐡𝐞𝐧"),
    )
    result = check(cli_invoke, small_repo, expect=1)
    assert [x for x in result.stdout.splitlines() if "CS415" in x] == [
        f"{KICKOFF}:16: error CS415: '𝐖𝐨𝐜𝐡𝐞𝐧' is not made of letters but of look-alike symbols "
        "(U+1D416 MATHEMATICAL BOLD CAPITAL W): screen readers read them one by one by their "
        "names and search does not find them; write 'Wochen'; rewrite kickoff:posts.sms in "
        f"locales/de/LC_MESSAGES/messages.po:{line} [de/sms]"
    ]


def test_alt_text_that_is_the_file_name_or_untranslated(cli_invoke: CliInvoke, small_repo) -> None:
    path = small_repo / KICKOFF
    text = path.read_text(encoding="utf-8")
    alt = '"A white padlock on a dark blue background above a yellow band"'
    path.write_text(text.replace(alt, "kickoff"))
    found = [x for x in check(cli_invoke, small_repo).stdout.splitlines() if "CS414" in x]
    assert found[0].startswith(
        f"{KICKOFF}:14: warning CS414: the image's alt text 'kickoff' is its file name: it tells "
        "a screen reader user nothing; describe what the image shows; fix the image alt text"
    )
    path.write_text(text)
    line = set_translation(small_repo, "de", "kickoff:image.alt", "")
    found = [x for x in check(cli_invoke, small_repo).stdout.splitlines() if "CS414" in x]
    assert (
        f"{KICKOFF}:14: warning CS414: the image's alt text is not translated: screen readers "
        "read the en description of a post in de with the voice of de; translate kickoff:image.alt in "
        f"locales/de/LC_MESSAGES/messages.po:{line} [de]"
    ) in found


def set_string(repo, locale: str, source: str, text: str) -> int:  # type: ignore[no-untyped-def]
    """Set the translation of a template string (no msgctxt); return its msgstr line."""
    po = repo / "locales" / locale / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgid "{source}"') + 1
    lines[at] = f'msgstr "{text}"'
    po.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def prefix_x(repo, text: str) -> None:  # type: ignore[no-untyped-def]
    """Put ``text`` before what the sample's X template writes."""
    template = repo / "templates" / "x.txt.j2"
    template.write_text(text + template.read_text(encoding="utf-8"), encoding="utf-8")


def post_findings(cli_invoke: CliInvoke, repo, code: str, expect: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    said = check(cli_invoke, repo, expect=expect).stdout
    return [x for x in said.splitlines() if code in x]


def test_capitals_a_template_string_s_translation_wrote_are_reported_once_at_the_template(
    cli_invoke: CliInvoke, small_repo
) -> None:
    # Every message's LinkedIn post ends with the template string "Read more:": its
    # translation is the one place to fix, not each message's summary. The English
    # post does not shout: the German translation of one of the template's strings does.
    set_string(small_repo, "de", "Read more:", "JETZT LESEN:")
    assert post_findings(cli_invoke, small_repo, "CS412") == [
        "templates/linkedin.txt.j2: warning CS412: 'JETZT LESEN' is written in capitals: "
        "screen readers may spell it letter by letter and it reads as shouting; write it in "
        "lower case (acronyms of up to 5 letters are fine); rewrite the de translation of the "
        "string that writes it [de/linkedin]"
    ]


def test_a_template_string_es_us_takes_from_es_is_reported_for_each_locale_once(
    cli_invoke: CliInvoke, small_repo
) -> None:
    set_string(small_repo, "es", "Read more:", "LEER AHORA:")
    set_string(small_repo, "es_US", "Read more:", "")  # falls back to es
    assert post_findings(cli_invoke, small_repo, "CS412") == [
        "templates/linkedin.txt.j2: warning CS412: 'LEER AHORA' is written in capitals: "
        "screen readers may spell it letter by letter and it reads as shouting; write it in "
        f"lower case (acronyms of up to 5 letters are fine); rewrite the {tag} translation of "
        f"the string that writes it [{tag}/linkedin]"
        for tag in ("es", "es-US")
    ]


def test_a_hashtag_of_the_front_matter_is_reported_at_it_not_at_a_template(
    cli_invoke: CliInvoke, small_repo
) -> None:
    path = small_repo / KICKOFF
    path.write_text(path.read_text(encoding="utf-8").replace("StrongPasswords", "StrongPаsswords"))
    found = post_findings(cli_invoke, small_repo, "CS415", expect=1)
    assert len(found) == 1 and found[0].startswith(
        f"{KICKOFF}:13: error CS415: '#StrongPаsswords' mixes Latin letters with Cyrillic"
    ), found
    assert found[0].endswith("; rewrite the hashtags"), found


def test_too_many_emoji_are_the_post_s_even_when_the_template_adds_one(
    cli_invoke: CliInvoke, small_repo
) -> None:
    template = small_repo / "templates" / "x.txt.j2"
    mine = template.read_text(encoding="utf-8")
    template.write_text("📢 " + mine, encoding="utf-8")
    path = small_repo / KICKOFF
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: 🔐 🛡️ ✅ ", 1), encoding="utf-8")
    found = post_findings(cli_invoke, small_repo, "CS410")
    assert found and all(f.startswith(f"{KICKOFF}:") and "trim the summary" in f for f in found)
    path.write_text(text, encoding="utf-8")  # four emoji, every one the template's
    template.write_text("📢 🔐 🛡️ ✅ " + mine, encoding="utf-8")
    found = post_findings(cli_invoke, small_repo, "CS410")
    assert found == [
        "templates/x.txt.j2: warning CS410: 4 emoji (📢 🔐 🛡️ ✅), more than the 3 allowed "
        "([accessibility] max_emoji): screen readers read out each one's name; trim it in the "
        "template [x]"
    ]


def test_capitals_a_template_wrote_itself_are_reported_once_at_the_template(
    cli_invoke: CliInvoke, small_repo
) -> None:
    prefix_x(small_repo, "READ THIS NOW ")
    assert post_findings(cli_invoke, small_repo, "CS412") == [
        "templates/x.txt.j2: warning CS412: 'READ THIS NOW' is written in capitals: screen "
        "readers may spell it letter by letter and it reads as shouting; write it in lower "
        "case (acronyms of up to 5 letters are fine); rewrite it in the template [x]"
    ]


def test_text_not_in_nfc_that_a_template_writes_is_reported_once(
    cli_invoke: CliInvoke, small_repo
) -> None:
    prefix_x(small_repo, "Cafe\u0301 ")
    assert post_findings(cli_invoke, small_repo, "CS208") == [
        "templates/x.txt.j2: warning CS208: text not in Unicode NFC: U+0065 U+0301 is the "
        "single character 'é' (U+00E9) in NFC; platforms that do not normalise count it "
        "longer, and search and matching treat the two forms as different text; normalise it "
        "in the template [x]"
    ]


def test_vague_link_text_in_the_body_is_reported_at_the_body(
    cli_invoke: CliInvoke, small_repo
) -> None:
    # A post made from the body reads "Click here (https://...)": the finding was sent to
    # the template, which holds no "click here", when the body's line is the one to fix.
    kickoff = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    text = kickoff.read_text(encoding="utf-8").rstrip("\n")
    kickoff.write_text(text + "\n\nClick [here](https://example.org/more) for more.\n", "utf-8")
    line = text.count("\n") + 3
    found = post_findings(cli_invoke, small_repo, "CS413")
    assert found and all(x.startswith(f"content/messages/2026/kickoff.md:{line}: ") for x in found)
    assert all("rewrite the body" in x for x in found), found
