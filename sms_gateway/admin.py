from __future__ import annotations

from django import forms
from django.contrib import admin

from . import defaults
from .models import Attempt, Message, Route, RouteProvider, Template
from .providers import provider_aliases


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["type", "locale", "text", "is_customized", "updated_at"]
    list_filter = ["type", "locale", "is_customized"]
    search_fields = ["text", "locale"]
    readonly_fields = ["is_customized", "updated_at"]

    def save_model(self, request, obj: Template, form, change: bool) -> None:  # noqa: ANN001
        obj.is_customized = defaults.shipped().get((obj.type, obj.locale)) != obj.text
        super().save_model(request, obj, form, change)


class RouteProviderForm(forms.ModelForm):
    provider = forms.ChoiceField(choices=())

    class Meta:
        model = RouteProvider
        fields = ["position", "provider", "sender"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(a, a) for a in provider_aliases()]


class RouteProviderInline(admin.TabularInline):
    model = RouteProvider
    form = RouteProviderForm
    extra = 1
    ordering = ["position"]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prefix", "country", "providers", "description"]
    search_fields = ["prefix", "country", "description"]
    inlines = [RouteProviderInline]

    @admin.display(description="providers, in order")
    def providers(self, route: Route) -> str:
        return " → ".join(hop.provider for hop in route.hops.all()) or "(none: blocked)"

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).prefetch_related("hops")


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "provider",
        "outcome",
        "category",
        "error_code",
        "error",
        "provider_message_id",
        "duration_ms",
        "started_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "to",
        "country",
        "type",
        "locale",
        "provider",
        "status",
        "segments",
    ]
    list_filter = ["status", "type", "provider", "country", "locale"]
    search_fields = ["to", "provider_message_id", "id"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        return [field.name for field in Message._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
