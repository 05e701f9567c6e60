"""``python -m fer_desktop``: see :mod:`fer_desktop.cli`."""

import sys

from fer_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
