"""Reference data of published standards, packaged with hn_geo and read by inputs and analyses.

:mod:`.gb3838` (GB 3838-2002 limits and the 环办〔2011〕22号 rules) and :mod:`.industries`
(GB/T 4754-2017 industry divisions). These are constants of the standards, not user input.
"""
