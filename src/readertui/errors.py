"""Errors a user can cause, as typed exceptions; the CLI and the UI turn them into one message."""


class ReaderError(Exception):
    """Base class for every error caused by user input (files, configuration, arguments)."""


class DocumentError(ReaderError):
    """A file cannot be read as a document; `reason` is a short phrase for the skipped list."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class LibraryError(ReaderError):
    """The library folder cannot be opened."""


class ConfigError(ReaderError):
    """The configuration file or an environment variable holds a value we cannot use."""


class StoreError(ReaderError):
    """The annotation database cannot be read or written."""


class ExportError(ReaderError):
    """Annotations cannot be exported: an unknown document or tag, an unwritable target."""


class ImportFileError(ReaderError):
    """A file given to `readertui import` is not a readertui/W3C annotation export."""
