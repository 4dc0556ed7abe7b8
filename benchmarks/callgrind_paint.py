"""First paint counted in instructions: readertui opening War and Peace against a bare
Textual app, each run once under callgrind, which counts the same on a busy machine as on
a quiet one (unlike terminal_paint.py's clock). Needs valgrind (`apt-get install valgrind`).

    python benchmarks/callgrind_paint.py            # a small table: bare, readertui, ratio
    python benchmarks/callgrind_paint.py --keep DIR # and keep callgrind.out.* in DIR

Each count runs from the interpreter's start to the first frame Textual hands to its driver
that shows the content (War and Peace's first line for the bare app, the document's rows for
readertui); the process then ends at once, so shutting down is not counted. readertui is
started through its real command line (`readertui PATH --db FILE`) with Textual's headless
driver at 120×40, in a library and a home of its own as terminal_paint.py sets them up, after
one uncounted run that creates its database (as on a user's second start). The hash seed is
fixed, so two counts of the same code agree to a fraction of a percent.
"""

from __future__ import annotations

import sys

SIZE = (120, 40)
FIRST_LINE = "\u201cWell, Prince, so Genoa and Lucca are now just family estates of the"


def _count_until_first_paint(mode: str, argv: list[str]) -> None:
    """Inside the counted process: run one app, end the process at its first paint."""
    import os

    if mode == "reader":
        from readertui.cli import main
        from readertui.collector_pause import pause_collector

        # As the real command does before importing the UI (main's own call is then a no-op).
        pause_collector()
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    warm_up = os.environ.get("CALLGRIND_PAINT_WARM_UP") == "1"
    display = App._display
    run = App.run

    def shows_content(app: App[object]) -> bool:
        if mode == "bare":
            return True
        document = getattr(app, "document", None)
        return document is not None and bool(app.reader.screen_rows())  # type: ignore[attr-defined]

    def first_paint(self: App[object], screen: object, renderable: object) -> None:
        display(self, screen, renderable)  # type: ignore[arg-type]
        if renderable is not None and shows_content(self):
            if warm_up:
                self.call_after_refresh(self.exit)
            else:
                os._exit(0)

    def run_headless(self: App[object], *args: object, **kwargs: object) -> object:
        kwargs.update(headless=True, size=SIZE)
        return run(self, *args, **kwargs)  # type: ignore[arg-type]

    App._display = first_paint  # type: ignore[method-assign]
    App.run = run_headless  # type: ignore[method-assign]

    if mode == "reader":
        sys.exit(main(argv))

    class OneLine(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(FIRST_LINE, markup=False)

    OneLine().run()


def _main() -> None:
    import argparse
    import os
    import re
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the callgrind.out files in DIR")
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--only", choices=("bare", "reader"), help="count one of the two")
    parser.add_argument(
        "--src", type=Path, default=here.parent / "src", help="readertui's sources (src/)"
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    sys.path.insert(0, str(here))
    from terminal_paint import CORPUS, NOVEL, clean_environment

    with tempfile.TemporaryDirectory(prefix="callgrind_paint") as name:
        folder = Path(name)
        library = folder / "library"
        library.mkdir()
        novel = library / NOVEL
        shutil.copyfile(CORPUS / NOVEL, novel)
        home = folder / "home"
        home.mkdir()
        env = clean_environment(home)
        env.update(PYTHONHASHSEED="0", TERM="xterm-256color")
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (str(args.src.resolve()), os.environ.get("PYTHONPATH")) if part
        )
        inner = [str(args.python), str(Path(__file__).resolve())]
        reader_args = [str(novel), "--db", str(folder / "readertui.json")]
        warm = subprocess.run(
            [*inner, "--inner", "reader", *reader_args],
            env={**env, "CALLGRIND_PAINT_WARM_UP": "1"},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if warm.returncode != 0:
            raise SystemExit(f"readertui's warm-up failed:\n{warm.stderr}")
        keep = args.keep or folder
        keep.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        for mode in ("bare", "reader"):
            if args.only and mode != args.only:
                continue
            out = keep / f"callgrind.out.{mode}"
            command = [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                *inner,
                "--inner",
                mode,
                *(reader_args if mode == "reader" else []),
            ]
            result = subprocess.run(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
            totals = re.search(r"^(?:totals|summary): (\d+)", out.read_text(), re.MULTILINE)
            if result.returncode != 0 or totals is None:
                raise SystemExit(f"callgrind failed for {mode}:\n{result.stderr[-3000:]}")
            counts[mode] = int(totals.group(1))

    print(f"{'first paint (instructions)':<28}{'count':>14}")
    for mode, count in counts.items():
        print(f"{mode:<28}{count / 1e6:>12,.0f} M")
    if len(counts) == 2:
        print(f"{'readertui / bare':<28}{counts['reader'] / counts['bare']:>13.3f}×")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--inner":
        _count_until_first_paint(sys.argv[2], sys.argv[3:])
    else:
        _main()
