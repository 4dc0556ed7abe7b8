"""Every key of the app as data: the bindings, the help screen and the palette read this table.

One table keeps the keys (PRODUCT 4, the contract), the help screen, the footer and the
command palette in step: adding a key here adds it everywhere. Binding ids let a user keymap
rebind them later.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class KeySpec:
    """One key: what it is bound to, where, and how the help screen describes it."""

    keys: str  # Textual key names, comma-separated; "" for a command of the palette only
    action: str
    description: str
    group: str
    scope: str  # "app" (anywhere) or "reader" (when the reader has focus)
    label: str  # how the help screen and README write the key
    footer: bool = False
    palette: bool = True  # offered as a command in the palette
    short: str = ""  # the footer's word for it


# Group, scope and label of an action that has no key: it is run from the command palette.
PALETTE_ONLY = ("Exporting", "app", "ctrl+p")

KEYS: tuple[KeySpec, ...] = (
    # Panes
    KeySpec("1", "focus_pane('library')", "Focus the library pane", "Panes", "app", "1"),
    KeySpec("2", "focus_pane('reader')", "Focus the reader", "Panes", "app", "2"),
    KeySpec("3", "focus_pane('sidebar')", "Focus the sidebar", "Panes", "app", "3"),
    KeySpec("tab", "app.focus_next", "Next pane", "Panes", "app", "tab", palette=False),
    KeySpec(
        "shift+tab",
        "app.focus_previous",
        "Previous pane",
        "Panes",
        "app",
        "shift+tab",
        palette=False,
    ),
    KeySpec("f2", "toggle_pane('library')", "Show or hide the library pane", "Panes", "app", "F2"),
    KeySpec("f3", "toggle_pane('sidebar')", "Show or hide the sidebar", "Panes", "app", "F3"),
    # Moving
    KeySpec("j,down", "cursor_down", "Cursor down a line", "Moving", "reader", "j ↓"),
    KeySpec("k,up", "cursor_up", "Cursor up a line", "Moving", "reader", "k ↑"),
    KeySpec("h,left", "cursor_left", "Cursor left a character", "Moving", "reader", "h ←"),
    KeySpec("l,right", "cursor_right", "Cursor right a character", "Moving", "reader", "l →"),
    KeySpec("w", "word_next", "Next word", "Moving", "reader", "w"),
    KeySpec("b", "word_previous", "Previous word", "Moving", "reader", "b"),
    KeySpec("right_curly_bracket", "paragraph_next", "Next paragraph", "Moving", "reader", "}"),
    KeySpec(
        "left_curly_bracket", "paragraph_previous", "Previous paragraph", "Moving", "reader", "{"
    ),
    KeySpec("g,home", "document_start", "Start of the document", "Moving", "reader", "g home"),
    KeySpec("G,end", "document_end", "End of the document", "Moving", "reader", "G end"),
    KeySpec(
        "space,pagedown",
        "page_down",
        "Page down",
        "Moving",
        "reader",
        "space pgdn",
        footer=True,
        short="Page",
    ),
    KeySpec("pageup", "page_up", "Page up", "Moving", "reader", "pgup"),
    KeySpec("ctrl+d", "half_page_down", "Half a page down", "Moving", "reader", "ctrl+d"),
    KeySpec("ctrl+u", "half_page_up", "Half a page up", "Moving", "reader", "ctrl+u"),
    # Selecting and annotating
    KeySpec("v", "toggle_selection", "Start or cancel a selection", "Annotating", "reader", "v"),
    KeySpec("V", "select_paragraph", "Select the paragraph", "Annotating", "reader", "V"),
    KeySpec(
        "escape",
        "cancel_selection",
        "Cancel the selection",
        "Annotating",
        "reader",
        "escape",
        palette=False,
    ),
    KeySpec(
        "enter",
        "annotate('highlight')",
        "Highlight the selection",
        "Annotating",
        "reader",
        "enter",
    ),
    KeySpec(
        "n",
        "annotate('note')",
        "Write a note on the selection or highlight",
        "Annotating",
        "reader",
        "n",
        footer=True,
        short="Note",
    ),
    KeySpec(
        "t",
        "annotate('tags')",
        "Tag the selection, highlight or document",
        "Annotating",
        "reader",
        "t",
        short="Tags",
    ),
    KeySpec(
        "c",
        "annotate('color')",
        "Cycle the colour of the highlight",
        "Annotating",
        "reader",
        "c",
    ),
    KeySpec(
        "d", "annotate('delete')", "Delete the highlight (u undoes)", "Annotating", "reader", "d"
    ),
    KeySpec(
        "u", "annotate('undo')", "Undo the last annotation change", "Annotating", "reader", "u"
    ),
    KeySpec(
        "right_square_bracket", "highlight_next", "Next highlight", "Annotating", "reader", "]"
    ),
    KeySpec(
        "left_square_bracket",
        "highlight_previous",
        "Previous highlight",
        "Annotating",
        "reader",
        "[",
    ),
    KeySpec(
        "y",
        "annotate('copy')",
        "Copy the selection or highlight, with its citation",
        "Annotating",
        "reader",
        "y",
    ),
    KeySpec(
        "",
        "show_strays",
        "List annotations of documents not in the library",
        "Annotating",
        "app",
        "ctrl+p",
    ),
    # Finding
    KeySpec(
        "slash", "find", "Find in the document", "Finding", "app", "/", footer=True, short="Find"
    ),
    KeySpec(
        "o",
        "open_document",
        "Open a document by name",
        "Finding",
        "app",
        "o",
        footer=True,
        short="Open",
    ),
    # Exporting
    KeySpec(
        "e",
        "export_document",
        "Export this document's notes to Markdown",
        "Exporting",
        "app",
        "e",
    ),
    KeySpec("", "export_library", "Export the library's notes to Markdown", *PALETTE_ONLY),
    KeySpec("", "export_tag", "Export the notes with a tag to Markdown", *PALETTE_ONLY),
    KeySpec("", "export_json", "Export all annotations as JSON (W3C)", *PALETTE_ONLY),
    # Reading
    KeySpec("r", "toggle_reflow", "Reflow hard-wrapped lines on or off", "Reading", "app", "r"),
    KeySpec("plus", "wider", "Wider reading measure", "Reading", "app", "+"),
    KeySpec("minus", "narrower", "Narrower reading measure", "Reading", "app", "-"),
    # App
    KeySpec(
        "question_mark", "help", "Help: every key", "App", "app", "?", footer=True, short="Help"
    ),
    KeySpec("ctrl+p", "command_palette", "Command palette", "App", "app", "ctrl+p", palette=False),
    KeySpec(
        "",
        "retry_saving",
        "Retry saving what is not saved yet",
        "App",
        "app",
        "ctrl+p",
    ),
    KeySpec(
        "q", "quit", "Quit (everything is saved)", "App", "app", "q", footer=True, short="Quit"
    ),
)


def _bindings(scope: str) -> list[BindingType]:
    bindings: list[BindingType] = []
    for spec in KEYS:
        if spec.scope != scope or spec.action.startswith("app.") or spec.keys in ("", "ctrl+p"):
            continue
        binding_id = spec.action.split("(")[0] + (
            "-" + spec.action.split("'")[1] if "'" in spec.action else ""
        )
        bindings.append(
            Binding(
                spec.keys,
                spec.action,
                spec.short or spec.description,
                show=spec.footer,
                key_display=spec.label.split(" ")[0] if spec.footer else None,
                id=binding_id,
            )
        )
    return bindings


def reader_bindings() -> list[BindingType]:
    """Bindings of the reader view."""
    return _bindings("reader")


def app_bindings() -> list[BindingType]:
    """Bindings of the app (active whatever has focus, unless a widget uses the key)."""
    return _bindings("app")
