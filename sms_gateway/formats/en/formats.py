"""Date formats of the admin: ISO dates, times with seconds and the time zone, everywhere
(Django's English default, "Nov. 30, 2025, 2:03 p.m.", hides both)."""

DATETIME_FORMAT = "Y-m-d H:i:s T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i:s T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i:s"
