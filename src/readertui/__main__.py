"""Entry point for `python -m readertui`."""

import sys

from readertui.cli import main

sys.exit(main())
