"""HTML pages of the clients app: ``core`` (list, 360° page, profile, coverage, groups,
bulk reassignment) and ``portfolio`` (products, tiers, imports, export, the 360° portfolio
sections). Routed in ``clients/urls.py``."""
