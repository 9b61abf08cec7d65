"""FollowTheMoney entity files (``*.ftm.json``, ``*.ijson``: one entity a line, as OpenSanctions
publishes them), read through the ``followthemoney`` library so that schema inheritance
(a Company is a LegalEntity) and property names follow the model, not our guesses.

Parties (anything with a name under LegalEntity, Vessel or Airplane) become entities;
CryptoWallets and the contact properties (email, phone, website) become IOCs tied to their
holder. A line that is not JSON or not a valid entity is rejected with its line number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unmask.engine import Engine, RawReject

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy
from unmask.sources.intel.common import (
    ADDRESS_COLUMNS,
    ENTITY_COLUMNS,
    IOC_COLUMNS,
    NAME_COLUMNS,
    ListFile,
    iso_date,
)

_PARTIES = ("LegalEntity", "Vessel", "Airplane")
_NAME_PROPS = (("name", "primary"), ("alias", "aka"), ("previousName", "fka"), ("weakAlias", "weak aka"))


def _get(p: EntityProxy, prop: str) -> list[str]:
    return [str(v) for v in p.get(prop, quiet=True)]


def load(engine: Engine, path: Path, list_id: str, shown: str) -> tuple[ListFile, str | None]:
    """One FtM file; returns the report and the newest ``last_change`` seen (the list's age)."""
    # Imported here: followthemoney takes most of a second to import, and only a bundle with
    # FollowTheMoney lists needs it (not every process that imports the signals).
    from followthemoney import model
    from followthemoney.exc import InvalidData

    ents: list[tuple[Any, ...]] = []
    names: list[tuple[Any, ...]] = []
    iocs: list[tuple[Any, ...]] = []
    addrs: list[tuple[Any, ...]] = []
    rejects: list[RawReject] = []
    newest: str | None = None
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                proxy = model.get_proxy(data)
            except (ValueError, InvalidData, TypeError, AttributeError, RecursionError) as e:
                rejects.append(RawReject(n, f"not a FollowTheMoney entity: {e.__class__.__name__}"))
                continue
            if proxy.id is None:
                rejects.append(RawReject(n, "entity without id"))
                continue
            changed = data.get("last_change") if isinstance(data, dict) else None
            if isinstance(changed, str) and (newest is None or changed > newest):
                newest = changed
            eid, schema = str(proxy.id), proxy.schema
            if schema.is_a("CryptoWallet"):
                for key in _get(proxy, "publicKey") + _get(proxy, "cryptoAddress"):
                    for holder in _get(proxy, "holder") or [eid]:
                        iocs.append((list_id, holder, "crypto_address", key))
                continue
            if not any(schema.is_a(s) for s in _PARTIES):
                continue  # addresses, payments, sanctions records: context, not parties
            all_names = [(v, kind) for prop, kind in _NAME_PROPS for v in _get(proxy, prop)]
            if not all_names:
                rejects.append(RawReject(n, f"{schema.name} without a name"))
                continue
            dates = [d for d in (iso_date(v) for v in _get(proxy, "birthDate") + _get(proxy, "incorporationDate"))
                     if d]
            nats = sorted({v.lower() for p in ("nationality", "citizenship") for v in _get(proxy, p)})
            ctry = sorted({c.lower() for c in proxy.countries})
            programs = ", ".join(v for v in _get(proxy, "program") + _get(proxy, "topics")) or None
            ents.append((list_id, eid, schema.name, proxy.caption, programs, dates, nats, ctry,
                         "; ".join(_get(proxy, "notes"))[:2000] or None, shown, n))
            names.extend((list_id, eid, v, kind) for v, kind in all_names)
            addrs.extend((list_id, eid, v, None, ctry[0] if len(ctry) == 1 else None) for v in _get(proxy, "address"))
            iocs.extend((list_id, eid, "email", v.lower()) for v in _get(proxy, "email"))
            iocs.extend((list_id, eid, "phone", v) for v in _get(proxy, "phone"))
            iocs.extend((list_id, eid, "domain", v.lower()) for v in _get(proxy, "website"))
    engine.insert_rows("intel_entities", ENTITY_COLUMNS, ents)
    engine.insert_rows("intel_names", NAME_COLUMNS, names)
    engine.insert_rows("intel_iocs", IOC_COLUMNS, iocs)
    engine.insert_rows("intel_addresses", ADDRESS_COLUMNS, addrs)
    return ListFile(shown, len(ents), rejects), iso_date(newest)
