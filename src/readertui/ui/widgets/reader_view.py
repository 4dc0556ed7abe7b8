"""The reader: a virtualised, soft-wrapped view of one document with a cursor.

Only the rows on screen are wrapped and painted (Textual's Line API): the view keeps the row
at the top of the screen and the cursor offset, and asks `TextLayout` for the rows around
them. Nothing depends on the size of the document, so a 100 MB text pages as fast as a
short one. Text is painted as plain segments, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, NamedTuple, Protocol

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from readertui.core.annotations import Annotation
from readertui.core.document import Document
from readertui.core.highlight_index import HighlightIndex
from readertui.core.location import Location
from readertui.core.motion import (
    next_paragraph_start,
    next_word_start,
    paragraph_end,
    paragraph_start,
    previous_paragraph_start,
    previous_word_start,
)
from readertui.core.open_document import OpenDocument
from readertui.core.textlayout import Row, RowRef, TextLayout, cell_width, hard_wrap_column
from readertui.ui.keymap import reader_bindings

if TYPE_CHECKING:
    from readertui.core.find import TextFinder
    from readertui.formats import Styler
    from readertui.ui.widgets.markdown_styles import MarkdownStyles
    from readertui.ui.widgets.reader_styles import ReaderStyles

# Rows of context kept above a jump target, so the reader sees where they landed.
_JUMP_CONTEXT = 3
# Columns kept free at either side of the text on a narrow screen: the ✎ and its space.
NOTE_GUTTER = 2


class Jumps(Protocol):
    """The one way to jump (it keeps the jump history): the reader's `g` `G` `]` `[` use it."""

    def jump_within(self, offset: int) -> None: ...


class ReaderPosition(NamedTuple):
    """Where the cursor is, for the status line."""

    offset: int
    length: int
    line: int
    lines: int
    selecting: bool = False
    #: The cursor's screen row among the rows its line (or reflowed paragraph) wraps into.
    row: int = 1
    rows: int = 1

    @property
    def percent(self) -> int:
        if self.length == 0:
            return 100
        return min(100, round(100 * self.offset / self.length))


