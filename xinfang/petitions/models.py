"""Petitioners, petitions (信访事项) and their intake records for every channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinfang.petitions.states import Status

if TYPE_CHECKING:
    from xinfang.detection.services import Detection


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")  # 来信
    VISIT = "visit", _("Visit")  # 来访
    ONLINE = "online", _("Online petition")  # 网上信访
    PHONE = "phone", _("Phone call")  # 来电
    MAILBOX = "mailbox", _("Leader's mailbox")  # 领导信箱
    FAX = "fax", _("Fax")  # 传真


class VisitLevel(models.TextChoices):
    """Where the visit was made, relative to the registering unit's level."""

    LOCAL = "local", _("This level")  # 本级
    CITY = "city", _("To the city")  # 到市
    PROVINCE = "province", _("To the province")  # 赴省
    NATIONAL = "national", _("To Beijing")  # 进京


class RequestClass(models.TextChoices):
    """条例第二十九至三十一条."""

    SUGGESTION = "suggestion", _("Suggestion or opinion")  # 建议意见类
    ACCUSATION = "accusation", _("Report or accusation")  # 检举控告类
    CLAIM = "claim", _("Appeal or claim")  # 申诉求决类


# 条例第二十条: a collective visit chooses representatives, at most five.
MAX_REPRESENTATIVES = 5
# Petitioner records on one petition: a 联名信 names its signers, but past this many the signers are
# kept in the attached letter and ``persons`` counts them (a bound against a request of 100,000).
MAX_PETITIONERS = 100
# Reports count a visit of five or more persons as a 集体访 (shared/domain.md).
COLLECTIVE_VISIT_MIN_PERSONS = 5


class Category(models.Model):
    """问题类别: a configurable two-level list."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # 条例第二十二条: 涉法涉诉 matters go to the 政法部门; a category can require a unit type.
    route_to_kind = models.CharField(_("must be transferred to units of type"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.parent_id:
            raise ValidationError(
                {"parent": _("Categories have two levels; the parent must be a top-level one.")}
            )


class Petitioner(models.Model):
    """信访人. Personal data: every read through the UI or API is audited."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    id_number = models.CharField(_("ID card number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")

    def __str__(self) -> str:
        return self.name


