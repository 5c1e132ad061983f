"""Password rules of 等保 2.0 third level (GB/T 22239-2019 8.1.4.1: complex passwords): with
Django's validators (at least 10 characters, not all digits, not a common password, not like the
username or the full name), this one refuses a password built on the pinyin of the user's name
(王芳 → wangfang, fangwang, wfang …), which Django's similarity check cannot see in Chinese."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

MIN_PART = 4  # a shorter pinyin fragment ("li") is too common to refuse


def name_pinyin_forms(name: str) -> set[str]:
    """The ways a name is typed in pinyin: in order, given name first, and surname + initials."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL) if s.isascii() and s.isalpha()]
    if not syllables:
        return set()
    surname, given = syllables[0], syllables[1:]
    forms = {"".join(syllables), "".join(given) + surname, surname + "".join(s[0] for s in given)}
    if given:
        forms.add("".join(given))
    return {form for form in forms if len(form) >= MIN_PART}


class PinyinNameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        name = getattr(user, "full_name", "") or ""
        letters = re.sub(r"[^a-z]", "", password.lower())
        if any(form in letters for form in name_pinyin_forms(name)):
            raise ValidationError(
                _("The password must not be built on the pinyin of your name."), code="password_pinyin_name"
            )

    def get_help_text(self) -> str:
        return _("Your password must not be built on the pinyin of your name.")
