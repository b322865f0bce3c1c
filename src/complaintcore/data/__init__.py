"""Packaged data files (the sample staff directory), read with importlib.resources."""
