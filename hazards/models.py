"""The hidden-danger ledger."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """A key industry (行业领域) of the taxonomy, or one of its sub-categories."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh
