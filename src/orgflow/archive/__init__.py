"""The archive (归档) of a completed instance: its deliverables and handling record in one folder and zip."""
