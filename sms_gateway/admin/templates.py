"""The template editor: preview as you type, checks on save, reset to the shipped text.

When a release ships new texts, unedited templates take them on ``load_templates``
/ ``setup``; customized ones are kept. The admin flags a customized template only
when its shipped text changed after the operator's last save (``shipped_version``
keeps the shipped text of that moment), side by side with it and one click from
*Reset to the shipped text*. Type and locale are fixed once a template exists;
shipped templates are reset, never deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
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
from ..core.template_origin import placeholders_for, shipped_changed_since_edit
from ..models import Template
from . import history
from .tenants import TenantScoped

RESET = "Reset to the shipped text"  # the one name of the action, wherever it is offered


def placeholder_hint(kind: str) -> str:
    """The text field's help on a saved template: every placeholder its type supports (the
    model's help text, shown when adding, lists those of every type)."""
    names = ", ".join(f"{{{{{name}}}}}" for name in placeholders_for(kind))
    return f"Placeholders for {kind}: {names}."


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["type", "locale", "text"]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if "text" in self.fields and self.instance.pk:
            self.fields["text"].help_text = placeholder_hint(self.instance.type)

    def clean_locale(self) -> str:
        locale = locales.normalize(self.cleaned_data["locale"])
        if locale is None:
            raise forms.ValidationError("Not a BCP-47 tag such as en, fr or pt-BR.")
        return locale

    def clean(self) -> dict:
        data = super().clean()
        # A saved template's type and locale are read-only: not in the form, on the instance.
        kind = self.instance.type if self.instance.pk else data.get("type")
        locale = self.instance.locale if self.instance.pk else data.get("locale")
        if kind and data.get("text") is not None:
            self.review = template_checks.review_configured(
                kind, data["text"], locale=locale or "en"
            )
            for error in self.review.errors:
                self.add_error("text", error)
        return data


def shipped_news(template: Template) -> bool:
    """Its shipped text changed after the operator's last save."""
    return shipped_changed_since_edit(
        template.text,
        template.is_customized,
        template.shipped_version,
        defaults.shipped().get((template.type, template.locale)),
    )


def with_new_shipped_text(templates) -> list[tuple[Template, str]]:  # noqa: ANN001
    """(template, shipped text) for each customized template whose shipped text is news."""
    shipped = defaults.shipped()
    return [(t, shipped[(t.type, t.locale)]) for t in templates if shipped_news(t)]


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
        return [("differs", "customized, new shipped text"), ("none", "no shipped text")]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() == "differs":
            return queryset.filter(pk__in=[t.pk for t, _ in with_new_shipped_text(queryset)])
        if self.value() == "none":
            shipped = defaults.shipped()
            return queryset.filter(
                pk__in=[t.pk for t in queryset if (t.type, t.locale) not in shipped]
            )
        return queryset


