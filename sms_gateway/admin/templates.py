"""The template editor: preview as you type, checks on save, reset to the shipped text.

When a release ships new texts, unedited templates take them on ``load_templates``
/ ``setup``; customised ones are kept, and the admin shows each one that
differs from its shipped text side by side with it, with a one-click *adopt*.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from ..catalog import defaults
from ..core import locales, template_checks
from ..core.message_types import MessageType
from ..models import Template
from . import history


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
            self.review = template_checks.review_configured(
                data["type"], data["text"], locale=data.get("locale") or "en"
            )
            for error in self.review.errors:
                self.add_error("text", error)
        return data


def customised_differing(templates) -> list[tuple[Template, str]]:  # noqa: ANN001
    """(template, shipped text) for each customised template whose text is not the shipped one."""
    shipped = defaults.shipped()
    return [
        (t, shipped[(t.type, t.locale)])
        for t in templates
        if t.is_customized
        and (t.type, t.locale) in shipped
        and t.text != shipped[(t.type, t.locale)]
    ]


class CustomizedFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "customized"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [("yes", "customized"), ("no", "shipped, not edited")]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() in ("yes", "no"):
            return queryset.filter(is_customized=self.value() == "yes")
        return queryset


class ShippedFilter(admin.SimpleListFilter):
    title = "shipped text"
    parameter_name = "shipped"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [("differs", "customised, differs from shipped"), ("none", "no shipped text")]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() == "differs":
            return queryset.filter(pk__in=[t.pk for t, _ in customised_differing(queryset)])
        if self.value() == "none":
            shipped = defaults.shipped()
            return queryset.filter(
                pk__in=[t.pk for t in queryset if (t.type, t.locale) not in shipped]
            )
        return queryset


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["type", "locale", "text", "segments", "origin"]  # dates: history
    list_filter = ["type", "locale", CustomizedFilter, ShippedFilter]
    search_fields = ["text", "locale"]
    readonly_fields = ["preview", "shipped_text", "origin", "updated_at"]
    fields = ["type", "locale", "text", "preview", "shipped_text", "origin", "updated_at"]
    object_history_template = "admin/sms_gateway/template/object_history.html"
    actions = ["reset_to_shipped"]

    @admin.action(
        description="Reset selected templates to their shipped text…", permissions=["change"]
    )
    def reset_to_shipped(self, request: HttpRequest, queryset):  # noqa: ANN001, ANN201
        shipped = defaults.shipped()
        if request.POST.get("post") != "yes":
            # First ask, showing what each reset would change.
            rows = [
                (t, *history.side_by_side(t.text, shipped[(t.type, t.locale)]))
                for t in queryset
                if (t.type, t.locale) in shipped
            ]
            context = {
                **self.admin_site.each_context(request),
                "title": "Reset to the shipped text?",
                "opts": self.model._meta,
                "rows": rows,
                "unchanged": [r for r in rows if r[0].text == shipped[(r[0].type, r[0].locale)]],
                "without_shipped": [t for t in queryset if (t.type, t.locale) not in shipped],
                "selected": [t.pk for t in queryset],
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/sms_gateway/template/reset_confirmation.html", context
            )
        reset = skipped = 0
        for template in queryset:
            if (template.type, template.locale) in shipped:
                old = template.text
                defaults.reset(template.type, template.locale)
                history.log_text_change(
                    request, template, old, shipped[(template.type, template.locale)], "Reset"
                )
                reset += 1
            else:
                skipped += 1
        self.message_user(request, f"{reset} reset to the shipped text.")
        if skipped:
            messages.warning(request, f"{skipped} have no shipped text and were left as they are.")

    @admin.display(description="origin", ordering="is_customized")
    def origin(self, obj: Template | None) -> str:
        """Shipped texts are the normal case: only an operator's edit stands out."""
        if obj is None or not obj.pk:
            return "–"
        if obj.is_customized:
            return format_html('<strong class="sms-customized">{}</strong>', "customized")
        if (obj.type, obj.locale) in defaults.shipped():
            return format_html('<span class="sms-shipped sms-quiet">{}</span>', "shipped")
        return "added here"

    def construct_change_message(self, request, form, formsets, add=False):  # noqa: ANN001, ANN201
        message = super().construct_change_message(request, form, formsets, add)
        if add or "text" not in form.changed_data:
            return message
        return history.with_texts(message, form.initial.get("text", ""), form.cleaned_data["text"])

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):  # noqa: ANN001, ANN201
        template = self.get_object(request, object_id)
        changes = history.text_changes(template) if template else []
        return super().history_view(
            request, object_id, extra_context={**(extra_context or {}), "text_changes": changes}
        )

    @admin.display(description="segments (sample)")
    def segments(self, obj: Template) -> str:
        analysis = template_checks.review_configured(obj.type, obj.text, obj.locale).analysis
        return f"{analysis.segments} × {analysis.encoding}"

    @admin.display(description="preview")
    def preview(self, obj: Template | None) -> str:
        data = (
            template_checks.review_configured(obj.type, obj.text, obj.locale).as_dict()
            if obj and obj.pk
            else None
        )
        return render_to_string("admin/sms_gateway/template/preview.html", {"review": data})

    @admin.display(description="shipped text")
    def shipped_text(self, obj: Template | None) -> str:
        shipped = defaults.shipped().get((obj.type, obj.locale)) if obj and obj.pk else None
        return render_to_string(
            "admin/sms_gateway/template/shipped_text.html",
            {
                "template": obj,
                "shipped": shipped,
                "differs": shipped is not None and shipped != obj.text,
                "adopt_url": reverse("admin:sms_gateway_template_adopt", args=[obj.pk])
                if obj and obj.pk
                else "",
            },
        )

    def save_model(self, request, obj: Template, form, change: bool) -> None:  # noqa: ANN001
        obj.is_customized = defaults.differs_from_shipped(obj.type, obj.locale, obj.text)
        super().save_model(request, obj, form, change)
        review = getattr(form, "review", None)
        for warning in review.warnings if review else []:
            messages.warning(request, warning)

    def get_urls(self):  # noqa: ANN201
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="sms_gateway_template_preview"),
            path("shipped/", view(self.shipped_view), name="sms_gateway_template_shipped"),
            path("<int:pk>/adopt/", view(self.adopt_view), name="sms_gateway_template_adopt"),
            *super().get_urls(),
        ]

    def shipped_view(self, request: HttpRequest) -> HttpResponse:
        """Every customised template beside the text shipped now, each with an adopt button."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = customised_differing(Template.objects.all())
        context = {
            **self.admin_site.each_context(request),
            "title": "Customised templates and the shipped texts",
            "opts": self.model._meta,
            "rows": [
                (t, shipped, reverse("admin:sms_gateway_template_adopt", args=[t.pk]))
                for t, shipped in rows
            ],
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/sms_gateway/template/shipped.html", context)

    def adopt_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One click: this template takes its shipped text and is no longer customised."""
        template = get_object_or_404(Template, pk=pk)
        if request.method != "POST":
            return JsonResponse({"message": "POST, as staff."}, status=405)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        if (template.type, template.locale) not in defaults.shipped():
            messages.error(request, f"{template} has no shipped text.")
        else:
            old = template.text
            defaults.reset(template.type, template.locale)
            new = defaults.shipped()[(template.type, template.locale)]
            history.log_text_change(request, template, old, new, "Adopted the shipped text")
            self.message_user(request, f"{template} now uses the shipped text.")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:sms_gateway_template_change", args=[template.pk])
        return HttpResponseRedirect(back)

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """What the editor shows as the operator types: rendered text, cost, problems."""
        if request.method != "POST" or not self.has_view_permission(request):
            return JsonResponse({"message": "POST, as staff."}, status=405)
        kind, locale = request.POST.get("type", ""), request.POST.get("locale", "")
        review = template_checks.review_configured(
            kind, request.POST.get("text", ""), locales.normalize(locale) or "en"
        )
        return JsonResponse(review.as_dict())

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # noqa: ANN201
        existing = set(Template.objects.values_list("type", "locale"))
        all_locales = sorted({locale for _, locale in existing})
        missing = [
            (locale, [kind for kind in MessageType.values if (kind, locale) not in existing])
            for locale in all_locales
        ]
        add = reverse("admin:sms_gateway_template_add")
        context = {
            "missing": [
                (locale, [(kind, f"{add}?type={kind}&locale={locale}") for kind in kinds])
                for locale, kinds in missing
                if kinds
            ],
            "differing": len(customised_differing(Template.objects.filter(is_customized=True))),
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **context})
