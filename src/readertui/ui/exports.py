"""Exports from the app: `e` (this document) and the palette's library, tag and JSON exports.

The files go to the configured export folder (`export_dir`, else the data folder's
`exports/`) and a notification says how many highlights went where. Changes still on their
way to the database are written first, so the export holds the last keypress; the export
itself runs on a thread, since a library export reads every annotated document.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from readertui.config import export_folder_for
from readertui.errors import ReaderError
from readertui.export.exporting import ExportRequest, ExportResult, export_to_folder
from readertui.ui.choices import Choice, offer_choices

if TYPE_CHECKING:
    from readertui.ui.app import ReaderApp

# How long an export waits for queued changes to reach the database.
FLUSH_TIMEOUT = 10.0


class Exports:
    """Runs exports for the app and reports them."""

    def __init__(self, app: ReaderApp) -> None:
        self.app = app

    def export_document(self) -> None:
        """`e`: the open document's highlights as Markdown."""
        document = self.app.document
        if document is None:
            self.app.notify("Open a document first: there is nothing to export.", timeout=4)
            return
        self.start(ExportRequest(doc=document.rel_path))

    def export_library(self) -> None:
        self.start(ExportRequest())

    def export_json(self) -> None:
        self.start(ExportRequest(format="json"))

    def choose_tag(self) -> None:
        """Offer every tag in use; the one chosen is exported to its own file."""
        counts = self.app.known_tag_counts()
        if not counts:
            self.app.notify("No highlight has a tag yet (t adds tags).", timeout=4)
            return
        choices = [
            Choice(
                f"#{tag}",
                partial(self.start, ExportRequest(tag=tag)),
                f"{count} highlight{'' if count == 1 else 's'}",
            )
            for tag, count in sorted(counts.items(), key=lambda item: item[0].casefold())
        ]
        offer_choices(self.app, choices, placeholder="Export the highlights with the tag…")

    def start(self, request: ExportRequest) -> None:
        app = self.app
        if app.store is None:
            app.notify(
                "The annotation database could not be opened, so there is nothing to export.",
                severity="error",
                markup=False,
            )
            return
        app.run_worker(
            lambda: self._run(request),
            thread=True,
            group="export",
            description="export annotations",
        )

    def _run(self, request: ExportRequest) -> None:
        app = self.app
        store = app.store
        if store is None:
            return
        if app.saves is not None and not app.saves.flush(FLUSH_TIMEOUT):
            app.call_from_thread(
                app.notify,
                "Not exported: some changes are not saved yet, and an export must hold them. "
                "Try again once the status line says saved.",
                severity="warning",
            )
            return
        document = app.document
        loaded = {document.rel_path: document} if document is not None else {}
        try:
            result = export_to_folder(
                export_folder_for(app.config, app.library),
                app.library,
                store,
                request,
                max_bytes=app.config.max_document_bytes,
                loaded=loaded,
            )
        except ReaderError as error:
            app.call_from_thread(
                app.notify, f"Not exported: {error}", severity="error", timeout=12, markup=False
            )
            return
        app.call_from_thread(self._report, result)

    def _report(self, result: ExportResult) -> None:
        self.app.notify(result.summary(), title="Exported", timeout=10, markup=False)
