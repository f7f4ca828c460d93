"""Every action a service records has a label for the audit log (confapp/audit/labels.py), so an
organiser reads what happened in their language, not only the code."""
import re
from pathlib import Path

from confapp.audit.labels import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2] / "confapp"


def test_every_recorded_action_has_a_label():
    recorded = set()
    for path in ROOT.rglob("*.py"):
        recorded |= set(re.findall(r'\brecord\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text()))
    assert len(recorded) > 50
    assert sorted(recorded - set(ACTION_LABELS)) == []
