"""Code-host audit log (GitHub audit-log stream shape), one JSON event per line."""

from __future__ import annotations

from unmask.sources.base import Col, Part

CODE_AUDIT = Part(
    "code.audit", "code_audit", ("code/audit/*.jsonl", "code/audit/*.json"),
    (
        Col("action", "lower", required=True, paths=("$.action",)),
        Col("actor", "lower", paths=("$.actor",)),
        Col("repo", paths=("$.repo", "$.repository")),
        Col("observed_at", "ts", required=True, paths=("$.\"@timestamp\"", "$.created_at")),
        Col("actor_ip", paths=("$.actor_ip",)),
        Col("user_agent", paths=("$.user_agent",)),
        Col("org", paths=("$.org",)),
    ),
    "json", description="code-host audit events",
)
