"""The pure core: models, rules, working time, deadlines, workflow and statistics.

Everything here is a function of its arguments: no I/O, no clock reads, no
plugins; the standard library and attrs only.  ``now``, the calendar and the
rule pack are always passed in.  Hosts import the public names from
:mod:`complaintcore`; these modules are where they live.
"""
