"""Views: the core's data turned into Documents (document.py) for the renderers. Never
prints, never parses options. One module per family of commands; `frame` holds what
every advice view shares (safety first, disclaimer and doctor pointer last)."""
