"""Vietnamese number formats Django's own locale leaves out.

Django's vi locale names "." as the thousand separator but no grouping, so 122165600 VND
printed as "122165600". Vietnamese groups digits in threes: "122.165.600". Everything else
(dates, the decimal comma) is Django's, which get_format falls back to.
"""

NUMBER_GROUPING = 3
