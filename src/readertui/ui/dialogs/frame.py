"""The frame every dialog of the reader shares: a box centred over the screen, 80 columns
at most, its border in a colour that says what kind of dialog it is."""

from __future__ import annotations


def dialog_css(screen: str, box: str, border: str) -> str:
    """CSS for the dialog screen type `screen` holding its box `box` (a selector), with a
    thick border of the theme colour `border` (e.g. "$accent")."""
    return f"""
    {screen} {{
        align: center middle;
    }}

    {box} {{
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick {border};
        background: $surface;
        padding: 0 1;
    }}
    """
