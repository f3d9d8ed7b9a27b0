"""Approved terms: the TBX reader (safe XML), the matching rule, and CS420-CS422."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, CliInvoke
from test_readability import check, msgstr, set_translation

from campaignsync.checks.terms import _findings, _rules
from campaignsync.l10n import glossary
from campaignsync.l10n.glossary import ADMITTED, DEPRECATED, PREFERRED, GlossaryError

PO_DE = "locales/de/LC_MESSAGES/messages.po"

TBX_2008 = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry id="IATE-1">
  <langSet xml:lang="en"><tig><term>password manager</term></tig></langSet>
  <langSet xml:lang="de">
    <tig><term>Passwort-Manager</term>
      <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
    <ntig><termGrp><term>Kennwort-Manager</term>
      <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termGrp></ntig>
    <tig><term>Passwortmanager</term>
      <termNote type="normativeAuthorization">admittedTerm</termNote></tig>
  </langSet>
</termEntry>
</body></text></martif>
"""

TBX_2019 = b"""<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Core" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
<text><body>
<conceptEntry id="c1">
  <langSec xml:lang="en"><termSec><term>passkey</term></termSec></langSec>
  <langSec xml:lang="fr"><termSec><term>cl\xc3\xa9 d'acc\xc3\xa8s</term>
    <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec></langSec>
</conceptEntry>
</body></text></tbx>
"""


def test_tbx_2008_and_2019_as_iate_and_tools_export_them() -> None:
    old = glossary.parse(TBX_2008, "g.tbx")
    assert [(c.id, c.terms) for c in old.concepts] == [
        (
            "IATE-1",
            (
                ("en", (glossary.Term("password manager", ADMITTED),)),
                (
                    "de",
                    (
                        glossary.Term("Passwort-Manager", PREFERRED),
                        glossary.Term("Kennwort-Manager", DEPRECATED),
                        glossary.Term("Passwortmanager", ADMITTED),
                    ),
                ),
            ),
        )
    ]
    new = glossary.parse(TBX_2019, "g.tbx")
    assert new.concepts[0].in_language("fr-CA") == (glossary.Term("clé d'accès", DEPRECATED),)
    assert new.concepts[0].in_language("de") == ()


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE m [\n<!ENTITY a "aaaaaaaaaa">\n'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<martif>&b;</martif>',
            "declares XML entities, which are refused for safety",
            3,
            id="billion-laughs",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b"<martif>&x;</martif>",
            "declares XML entities, which are refused for safety",
            2,
            id="external-entity",
        ),
        pytest.param(
            b"<martif>\n<text>\n</martif>", "not well-formed XML: mismatched tag", 3, id="broken"
        ),
        pytest.param(b"<html></html>", "not a TBX file: the root element is <html>", 1, id="html"),
    ],
)
def test_unsafe_or_broken_xml_is_refused_with_its_line(
    data: bytes, message: str, line: int
) -> None:
    with pytest.raises(GlossaryError) as caught:
        glossary.parse(data, "g.tbx")
    assert (str(caught.value), caught.value.line) == (message, line)


def test_a_glossary_that_is_too_large_or_missing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.tbx").write_bytes(b" " * (glossary.MAX_BYTES + 1))
    with pytest.raises(GlossaryError, match=r"big\.tbx is 8192 KiB; the limit is 8192 KiB"):
        glossary.read(tmp_path, "big.tbx")
    with pytest.raises(GlossaryError, match=r"none\.tbx does not exist"):
        glossary.read(tmp_path, "none.tbx")


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("password manager", "Two password managers", True),
        ("Passwort-Manager", "des Passwort-Managers", True),
        ("Passwort-Manager", "ein Open-Source-Passwortmanager", True),
        ("gestionnaire de mots de passe", "les gestionnaires de mots de passe", True),
        ("gestor de contraseñas", "los gestores de contraseñas", True),
        ("gestore di password", "i gestori di password", True),
        ("menedżer haseł", "z menedżerem haseł", True),
        ("uwierzytelnianie wieloskładnikowe", "uwierzytelniania wieloskładnikowego", True),
        ("wachtwoordbeheerder", "wachtwoordbeheerders", True),
        ("gestor de palavras-passe", "gestores de palavras-passe", True),
        ("phishing", "wiadomości phishingowej", True),
        ("passkey", "a password key", False),
        ("app", "approve the login", False),
        ("Passwort", "Superpasswort", False),
    ],
)
def test_terms_match_their_inflected_forms_by_the_documented_rule(
    term: str, text: str, found: bool
) -> None:
    assert glossary.occurs(term, text) is found


