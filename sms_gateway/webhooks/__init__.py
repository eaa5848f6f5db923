"""Inbound webhooks: providers' delivery receipts and Logto's interaction events.

Each is one view on ``base.WebhookView``: validate → parse → update → 200.
"""
