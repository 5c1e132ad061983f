"""Mounting of /api/v1: the NinjaAPI instance (xinfang.api.core) with every router attached.

``xinfang.urls`` imports ``api`` from here, so the routers are registered before the URLs are built.
"""

from xinfang.api.core import api
from xinfang.api.petitions import router as petitions_router
from xinfang.cases.api import router as cases_router
from xinfang.detection.api import router as detection_router
from xinfang.stats.api import router as stats_router

api.add_router("", petitions_router)
api.add_router("", cases_router)
api.add_router("", detection_router)
api.add_router("", stats_router)

__all__ = ["api"]
