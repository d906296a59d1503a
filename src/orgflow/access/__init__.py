"""Least privilege (seed 003, 最小必要): roles, the permissions each grants, and whose data one may see."""
