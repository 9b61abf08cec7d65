"""Write a scaled bundle for the full-scan benchmarks: the demo organisation at any head count,
signed in N times by its own workers.

    python -m bench.make_bundle bench/work/bundle --workers 20000 --okta-events 1000000
    python -m bench.make_bundle bench/work/big --workers 50000 --candidates 200000 --okta-events 10000000 --gzip

The demo's own sign-ins, planted schemes and look-alikes are kept as they are. The extra
events are System Log ``LogEvent`` objects of the same workers (their work e-mail is the
actor), each from where that worker really signs in: their home connection in working hours
of their own time zone, the office network for some of those who live in its state (the
traveller's trip is the demo's own), Pyongyang hours and Astrill for the planted remote workers. So every event joins a
worker and runs the sign-in signals, and the planted subjects' findings stay what they were.
Events are written in files of 250,000 lines, never held in memory together.
"""

from __future__ import annotations

import argparse
import gzip
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

import orjson

from unmask.demo import build
from unmask.demo.generator import ASTRILL, ASTRILL_NET, OFFICE, PYONGYANG, WINDOW_DAYS, WINDOW_END, Demo, Worker

# What a day of work looks like in the System Log besides the session start the demo writes.
TYPES = ["user.authentication.sso", "user.authentication.sso", "user.authentication.auth_via_mfa",
         "policy.evaluate_sign_on", "user.session.end", "app.oauth2.as.token.grant"]
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6"
OFFICE_GEO = {"city": OFFICE["city"], "state": "Illinois", "country": "United States",
              "postalCode": OFFICE["postal"], "geolocation": {"lat": 39.80, "lon": -89.64}}
CHUNK = 250_000


def _place(rng: random.Random, w: Worker, day: int) -> tuple[str, dict[str, Any], tuple[int, str, str], bool]:
    """(ip, geo, (asn, org, domain), is_proxy) of one sign-in on ``day`` of the window."""
    home = {"city": w.addr["city"], "state": w.addr["region"], "country": "United States",
            "postalCode": w.addr["postal"], "geolocation": {"lat": w.lat, "lon": w.lon}}
    if w.profile == "asia" and rng.random() < 0.3:
        return f"{ASTRILL_NET}.{rng.randint(2, 250)}", home, ASTRILL, True
    if w.addr["region"] == "IL" and w.profile == "normal" and rng.random() < 0.4:
        # Workers who live in the office's state come in some days: the corporate egress.
        return f"203.0.113.{rng.randint(1, 254)}", OFFICE_GEO, (64500, "Example Corp", "example-corp.com"), False
    return w.home_ip, home, (w.isp[0], w.isp[1], w.isp[2]), False


def _event(rng: random.Random, demo: Demo, w: Worker, i: int) -> dict[str, Any]:
    day = rng.randrange(WINDOW_DAYS)
    if w.profile == "traveller":
        # The demo's traveller is in Tokyo on days 5-11; extra events stay at home, away from the
        # trip's edges, so they add sign-ins but no journey of their own.
        day = rng.choice([x for x in range(WINDOW_DAYS) if not 3 <= x < 14])
    d = WINDOW_END - timedelta(days=WINDOW_DAYS - day)
    if w.profile == "asia":
        local = datetime(d.year, d.month, d.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=PYONGYANG)
    else:
        local = datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=ZoneInfo(w.tz))
    ip, geo, (asn, org, dom), proxy = _place(rng, w, day)
    return {
        "uuid": f"{i:08x}-5ca1-4000-8000-{rng.getrandbits(48):012x}",
        "published": local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "eventType": rng.choice(TYPES), "version": "0", "severity": "INFO",
        "displayMessage": "User single sign on to app", "legacyEventType": "app.auth.sso",
        "actor": {"id": f"00u{w.id.lower()}", "type": "User", "alternateId": w.email, "displayName": w.name},
        "client": {"userAgent": {"rawUserAgent": UA, "os": "Mac OS X", "browser": "SAFARI"},
                   "zone": "null", "device": "Computer", "ipAddress": ip, "geographicalContext": geo},
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": f"102{rng.getrandbits(40):x}"},
        "outcome": {"result": "FAILURE" if rng.random() < 0.03 else "SUCCESS"},
        "securityContext": {"asNumber": asn, "asOrg": org, "isp": org, "domain": dom, "isProxy": proxy},
        "debugContext": {"debugData": {"requestId": f"req{i}", "requestUri": "/app/sso/saml",
                                       "dtHash": f"{rng.getrandbits(64):016x}"}},
        "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4"}]},
        "target": [], "transaction": {"type": "WEB", "id": f"tx{i}"},
    }


def events(demo: Demo, n: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    workers = demo.workers
    for i in range(n):
        yield orjson.dumps(_event(rng, demo, rng.choice(workers), i))


def _open(path: Path, gz: bool) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "wb", compresslevel=1) if gz else path.open("wb"))


def write_events(demo: Demo, dest: Path, n: int, seed: int, gz: bool) -> int:
    """Stream ``n`` events into ``dest/idp/okta/scaled_NN.jsonl[.gz]``; returns the files written."""
    okta = dest / "idp" / "okta"
    okta.mkdir(parents=True, exist_ok=True)
    files, out, written = 0, None, 0
    try:
        for line in events(demo, n, seed):
            if out is None or written % CHUNK == 0:
                if out is not None:
                    out.close()
                out = _open(okta / f"scaled_{files:03d}.jsonl{'.gz' if gz else ''}", gz)
                files += 1
            out.write(line + b"\n")
            written += 1
    finally:
        if out is not None:
            out.close()
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--okta-events", type=int, default=1_000_000, help="extra sign-in events of the workers")
    ap.add_argument("--workers", type=int, default=20_000)
    ap.add_argument("--candidates", type=int, default=None, help="applicants (default 0.6 per worker)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gzip", action="store_true", help="write the events gzip-compressed")
    a = ap.parse_args()
    if a.dest.exists():
        shutil.rmtree(a.dest)
    demo, _truth = build(a.dest, seed=a.seed, size="large", workers=a.workers, candidates=a.candidates)
    files = write_events(demo, a.dest, a.okta_events, a.seed * 1000, a.gzip)
    print(f"wrote {a.dest}: {len(demo.workers)} workers, {a.okta_events} extra sign-in events in {files} files")


if __name__ == "__main__":
    main()
