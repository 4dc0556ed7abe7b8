"""A stand-in for `preparing.prepare_file`, run in the index's worker process by
test_worker_pool.py: it sends half of a result message, says so, and waits to be ended.

That is what a worker ended while it sends a large document's pieces leaves in the pool's
result pipe."""

from __future__ import annotations

import gc
import os
import struct
import time
from multiprocessing.queues import SimpleQueue
from pathlib import Path

#: The file this worker makes once half a message is in the pipe.
MARKER_VARIABLE = "READERTUI_TEST_HALF_SENT"


def send_half_a_result(path: str, root: str, max_bytes: int) -> object:
    results = next(item for item in gc.get_objects() if type(item) is SimpleQueue)
    # A header announcing a megabyte, and only the first hundred bytes of it.
    os.write(results._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)
    Path(os.environ[MARKER_VARIABLE]).touch()
    time.sleep(120)
    return "never reached"
