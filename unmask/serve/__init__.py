"""``unmask serve``: the investigator's workbench over a scan folder (issue 15)."""
