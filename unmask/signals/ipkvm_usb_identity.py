"""An IP-KVM on the laptop, seen as its default USB identity (PiKVM, TinyPilot, JetKVM, ...)."""

from unmask.signals.base import Signal, lookalike, negative, obs, positive

SIGNAL = Signal(
    id="ipkvm_usb_identity",
    needs=("endpoint.osquery", "assets.devices"),
    strength="strong",
    family="endpoint",
    description="A USB device with an IP-KVM's default identity (1d6b:0104 with KVM strings, or serial CAFEBABE).",
    reference="indicators.md §3.G kvm_usb_default_identity, §4.3; MITRE DET0159",
    log_odds=2.0,
    decisive=True,
    decisive_log_odds=3.9,
    basis=(
        "Decisive (LR about 50) for a named KVM default (PiKVM, TinyPilot, JetKVM, GLKVM, serial CAFEBABE): S on "
        "a corporate laptop in §3.G kvm_usb_default_identity, defaults from vendor source (§4.3), MITRE DET0159. "
        "The generic Linux gadget id alone is a developer's board as often as a KVM: weak."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, observed_at,
  'USB device ' || text || ' on ' || hostname ||
  CASE WHEN regexp_matches(text, 'pikvm|tinypilot|jetkvm|glkvm|blikvm|nanokvm|aurga|cafebabe')
       THEN ': an IP-KVM default identity'
       ELSE ': the generic Linux USB gadget id (a dev board, or a KVM)' END AS detail,
  CASE WHEN regexp_matches(text, 'pikvm|tinypilot|jetkvm|glkvm|blikvm|nanokvm|aurga|cafebabe')
       THEN 'strong' ELSE 'weak' END AS strength
FROM endpoint_obs
WHERE item = 'usb' AND (text LIKE '1d6b:0104|%' OR text LIKE '3346:1009|%' OR text LIKE '%|cafebabe')
""",
    samples=(
        positive("a USB device with PiKVM's default identity", {"endpoint_obs": [
            obs("E1", "usb", "1d6b:0104|pikvm|composite kvm device|cafebabe"),
            obs("E2", "usb", "046d:c52b|logitech|usb receiver|"),
        ]}, {"E1": "strong"}, decisive=["E1"]),
        negative("a keyboard receiver and a webcam", {"endpoint_obs": [
            obs("E1", "usb", "046d:c52b|logitech|usb receiver|"), obs("E1", "usb", "046d:085e|logitech|brio|a1b2"),
        ]}),
        lookalike("kvm_usb_default_identity: a developer's Raspberry Pi USB-gadget project", {"endpoint_obs": [
            obs("E1", "usb", "1d6b:0104|linux foundation|multifunction composite gadget|"),
        ]}, {"E1": "weak"}),
    ),
)
