"""Sanctions lists published as XML: OFAC's ``sdn.xml`` / ``consolidated.xml`` and the UN
Security Council Consolidated List.

XML from outside is parsed with ``defusedxml`` (no entity expansion, no external entities).
A list is a few thousand records, so records are built in Python and appended to the
``intel_*`` tables in one statement each. A record without a usable name is rejected with
its ordinal ("record 12") and the reason; a file that is not well-formed XML is rejected
whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from unmask.engine import Engine, RawReject
from unmask.sources.intel.common import (
    ADDRESS_COLUMNS,
    ENTITY_COLUMNS,
    IOC_COLUMNS,
    NAME_COLUMNS,
    ListFile,
    countries,
    iso_date,
)

Rows = list[tuple[Any, ...]]


def sniff(path: Path) -> str | None:
    """'ofac' or 'un' from the root element name, without reading the whole file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    if "<sdnList" in head:
        return "ofac"
    if "<CONSOLIDATED_LIST" in head:
        return "un"
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el: Element, name: str) -> Iterator[Element]:
    return (c for c in el if _local(c.tag) == name)


def _text(el: Element | None, name: str) -> str | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name and c.text and c.text.strip():
            return c.text.strip()
    return None


def _all(el: Element, *path: str) -> Iterator[Element]:
    """Descendants following ``path`` of local names (namespaces ignored)."""
    level = [el]
    for name in path:
        level = [c for p in level for c in _kids(p, name)]
    return iter(level)


class XmlListError(Exception):
    """The file is not well-formed XML or not a list we know."""


def _parse(path: Path) -> Element:
    try:
        root = SafeET.parse(str(path)).getroot()
    except Exception as e:  # noqa: BLE001 - defusedxml raises several kinds; all mean the same here
        raise XmlListError(f"not a readable XML list: {e.__class__.__name__}: {str(e)[:200]}") from None
    if root is None:
        raise XmlListError("empty XML document")
    return root


def _ofac_name(el: Element) -> str | None:
    last, first = _text(el, "lastName"), _text(el, "firstName")
    if last and first:
        return f"{last}, {first}"
    return last or first


def load_ofac_xml(engine: Engine, path: Path, list_id: str, shown: str) -> tuple[ListFile, str | None]:
    """OFAC's XML (``sdnList``): returns the file report and the publish date."""
    root = _parse(path)
    published = iso_date(next((_text(p, "Publish_Date") for p in _kids(root, "publshInformation")), None))
    ents: Rows = []
    names: Rows = []
    iocs: Rows = []
    addrs: Rows = []
    rejects: list[RawReject] = []
    for n, e in enumerate(_kids(root, "sdnEntry"), start=1):
        uid, name = _text(e, "uid"), _ofac_name(e)
        if not uid or not name:
            rejects.append(RawReject(n, "record without uid or name"))
            continue
        kind = (_text(e, "sdnType") or "").lower()
        schema = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}.get(kind, "Organization")
        programs = ", ".join(p.text.strip() for p in _all(e, "programList", "program") if p.text)
        dobs = [d for d in (iso_date(_text(x, "dateOfBirth")) for x in _all(e, "dateOfBirthList", "dateOfBirthItem"))
                if d]
        nats = [t for x in (*_all(e, "nationalityList", "nationality"), *_all(e, "citizenshipList", "citizenship"))
                if (t := _text(x, "country"))]
        where = [t for x in _all(e, "addressList", "address") if (t := _text(x, "country"))]
        for x in _all(e, "addressList", "address"):
            street = ", ".join(v for k in ("address1", "address2", "address3") if (v := _text(x, k)))
            city = " ".join(v for k in ("city", "stateOrProvince", "postalCode") if (v := _text(x, k)))
            if street or city:
                addrs.append((list_id, uid, street or None, city or None, _iso(_text(x, "country"))))
        ents.append((list_id, uid, schema, name, programs or None, dobs, countries(nats), countries(where),
                     _text(e, "remarks"), shown, n))
        names.append((list_id, uid, name, "primary"))
        for a in _all(e, "akaList", "aka"):
            alias = _ofac_name(a)
            if alias:
                weak = (_text(a, "category") or "").lower() == "weak"
                names.append((list_id, uid, alias, "weak aka" if weak else (_text(a, "type") or "aka").lower()))
        for i in _all(e, "idList", "id"):
            typ, num = (_text(i, "idType") or ""), _text(i, "idNumber")
            if not num:
                continue
            if typ.startswith("Digital Currency Address"):
                iocs.append((list_id, uid, "crypto_address", num))
            elif typ == "Email Address":
                iocs.append((list_id, uid, "email", num.lower()))
            elif typ == "Website":
                iocs.append((list_id, uid, "domain", num.lower()))
    _insert(engine, ents, names, iocs, addrs)
    return ListFile(shown, len(ents), rejects), published


