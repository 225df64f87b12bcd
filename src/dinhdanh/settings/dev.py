"""Development and the embedded demo: one machine, loopback only."""

from dinhdanh.settings.base import *  # noqa: F403
from dinhdanh.settings.env import flag

DEBUG = False  # error pages are ours in both languages; tracebacks go to the console log only
# Every client of a loopback demo (and of the load benchmarks) is one address: a rate per address would
# limit the one person using it. Production counts (http.ratelimits; core.E015 refuses them off).
RATELIMIT_ENABLE = flag("DINHDANH_RATE_LIMITS", default=False)
