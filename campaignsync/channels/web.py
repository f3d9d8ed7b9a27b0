"""Web page: a standalone HTML page per message and locale, with its language alternates."""

from __future__ import annotations

from functools import cache

from campaignsync.channels import ChannelSpec, OutputSpec


@cache
def og_locale(gettext_name: str) -> str:
    """Return the Open Graph locale (``language_TERRITORY``) of a locale such as ``de``.

    Open Graph wants an underscore and a territory; a locale without one gets
    the territory CLDR finds most likely for its language (``de`` -> ``de_DE``,
    ``en`` -> ``en_US``, ``pt`` -> ``pt_BR``).
    """
    import babel

    parsed = babel.Locale.parse(gettext_name)
    territory = parsed.territory
    if territory is None:
        subtags = babel.core.get_global("likely_subtags")
        keys = (f"{parsed.language}_{parsed.script}", parsed.language)
        likely = next((subtags[key] for key in keys if key in subtags), "")
        territory = next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return f"{parsed.language}_{territory}" if territory else parsed.language


SPECS = (ChannelSpec("web", "Web page", (OutputSpec("html", html=True),)),)