def _iso(country: str | None) -> str | None:
    got = countries([country]) if country else []
    return got[0] if got else None


def _un_name(e: Element) -> str | None:
    parts = [_text(e, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    return " ".join(p for p in parts if p) or None


def _un_dates(e: Element) -> list[str]:
    out = []
    for d in _kids(e, "INDIVIDUAL_DATE_OF_BIRTH"):
        for tag in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR"):
            v = iso_date(_text(d, tag))
            if v:
                out.append(v)
    return out


def load_un_xml(engine: Engine, path: Path, shown: str) -> tuple[ListFile, str | None]:
    """The UN Security Council Consolidated List: individuals and entities with their aliases."""
    root = _parse(path)
    published = iso_date(root.get("dateGenerated"))
    ents: Rows = []
    names: Rows = []
    addrs: Rows = []
    rejects: list[RawReject] = []
    n = 0
    for group, item, alias_tag, addr_tag, schema in (
        ("INDIVIDUALS", "INDIVIDUAL", "INDIVIDUAL_ALIAS", "INDIVIDUAL_ADDRESS", "Person"),
        ("ENTITIES", "ENTITY", "ENTITY_ALIAS", "ENTITY_ADDRESS", "Organization"),
    ):
        for e in _all(root, group, item):
            n += 1
            ref, caption = _text(e, "REFERENCE_NUMBER") or _text(e, "DATAID"), _un_name(e)
            if not ref or not caption:
                rejects.append(RawReject(n, "record without reference number or name"))
                continue
            nats = [t for x in _kids(e, "NATIONALITY") for v in _kids(x, "VALUE") if (t := (v.text or "").strip())]
            where = [c for x in _kids(e, addr_tag) if (c := _text(x, "COUNTRY"))]
            for x in _kids(e, addr_tag):
                street, city = _text(x, "STREET"), " ".join(
                    v for k in ("CITY", "STATE_PROVINCE", "ZIP_CODE") if (v := _text(x, k)))
                if street or city:
                    addrs.append(("un_sc", ref, street, city or None, _iso(_text(x, "COUNTRY"))))
            program = _text(e, "UN_LIST_TYPE")
            ents.append(("un_sc", ref, schema, caption, f"UN {program}" if program else None, _un_dates(e),
                         countries(nats), countries(where), _text(e, "COMMENTS1"), shown, n))
            names.append(("un_sc", ref, caption, "primary"))
            original = _text(e, "NAME_ORIGINAL_SCRIPT")
            if original:
                names.append(("un_sc", ref, original, "original script"))
            for a in _kids(e, alias_tag):
                alias = _text(a, "ALIAS_NAME")
                if alias:
                    weak = (_text(a, "QUALITY") or "").lower() == "low"
                    names.append(("un_sc", ref, alias, "weak aka" if weak else "aka"))
    _insert(engine, ents, names, [], addrs)
    return ListFile(shown, len(ents), rejects), published


def _insert(engine: Engine, ents: Rows, names: Rows, iocs: Rows, addrs: Rows) -> None:
    engine.insert_rows("intel_addresses", ADDRESS_COLUMNS, addrs)
    engine.insert_rows("intel_entities", ENTITY_COLUMNS, ents)
    engine.insert_rows("intel_names", NAME_COLUMNS, names)
    engine.insert_rows("intel_iocs", IOC_COLUMNS, iocs)