@admin.register(Template)
class TemplateAdmin(TenantScoped, admin.ModelAdmin):
    form = TemplateForm
    list_display = ["type", "locale", "text", "segments", "origin"]  # dates: history
    list_filter = ["type", "locale", CustomizedFilter, ShippedFilter]
    search_fields = ["text", "locale"]
    readonly_fields = ["preview", "shipped_text", "origin", "last_saved"]
    fields = ["type", "locale", "text", "preview", "shipped_text", "origin", "last_saved"]
    object_history_template = "admin/sms_gateway/template/object_history.html"
    actions = ["reset_to_shipped", "delete_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Template | None = None):  # noqa: ANN201
        """Type and locale name the template: changing them would make it another one."""
        fixed = ["type", "locale"] if obj is not None and obj.pk else []
        return [*fixed, *super().get_readonly_fields(request, obj)]

    def has_delete_permission(self, request: HttpRequest, obj: Template | None = None) -> bool:
        """A shipped template is reset, never deleted (a deleted one comes back on setup)."""
        if obj is not None and (obj.type, obj.locale) in defaults.shipped():
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:  # noqa: ANN001
        super().delete_queryset(request, self.deletable(queryset))

    @admin.action(description="Delete selected templates added here", permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset):  # noqa: ANN001, ANN201
        """Django's delete, with its confirmation, on the selected templates no release ships."""
        own = self.deletable(queryset)
        kept = len(queryset) - len(own)
        if kept:
            messages.warning(
                request,
                f"{kept} shipped template{'s' if kept > 1 else ''} left as "
                f"{'they are' if kept > 1 else 'it is'}: shipped templates are reset "
                "to their shipped text, never deleted.",
            )
        if not own:
            return None
        return delete_selected(self, request, own)

    @staticmethod
    def deletable(queryset):  # noqa: ANN001, ANN205
        shipped = defaults.shipped()
        return queryset.filter(pk__in=[t.pk for t in queryset if (t.type, t.locale) not in shipped])

    @admin.display(description="last saved", ordering="updated_at")
    def last_saved(self, obj: Template | None) -> str:
        return history.moment(obj.updated_at) if obj and obj.pk else "–"

    @admin.action(description=f"{RESET}…", permissions=["change"])
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
                "title": f"{RESET}?",
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
                defaults.reset(template.type, template.locale, tenant=template.tenant_id)
                history.log_text_change(
                    request, template, old, shipped[(template.type, template.locale)], RESET
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
        context = {
            "changes": history.changes(template) if template else [],
            "can_restore": template is not None and self.has_change_permission(request, template),
        }
        return super().history_view(
            request, object_id, extra_context={**(extra_context or {}), **context}
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
                "news": obj is not None and obj.pk is not None and shipped_news(obj),
                "reset_url": reverse("admin:sms_gateway_template_reset", args=[obj.pk])
                if obj and obj.pk
                else "",
                "reset_label": RESET,
            },
        )

    def save_model(self, request, obj: Template, form, change: bool) -> None:  # noqa: ANN001
        # Saving is seeing the shipped text of now: only a later release's is news.
        for field, value in defaults.origin_of(obj.type, obj.locale, obj.text).items():
            setattr(obj, field, value)
        super().save_model(request, obj, form, change)
        review = getattr(form, "review", None)
        for warning in review.warnings if review else []:
            messages.warning(request, warning)

    def get_urls(self):  # noqa: ANN201
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="sms_gateway_template_preview"),
            path("shipped/", view(self.shipped_view), name="sms_gateway_template_shipped"),
            path("<int:pk>/reset/", view(self.reset_view), name="sms_gateway_template_reset"),
            path(
                "<int:pk>/history/<int:entry>/restore/",
                view(self.restore_view),
                name="sms_gateway_template_restore",
            ),
            *super().get_urls(),
        ]

    def shipped_view(self, request: HttpRequest) -> HttpResponse:
        """Every customized template whose shipped text changed since its edit, side by side."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = with_new_shipped_text(self.get_queryset(request).filter(is_customized=True))
        context = {
            **self.admin_site.each_context(request),
            "title": "New shipped texts for customized templates",
            "opts": self.model._meta,
            "rows": [
                (t, shipped, reverse("admin:sms_gateway_template_reset", args=[t.pk]))
                for t, shipped in rows
            ],
            "can_change": self.has_change_permission(request),
            "reset_label": RESET,
        }
        return TemplateResponse(request, "admin/sms_gateway/template/shipped.html", context)

    def reset_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One click: this template takes its shipped text and is no longer customized."""
        template = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return JsonResponse({"message": "POST, as staff."}, status=405)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        if (template.type, template.locale) not in defaults.shipped():
            messages.error(request, f"{template} has no shipped text.")
        else:
            old = template.text
            defaults.reset(template.type, template.locale, tenant=template.tenant_id)
            new = defaults.shipped()[(template.type, template.locale)]
            history.log_text_change(request, template, old, new, RESET)
            self.message_user(request, f"{template} now uses the shipped text.")
        return HttpResponseRedirect(self._back(request, template))

    def restore_view(self, request: HttpRequest, pk: int, entry: int) -> HttpResponse:
        """The history's *Restore this version*: the text that change left, logged as a change."""
        template = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return JsonResponse({"message": "POST, as staff."}, status=405)
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        version = history.version(template, entry)
        if version is None:
            return JsonResponse({"message": "No such version of this template."}, status=404)
        moment, text = version
        review = template_checks.review_configured(template.type, text, template.locale)
        if review.errors:
            messages.error(request, f"Not restored: {' '.join(review.errors)}")
        elif text == template.text:
            messages.info(request, "The template already has this text.")
        else:
            old = template.text
            template.text = text
            for field, value in defaults.origin_of(template.type, template.locale, text).items():
                setattr(template, field, value)
            template.save()
            label = f"Restored the version of {history.moment(moment)}"
            history.log_text_change(request, template, old, text, label)
            self.message_user(request, f"{template}: {label[0].lower()}{label[1:]}.")
        return HttpResponseRedirect(
            reverse("admin:sms_gateway_template_history", args=[template.pk])
        )

    @staticmethod
    def _back(request: HttpRequest, template: Template) -> str:
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:sms_gateway_template_change", args=[template.pk])
        return back

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
        existing = set(self.get_queryset(request).values_list("type", "locale"))
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
            "differing": len(
                with_new_shipped_text(self.get_queryset(request).filter(is_customized=True))
            ),
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **context})
