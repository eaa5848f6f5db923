"""Routes: which providers, in order, send to a prefix or a country, and how the first
one is chosen (the mode: ordered, weighted, adaptive, least cost; README, Routing modes).

What the editor shows is what is sent: the inline lists the hops in the order
the send path reads them (position, then id), a blank row chooses nothing (it is
ignored unless a provider is picked), and a route without providers is saved
only when *Block* is ticked, so blocking a destination is always a decision.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html

from ..models import Route, RouteProvider
from ..providers import provider_aliases
from .route_choice import MODE_HELP, choice_table
from .senders import route_sender_error
from .tenants import TenantScoped

BLOCK_HELP = (
    "No providers: every SMS to this destination is refused (400, “SMS to this "
    "destination is not enabled”). Tick it to block; remove every provider below first."
)


def normalize_prefix(value: str) -> str:
    """'+1 604', '00 1-604', '(1) 604' -> '1604': operators paste numbers as they read them."""
    text = "".join(ch for ch in value if ch not in " -.()\u00a0\t")
    if text.startswith("+"):
        text = text[1:]
    elif text.startswith("00"):
        text = text[2:]
    return text


class PrefixField(forms.CharField):
    def to_python(self, value: object) -> str:
        return normalize_prefix(super().to_python(value))


class CountryField(forms.CharField):
    def to_python(self, value: object) -> str:
        return super().to_python(value).strip().upper()


class RouteForm(forms.ModelForm):
    prefix = PrefixField(
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="E.164 digits, e.g. 33 or 1604 (“+1 604” is read as 1604). Longest match wins.",
    )
    country = CountryField(
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="ISO 3166 country, e.g. CA (“ca” is read as CA): for calling codes "
        "shared by countries (+1, +7, +44).",
    )
    blocked = forms.BooleanField(
        required=False, label="Block this destination", help_text=BLOCK_HELP
    )

    class Meta:
        model = Route
        fields = [
            *("prefix", "country", "blocked", "description"),
            *("mode", "floor_delivery", "floor_conversion"),
        ]

    def clean(self) -> dict:
        data = super().clean()
        for name in ("mode", "floor_delivery", "floor_conversion"):
            if data.get(name) in (None, ""):
                data[name] = Route._meta.get_field(name).get_default()
        for name in ("floor_delivery", "floor_conversion"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 1:
                self.add_error(name, "A rate between 0 and 1, e.g. 0.9 for 90 %.")
        return data

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["blocked"].initial = not self.instance.hops.exists()
        # Omitted (a client that predates modes): the model's defaults, an ordered route.
        for name in ("mode", "floor_delivery", "floor_conversion"):
            if name in self.fields:  # not for a view-only operator
                self.fields[name].required = False


class RouteProviderForm(forms.ModelForm):
    provider = forms.ChoiceField(choices=(), required=True)

    class Meta:
        model = RouteProvider
        fields = ["position", "provider", "sender", "weight"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        aliases = provider_aliases()
        # The empty choice: a blank row picks nothing, so it is not saved.
        choices = [("", "---------")] + [(a, a) for a in aliases]
        stored = self.instance.provider if self.instance.pk else ""
        if stored and stored not in aliases:
            # Shown as stored, never silently replaced by the first alias.
            choices.append((stored, f"{stored} (not configured: fails as provider_config)"))
        self.fields["provider"].choices = choices
        if "weight" in self.fields:  # not for a view-only operator
            self.fields["weight"].required = False  # omitted: 1

    def clean_sender(self) -> str:
        return self.cleaned_data["sender"].strip()

    def clean_weight(self) -> int:
        weight = self.cleaned_data.get("weight")
        return 1 if weight is None else weight

    def clean(self) -> dict:
        data = super().clean()
        alias, sender = data.get("provider"), data.get("sender")
        if alias and sender:
            problem = sender_problem(alias, sender)
            if problem:
                self.add_error("sender", problem)
        return data


def sender_problem(alias: str, sender: str) -> str:
    """What the alias's provider says is wrong with this sender ('' = nothing), so a
    sender that every send would fail with is refused when the route is saved."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    try:
        backend = import_string(settings.SMS_PROVIDERS[alias]["BACKEND"])
    except (KeyError, ImportError, TypeError):
        return ""  # an unconfigured alias is shown as such
    check = getattr(backend, "sender_problem", None)
    return check(sender) if check else ""


class RouteProviderFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("provider") and not form.cleaned_data.get("DELETE")
        ]
        for form in kept:  # sender rules per country (admin/senders.py)
            problem = route_sender_error(self.instance, form.cleaned_data)
            if problem:
                form.add_error("sender", problem)
        if any(self.errors):
            return
        blocked = self.data.get("blocked") in ("on", "true", "True", "1")
        if blocked and kept:
            raise forms.ValidationError(
                "“Block this destination” is ticked but providers are listed: "
                "remove them (tick Delete) to block, or untick Block to send."
            )
        if not blocked and not kept:
            raise forms.ValidationError(
                "No provider chosen. Pick at least one provider, or tick "
                "“Block this destination” to refuse every SMS to it."
            )


class RouteProviderInline(admin.TabularInline):
    model = RouteProvider
    form = RouteProviderForm
    formset = RouteProviderFormSet
    extra = 1
    ordering = ["position", "id"]  # the order the send path reads (catalog/snapshot.py)
    verbose_name = "provider"
    verbose_name_plural = "providers, tried in order of position"


@admin.register(Route)
class RouteAdmin(TenantScoped, admin.ModelAdmin):
    form = RouteForm
    list_display = ["__str__", "prefix", "country", "providers", "mode", "description"]
    search_fields = ["prefix", "country", "description"]
    inlines = [RouteProviderInline]
    fieldsets = [
        (None, {"fields": ["prefix", "country", "blocked", "description"]}),
        (
            "How the first provider is chosen",
            {
                "fields": ["mode", "floor_delivery", "floor_conversion", "current_choice"],
                "description": MODE_HELP,
            },
        ),
    ]
    readonly_fields = ["current_choice"]

    @admin.display(description="now")
    def current_choice(self, route: Route) -> str:
        if not route.pk:
            return "Saved routes show their shares, scores, prices and cost here."
        return choice_table(route)

    @admin.display(description="providers, in order")
    def providers(self, route: Route) -> str:
        hops = list(route.hops.all())
        if not hops:
            return format_html(
                '<strong class="sms-blocked">{}</strong>',
                "BLOCKED: no providers, every SMS refused",
            )
        return " → ".join(
            f"{hop.provider} ({hop.sender})" if hop.sender else hop.provider for hop in hops
        )

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201
        return super().get_queryset(request).prefetch_related("hops")

    def save_model(self, request: HttpRequest, obj: Route, form, change: bool) -> None:  # noqa: ANN001
        if change and not form.has_changed():
            return  # re-saving an unchanged route changes nothing, not even updated_at
        super().save_model(request, obj, form, change)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # noqa: ANN201
        from django.conf import settings

        context = {
            "default_route_exists": self.get_queryset(request)
            .filter(prefix="", country="")
            .exists(),
            "default_providers": " → ".join(settings.SMS_DEFAULT_PROVIDERS),
        }
        return super().changelist_view(request, extra_context={**(extra_context or {}), **context})
