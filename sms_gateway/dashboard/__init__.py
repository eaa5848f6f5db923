"""The operator's delivery dashboard: ``queries`` (the numbers) and ``svg`` (the charts).

The admin screen is ``admin/dashboard.py``; its template
``templates/admin/sms_gateway/dashboard/dashboard.html``.
"""
