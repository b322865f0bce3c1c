"""A host application's complaintcore parts, as a property-management system writes them.

``directory`` keeps the staff in a dict (the host's HR data), ``notifier``
keeps sent messages in a list (the host's in-app inbox), ``plugin`` hands both
to a desk through pluggy hooks, and ``pure_core`` uses the pure core alone, in
a script, with no desk at all.  ``python -m host_example`` runs both.
"""
