"""Adapters: the imperative shell around the pure core (storage, notification, calendars)."""
