from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    name = "xinfang.detection"
    label = "detection"
    verbose_name = _("Repeat detection")
