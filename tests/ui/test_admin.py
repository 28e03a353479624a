"""Administration: admins add users and change store settings (idle lock, retention, server),
counselors have no such page."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.ui.conftest import log_in


def test_admin_adds_a_user_and_changes_settings(qtbot, window):
    workspace = log_in(qtbot, window, "anna", PASSWORD)
    page = workspace.admin
    assert page is not None
    workspace.show_page("admin")
    page.new_name.setText("dora")
    page.new_role.setCurrentIndex(page.new_role.findData("outreach"))
    page.new_password.setText("outreach pass 1")
    page.add_user()
    assert "dora" in [page.users.item(r, 0).text() for r in range(page.users.rowCount())]
    page.idle.setValue(9)
    page.retention.setValue(30)
    page.purge.setChecked(True)
    page.server.setText("https://central.example:8443")
    page.save_settings()
    settings = window.worker.call(window.session.settings.all)
    assert settings["idle_lock_minutes"] == 9
    assert settings["retention_days"] == 30 and settings["purge_after_sync"] == 1
    assert settings["server_url"] == "https://central.example:8443"
    actions = [e["action"] for e in window.worker.call(window.session.audit.entries)]
    assert "user_add" in actions and "settings_change" in actions


def test_counselors_have_no_administration(qtbot, window):
    workspace = log_in(qtbot, window)  # bert, a counselor
    assert workspace.admin is None
    assert "admin" not in workspace._pages
