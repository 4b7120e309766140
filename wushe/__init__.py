"""wushe: the five-social linkage (五社联动) platform for community emergency response."""

from wushe.celery import app as celery_app

__all__ = ["celery_app"]
