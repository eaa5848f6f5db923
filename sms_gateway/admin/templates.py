"""The template editor: preview as you type, checks on save, reset to the shipped text."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import path

from ..catalog import defaults
from ..core import locales, template_checks
from ..core.message_types import MessageType
from ..models import Template


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["type", "locale", "text"]

    def clean_locale(self) -> str:
        locale = locales.normalize(self.cleaned_data["locale"])
        if locale is None:
            raise forms.ValidationError("Not a BCP-47 tag such as en, fr or pt-BR.")
        return locale

    def clean(self) -> dict:
        data = super().clean()
        if data.get("type") and data.get("text") is not None:
            self.review = template_checks.review_configured(data["type"], data["text"])
            for error in self.review.errors:
                self.add_error("text", error)
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["type", "locale", "text", "segments", "is_customized", "updated_at"]
    list_filter = ["type", "locale", "is_customized"]
    search_fields = ["text", "locale"]
    readonly_fields = ["preview", "is_customized", "updated_at"]
    fields = ["type", "locale", "text", "preview", "is_customized", "updated_at"]
    actions = ["reset_to_shipped"]

    @admin.action(description="Reset selected templates to their shipped text")
    def reset_to_shipped(self, request: HttpRequest, queryset) -> None:  # noqa: ANN001
        shipped = defaults.shipped()
        reset = skipped = 0
        for template in queryset:
            if (template.type, template.locale) in shipped:
                defaults.reset(template.type, template.locale)
                reset += 1
            else:
                skipped += 1
        self.message_user(request, f"{reset} reset to the shipped text.")
        if skipped:
            messages.warning(request, f"{skipped} have no shipped text and were left as they are.")

    @admin.display(description="segments (sample)")
    def segments(self, obj: Template) -> str:
        analysis = template_checks.review_configured(obj.type, obj.text).analysis
        return f"{analysis.segments} × {analysis.encoding}"

    @admin.display(description="preview")
    def preview(self, obj: Template | None) -> str:
        data = (
            template_checks.review_configured(obj.type, obj.text).as_dict()
            if obj and obj.pk
            else None
        )
        return render_to_string("admin/sms_gateway/template/preview.html", {"review": data})

    def save_model(self, request, obj: Template, form, change: bool) -> None:  # noqa: ANN001
        obj.is_customized = defaults.differs_from_shipped(obj.type, obj.locale, obj.text)
        super().save_model(request, obj, form, change)
        review = getattr(form, "review", None)
        for warning in review.warnings if review else []:
            messages.warning(request, warning)

    def get_urls(self):  # noqa: ANN201
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="sms_gateway_template_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """What the editor shows as the operator types: rendered text, cost, problems."""
        if request.method != "POST" or not self.has_view_permission(request):
            return JsonResponse({"message": "POST, as staff."}, status=405)
        kind = request.POST.get("type", "")
        return JsonResponse(
            template_checks.review_configured(kind, request.POST.get("text", "")).as_dict()
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # noqa: ANN201
        existing = set(Template.objects.values_list("type", "locale"))
        all_locales = sorted({locale for _, locale in existing})
        missing = [
            (locale, [kind for kind in MessageType.values if (kind, locale) not in existing])
            for locale in all_locales
        ]
        context = {"missing": [(locale, kinds) for locale, kinds in missing if kinds]}
        return super().changelist_view(request, extra_context={**(extra_context or {}), **context})
