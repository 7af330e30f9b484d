"""DRF serializers and viewsets of the clients app: ``core`` (clients, contact persons,
life events, groups, coverage) and ``portfolio`` (products, holdings, transactions, imports,
export). Routed in ``clients/api_urls.py``."""
