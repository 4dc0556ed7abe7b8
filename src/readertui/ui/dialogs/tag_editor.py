"""The tag editor: comma-separated tags, completed from the tags already in use."""

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

MAX_SHOWN = 8


def _fragment(value: str) -> tuple[str, str]:
    """The text before the tag being typed, and the tag being typed."""
    head, _, last = value.rpartition(",")
    return (head + "," if head or value.startswith(",") else ""), last.lstrip()


def matching_tags(known: list[str], value: str) -> list[str]:
    """Known tags that complete the tag being typed (case-insensitive), not yet given."""
    _, typed = _fragment(value)
    given = {tag_key(tag) for tag in parse_tags(value.rpartition(",")[0])}
    wanted = tag_key(typed)
    return [
        tag
        for tag in known
        if tag_key(tag) not in given and (not wanted or tag_key(tag).startswith(wanted))
    ]


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
            if tag_key(tag) != tag_key(typed):
                spacer = " " if head else ""
                return f"{head}{spacer}{tag}"
        return None


class TagEditor(ModalScreen[tuple[str, ...]]):
    """Edit tags; enter, ctrl+s or escape saves and closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save the tags", id="tags-save"),
        Binding("escape", "save", "Save and close", show=False, id="tags-close"),
    ]

    def __init__(self, title: str, tags: tuple[str, ...], known: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.tags = tags
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog"):
            yield Static(Text(self.title_text, style="bold"), id="tags-title")
            yield Input(
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
        self._show_known(field.value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_known(event.value)

    def _show_known(self, value: str) -> None:
        matches = matching_tags(self.known, value)
        text = Text("Known tags: ", style="dim") if matches else Text("")
        text.append(", ".join(matches[:MAX_SHOWN]))
        if len(matches) > MAX_SHOWN:
            text.append(f" … ({len(matches) - MAX_SHOWN} more)", style="dim")
        self.query_one("#tags-known", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(parse_tags(self.query_one("#tags-input", Input).value))
