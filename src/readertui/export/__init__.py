"""Exports of annotations (Markdown, W3C Web Annotation JSON) and the import of that JSON."""