SAMPLE = glossary.read(ROOT, "locales/glossary.tbx")


@pytest.mark.parametrize(
    ("locale", "approved", "missing", "deprecated"),
    [
        (
            "de",
            "Nutzen Sie einen Passwort-Manager.",
            "Nutzen Sie ein Programm.",
            "Nutzen Sie einen Kennwort-Manager.",
        ),
        ("fr", "Utilisez un gestionnaire de mots de passe.", "Utilisez un coffre-fort.", None),
        ("es", "Usa un gestor de contraseñas.", "Usa un programa.", None),
        ("it", "Usa un gestore di password.", "Usa un programma.", None),
        ("pl", "Używaj menedżera haseł.", "Używaj programu.", "Używaj menadżera haseł."),
        ("nl", "Gebruik een wachtwoordbeheerder.", "Gebruik een programma.", None),
        (
            "pt-PT",
            "Use um gestor de palavras-passe.",
            "Use um programa.",
            "Use um gestor de senhas.",
        ),
    ],
)
def test_each_language_follows_the_sample_glossary(
    locale: str, approved: str, missing: str, deprecated: str | None
) -> None:
    rules = _rules(SAMPLE.concepts, "en", locale)
    key = ("m:summary", "Use a password manager.")
    assert list(_findings(key, approved, rules)) == []
    assert [code for code, _ in _findings(key, missing, rules)] == ["CS421"]
    if deprecated:
        assert [code for code, _ in _findings(key, deprecated, rules)] == ["CS422"]


def test_a_deprecated_term_is_reported_at_its_po_line(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    title = "password-manager:title"
    text = msgstr(sample_repo, "de", title).replace("Passwort-Manager", "Kennwort-Manager")
    line = set_translation(sample_repo, "de", title, text)
    result = check(cli_invoke, sample_repo)
    assert result.stdout == (
        f"{PO_DE}:{line}: warning CS422: password-manager:title: 'Kennwort-Manager' is a "
        "deprecated term for 'password manager'; use 'Passwort-Manager' (preferred) or "
        "'Passwortmanager' [de]\n"
    )
    set_translation(sample_repo, "de", title, "Ein Programm merkt sich Ihre Passwörter")
    assert (
        f"{PO_DE}:{line}: warning CS421: password-manager:title: the source says 'password "
        "manager' but the translation uses none of the approved terms for it: expected "
        "'Passwort-Manager' (preferred) or 'Passwortmanager' [de]"
        in check(cli_invoke, sample_repo).stdout
    )


def test_an_unusable_glossary_is_an_error_at_its_line(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    (sample_repo / "locales" / "glossary.tbx").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE m [\n<!ENTITY a "x">\n]>\n<martif>&a;</martif>\n'
    )
    result = check(cli_invoke, sample_repo, expect=1)
    assert result.stdout.startswith(
        "locales/glossary.tbx:3: error CS420: the glossary cannot be used: declares XML "
        "entities, which are refused for safety\n"
    )


@pytest.mark.parametrize("value", ["../glossary.tbx", "/etc/glossary.tbx", "locales/terms.xml"])
def test_the_glossary_setting_must_name_a_tbx_file_inside_the_repository(
    sample_repo: Path, value: str
) -> None:
    from campaignsync.load.config import load_config

    config = sample_repo / "campaignsync.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('glossary = "locales/glossary.tbx"', f'glossary = "{value}"'))
    loaded, found = load_config(sample_repo)
    assert loaded is None
    assert [d.text for d in found] == [
        "translation.glossary must be a .tbx file inside the repository, such as "
        f"'locales/glossary.tbx', not {value!r}"
    ]
