"""Converting a file in a process of its own, so a hostile or broken file cannot take the
reader down with it, and quitting never waits for a conversion.

The converters parse archives, HTML and PDF with C libraries (lexbor, libxml2, pdfium). A
file that crashes one of them would end the whole app; one that makes it run for minutes
would hold `q` for as long, since a thread cannot be stopped. So the reader converts in a
child process (`python -m readertui.formats.conversion_process`), which writes the
conversion to its standard output in the conversion cache's layout and exits. The parent
kills its children when it quits (`stop_all`), after `TIMEOUT` seconds, or when told to;
a child whose parent is gone stops by itself. A crash, a timeout or a refusal becomes the
DocumentError the reader shows, with a short reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from readertui.errors import DocumentError

if TYPE_CHECKING:
    from readertui.core.conversion_cache import StoredConversion

#: The longest a conversion may take (seconds): a 300-page PDF takes a few, a 10 MB web page
#: about ten on a small machine.
TIMEOUT = 300.0
#: The child's exit status for a file its converter refuses, the reason on its stderr.
REFUSED = 3
#: The child's exit status for a converter that failed, the reason on its stderr.
FAILED = 4
# How often a child looks whether its parent is still there (seconds).
_PARENT_CHECK = 0.5

_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()
# Set by `stop_all`: the app is quitting, and no conversion starts any more.
_stopped = threading.Event()
_QUITTING = "not converted: the reader is quitting"


def convert_in_child(
    where: str, path: Path, *, whole_page: bool = False, start: bool = False
) -> StoredConversion | None:
    """The conversion of `path` by the converter at `where` ("module:ATTRIBUTE"), made in a
    child process: the whole file, or with `start` only its beginning (None when the
    converter has no quicker way to it). Raises DocumentError with the reason for a file
    refused, a converter that failed, crashed or took longer than TIMEOUT."""
    from readertui.core.conversion_cache import decode

    command = [
        sys.executable,
        "-m",
        __name__,
        where,
        "start" if start else ("whole" if whole_page else "article"),
        os.fsencode(path),
    ]
    environment = dict(os.environ)
    # The child imports what this process can (a converter registered from a test's module).
    environment["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if entry)
    if _stopped.is_set():
        raise DocumentError(str(path), _QUITTING)
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
    except OSError as error:
        raise DocumentError(str(path), f"cannot start its converter ({error.strerror})") from error
    with _children_lock:
        _children.add(child)
    if _stopped.is_set():  # stop_all ran while this child was starting
        child.kill()
    try:
        output, errors = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise DocumentError(
            str(path), f"cannot be read: converting took longer than {TIMEOUT:.0f} s"
        ) from None
    finally:
        with _children_lock:
            _children.discard(child)
    status = child.returncode
    if status < 0 and _stopped.is_set():
        raise DocumentError(str(path), _QUITTING)
    reason = errors.decode("utf-8", "replace").strip().splitlines()
    if status == 0:
        if start and not output:
            return None
        stored = decode(output)
        if stored is None:
            raise DocumentError(str(path), "cannot be read: its converter's answer was damaged")
        return stored
    if status in (REFUSED, FAILED) and reason:
        raise DocumentError(str(path), reason[-1])
    if status < 0:
        raise DocumentError(str(path), f"cannot be read: its converter crashed (signal {-status})")
    raise DocumentError(str(path), f"cannot be read: its converter ended with status {status}")


def stop_all() -> None:
    """Kill every conversion still running, and start none any more (the app is quitting):
    a thread that was waiting for a conversion must not start one the app would wait for."""
    _stopped.set()
    with _children_lock:
        children = list(_children)
    for child in children:
        if child.poll() is None:
            child.kill()


def allow_new() -> None:
    """Conversions may start again after `stop_all` (a new app in the same process)."""
    _stopped.clear()


def _follow_parent() -> None:
    """End this child when its parent is gone (killed, or ended without stopping it)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            threading.Event().wait(_PARENT_CHECK)
            if os.getppid() != parent:
                os._exit(FAILED)

    threading.Thread(target=watch, daemon=True).start()


def _main(arguments: list[bytes]) -> int:
    """The child: convert, write the conversion to stdout, exit."""
    import importlib

    from readertui.core.conversion_cache import StoredConversion, encode
    from readertui.formats.conversion import UnreadableFile, failure_reason

    _follow_parent()
    where, mode, raw_path = arguments
    module_name, _, attribute = os.fsdecode(where).partition(":")
    path = Path(os.fsdecode(raw_path))
    try:
        converter = getattr(importlib.import_module(module_name), attribute)
        if mode == b"start":
            conversion = converter.convert_start(path)
            if conversion is None:
                return 0
        else:
            conversion = converter.convert(path, whole_page=mode == b"whole")
        data = encode(StoredConversion.of(conversion))
    except UnreadableFile as refusal:
        sys.stderr.write(refusal.reason + "\n")
        return REFUSED
    except Exception as error:
        sys.stderr.write(failure_reason(error) + "\n")
        return FAILED
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main([os.fsencode(argument) for argument in sys.argv[1:]]))
