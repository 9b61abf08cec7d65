"""An IP-KVM on the laptop, seen as the display it announces (EDID monitor name)."""

from unmask.signals.base import Signal, lookalike, negative, obs, positive

SIGNAL = Signal(
    id="ipkvm_display_edid",
    needs=("endpoint.osquery", "assets.devices"),
    strength="strong",
    family="endpoint",
    description="A connected display whose EDID name is an IP-KVM default (PiKVM, TinyPilot, JetKVM T749-fHD720).",
    reference="indicators.md §3.G kvm_edid_monitor_name, §4.3",
    log_odds=2.0,
    decisive=True,
    decisive_log_odds=3.9,
    basis=(
        "Decisive (LR about 50): S for PiKVM/TinyPilot names in §3.G kvm_edid_monitor_name; the names are vendor "
        "defaults read from source (§4.3: pikvm/kvmd, tiny-pilot/tinypilot, jetkvm/kvm). No look-alike monitor "
        "announces them in full (a real Toshiba shares only the TSB code), and MITRE T1219.003/DET0159 describes "
        "exactly this use."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, observed_at,
  'display "' || text || '" on ' || hostname || ' is an IP-KVM capture device' AS detail
FROM endpoint_obs
WHERE item = 'display' AND text IN ('pikvm', 'pikvm v3', 'pikvm v4 mini', 'pikvm v4 plus', 'tinypilot',
                                    't749-fhd720', 'glkvm', 'blikvm')
""",
    samples=(
        positive("a PiKVM capture device as the laptop's monitor", {"endpoint_obs": [
            obs("E1", "display", "pikvm v4 plus"), obs("E2", "display", "dell u2720q"),
        ]}, {"E1": "strong"}, decisive=["E1"]),
        negative("ordinary monitors; a program named after a KVM", {"endpoint_obs": [
            obs("E1", "display", "dell u2720q"), obs("E1", "program", "pikvm"),
        ]}),
        lookalike("kvm_edid_monitor_name: a real Toshiba TV (the TSB code some KVMs borrow); names match in full", {
            "endpoint_obs": [obs("E1", "display", "tsb tv"), obs("E2", "display", "toshiba-tv")]}),
    ),
)
