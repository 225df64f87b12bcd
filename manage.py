#!/usr/bin/env python
"""Same as the `dinhdanh` command; kept for habits and tooling that expect manage.py."""

import sys

from dinhdanh.cli import main

if __name__ == "__main__":
    sys.exit(main())
