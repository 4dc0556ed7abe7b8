"""Make docs/screenshot.svg, the README's picture: the sample library at 140×42, a highlight
with a note on the Jiayuguan teacher's words, and the Cross-refs tab (`x`) finding them in
the delegation report and the digest.

    python docs/screenshot.py

Runs the app headless (Textual's test harness) with its database, cache and settings in a
temporary folder, so nothing of yours is read or changed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "library"
DOCUMENT = "jiayuguan-morning-star.txt"
PHRASE = "China saved socialism"


async def make(home: Path) -> None:
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[variable] = str(home / variable.lower())
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from readertui.config import Config
    from readertui.ui.app import make_app

    app = make_app(SAMPLE, home / "db.json", Config(), open_path=SAMPLE / DOCUMENT)
    async with app.run_test(size=(140, 42)) as pilot:
        while not app.started:
            await pilot.pause()
        document = app.document
        assert document is not None
        app.reader.move_cursor(document.text.index(PHRASE), jump=True)
        await pilot.press("v", *"wwww", "n", *"The teacher's words: in the report too?", "ctrl+s")
        await pilot.pause()
        await pilot.press("x")
        for _ in range(300):
            await pilot.pause(0.05)
            pane = app.reading.sidebar.xref
            if pane is not None and pane.references() and app.reading.keeper.ready:
                break
        await pilot.pause(0.5)
        app.save_screenshot(str(HERE / "screenshot.svg"))


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(make(Path(folder)))
    print(HERE / "screenshot.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
