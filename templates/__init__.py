"""Authoring templates (theme, schema, examples), shipped inside the package as `exporter.templates`."""
