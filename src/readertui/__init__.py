"""readertui: a keyboard-driven terminal reader and annotation tool."""

__version__ = "0.1.0"
