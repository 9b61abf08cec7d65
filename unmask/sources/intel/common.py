"""The shape every sanctions list is loaded into, whatever its format.

``intel_entities``: one row per listed party (list, entity id, FtM-style schema, caption,
programmes, birth dates as ISO text, nationalities and countries as ISO alpha-2, remarks,
where it was read). ``intel_names``: every name and alias of an entity. ``intel_iocs``:
contact and payment identifiers the lists publish (e-mail, website, phone, crypto address).
``intel_addresses``: street, city and country (ISO alpha-2) of listed entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from unmask.engine import Engine, RawReject
from unmask.values.country import country_code

ENTITY_COLUMNS = (
    "list", "entity_id", "schema", "caption", "programs", "birth_dates", "nationalities", "countries",
    "remarks", "source_file", "line",
)
NAME_COLUMNS = ("list", "entity_id", "name", "kind")
IOC_COLUMNS = ("list", "entity_id", "kind", "value")
ADDRESS_COLUMNS = ("list", "entity_id", "street", "city", "country")
# A list's name for people to read, as SQL over a ``list`` column.
LIST_NAMES = ("CASE list WHEN 'ofac_sdn' THEN 'OFAC SDN' WHEN 'ofac_cons' THEN 'OFAC Consolidated' "
              "WHEN 'un_sc' THEN 'UN SC' WHEN 'iocs' THEN 'intel/iocs.csv' ELSE list END")


def create_tables(engine: Engine) -> None:
    engine.execute(
        "CREATE OR REPLACE TABLE intel_entities(list VARCHAR, entity_id VARCHAR, schema VARCHAR, caption VARCHAR, "
        "programs VARCHAR, birth_dates VARCHAR[], nationalities VARCHAR[], countries VARCHAR[], remarks VARCHAR, "
        "source_file VARCHAR, line BIGINT)"
    )
    engine.execute("CREATE OR REPLACE TABLE intel_names(list VARCHAR, entity_id VARCHAR, name VARCHAR, kind VARCHAR)")
    engine.execute(
        "CREATE OR REPLACE TABLE intel_addresses(list VARCHAR, entity_id VARCHAR, street VARCHAR, city VARCHAR, "
        "country VARCHAR)"
    )
    # ``token``: the keyed token of a payment identifier (crypto address), filled in by a scan so
    # that it meets the tokenised account numbers of payroll.
    engine.execute(
        "CREATE OR REPLACE TABLE intel_iocs(list VARCHAR, entity_id VARCHAR, kind VARCHAR, value VARCHAR, "
        "token VARCHAR)"
    )


@dataclass
class ListFile:
    file: str  # as shown to the user: "intel/sanctions/sdn.csv" or "(shipped) un/UN_consolidated.xml"
    loaded: int = 0
    rejected: list[RawReject] = field(default_factory=list)
    published: str | None = None  # this file's own date, where the list has one per file


@dataclass
class LoadedList:
    id: str  # "ofac_sdn", "ofac_cons", "un_sc", "ftm:<file>"
    name: str
    version: str  # the publisher's date or version, or how we know the age
    published: str | None  # ISO date the list was published, when it says
    origin: str  # "bundle" or "shipped default"
    files: list[ListFile] = field(default_factory=list)

    def manifest(self) -> dict[str, object]:
        return {
            "id": self.id, "name": self.name, "version": self.version, "published": self.published,
            "origin": self.origin,
            "files": [{"file": f.file, "loaded": f.loaded, "rejected": len(f.rejected), "published": f.published}
                      for f in self.files],
        }


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def iso_date(text: str | None) -> str | None:
    """'25 Apr 1965' -> '1965-04-25', 'Apr 1965' -> '1965-04', '1965' / 'circa 1965' -> '1965',
    '1965-04-25' as is, '05/03/2024' (US) -> '2024-05-03'; None when no year is found."""
    if not text:
        return None
    t = text.strip().lower()
    m = re.fullmatch(r"(\d{4})(-\d{2}(-\d{2})?)?", t[:10]) if re.match(r"\d{4}", t) else None
    if m:
        return m.group(0)
    m = re.search(r"(?:(\d{1,2}) )?([a-z]{3})[a-z]* (\d{4})", t)
    if m and m.group(2) in _MONTHS:
        day, mon, year = m.group(1), _MONTHS[m.group(2)], m.group(3)
        return f"{year}-{mon:02d}-{int(day):02d}" if day else f"{year}-{mon:02d}"
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    m = re.search(r"\b(1[89]\d{2}|20\d{2})\b", t)
    return m.group(1) if m else None


def countries(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        c = country_code(v)
        if c and c.lower() not in out:
            out.append(c.lower())
    return out


def file_date(ts: float) -> str:
    return datetime.fromtimestamp(ts).date().isoformat()
