"""Mounting of /api/v1 (the NinjaAPI instance lives in xinfang.api.core)."""

from xinfang.api.core import api

__all__ = ["api"]
