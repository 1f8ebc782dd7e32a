"""Pictures of data and models, written with the standard library only.

This subpackage is for the desktop: the core of tinynet never imports it.
"""
