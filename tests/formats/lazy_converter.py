"""A converter module for the test of registering by module path: imported only when a file
of its suffix is met."""

from __future__ import annotations

from tests.formats.fakes import FakeConverter


class LazyConverter(FakeConverter):
    name = "lazy"
    suffixes = (".lazy",)


LAZY_CONVERTER = LazyConverter()
