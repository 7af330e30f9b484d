"""Satisfaction surveys (issue 10, part 1). One module per concern:

- ``config``: the tenant's survey settings (defaults without a row);
- ``links``: the single-use link's token (derived, never stored);
- ``budget``: the contact budget every outreach shares (surveys, later events);
- ``channels``: email for real, SMS and WeChat as pluggable backends;
- ``services``: writes with rules (templates, invitations, answers, recovery);
- ``dispatch``: the set-based sweeps (after a meeting, periodic, reminders) and the outbox;
- ``selectors`` / ``analytics``: reads from the access policy;
- ``sections``: the 360° section, My day section and timeline source.
"""
