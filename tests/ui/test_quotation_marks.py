"""Quotes keep the quotation marks they have (issue 11, items 6 and 7): a highlight of
dialogue is not shown as `““Well, Prince…””` in the Notes tab, the list of a tag's
annotations or what `y` copies; and the note previews there are cut between words, with "…"."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.store.store import Store
from readertui.ui.app import ReaderApp
from readertui.ui.widgets.library_pane import LibraryPane
from tests.ui.helpers import AppFactory, wait_for_startup

SPEECH = "“Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes.”"
TEXT = f"{SPEECH}\n\nHe spoke plainly, in French.\n"
# A note longer than any preview, with a word that a cut by characters splits.
NOTE = "Read with the delegation notes in mind: " + "**post-solidarity** politics " * 12
SIZE = (120, 40)


def highlight(root: Path, words: str, *, note: str = "") -> Annotation:
    document = load_document(root / "dialogue.txt", root)
    start = document.text.index(words)
    ref = DocumentRef("dialogue.txt", document.sha256, document.metadata.title)
    return new_annotation(
        document.text, ref, start, start + len(words), note=note, tags=("speech",)
    )


@pytest.fixture
def dialogue(tmp_path: Path) -> Path:
    """A library with one document of dialogue, its speech and its narration highlighted."""
    root = tmp_path / "dialogue"
    root.mkdir()
    (root / "dialogue.txt").write_text(TEXT, encoding="utf-8")
    with Store(tmp_path / "annotations.json") as store:
        store.save_annotations(
            [highlight(root, SPEECH, note=NOTE), highlight(root, "He spoke plainly")]
        )
    return root


async def settle(pilot: object, app: ReaderApp) -> None:
    for _ in range(5):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)  # type: ignore[attr-defined]


def assert_a_cut_preview(shown: str) -> None:
    """`shown` holds the start of NOTE, cut after a whole word and marked with "…"."""
    assert "Read with the delegation notes in mind:" in shown
    preview = shown[shown.index("Read with") :].split("\n")[0].strip()
    assert preview.endswith("…"), preview
    kept = preview[:-1]
    assert " ".join(NOTE.split()).startswith(kept)
    assert " ".join(NOTE.split())[len(kept)] == " ", f"cut inside a word: {preview!r}"


async def test_the_notes_tab_keeps_the_quote_s_own_marks_and_cuts_notes_between_words(
    make: AppFactory, dialogue: Path
) -> None:
    app = make(root=dialogue, open_name="dialogue.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        notes = app.sidebar.notes
        assert notes is not None
        speech, plain = [text for text in notes.option_texts() if text.startswith("■")]
        assert speech.startswith("■ “Well, Prince,")
        assert "““" not in speech and "””" not in speech
        assert plain.startswith("■ “He spoke plainly”")
        assert_a_cut_preview(speech)


async def test_y_copies_a_quote_with_its_own_marks_once(make: AppFactory, dialogue: Path) -> None:
    app = make(root=dialogue, open_name="dialogue.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("g", "y")
        await pilot.pause()
        assert app.clipboard.startswith(f"{SPEECH}\n— ")
        await pilot.press("right_curly_bracket", "y")
        await pilot.pause()
        assert app.clipboard.startswith("“He spoke plainly”\n— ")


async def test_a_tag_s_annotations_keep_the_quote_s_marks_and_cut_notes_between_words(
    make: AppFactory, dialogue: Path
) -> None:
    app = make(root=dialogue, open_name="dialogue.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        app.library_pane.post_message(LibraryPane.TagChosen("speech"))
        await settle(pilot, app)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one(CommandList)
        listed = [
            str(options.get_option_at_index(index).prompt) for index in range(options.option_count)
        ]
        speech = next(text for text in listed if "Well, Prince" in text)
        plain = next(text for text in listed if "He spoke plainly" in text)
        assert speech.startswith("“Well, Prince,") and "““" not in speech
        assert plain.startswith("“He spoke plainly”")
        assert_a_cut_preview(speech)
