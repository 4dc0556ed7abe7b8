"""Lists of choices in the command palette (documents to open, annotations, tags), shown
literally.

Textual's own `SimpleCommand` list and `Matcher.highlight` read each name as markup, so a
title `[reverse]X` is drawn reversed and `Bad [link=http://x]markup` crashes the app. Here the
hits are built from `Content` made of the visible text, the letters the query matched are
styled by their offsets, and the help line is `Content` too: nothing from a file is parsed.
The app's own palette provider (`readertui.ui.commands`) builds its hits the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from textual.app import App
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.widget import AwaitMount

from readertui.core.visible import visible_line


@dataclass(frozen=True)
class Choice:
    """One entry of a list: the name shown and matched, what choosing it does, a help line,
    and more words it is found by (`also`: authors, file name, tags…) when the name is not."""

    name: str
    action: Callable[[], object]
    help: str = ""
    also: str = ""


def _help(text: str) -> str | None:
    if not text:
        return None
    # The palette passes a help string through Content.from_markup, which returns Content
    # as it is: so the help is drawn literally, though Hit declares it a str.
    return cast(str, Content(visible_line(text)))


#: How much less a match in a choice's other words counts than one in its name.
_ALSO_WEIGHT = 0.8


def choice_hit(
    matcher: Matcher, name: str, action: Callable[[], object], help: str = "", also: str = ""
) -> Hit | None:
    """A palette hit for `name` if the query matches it, its matched letters highlighted;
    else if it matches `also` (the name's other words: authors, file name, tags)."""
    shown = visible_line(name)
    score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    if score <= 0 and also:
        other, _ = matcher.fuzzy_search.match(matcher.query, visible_line(also))
        if other > 0:
            return Hit(other * _ALSO_WEIGHT, Content(shown), action, text=shown, help=_help(help))
    if score <= 0:
        return None
    content = Content(shown)
    for offset in offsets:
        if not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return Hit(score, content, action, text=shown, help=_help(help))


def discovery_hit(name: str, action: Callable[[], object], help: str = "") -> DiscoveryHit:
    """A palette entry listed before anything is typed."""
    shown = visible_line(name)
    return DiscoveryHit(Content(shown), action, text=shown, help=_help(help))


class ChoicesProvider(Provider):
    """Offers `choices`; `offer_choices` makes a subclass holding the list it is given."""

    choices: ClassVar[tuple[Choice, ...]] = ()

    async def discover(self) -> Hits:
        for choice in self.choices:
            yield discovery_hit(choice.name, choice.action, choice.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for choice in self.choices:
            hit = choice_hit(matcher, choice.name, choice.action, choice.help, choice.also)
            if hit is not None:
                yield hit


def offer_choices(app: App[Any], choices: Iterable[Choice], placeholder: str) -> AwaitMount:
    """Open the palette on `choices` alone; choosing one runs its action."""
    # The palette takes provider classes and builds them itself: a class per list.
    provider = type("OfferedChoices", (ChoicesProvider,), {"choices": tuple(choices)})
    return app.push_screen(
        CommandPalette(providers=[provider], placeholder=visible_line(placeholder))
    )
