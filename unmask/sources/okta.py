"""Okta System Log ``LogEvent`` objects (API array or JSON Lines).

Some exports (SIEM pipelines such as Panther's) lower-case the top-level keys, so each
top-level object is looked up under both spellings.
"""

from __future__ import annotations

from unmask.sources.base import Col, Part


def _p(path: str) -> tuple[str, ...]:
    """``$.securityContext.isProxy`` and ``$.securitycontext.isProxy``."""
    head, _, rest = path[2:].partition(".")
    alts = [path]
    if head.lower() != head:
        alts.append("$." + head.lower() + ("." + rest if rest else ""))
    return tuple(alts)


OKTA = Part(
    "idp.okta", "okta_events", ("idp/okta/*.json", "idp/okta/*.jsonl"),
    (
        Col("uuid", paths=_p("$.uuid")),
        Col("published", "ts", paths=_p("$.published")),
        Col("event_type", paths=_p("$.eventType")),
        Col("actor_id", paths=_p("$.actor.id")),
        Col("actor_email", "lower", paths=_p("$.actor.alternateId")),
        Col("ip", paths=_p("$.client.ipAddress")),
        Col("user_agent", paths=_p("$.client.userAgent.rawUserAgent")),
        Col("city", paths=_p("$.client.geographicalContext.city")),
        Col("state", paths=_p("$.client.geographicalContext.state")),
        Col("country", paths=_p("$.client.geographicalContext.country")),
        Col("lat", "lat", paths=_p("$.client.geographicalContext.geolocation.lat")),
        Col("lon", "lon", paths=_p("$.client.geographicalContext.geolocation.lon")),
        Col("as_number", "int", paths=_p("$.securityContext.asNumber")),
        Col("as_org", paths=_p("$.securityContext.asOrg")),
        Col("isp", paths=_p("$.securityContext.isp")),
        Col("domain", paths=_p("$.securityContext.domain")),
        Col("is_proxy", "bool", paths=_p("$.securityContext.isProxy")),
        Col("outcome", "upper", paths=_p("$.outcome.result")),
        Col("session_id", paths=_p("$.authenticationContext.externalSessionId")),
        Col("dt_hash", paths=_p("$.debugContext.debugData.dtHash")),
        Col("request_uri", paths=_p("$.debugContext.debugData.requestUri")),
        Col("ip_chain", "ips", paths=_p("$.request.ipChain")),
        Col("targets", "json", paths=_p("$.target")),
    ),
    "json", description="Okta System Log events",
)
