"""Attachments (附件) and deliverables (交付物): what may be uploaded, and file names made safe."""
