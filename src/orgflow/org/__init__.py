"""The organisation: departments, users, roles; imported from and exported to CSV/XLSX."""
