"""The status line's `saved` / `NOT SAVED` stays in sight while a write fails and after, and
the failure's message goes once it is over (and only that message)."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from readertui.errors import ReaderError
from readertui.store.store import Store
from tests.ui.helpers import AppFactory, rendered_text, wait_for_startup


async def test_the_failure_message_never_covers_the_status_line_and_leaves_once_saved(
    make: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_full = True
    real_merge = Store.merge_changes

    def merge(store: Store, changes: object) -> None:
        if disk_full:
            raise ReaderError(f"cannot save to {store.path}: No space left on device")
        real_merge(store, changes)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "merge_changes", merge)
    app = make()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for_startup(pilot, app)
        app.notify("Exported: wrote 3 notes to notes.md", timeout=60)  # not about saving
        await pilot.press("v", "w", "enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if "NOT SAVED" in rendered_text(app.status) and app.screen.query(Toast):
                break
        assert "NOT SAVED" in rendered_text(app.status)
        toasts = list(app.screen.query(Toast))
        assert toasts, "the failure was not told"
        for toast in toasts:
            assert not toast.region.overlaps(app.status.region), "a toast hides the status line"

        disk_full = False
        assert app.saves is not None
        app.saves.retry_now()
        for _ in range(100):
            await pilot.pause(0.05)
            if rendered_text(app.status).rstrip().endswith("saved") and "NOT" not in (
                rendered_text(app.status)
            ):
                break
        assert "NOT SAVED" not in rendered_text(app.status)
        assert "saved" in rendered_text(app.status)
        await pilot.pause(0.1)
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert not any("Not saved" in text for text in shown), shown
        assert any("on disk now" in text for text in shown), shown
        assert any("Exported" in text for text in shown), "a message not about saving went"