class Petition(models.Model):
    """One registered petition item (信访事项登记), whatever its channel."""

    case_number = models.CharField(_("case number"), max_length=40, unique=True)
    # The three unit keys have no index of their own: the composite indexes in Meta lead with them
    # (a case's every transition rewrites the entries of each index of this row; migration 0013).
    registering_unit = models.ForeignKey(
        "orgs.Unit",
        models.PROTECT,
        related_name="registered_petitions",
        verbose_name=_("registering unit"),
        db_index=False,
    )
    handling_unit = models.ForeignKey(
        "orgs.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="handled_petitions",
        verbose_name=_("responsible unit"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateField(_("received date"))
    persons = models.PositiveSmallIntegerField(_("persons"), default=1)  # 人次
    visit_level = models.CharField(_("visit level"), max_length=16, choices=VisitLevel.choices, blank=True)
    is_collective = models.BooleanField(_("collective visit"), default=False)  # 集体访
    is_joint = models.BooleanField(_("jointly signed"), default=False)  # 联名
    is_oral = models.BooleanField(_("oral petition recorded verbatim"), default=False)  # 第十九条
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="+", verbose_name=_("problem category")
    )
    request_class = models.CharField(_("request class"), max_length=16, choices=RequestClass.choices)
    complained_unit = models.ForeignKey(
        "orgs.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="complained_petitions",
        verbose_name=_("unit complained about"),
    )
    complained_party = models.CharField(_("person complained about"), max_length=100, blank=True)
    region_code = models.CharField(_("region code of the matter"), max_length=12, blank=True)
    address = models.CharField(_("location of the matter"), max_length=200, blank=True)
    title = models.CharField(pgettext_lazy("petition", "title"), max_length=200)
    content = models.TextField(_("content"))
    search_text = models.TextField(_("search words"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.REGISTERED)
    is_open = models.BooleanField(_("open"), default=True)
    due_at = models.DateField(_("current deadline"), null=True, blank=True)
    route = models.CharField(_("handling route"), max_length=16, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # Incremented by every transition: the compare-and-swap that lets exactly one of two
    # simultaneous actions win.
    version = models.PositiveIntegerField(_("version"), default=0)
    petitioners = models.ManyToManyField(
        Petitioner, through="PetitionPetitioner", related_name="petitions", verbose_name=_("petitioners")
    )
    # Repeat and parallel petitions (detection): 重信重访 links to the earlier matter it repeats;
    # 信访并行 links a letter and a visit (or other channels) on the same matter.
    is_repeat = models.BooleanField(_("repeat petition"), default=False)
    repeat_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="repeats", verbose_name=_("repeats")
    )
    parallel_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="parallels", verbose_name=_("parallel to")
    )
    is_skip_level = models.BooleanField(_("level-skipping visit"), default=False)  # 越级访, 条例第二十条
    # 正当访 / 无理访: assessment counts only legitimate petitions when so configured (seed 003).
    is_legitimate = models.BooleanField(_("legitimate petition"), default=True)
    created_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submission_key = models.CharField(_("submission key"), max_length=64, null=True, blank=True, unique=True)
    # Not stored: what detection found when ``services.petition_register`` saved this petition.
    detection: Detection | None = None

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(
                fields=["registering_unit", "is_open", "-received_at"], name="pet_reg_open_recv_idx"
            ),
            models.Index(fields=["registering_unit", "is_open", "due_at"], name="pet_reg_open_due_idx"),
            models.Index(fields=["handling_unit", "is_open", "due_at"], name="pet_hdl_open_due_idx"),
            models.Index(fields=["handling_unit", "is_open", "-received_at"], name="pet_hdl_open_recv_idx"),
            models.Index(fields=["received_at"], name="pet_received_idx"),
            # Detection's blocking: the newest petitions on one 被反映单位 and category.
            models.Index(
                fields=["complained_unit", "category", "-received_at"], name="pet_cunit_cat_recv_idx"
            ),
            models.Index(fields=["is_open", "due_at"], name="pet_open_due_idx"),
            # The sweep's candidates: open cases by deadline, with what it reads of them, so that
            # both databases answer from the index alone (the id: SQLite's rowid is in every index;
            # PostgreSQL includes it).
            models.Index(
                fields=["due_at", "status", "handling_unit", "registering_unit"],
                condition=models.Q(is_open=True, due_at__isnull=False),
                include=["id"],
                name="pet_open_deadline_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(persons__gte=1), name="pet_persons_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"


class PetitionPetitioner(models.Model):
    petition = models.ForeignKey(Petition, models.PROTECT, related_name="links", verbose_name=_("petition"))
    petitioner = models.ForeignKey(
        Petitioner, models.PROTECT, related_name="links", verbose_name=_("petitioner")
    )
    is_representative = models.BooleanField(_("representative"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("petitioner of a petition")
        verbose_name_plural = _("petitioners of petitions")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "petitioner"], name="petpet_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}:{self.petitioner_id}"


class Attachment(models.Model):
    """A scanned letter, photo or document received with the petition."""

    petition = models.ForeignKey(
        Petition, models.PROTECT, related_name="attachments", verbose_name=_("petition")
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)  # of the file as received: the evidence
    # Of the file kept: an image is re-encoded without its metadata (xinfang.lib.uploads).
    stored_sha256 = models.CharField(_("SHA-256 as stored"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        "orgs.User", models.PROTECT, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseSequence(models.Model):
    """The running number of case numbers per registering unit and year."""

    unit = models.ForeignKey("orgs.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="caseseq_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"
