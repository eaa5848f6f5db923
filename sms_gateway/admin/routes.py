"""Routes: which providers, in order, send to a prefix or a country."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from ..models import Route, RouteProvider
from ..providers import provider_aliases


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
