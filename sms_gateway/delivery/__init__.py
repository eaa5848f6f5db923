"""What became of an SMS after a provider took it: receipts, conversion, their signal.

``status``      the closed set of delivery statuses and the rule for moving between them
``tracking``    applying one normalized receipt to its record, then the signal
``conversion``  Logto's sign-in after the code, and the conversion rate the fraud guard reads
``callbacks``   the receipt URL sent with each SMS
``signals``     ``delivery_status_changed``, for integrators
"""
