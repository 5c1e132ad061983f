"""JSON endpoints of this app, mounted under /api/v1 by xinfang.api.urls."""

from ninja import Router

router = Router()
