"""Logto's template types (``TemplateType`` in @logto/connector-kit)."""

from __future__ import annotations

import re

from django.db import models


class MessageType(models.TextChoices):
    # Labelled as Logto names them, which is what operators look for.
    SIGN_IN = "SignIn", "SignIn"
    REGISTER = "Register", "Register"
    FORGOT_PASSWORD = "ForgotPassword", "ForgotPassword"
    ORGANIZATION_INVITATION = "OrganizationInvitation", "OrganizationInvitation"
    GENERIC = "Generic", "Generic"
    USER_PERMISSION_VALIDATION = "UserPermissionValidation", "UserPermissionValidation"
    BIND_NEW_IDENTIFIER = "BindNewIdentifier", "BindNewIdentifier"
    MFA_VERIFICATION = "MfaVerification", "MfaVerification"
    BIND_MFA = "BindMfa", "BindMfa"


KNOWN_TYPES = frozenset(MessageType.values)
# Logto adds types over time; a new one that looks like a type name is sent with
# the Generic template, as Logto's own template lookup does.
TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")  # use with fullmatch
# Types whose message carries a one-time code (an invitation carries a link).
CODE_TYPES = KNOWN_TYPES - {MessageType.ORGANIZATION_INVITATION}
