"""Converters for the tests of converting in a child process (registered by module path, so
the child imports them): one that crashes its process, one that runs until it is stopped
(writing its process id where READERTUI_TEST_PID_FILE says)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from readertui.formats.conversion import Conversion
from tests.formats.fakes import FakeConverter


class CrashingConverter(FakeConverter):
    name = "crashing"
    suffixes = (".crash",)

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        os.abort()  # as a parser's segmentation fault would end the process


class EndlessConverter(FakeConverter):
    name = "endless"
    suffixes = (".endless",)

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        pid_file = os.environ.get("READERTUI_TEST_PID_FILE")
        if pid_file:
            Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(120)
        return super().convert(path, whole_page=whole_page)


CRASHING_CONVERTER = CrashingConverter()
ENDLESS_CONVERTER = EndlessConverter()
