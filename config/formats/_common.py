"""What the English and Dutch formats share: the Belgian way of writing a date, day/month/year
with leading zeros (01/12/2026), and the 24-hour clock."""

DATE_FORMAT = "d/m/Y"  # 01/12/2026
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "d/m/Y H:i"  # 01/12/2026 14:30
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
FIRST_DAY_OF_WEEK = 1  # Monday

# What a date field accepts: day/month/year with a slash, a dash or a dot (two- or four-digit
# year), and ISO (what <input type="date"> sends and what files hold). The first is the one a
# date field is shown in.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 01/12/2026, 1/12/2026
    "%d-%m-%Y",  # 01-12-2026
    "%d.%m.%Y",  # 01.12.2026
    "%Y-%m-%d",  # 2026-12-01
    "%d/%m/%y",  # 01/12/26
    "%d-%m-%y",  # 01-12-26
    "%d.%m.%y",  # 01.12.26
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # 14:30
    "%H:%M:%S",  # 14:30:59
    "%H:%M:%S.%f",  # 14:30:59.000200
    "%H.%M",  # 14.30
]
DATETIME_INPUT_FORMATS = [
    f"{day} {time}" for day in DATE_INPUT_FORMATS for time in ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f")
] + ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
