"""Development and the embedded demo: one machine, loopback only."""

from dinhdanh.settings.base import *  # noqa: F403

DEBUG = False  # error pages are ours in both languages; tracebacks go to the console log only
