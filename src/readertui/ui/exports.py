"""Exports from the app: `e` (this document) and the palette's library, tag and JSON exports.

The files go to the configured export folder (`export_dir`, else the data folder's
`exports/`) and a notification says how many highlights went where. Changes still on their
way to the database are written first, so the export holds the last keypress; the export
itself runs on a thread, since a library export reads every annotated document.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from readertui.config import export_folder_for
from readertui.errors import ReaderError
from readertui.ui.choices import Choice, offer_choices

if TYPE_CHECKING:
    from textual.app import App

    from readertui.config import Config
    from readertui.core.library import Library
    from readertui.core.open_document import OpenDocument
    from readertui.core.workspace import Workspace
    from readertui.export.exporting import ExportFormat, ExportResult
    from readertui.store.save_queue import SaveQueue
    from readertui.store.store import Store

# How long an export waits for queued changes to reach the database.
FLUSH_TIMEOUT = 10.0


class ExportHost(Protocol):
    """What exports need of the screen they are run from."""

    app: App[None]

    @property
    def config(self) -> Config: ...

    @property
    def library(self) -> Library: ...

    @property
    def store(self) -> Store | None: ...

    @property
    def saves(self) -> SaveQueue | None: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def opened(self) -> OpenDocument | None: ...

    def known_tag_counts(self) -> dict[str, int]: ...


class Exports:
    """Runs exports and reports them."""

    def __init__(self, host: ExportHost) -> None:
        self.host = host

    @property
    def app(self) -> App[None]:
        return self.host.app

    def export_document(self) -> None:
        """`e`: the open document's highlights as Markdown."""
        opened = self.host.opened
        if opened is None:
            self.app.notify("Open a document first: there is nothing to export.", timeout=4)
            return
        self.start(doc=opened.rel_path)

    def export_library(self) -> None:
        self.start()

    def export_json(self) -> None:
        self.start(format="json")

    def choose_tag(self) -> None:
        """Offer every tag in use; the one chosen is exported to its own file."""
        counts = self.host.known_tag_counts()
        if not counts:
            self.app.notify("No highlight has a tag yet (t adds tags).", timeout=4)
            return
        choices = [
            Choice(
                f"#{tag}",
                partial(self.start, tag=tag),
                f"{count} highlight{'' if count == 1 else 's'}",
            )
            for tag, count in sorted(counts.items(), key=lambda item: item[0].casefold())
        ]
        offer_choices(self.app, choices, placeholder="Export the highlights with the tag…")

    def start(
        self, *, doc: str | None = None, tag: str | None = None, format: ExportFormat = "markdown"
    ) -> None:
        """Export (in a worker) the notes of `doc`, or with `tag`, or all, in `format`."""
        app = self.app
        if self.host.store is None:
            app.notify(
                "The annotation database could not be opened, so there is nothing to export.",
                severity="error",
                markup=False,
            )
            return
        app.run_worker(
            lambda: self._run(doc, tag, format),
            thread=True,
            group="export",
            description="export annotations",
        )

    def _run(self, doc: str | None, tag: str | None, format: ExportFormat) -> None:
        # The export code is read when first used: start-up does without it.
        from readertui.export.exporting import ExportRequest, export_to_folder

        request = ExportRequest(format=format, doc=doc, tag=tag)
        app, host = self.app, self.host
        store = host.store
        if store is None:
            return
        if host.saves is not None and not host.saves.flush(FLUSH_TIMEOUT):
            app.call_from_thread(
                app.notify,
                "Not exported: some changes are not saved yet, and an export must hold them. "
                "Try again once the status line says saved.",
                severity="warning",
            )
            return
        try:
            result = export_to_folder(
                export_folder_for(host.config, host.library),
                host.library,
                store,
                request,
                max_bytes=host.config.max_document_bytes,
                workspace=host.workspace,
            )
        except ReaderError as error:
            app.call_from_thread(
                app.notify, f"Not exported: {error}", severity="error", timeout=12, markup=False
            )
            return
        app.call_from_thread(self._report, result)

    def _report(self, result: ExportResult) -> None:
        self.app.notify(result.summary(), title="Exported", timeout=10, markup=False)
