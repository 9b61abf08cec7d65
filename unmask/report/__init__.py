"""Outputs: findings, clusters, rejects, manifest and the report page, written atomically."""
