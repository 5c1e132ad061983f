"""The errors every layer raises when a guard refuses an action (the API answers them in its one
error shape; the pages show them next to the field)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class ActionRefused(Exception):
    """A guard refused the action. ``fields`` names the input at fault, if any."""

    code = "refused"
    status_code = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class Conflict(ActionRefused):
    code = "conflict"
    status_code = 409

    def __init__(self) -> None:
        super().__init__(_("Someone else changed this case at the same moment; reload it and try again."))