class ReaderView(Widget, can_focus=True):
    """Shows one document, wrapped to a comfortable measure, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = reader_bindings()

    # The cursor only: the styles of highlights, notes, the selection and find's matches are
    # held by a ReaderStyles mounted when one is first painted (see reader_styles).
    COMPONENT_CLASSES: ClassVar[set[str]] = {"reader-view--cursor"}

    class CursorMoved(Message):
        """The cursor moved (or a document was opened): the status line follows."""

        def __init__(self, view: ReaderView, position: ReaderPosition) -> None:
            super().__init__()
            self.view = view
            self.position = position

        @property
        def control(self) -> ReaderView:
            return self.view

    class AnnotationKey(Message):
        """An annotation key was pressed: the screen does the work (store, editors, undo).

        Each key has its own subclass, so each reaches its own handler. `selection` is the
        selected span (None when nothing is selected) and `highlight` the highlight under
        the cursor (None when there is none).
        """

        def __init__(
            self,
            view: ReaderView,
            selection: tuple[int, int] | None,
            highlight: Annotation | None,
        ) -> None:
            super().__init__()
            self.view = view
            self.selection = selection
            self.highlight = highlight

        @property
        def control(self) -> ReaderView:
            return self.view

    class HighlightAsked(AnnotationKey):
        """`enter`: highlight the selection."""

    class NoteAsked(AnnotationKey):
        """`n`: note the selection (highlighting it) or the highlight."""

    class TagsAsked(AnnotationKey):
        """`t`: tag the selection (highlighting it), the highlight, or the document."""

    class ColorAsked(AnnotationKey):
        """`c`: the next colour, of the highlight or of new highlights."""

    class DeleteAsked(AnnotationKey):
        """`d`: delete the highlight."""

    class UndoAsked(AnnotationKey):
        """`u`: take the last annotation change back."""

    class CopyAsked(AnnotationKey):
        """`y`: copy the selection or highlight with its citation."""

    class LinkAsked(AnnotationKey):
        """`L`: link the highlight (or the selection, highlighting it) to another annotation."""

    def __init__(
        self,
        *,
        reading_width: int = 88,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.reading_width = reading_width
        #: The open document as the screen handed it over (the reader keeps no copy).
        self.opened: OpenDocument | None = None
        self.document: Document | None = None
        #: Where jumps go through; None: the reader moves itself (a reader on its own).
        self.jumps: Jumps | None = None
        self.text_layout: TextLayout | None = None
        self.reflow = False
        self.cursor = 0
        self._top = RowRef(0, 0)
        self._preferred_column: int | None = None
        self._screen_rows: list[Row] | None = None
        self._styler: Styler | None = None  # for formats that style their text
        self._markdown_styles: MarkdownStyles | None = None  # mounted when first needed
        self._marking_styles: ReaderStyles | None = None  # mounted when first needed
        self._finder: TextFinder | None = None
        self._current_match: tuple[int, int] | None = None
        # A passage a jump was made to (a cross-reference, a search result): marked, in the
        # colour of find's current match, until the cursor leaves it. (document, start, end)
        self._marked: tuple[str, int, int] | None = None
        self._styles: dict[str, Style] = {}
        self._base_style: Style | None = None  # while render_lines runs
        self._wrap_column: int | None = None
        # Whether the status line has heard of the current document's position.
        self._announced = False
        # Where a selection started (visual mode); None when nothing is selected.
        self.selection_anchor: int | None = None
        self.highlights = HighlightIndex(())
        # Line number of `_line_offset`, so the status line counts newlines incrementally.
        self._line_offset = 0
        self._line_number = 1
        self._lines: int | None = 1
        self._announcing = False
        #: Told of each move as it happens, so what follows the cursor (the status line, the
        #: Cross-refs tab) is painted in the same frame as the cursor itself; a message would
        #: reach the screen a frame later. None: a CursorMoved message is posted instead.
        self.position_listener: Callable[[ReaderPosition], None] | None = None
        # The top of the screen asked for with the document, placed once it is laid out.
        self._pending_top: int | None = None

    # -- documents ----------------------------------------------------------------------------

    def show_document(
        self, opened: OpenDocument, offset: int = 0, reflow: str = "auto", top: int | None = None
    ) -> None:
        """Show the document with the cursor at `offset` (and the row holding `top` at the
        top of the screen, when given); reflow is "auto", "on" or "off"."""
        document = opened.document
        self.document = document
        self.opened = opened
        text = document.text
        # A format that does not reflow (its line breaks are its layout) is never reflowed.
        self._wrap_column = hard_wrap_column(text) if document.kind.reflows else None
        if reflow == "auto":
            self.reflow = self._wrap_column is not None
        else:
            self.reflow = reflow == "on"
        self._styler = document.styler()
        if self._styler is not None and self._markdown_styles is None:
            # Their CSS is resolved now: a plain text's first screen goes without.
            from readertui.ui.widgets.markdown_styles import MarkdownStyles

            self._markdown_styles = MarkdownStyles()
            self.mount(self._markdown_styles)
        self._finder = None
        self._current_match = None
        self.selection_anchor = None
        self.highlights = opened.highlight_index()
        self._pending_top = top
        # Counted when the position is first asked for, after the first screen is painted
        # (see _changed): a long text's newlines take a moment to count.
        self._lines = None
        self._line_offset, self._line_number = 0, 1
        self.text_layout = None
        self._announced = False
        self.cursor = min(max(offset, 0), len(text))
        if self.size.width:
            self._layout_at_cursor()
        # Otherwise the first Resize lays the text out, at the width it will be painted at.

    def _layout_at_cursor(self) -> None:
        self._place_layout_at_cursor()
        self._changed()

    def _place_layout_at_cursor(self) -> None:
        """Lay the text out at the current width with the cursor's row in view."""
        self._build_layout()
        self.cursor = self._clamp(self.cursor)
        top, self._pending_top = self._pending_top, None
        if top is not None:
            self._set_top(self._text_layout().locate(self._clamp(top)))
            self._ensure_cursor_visible(_JUMP_CONTEXT)
        else:
            self._place_top(self._text_layout().locate(self.cursor), context=_JUMP_CONTEXT)

    def set_reflow(self, reflow: bool) -> None:
        """Turn reflow of hard-wrapped paragraphs on or off, keeping the cursor in view."""
        if self.document is None or reflow == self.reflow:
            return
        self.reflow = reflow
        if self.text_layout is not None:
            self._layout_at_cursor()

    def set_reading_width(self, width: int) -> None:
        self.reading_width = width
        self._rewrap()

    @property
    def text_width(self) -> int:
        """Columns the text wraps at: the reading measure, or less on a narrow screen."""
        # Two columns are kept on either side: on the left for the ✎ of a highlight with a
        # note (it needs a column and a space), on the right for the cursor when it rests
        # past the end of a row.
        return max(8, min(self.reading_width, self.size.width - 2 * NOTE_GUTTER))

    @property
    def left_margin(self) -> int:
        return max(0, (self.size.width - self.text_width) // 2)

    @property
    def note_marks_shown(self) -> bool:
        """Whether the margin has room for the ✎ beside a highlight with a note."""
        return self.left_margin >= NOTE_GUTTER

    def _build_layout(self) -> None:
        if self.document is None:
            return
        self.text_layout = TextLayout(
            self.document.text,
            self.text_width,
            reflow=self.reflow,
            kind=self.document.kind,
            wrap_column=self._wrap_column,
        )
        self._screen_rows = None

    def _text_layout(self) -> TextLayout:
        assert self.text_layout is not None, "no document shown"
        return self.text_layout

    def _rewrap(self) -> None:
        """Wrap again at the current width, keeping the top row's text at the top."""
        if self.document is None:
            return
        layout = self.text_layout
        if layout is None:
            self._layout_at_cursor()
            return
        if layout.width == self.text_width:
            if not self._announced:
                self._changed()  # laid out while painting: the status line still needs it
            return
        top_offset = layout.row(self._top).start
        self._build_layout()
        self._top = self._text_layout().locate(top_offset)
        self._ensure_cursor_visible()
        self._changed()

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    # -- state helpers ------------------------------------------------------------------------

    def _clamp(self, offset: int) -> int:
        return min(max(offset, 0), self._text_layout().max_offset)

    def _changed(self) -> None:
        self._screen_rows = None
        self._announced = True
        marked = self._marked
        document = self.document
        here = document.rel_path if document is not None else None
        if marked is not None and marked[0] == here and not marked[1] <= self.cursor <= marked[2]:
            self._marked = None  # the cursor left the passage jumped to
        self.refresh()
        if self.document is None:
            return
        if self._lines is None:
            # A document just shown: the status line shows its position after the text's
            # first screen is painted (as it would anyway: the message is handled after it),
            # and the lines are counted only then.
            if not self._announcing:
                self._announcing = True
                self.call_after_refresh(self._announce)
            return
        self._tell_position()

    def _announce(self) -> None:
        self._announcing = False
        if self.document is not None:
            self._tell_position()

    def _tell_position(self) -> None:
        listener = self.position_listener
        if listener is not None:
            listener(self.position)
        else:
            self.post_message(self.CursorMoved(self, self.position))

    @property
    def position(self) -> ReaderPosition:
        text = self.document.text if self.document else ""
        lines = self._lines
        if lines is None:
            lines = self._lines = (
                text.count("\n") + (0 if text.endswith("\n") else 1) if text else 1
            )
        if self.cursor >= self._line_offset:
            self._line_number += text.count("\n", self._line_offset, self.cursor)
        else:
            self._line_number -= text.count("\n", self.cursor, self._line_offset)
        self._line_offset = self.cursor
        row, rows = 1, 1
        layout = self.text_layout
        if layout is not None:
            # The block's rows are cached: the cursor's row is on screen, so this is cheap.
            ref = layout.locate(self.cursor)
            row, rows = ref.index + 1, len(layout.rows(layout.block_at(ref.block_start)))
        return ReaderPosition(
            self.cursor,
            len(text),
            self._line_number,
            lines,
            self.selection_anchor is not None,
            row,
            rows,
        )

    @property
    def top_offset(self) -> int:
        """The offset at the start of the first row on screen."""
        return self._text_layout().row(self._top).start if self.text_layout else 0

    def screen_rows(self) -> list[Row]:
        """The rows currently on screen, top to bottom."""
        if self.text_layout is None:
            if self.document is None or not self.size.width:
                return []
            # Painted before the first Resize message: lay out now, so the very first frame
            # already shows the text (the Resize that follows finds nothing to do).
            self._place_layout_at_cursor()
        if self._screen_rows is None:
            layout = self._text_layout()
            self._screen_rows = layout.rows_from(self._top, max(1, self.size.height))
        return self._screen_rows

    def _page_height(self) -> int:
        return max(1, self.size.height)

    def _is_above(self, first: RowRef, second: RowRef) -> bool:
        layout = self._text_layout()
        return layout.row(first).start < layout.row(second).start

    def _max_top(self) -> RowRef:
        return self._text_layout().step(self._text_layout().last_row(), -(self._page_height() - 1))

    def _set_top(self, top: RowRef) -> None:
        max_top = self._max_top()
        self._top = max_top if self._is_above(max_top, top) else top
        self._screen_rows = None

    def _place_top(self, ref: RowRef, context: int) -> None:
        """Scroll so that row `ref` shows with `context` rows above it (when it is off screen)."""
        self._set_top(self._text_layout().step(ref, -context))

    def _ensure_cursor_visible(self, context: int | None = None) -> None:
        layout = self._text_layout()
        ref = layout.locate(self.cursor)
        height = self._page_height()
        if self._is_above(ref, self._top):
            self._place_top(ref, 0 if context is None else context)
        elif layout.distance(self._top, ref, height - 1) is None:
            if context is None:
                self._set_top(layout.step(ref, -(height - 1)))
            else:
                self._place_top(ref, context)

    @property
    def location(self) -> Location | None:
        """Where the reader is: the document, the cursor, and the first offset on screen."""
        if self.document is None:
            return None
        top = self.top_offset if self.text_layout is not None else self._pending_top
        return Location(self.document.rel_path, self.cursor, top)

    def show_location(self, location: Location) -> None:
        """Put the cursor at the location's offset with its top row at the top (if given)."""
        if self.text_layout is None:
            self.cursor = max(0, location.offset)
            self._pending_top = location.top
            return
        self.cursor = self._clamp(location.offset)
        self._preferred_column = None
        if location.top is not None:
            self._set_top(self._text_layout().locate(self._clamp(location.top)))
            self._ensure_cursor_visible(_JUMP_CONTEXT)
        else:
            self._ensure_cursor_visible(_JUMP_CONTEXT)
        self._changed()

    def _jump(self, offset: int) -> None:
        """A jump within the document: through the jump history when there is one."""
        if self.jumps is not None:
            self.jumps.jump_within(offset)
        else:
            self.move_cursor(offset, jump=True)

    def move_cursor(self, offset: int, *, keep_column: bool = False, jump: bool = False) -> None:
        """Put the cursor at `offset` and scroll it into view (a jump keeps some context)."""
        if self.text_layout is None:
            self.cursor = max(0, offset)  # laid out (and clamped) on the first Resize
            return
        self.cursor = self._clamp(offset)
        if not keep_column:
            self._preferred_column = None
        self._ensure_cursor_visible(_JUMP_CONTEXT if jump else None)
        self._changed()

    def _cursor_column(self) -> int:
        layout = self._text_layout()
        if self._preferred_column is None:
            row = layout.row(layout.locate(self.cursor))
            self._preferred_column = layout.column_of(row, self.cursor)
        return self._preferred_column

    def _move_rows(self, count: int) -> None:
        layout = self._text_layout()
        column = self._cursor_column()
        ref = layout.step(layout.locate(self.cursor), count)
        self.move_cursor(layout.offset_at(layout.row(ref), column), keep_column=True)

    def _scroll_page(self, count: int) -> None:
        """Scroll by `count` rows and carry the cursor along by the same amount."""
        if self.text_layout is None:
            return
        layout = self.text_layout
        column = self._cursor_column()
        cursor_ref = layout.step(layout.locate(self.cursor), count)
        self._set_top(layout.step(self._top, count))
        self.cursor = self._clamp(layout.offset_at(layout.row(cursor_ref), column))
        self._ensure_cursor_visible()
        self._changed()

    # -- actions (the keys of PRODUCT 4) ---------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.text_layout:
            self._move_rows(1)

    def action_cursor_up(self) -> None:
        if self.text_layout:
            self._move_rows(-1)

    def action_cursor_left(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_right(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_word_next(self) -> None:
        if self.document:
            self.move_cursor(next_word_start(self.document.text, self.cursor))

    def action_word_previous(self) -> None:
        if self.document:
            self.move_cursor(previous_word_start(self.document.text, self.cursor))

    def action_paragraph_next(self) -> None:
        if self.document:
            self.move_cursor(next_paragraph_start(self.document.text, self.cursor))

    def action_paragraph_previous(self) -> None:
        if self.document:
            self.move_cursor(previous_paragraph_start(self.document.text, self.cursor))

    def action_document_start(self) -> None:
        self._jump(0)

    def action_document_end(self) -> None:
        if self.text_layout:
            self._jump(self.text_layout.max_offset)

    def action_page_down(self) -> None:
        self._scroll_page(max(1, self._page_height() - 2))

    def action_page_up(self) -> None:
        self._scroll_page(-max(1, self._page_height() - 2))

    def action_half_page_down(self) -> None:
        self._scroll_page(max(1, self._page_height() // 2))

    def action_half_page_up(self) -> None:
        self._scroll_page(-max(1, self._page_height() // 2))

    # -- mouse (a bonus: everything works without it) ----------------------------------------

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll_view(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll_view(-3)

    def _scroll_view(self, count: int) -> None:
        """Scroll without moving the cursor, unless it would leave the screen."""
        if self.text_layout is None:
            return
        self._set_top(self.text_layout.step(self._top, count))
        rows = self.screen_rows()
        if rows and not rows[0].start <= self.cursor < rows[-1].stop:
            target = rows[0] if self.cursor < rows[0].start else rows[-1]
            self.cursor = self._clamp(target.start)
        self._changed()

    def on_click(self, event: events.Click) -> None:
        rows = self.screen_rows()
        if self.text_layout is None or not rows:
            return
        row = rows[min(max(event.y, 0), len(rows) - 1)]
        self.move_cursor(self.text_layout.offset_at(row, max(0, event.x - self.left_margin)))

    # -- selection and highlights -------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span, from where `v` was pressed to the cursor (as in an editor: `v`
        then `w` selects up to the next word)."""
        if self.selection_anchor is None or self.document is None:
            return None
        low, high = sorted((self.selection_anchor, self.cursor))
        return (low, high) if high > low else None

    def action_toggle_selection(self) -> None:
        """`v`: start a selection at the cursor, or cancel the one in progress."""
        if self.document is None:
            return
        self.selection_anchor = None if self.selection_anchor is not None else self.cursor
        self._changed()

    def action_select_paragraph(self) -> None:
        """`V`: select the paragraph the cursor is in."""
        if self.document is None or not self.document.text:
            return
        text = self.document.text
        start = paragraph_start(text, self.cursor)
        end = paragraph_end(text, self.cursor)
        if end <= start:
            return
        self.selection_anchor = start
        self.move_cursor(end)

    def action_cancel_selection(self) -> None:
        if self.selection_anchor is not None:
            self.selection_anchor = None
            self._changed()

    def clear_selection(self) -> None:
        self.action_cancel_selection()

    def _annotation_key(self, kind: type[ReaderView.AnnotationKey]) -> None:
        if self.document is not None:
            self.post_message(kind(self, self.selection, self.highlights.at(self.cursor)))

    def action_highlight_selection(self) -> None:
        self._annotation_key(self.HighlightAsked)

    def action_write_note(self) -> None:
        self._annotation_key(self.NoteAsked)

    def action_edit_tags(self) -> None:
        self._annotation_key(self.TagsAsked)

    def action_cycle_color(self) -> None:
        self._annotation_key(self.ColorAsked)

    def action_delete_highlight(self) -> None:
        self._annotation_key(self.DeleteAsked)

    def action_undo_change(self) -> None:
        self._annotation_key(self.UndoAsked)

    def action_copy_quote(self) -> None:
        self._annotation_key(self.CopyAsked)

    def action_link_highlight(self) -> None:
        self._annotation_key(self.LinkAsked)

    def update_document(self, opened: OpenDocument) -> None:
        """The open document changed (an edit, the re-anchored annotations): repaint it."""
        if self.document is not opened.document:
            return
        self.opened = opened
        self.highlights = opened.highlight_index()
        self._screen_rows = None
        self.refresh()

    def action_highlight_next(self) -> None:
        found = self.highlights.next_after(self.cursor)
        if found is None:
            self.app.bell()
            return
        self._jump(found.start)

    def action_highlight_previous(self) -> None:
        current = self.highlights.at(self.cursor)
        found = self.highlights.previous_before(current.start if current else self.cursor)
        if found is None:
            self.app.bell()
            return
        self._jump(found.start)

    # -- find ---------------------------------------------------------------------------------

    def set_finder(self, finder: TextFinder | None, current: tuple[int, int] | None) -> None:
        """Highlight the matches of `finder`, `current` the one the cursor is on."""
        self._finder = finder
        self._current_match = current
        self._screen_rows = None
        self.refresh()

    @property
    def current_match(self) -> tuple[int, int] | None:
        return self._current_match

    def mark(self, document: str, start: int, end: int) -> None:
        """Mark text[start:end] of `document` (a jump's target) until the cursor leaves it;
        shown once `document` is the one on screen."""
        self._marked = (document, start, end) if end > start else None
        self._screen_rows = None
        self.refresh()

    @property
    def marked(self) -> tuple[int, int] | None:
        """The marked span of the document on screen, if any."""
        marked = self._marked
        if marked is None or self.document is None or marked[0] != self.document.rel_path:
            return None
        return marked[1], marked[2]

    # -- painting -----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        """The cursor's style (the reader's own) or a marking style (its ReaderStyles')."""
        if name != "reader-view--cursor":
            return self._marking().style(name)
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style

    def _marking(self) -> ReaderStyles:
        styles = self._marking_styles
        if styles is None:
            # Mounting resolves its styles at once, so they are ready for this paint.
            from readertui.ui.widgets.reader_styles import ReaderStyles

            styles = self._marking_styles = ReaderStyles()
            self.mount(styles)
        return styles

    def _span_style(self, kind: str) -> Style:
        styles = self._markdown_styles
        return styles.style(kind) if styles is not None else Style()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style (its ancestors' backgrounds and colours, walked anew on each
        # call) is the same for every line of one paint: worked out once for all of them.
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        base = self._base_style or self.rich_style
        width = self.size.width
        rows = self.screen_rows()
        if y >= len(rows) or self.text_layout is None:
            return Strip.blank(width, base)
        return self._render_row(rows[y], base).adjust_cell_length(width, base)

    def _render_row(self, row: Row, base: Style) -> Strip:
        layout = self._text_layout()
        shown = layout.shown(row)
        length = len(shown)
        layers: list[tuple[int, int, Style]] = []
        if self._styler is not None:
            for span in self._styler.spans_between(row.start, row.end):
                layers.append((span.start, span.end, self._span_style(span.kind)))
        noted_row = False
        for highlight in self.highlights.overlapping(row.start, max(row.end, row.start + 1)):
            style = self._style(f"reader-view--hl-{highlight.color}")
            if highlight.note:
                style = style + self._style("reader-view--noted")
                noted_row = noted_row or highlight.start >= row.start
            layers.append((highlight.start, highlight.end, style))
        marked = self.marked
        if marked is not None:
            layers.append((marked[0], marked[1], self._style("reader-view--current-match")))
        selection = self.selection
        if selection is not None:
            layers.append((selection[0], selection[1], self._style("reader-view--selection")))
        if self._finder is not None:
            match_style = self._style("reader-view--match")
            current_style = self._style("reader-view--current-match")
            for start, end in self._finder.matches_between(row.start, row.end):
                style = current_style if (start, end) == self._current_match else match_style
                layers.append((start, end, style))
        margin = self.left_margin
        if not layers and not row.start <= self.cursor < row.stop:
            # Nothing marked on this row (most rows): the text in one run.
            segments = [Segment(" " * margin, base)]
            if shown:
                segments.append(Segment(shown, base))
            return Strip(segments, margin + cell_width(shown))
        styles: list[Style] = [base] * (length + 1)
        for start, end, style in layers:
            for index in range(max(start - row.start, 0), min(end - row.start, length)):
                styles[index] = styles[index] + style
        cursor_at_end = False
        if row.start <= self.cursor < row.stop:
            index = min(self.cursor - row.start, length)
            cursor_at_end = index == length
            styles[index] = styles[index] + self._style("reader-view--cursor")
        if noted_row and margin >= NOTE_GUTTER:
            # A note starts on this row: a marker in the margin, beside the text.
            marker = self._style("reader-view--note-marker")
            segments = [Segment(" " * (margin - 2), base), Segment("✎", marker), Segment(" ", base)]
        else:
            segments = [Segment(" " * margin, base)]
        run_start = 0
        for index in range(1, length + 1):
            if index == length or styles[index] != styles[run_start]:
                segments.append(Segment(shown[run_start:index], styles[run_start]))
                run_start = index
        if cursor_at_end:
            segments.append(Segment(" ", styles[length]))
        cells = margin + cell_width(shown) + (1 if cursor_at_end else 0)
        return Strip(segments, cells)
