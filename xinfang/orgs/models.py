"""Units (the 属地 tree), users and their roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County or district")
    TOWNSHIP = "township", _("Township or subdistrict")
    VILLAGE = "village", _("Village or community")


# From the bottom up: 复查 and 复核 go one level up (条例第三十五、三十六条), 越级 skips one.
LEVEL_ORDER = [
    UnitLevel.VILLAGE,
    UnitLevel.TOWNSHIP,
    UnitLevel.COUNTY,
    UnitLevel.CITY,
    UnitLevel.PROVINCE,
    UnitLevel.NATIONAL,
]


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government")  # 人民政府 (the area node of a level)
    BUREAU = "bureau", _("Petition bureau")  # 信访部门
    DEPARTMENT = "department", _("Functional department")  # 职能部门
    DISCIPLINE = "discipline", _("Discipline inspection and supervision")  # 纪检监察
    LEGAL = "legal", _("Political and legal affairs")  # 政法部门
    TOWNSHIP = "township", _("Township government")  # 乡镇政府 / 街道办
    VILLAGE = "village", _("Village or residents' committee")  # 村(居)委会
    OTHER = "other", pgettext_lazy("unit kind", "Other")


class Unit(models.Model):
    """A node of the administrative tree. ``path`` is the chain of ancestor ids ("/1/4/9/") so a
    subtree is one indexed prefix query."""

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    level = models.CharField(_("administrative level"), max_length=16, choices=UnitLevel.choices)
    kind = models.CharField(_("unit type"), max_length=16, choices=UnitKind.choices)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    path = models.CharField(_("tree path"), max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Unit.objects.filter(pk=self.pk).update(path=path)

    @property
    def is_bureau(self) -> bool:
        return self.kind == UnitKind.BUREAU

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids on the path from the root down to this unit, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def scope_root(self) -> Unit:
        """The top of the subtree this unit oversees. A 信访部门 is a department of the people's
        government of its level, and oversees that government's whole area; any other unit
        oversees itself and the units below it."""
        if self.is_bureau and self.parent is not None and self.parent.level == self.level:
            return self.parent
        return self

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or below it."""
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    CLERK = "clerk", _("Registration clerk")  # 登记员/接访员
    LEADER = "leader", _("Bureau leader")  # 信访局领导
    HANDLER = "handler", _("Unit handler")  # 责任单位承办人
    SUPERVISOR = "supervisor", _("Supervisor")  # 督查员
    ADMIN = "admin", _("Administrator")


# Roles that see full 身份证号 and phone numbers in lists: the counter clerk verifies identity,
# the administrator maintains records. Everyone else sees them masked in lists.
ROLES_SEEING_FULL_IDENTITY_IN_LISTS = frozenset({Role.CLERK, Role.ADMIN})
ROLES_REGISTERING = frozenset({Role.CLERK, Role.LEADER, Role.ADMIN})


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CLERK)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if not self.is_active:
            # A deactivated user's tokens are revoked for good: reactivating the user revives none.
            ApiToken.objects.filter(user=self, revoked=False).update(revoked=True)

    @property
    def can_register(self) -> bool:
        return self.unit_id is not None and self.role in ROLES_REGISTERING

    @property
    def sees_full_identity_in_lists(self) -> bool:
        return self.role in ROLES_SEEING_FULL_IDENTITY_IN_LISTS


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A bearer token for /api/v1. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    # 等保 2.0: a credential that cannot be used forever (XINFANG_TOKEN_DAYS, default 90).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"
