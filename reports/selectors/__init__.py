"""The reads of the reports: docs/domain.md's indicators over time, computed by the database.

One module a topic: reach (who may read what), adoption (the ladder's shares, roll-ups and
breakdowns), activity (the program's work and follow-ups overdue), helped (what worker
groups' help led to), dossiers (the share received online) and targets (the plan).
"""
