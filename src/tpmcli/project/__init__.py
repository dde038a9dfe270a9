"""The project's settings and rules: tpm.yaml, validation, the item schema, the framework
catalogue."""
