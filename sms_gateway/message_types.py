"""Logto's template types (``TemplateType`` in @logto/connector-kit)."""

from __future__ import annotations

import re

from django.db import models


class MessageType(models.TextChoices):
    SIGN_IN = "SignIn"
    REGISTER = "Register"
    FORGOT_PASSWORD = "ForgotPassword"
    ORGANIZATION_INVITATION = "OrganizationInvitation"
    GENERIC = "Generic"
    USER_PERMISSION_VALIDATION = "UserPermissionValidation"
    BIND_NEW_IDENTIFIER = "BindNewIdentifier"
    MFA_VERIFICATION = "MfaVerification"
    BIND_MFA = "BindMfa"


KNOWN_TYPES = frozenset(MessageType.values)
# Logto adds types over time; a new one that looks like a type name is sent with
# the Generic template, as Logto's own template lookup does.
TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")
# Types whose message carries a one-time code (an invitation carries a link).
CODE_TYPES = KNOWN_TYPES - {MessageType.ORGANIZATION_INVITATION}
