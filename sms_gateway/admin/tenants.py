"""Tenants in the admin: who works on which tenant, and the mixin every screen of a
tenant's objects uses (README, "Tenants").

A staff user works on the tenants whose operators' group they are in, or on the
default tenant when in none (a single-tenant install's operators, unchanged);
their permissions say what they may do there. Every queryset of a screen is
narrowed to those tenants, so another tenant's object is a 404 by URL or id, and
is in no list, filter, search or export. Superusers see every tenant and filter
by tenant; only they manage tenants. The figures (the delivery dashboard, the home
page's) are of the tenants ``figures_of`` says.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ..catalog import snapshot
from ..core import sealed
from ..core.tenants import DEFAULT_TENANT_ID, token_digest
from ..models import Tenant, TenantToken


def tenants_of(request: HttpRequest) -> list[int] | None:
    """The tenants ``request.user`` works on; None: every tenant (a superuser)."""
    user = request.user
    if user.is_superuser:
        return None
    cached = getattr(request, "_sms_tenants", None)
    if cached is None:
        cached = list(Tenant.objects.filter(operators__user=user).values_list("pk", flat=True)) or [
            DEFAULT_TENANT_ID
        ]
        request._sms_tenants = cached
    return cached


def tenant_of(request: HttpRequest) -> int:
    """The tenant what ``request.user`` creates or sends belongs to."""
    tenants = tenants_of(request)
    return tenants[0] if tenants else DEFAULT_TENANT_ID


def several_tenants() -> bool:
    """From the snapshot: no query on most pages."""
    return len(snapshot.snapshot().catalogs) > 1


def figures_of(request: HttpRequest, asked: object = None) -> tuple[int, ...] | None:
    """Whose figures a page shows (the delivery dashboard, the home page); None: the
    whole gateway's.

    One tenant only (a single-tenant install): None, the queries as they always were.
    A superuser: every tenant, or the one ``asked`` for (``?tenant=<id>``). An
    operator: their tenants, or the one asked for among them; any other id asked
    for is ignored (their own figures, never another tenant's)."""
    if not several_tenants():
        return None
    try:
        wanted = int(str(asked)) if asked not in (None, "") else None
    except ValueError:
        wanted = None
    mine = tenants_of(request)
    if mine is None:
        return None if wanted is None else (wanted,)
    return (wanted,) if wanted in mine else tuple(mine)


def tenant_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """The tenants ``request.user`` may choose between on a page of figures (by id)."""
    return list(scope(Tenant.objects.order_by("pk"), request, "pk").values_list("pk", "name"))


def scope(queryset: QuerySet, request: HttpRequest, path: str = "tenant") -> QuerySet:
    tenants = tenants_of(request)
    return queryset if tenants is None else queryset.filter(**{f"{path}__in": tenants})


class TenantScoped(admin.ModelAdmin):
    """Mixed into every ModelAdmin of a tenant's objects (before ``admin.ModelAdmin``)."""

    tenant_path = "tenant"  # the lookup from the model to its tenant

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(super().get_queryset(request), request, self.tenant_path)

    def get_list_filter(self, request: HttpRequest):  # noqa: ANN201
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser and several_tenants():
            filters.insert(0, self.tenant_path)
        return filters

    def get_list_display(self, request: HttpRequest):  # noqa: ANN201
        display = list(super().get_list_display(request))
        if request.user.is_superuser and several_tenants() and self.tenant_path == "tenant":
            display.append("tenant")
        return display

    def _tenant_field_shown(self, request: HttpRequest, obj: object) -> bool:
        return (
            self.tenant_path == "tenant"
            and obj is None
            and request.user.is_superuser
            and several_tenants()
        )

    def get_fields(self, request: HttpRequest, obj: object = None):  # noqa: ANN201
        fields = [f for f in super().get_fields(request, obj) if f != "tenant"]
        return ["tenant", *fields] if self._tenant_field_shown(request, obj) else fields

    def get_fieldsets(self, request: HttpRequest, obj: object = None):  # noqa: ANN201
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets and self._tenant_field_shown(request, obj):
            return [(None, {"fields": ["tenant"]}), *fieldsets]
        return fieldsets

    def get_form(self, request: HttpRequest, obj: object = None, **kwargs: object):  # noqa: ANN201
        form = super().get_form(request, obj, **kwargs)
        if self.tenant_path != "tenant":
            return form
        tenant = tenant_of(request)

        class Scoped(form):
            def __init__(self, *args: object, **kw: object) -> None:
                super().__init__(*args, **kw)
                if self.instance.pk is None and "tenant" not in self.fields:
                    self.instance.tenant_id = tenant

            def _get_validation_exclusions(self):  # noqa: ANN202
                # Unique per tenant: checked with the tenant even when it is not a field.
                exclusions = super()._get_validation_exclusions()
                exclusions.discard("tenant")
                return exclusions

        Scoped.__name__ = form.__name__
        return Scoped

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: object):  # noqa: ANN001, ANN201
        if db_field.name == "tenant":
            kwargs["queryset"] = scope(Tenant.objects.all(), request, "pk")
            kwargs["initial"] = DEFAULT_TENANT_ID
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TokenForm(forms.ModelForm):
    value = forms.CharField(
        label="Authorization value",
        widget=forms.PasswordInput(render_value=False),
        help_text="Exactly as typed in the Logto connector's Authorization field; only its "
        "SHA-256 is kept, so copy it now.",
    )

    class Meta:
        model = TenantToken
        fields = ["label"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:  # stored: its value is not known any more
            self.fields["value"].required = False
            self.fields["value"].disabled = True

    def clean_value(self) -> str:
        if self.instance.pk is not None:
            return ""
        value = self.cleaned_data["value"].strip()
        if len(value) < 16:
            raise forms.ValidationError("At least 16 characters.")
        if TenantToken.objects.filter(digest=token_digest(value)).exists():
            raise forms.ValidationError("This value already opens a tenant.")
        if value in settings.SMS_GATEWAY_TOKENS:
            raise forms.ValidationError("This value opens the default tenant (SMS_GATEWAY_TOKENS).")
        return value

    def save(self, commit: bool = True) -> TenantToken:
        if self.cleaned_data.get("value"):
            self.instance.digest = token_digest(self.cleaned_data["value"])
        return super().save(commit)


class TokenInline(admin.TabularInline):
    model = TenantToken
    form = TokenForm
    extra = 0
    fields = ["label", "value", "created_at"]
    readonly_fields = ["created_at"]


class WriteOnlyTextarea(forms.Textarea):
    """Never renders a value, not even the one just typed (a form shown again)."""

    def format_value(self, value: object) -> None:
        return None


class TenantForm(forms.ModelForm):
    """The webhook signing keys are write-only: typed keys replace the stored ones,
    blank keeps them, *Remove* clears them; the page shows how many are stored and the
    last 4 characters of each, never a key. The admin log records that they changed
    (the field's name), never them."""

    new_webhook_keys = forms.CharField(
        label="New Logto webhook signing keys",
        required=False,
        strip=False,
        widget=WriteOnlyTextarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
        help_text="The signing key of this tenant's Logto webhook, one per line (two while "
        "rotating). They replace the stored keys; blank: keep the stored keys. Stored "
        "encrypted, shown to nobody again.",
    )
    remove_webhook_keys = forms.BooleanField(
        label="Remove the stored webhook signing keys",
        required=False,
        help_text="This tenant's webhooks are refused until new keys are entered.",
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "operators"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if sealed.parse(cleaned.get("new_webhook_keys") or "") and cleaned.get(
            "remove_webhook_keys"
        ):
            raise forms.ValidationError("Either enter new webhook signing keys or remove them.")
        return cleaned

    def save(self, commit: bool = True) -> Tenant:
        keys = sealed.parse(self.cleaned_data.get("new_webhook_keys") or "")
        if keys or self.cleaned_data.get("remove_webhook_keys"):
            self.instance.set_webhook_keys(keys)
        return super().save(commit)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """Superusers only: tenants, their operators' group, tokens and webhook keys."""

    form = TenantForm
    list_display = ["name", "slug", "operators"]
    fields = [
        "name",
        "slug",
        "operators",
        "stored_webhook_keys",
        "new_webhook_keys",
        "remove_webhook_keys",
    ]
    readonly_fields = ["stored_webhook_keys"]
    inlines = [TokenInline]

    def get_fields(self, request: HttpRequest, obj: object = None):  # noqa: ANN201
        fields = super().get_fields(request, obj)
        if obj is None:  # a new tenant has nothing stored
            return [f for f in fields if f not in ("stored_webhook_keys", "remove_webhook_keys")]
        return fields

    @admin.display(description="Logto webhook signing keys")
    def stored_webhook_keys(self, obj: Tenant) -> str:
        try:
            return sealed.describe(obj.webhook_keys)
        except sealed.Unreadable:
            return (
                "Stored, but they cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS "
                "(SECRET_KEY changed): this tenant's webhooks are refused. Enter them again."
            )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        default = obj is not None and obj.pk == DEFAULT_TENANT_ID
        return self.has_module_permission(request) and not default
