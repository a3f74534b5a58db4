"""Scenario files: safe YAML with line numbers, the schema, and validation against a table."""
