"""Governance: review policies (how many approvals, from which reviewer groups), re-review
(intervals and triggers that mark approved cards) and the portfolio page."""
