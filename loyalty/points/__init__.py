"""Loyalty points and rewards (issue 10, part 2): the append-only ledger and
its balance rows, four-eyes adjustments, the rewards catalogue, redemptions,
the earn rules and the nightly FIFO expiry. See loyalty/README.md.

- ``configuration``: the tenant's points settings (defaults until saved);
- ``policy``: who may do what (one rule for pages, API and services);
- ``services``: every write (ledger, adjustments, rewards, redemptions, settings);
- ``selectors``: every read, built on ``clients.access``;
- ``earn``: the earn rules, set-based and idempotent (a unique source key per earning);
- ``expiry``: the nightly FIFO expiry, set-based and idempotent;
- ``sections``: the client 360° points section.
"""
