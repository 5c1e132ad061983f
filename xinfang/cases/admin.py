from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from xinfang.cases.models import HolidaySchedule, NoticeTemplate
from xinfang.workflow.calendar import parse_dates, reload_calendar
from xinfang.workflow.notices import ensure_templates


class HolidayScheduleForm(forms.ModelForm):
    class Meta:
        model = HolidaySchedule
        fields = ["year", "holidays", "workdays", "note"]

    def _dates(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        try:
            days = parse_dates(text)
        except ValueError:
            raise forms.ValidationError(_("Use one date per line, written YYYY-MM-DD.")) from None
        year = self.cleaned_data.get("year")
        if year and any(d.year != year for d in days):
            raise forms.ValidationError(_("Every date must fall in the year of the schedule."))
        return text

    def clean_holidays(self) -> str:
        return self._dates("holidays")

    def clean_workdays(self) -> str:
        return self._dates("workdays")


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    """The State Council's schedule for a year the calendar package does not know yet."""

    form = HolidayScheduleForm
    list_display = ["year", "note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reload_calendar()


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """Notice texts. Editing one changes future notices only; issued notices keep their text."""

    list_display = ["title", "kind", "number_prefix", "updated_at"]
    readonly_fields = ["kind"]

    def get_queryset(self, request):
        ensure_templates()
        return super().get_queryset(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
