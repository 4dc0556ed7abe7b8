"""Stand-ins for `preparing.prepare_file`, run in the index's worker processes by
test_worker_pool.py. Each makes the file named by MARKER_VARIABLE once it is at work, then
waits to be ended."""

from __future__ import annotations

import gc
import os
import struct
import time
from multiprocessing.queues import SimpleQueue
from pathlib import Path

#: The file a stand-in makes once it is where the test wants it.
MARKER_VARIABLE = "READERTUI_TEST_MARKER"


def send_half_a_result(path: str, root: str, max_bytes: int) -> object:
    """What a worker ended while it sends a large document's pieces leaves in the pool's
    result pipe: half a message."""
    results = next(item for item in gc.get_objects() if type(item) is SimpleQueue)
    # A header announcing a megabyte, and only the first hundred bytes of it.
    os.write(results._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)
    Path(os.environ[MARKER_VARIABLE]).touch()
    time.sleep(120)
    return "never reached"


def work_for_ever(path: str, root: str, max_bytes: int) -> object:
    """A document that takes a very long time to cut up."""
    Path(os.environ[MARKER_VARIABLE]).touch()
    time.sleep(120)
    return "never reached"
