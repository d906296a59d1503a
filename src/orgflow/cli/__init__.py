"""The command line: ``orgflow init|deploy|definitions|start|tasks|complete|instances|show|demo``."""
