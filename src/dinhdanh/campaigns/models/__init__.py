"""The campaigns app's tables: what plans ask (``plans``) and what the platform counts (``counts``)."""

from dinhdanh.campaigns.models.counts import Activation, DailyCount, Metric
from dinhdanh.campaigns.models.plans import *  # noqa: F403  # the plans' tables (their own module)
from dinhdanh.campaigns.models.readers import Reader
from dinhdanh.campaigns.models.reports import WeeklyReport

__all__ = ["Activation", "DailyCount", "Metric", "Reader", "WeeklyReport"]
