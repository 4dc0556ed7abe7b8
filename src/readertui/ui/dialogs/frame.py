"""The frame every dialog of the reader shares: a box centred over the screen, 80 columns
at most (110 for a dialog that lists results), its border in a colour that says what kind of
dialog it is."""

from __future__ import annotations


def dialog_css(screen: str, box: str, border: str, *, width: int = 80, height: str = "auto") -> str:
    """CSS for the dialog screen type `screen` holding its box `box` (a selector), with a
    thick border of the theme colour `border` (e.g. "$accent"), `width` columns at most and
    `height` high (a dialog with a list of results takes "90%" whatever it lists)."""
    return f"""
    {screen} {{
        align: center middle;
    }}

    {box} {{
        width: {width};
        max-width: 100%;
        height: {height};
        max-height: 90%;
        border: thick {border};
        background: $surface;
        padding: 0 1;
    }}
    """
