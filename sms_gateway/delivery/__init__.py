"""What became of an SMS after a provider took it: receipts, conversion, their signal.
(The delivery statuses and their ladder are pure: ``core/delivery_status.py``.)

``tracking``    applying one normalized receipt to its record, then the signal
``conversion``  Logto's sign-in after the code, and the conversion rate the fraud guard reads
``callbacks``   the receipt URL sent with each SMS
``signals``     ``delivery_status_changed``, for integrators
"""
