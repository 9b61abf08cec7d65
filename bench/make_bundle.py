"""Write a scaled bundle for the ingest benchmark: the demo org at 20k workers, plus N Okta events.

    python -m bench.make_bundle bench/work/bundle --okta-events 1000000

The Okta events follow the System Log ``LogEvent`` shape (as the demo writes it) with varied
users, IPs, geographies, ASNs and event types, one JSON object per line (~1.5 KB each).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import orjson

from unmask.demo import generate

GEOS = [("Austin", "Texas", "United States", 30.27, -97.74), ("Columbus", "Ohio", "United States", 39.96, -83.0),
        ("Seattle", "Washington", "United States", 47.61, -122.33),
        ("Mesa", "Arizona", "United States", 33.42, -111.83),
        ("Shenyang", "Liaoning", "China", 41.8, 123.43), ("Moscow", "Moscow", "Russia", 55.75, 37.62),
        ("Lagos", "Lagos", "Nigeria", 6.52, 3.38), ("Berlin", "Berlin", "Germany", 52.52, 13.4)]
ASNS = [(7922, "Comcast Cable Communications"), (701, "Verizon Business"), (7018, "AT&T Services"),
        (206092, "Astrill VPN"), (16509, "Amazon.com")]
TYPES = ["user.session.start", "user.authentication.sso", "user.authentication.auth_via_mfa",
         "policy.evaluate_sign_on", "user.session.end"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6",
       "okta-auth-js/7.0.0"]


def okta_lines(n: int, users: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        city, state, country, lat, lon = rng.choice(GEOS)
        asn, org = rng.choice(ASNS)
        ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        u = rng.randrange(users)
        geo = {"city": city, "state": state, "country": country, "postalCode": "00000",
               "geolocation": {"lat": lat, "lon": lon}}
        out.append(orjson.dumps({
            "uuid": f"{i:08x}-0000-4000-8000-{rng.getrandbits(48):012x}",
            "published": f"2026-09-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z",
            "eventType": rng.choice(TYPES), "version": "0", "severity": "INFO",
            "displayMessage": "User login to Okta", "legacyEventType": "core.user_auth.login_success",
            "actor": {"id": f"00u{u:08d}", "type": "User", "alternateId": f"user{u}@example-corp.com",
                      "displayName": f"User {u}"},
            "client": {"userAgent": {"rawUserAgent": rng.choice(UAS), "os": "Windows 10", "browser": "CHROME"},
                       "zone": "null", "device": "Computer", "ipAddress": ip, "geographicalContext": geo},
            "authenticationContext": {"authenticationStep": 0, "externalSessionId": f"102{rng.getrandbits(40):x}"},
            "outcome": {"result": "FAILURE" if rng.random() < 0.1 else "SUCCESS"},
            "securityContext": {"asNumber": asn, "asOrg": org, "isp": org, "domain": "example.net",
                                "isProxy": rng.random() < 0.05},
            "debugContext": {"debugData": {"requestId": f"req{i}", "requestUri": "/idp/idx/identify",
                                           "dtHash": f"{rng.getrandbits(64):016x}"}},
            "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4"}]},
            "target": [], "transaction": {"type": "WEB", "id": f"tx{i}"},
        }))
    return b"\n".join(out) + b"\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dest", type=Path)
    ap.add_argument("--okta-events", type=int, default=1_000_000)
    ap.add_argument("--size", default="large")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.dest.exists():
        shutil.rmtree(a.dest)
    generate(a.dest, seed=a.seed, size=a.size)
    okta = a.dest / "idp" / "okta"
    for p in okta.iterdir():
        p.unlink()
    chunk = 250_000
    for k, start in enumerate(range(0, a.okta_events, chunk)):
        n = min(chunk, a.okta_events - start)
        (okta / f"scaled_{k:02d}.jsonl").write_bytes(okta_lines(n, 20_000, a.seed * 1000 + k))
    print(f"wrote {a.dest}")


if __name__ == "__main__":
    main()
