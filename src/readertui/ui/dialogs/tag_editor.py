"""The tag editor: comma-separated tags, completed from the tags already in use.

Tags may be imported, so the title, the field, the completion and the known tags show them
literally; a tag holding a control character is shown with its symbol, and left as it was
unless the tags are edited.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from readertui.core.annotations import parse_tags, tag_key
from readertui.core.visible import visible_line
from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal
from readertui.ui.widgets.literal_fields import LiteralInput

MAX_SHOWN = 8


def _fragment(value: str) -> tuple[str, str]:
    """The text before the tag being typed, and the tag being typed."""
    head, _, last = value.rpartition(",")
    return (head + "," if head or value.startswith(",") else ""), last.lstrip()


def matching_tags(known: list[str], value: str) -> list[str]:
    """Known tags that complete the tag being typed (case-insensitive), not yet given.

    `value` is what the field shows, so tags are compared as they are shown.
    """
    _, typed = _fragment(value)
    given = {tag_key(tag) for tag in parse_tags(value.rpartition(",")[0])}
    wanted = tag_key(typed)
    matching = []
    for tag in known:
        key = tag_key(visible_line(tag))
        if key not in given and (not wanted or key.startswith(wanted)):
            matching.append(tag)
    return matching


class TagSuggester(Suggester):
    """Completes the last comma-separated tag from the known ones (→ accepts)."""

    def __init__(self, known: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known = known

    async def get_suggestion(self, value: str) -> str | None:
        head, typed = _fragment(value)
        if not typed:
            return None
        for tag in matching_tags(self.known, value):
            shown = visible_line(tag)
            if tag_key(shown) != tag_key(typed):
                spacer = " " if head else ""
                return f"{head}{spacer}{shown}"
        return None


class TagEditor(ModalScreen[tuple[str, ...]]):
    """Edit tags; enter, ctrl+s or escape saves and closes."""

    DEFAULT_CSS = (
        dialog_css("TagEditor", "#tags-dialog", "$accent")
        + """
    #tags-help, #tags-known {
        padding: 0;
    }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save the tags", id="tags-save"),
        Binding("escape", "save", "Save and close", show=False, id="tags-close"),
    ]

    def __init__(self, title: str, tags: tuple[str, ...], known: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.tags = tags
        self.known = known
        self._shown_tags: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog"):
            yield Static(literal(self.title_text, style="bold"), id="tags-title")
            yield LiteralInput(
                ", ".join(self.tags),
                placeholder="tags, comma-separated (place/Jiayuguan makes a hierarchy)",
                suggester=TagSuggester(self.known),
                id="tags-input",
            )
            yield Static(Text(""), id="tags-known")
            yield Static(
                Text("→ completes · enter, ctrl+s or escape saves and closes", style="dim"),
                id="tags-help",
            )

    def on_mount(self) -> None:
        field = self.query_one("#tags-input", Input)
        if field.value:
            field.value += ", "
        field.focus()
        field.cursor_position = len(field.value)
        self._shown_tags = parse_tags(field.value)
        self._show_known(field.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_known(event.value)

    def _show_known(self, value: str) -> None:
        matches = matching_tags(self.known, value)
        text = Text("Known tags: ", style="dim") if matches else Text("")
        text.append_text(literal(", ".join(matches[:MAX_SHOWN])))
        if len(matches) > MAX_SHOWN:
            text.append(f" … ({len(matches) - MAX_SHOWN} more)", style="dim")
        self.query_one("#tags-known", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        tags = parse_tags(self.query_one("#tags-input", Input).value)
        # Not edited: the tags as they were, not as they were shown.
        self.dismiss(self.tags if tags == self._shown_tags else tags)
