"""Signals for integrators.

``delivery_status_changed`` is sent once per change of a message's delivery
status (not for duplicates or receipts that arrive too late to matter), after the
record is saved::

    from django.dispatch import receiver
    from sms_gateway.delivery.signals import delivery_status_changed

    @receiver(delivery_status_changed)
    def on_delivery(sender, message_id, status, previous, event, **kwargs):
        ...

``sender`` is the webhook view class; ``message_id`` our UUID; ``status`` and
``previous`` ``DeliveryStatus`` values (``previous`` may be ""); ``event`` the
normalized ``DeliveryEvent`` with the provider's own status and error code.
"""

from django.dispatch import Signal

delivery_status_changed = Signal()
