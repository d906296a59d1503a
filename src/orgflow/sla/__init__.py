"""Deadlines of a step (时限): when to remind, when it is overdue, when to escalate, and whom to tell."""
