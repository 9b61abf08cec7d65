"""Microsoft Entra ID sign-ins: Graph ``signIn`` objects or diagnostic-settings records.

Diagnostic exports wrap the Graph fields in ``properties``; every path is looked up there
first and then at the top level (:data:`PREFIXES`), so one column list serves both shapes.
"""

from __future__ import annotations

from unmask.sources.base import Col, Part

# Every path is tried under ``properties`` (diagnostic export) first, then at the top (Graph).
PREFIXES = ("$.properties", "$")

ENTRA = Part(
    "idp.entra", "entra_signins", ("idp/entra/*.json", "idp/entra/*.jsonl"),
    (
        Col("id", paths=("$.id", "$.correlationId")),
        Col("created", "ts", paths=("$.createdDateTime", "$.activityDateTime", "$.time")),
        Col("category", paths=("$.category",)),
        Col("upn", "lower", paths=("$.userPrincipalName", "$.initiatedBy.user.userPrincipalName")),
        Col("user_id", paths=("$.userId",)),
        Col("ip", paths=("$.ipAddress",)),
        Col("city", paths=("$.location.city",)),
        Col("state", paths=("$.location.state",)),
        Col("country", "country", paths=("$.location.countryOrRegion",)),
        Col("lat", "lat", paths=("$.location.geoCoordinates.latitude",)),
        Col("lon", "lon", paths=("$.location.geoCoordinates.longitude",)),
        Col("device_id", paths=("$.deviceDetail.deviceId",)),
        Col("device_name", "lower", paths=("$.deviceDetail.displayName",)),
        Col("device_os", paths=("$.deviceDetail.operatingSystem",)),
        Col("browser", paths=("$.deviceDetail.browser",)),
        Col("user_agent", paths=("$.userAgent",)),
        Col("is_compliant", "bool", paths=("$.deviceDetail.isCompliant",)),
        Col("is_managed", "bool", paths=("$.deviceDetail.isManaged",)),
        Col("error_code", "int", paths=("$.status.errorCode",)),
        Col("client_app", paths=("$.clientAppUsed",)),
        Col("asn", "int", paths=("$.autonomousSystemNumber",)),
        Col("session_id", paths=("$.sessionId", "$.correlationId")),
        Col("risk_level", "lower", paths=("$.riskLevelDuringSignIn",)),
        Col("auth_details", "json", paths=("$.authenticationDetails",)),
    ),
    "json", description="Entra ID sign-in records",
)
