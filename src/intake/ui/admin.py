"""Administration (admins only): users of this device and store-wide settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake.i18n import N_, _
from intake.store.roles import ROLE_LABELS, ROLES
from intake.store.session import Session
from intake.ui.errors import show_error
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker


class AdminPage(Retranslatable, QWidget):
    def __init__(self, session: Session, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.users_box = QGroupBox(self)
        self.users = QTableWidget(0, 3, self.users_box)
        self.users.setObjectName("userTable")
        self.users.verticalHeader().hide()
        self.users.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.users.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.new_name = QLineEdit(self.users_box)
        self.new_role = QComboBox(self.users_box)
        self.new_password = QLineEdit(self.users_box)
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton(self.users_box)
        self.reset_button = QPushButton(self.users_box)
        self.remove_button = QPushButton(self.users_box)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name)
        add_row.addWidget(self.new_role)
        add_row.addWidget(self.new_password)
        add_row.addWidget(self.add_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.reset_button)
        actions.addWidget(self.remove_button)
        users_layout = QVBoxLayout(self.users_box)
        users_layout.addWidget(self.users)
        users_layout.addLayout(actions)
        users_layout.addLayout(add_row)

        self.settings_box = QGroupBox(self)
        self.idle = QSpinBox(self.settings_box)
        self.idle.setRange(1, 60)
        self.server = QLineEdit(self.settings_box)
        self.ca_file = QLineEdit(self.settings_box)
        self.save_button = QPushButton(self.settings_box)
        self.retention = QSpinBox(self.settings_box)
        self.retention.setRange(0, 36500)
        self.purge = QCheckBox(self.settings_box)
        self.settings_form = QFormLayout(self.settings_box)
        self.idle_label, self.server_label, self.ca_label = QLabel(), QLabel(), QLabel()
        self.retention_label = QLabel()
        self.settings_form.addRow(self.idle_label, self.idle)
        self.settings_form.addRow(self.retention_label, self.retention)
        self.settings_form.addRow("", self.purge)
        self.settings_form.addRow(self.server_label, self.server)
        self.settings_form.addRow(self.ca_label, self.ca_file)
        self.settings_form.addRow("", self.save_button)
        self.message = QLabel(self)
        self.message.setObjectName("problem")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.users_box, 1)
        layout.addWidget(self.settings_box)
        layout.addWidget(self.message)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.remove_button.clicked.connect(self.remove_user)
        self.save_button.clicked.connect(self.save_settings)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Administration"))
        self.users_box.setTitle(_("Users of this device"))
        self.users.setHorizontalHeaderLabels([_("User"), _("Role"), _("Can log in")])
        self.new_name.setPlaceholderText(_("New user name"))
        self.new_password.setPlaceholderText(_("Initial password"))
        current = self.new_role.currentData()
        self.new_role.clear()
        for role in ROLES:
            self.new_role.addItem(_(ROLE_LABELS[role]), role)
        self.new_role.setCurrentIndex(max(self.new_role.findData(current or "counselor"), 0))
        self.add_button.setText(_("Add user"))
        self.reset_button.setText(_("Set new password…"))
        self.remove_button.setText(_("Remove user"))
        self.settings_box.setTitle(_("Settings"))
        self.idle_label.setText(_("Lock after minutes without input:"))
        self.retention_label.setText(_("Keep synced profiles on this device for days (0: always):"))
        self.purge.setText(
            _("Remove profiles from this device once the server has them (outreach)")
        )
        self.server_label.setText(_("Central server address:"))
        self.ca_label.setText(_("CA certificate file:"))
        self.save_button.setText(_("Save settings"))
        if self.users.rowCount():
            self.refresh()

    def refresh(self) -> None:
        session = self.session
        users, settings = self.worker.call(lambda: (session.list_users(), session.settings.all()))
        self.users.setRowCount(len(users))
        for row, user in enumerate(users):
            for column, text in enumerate(
                [
                    user.name,
                    _(ROLE_LABELS.get(user.role, user.role)),
                    _("yes") if user.can_log_in else _("no — needs a new password"),
                ]
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.name)
                self.users.setItem(row, column, item)
        self.users.resizeColumnsToContents()
        self.idle.setValue(int(settings["idle_lock_minutes"]))
        self.retention.setValue(int(settings["retention_days"] or 0))
        self.purge.setChecked(bool(settings["purge_after_sync"]))
        self.server.setText(settings["server_url"] or "")
        self.ca_file.setText(settings["ca_file"] or "")

    def _selected(self) -> str | None:
        item = self.users.item(self.users.currentRow(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _run(self, action, done_text: str) -> None:
        try:
            self.worker.call(action)
        except Exception as exc:
            show_error(self, exc)
            return
        self.message.setText(done_text)
        self.refresh()

    def add_user(self) -> None:
        name, role, password = (
            self.new_name.text().strip(),
            self.new_role.currentData(),
            self.new_password.text(),
        )
        session = self.session
        self._run(
            lambda: session.add_user(name, role, password), _("Added {user}.").format(user=name)
        )
        self.new_name.clear()
        self.new_password.clear()

    def reset_password(self) -> None:
        name = self._selected()
        if not name:
            return
        password, ok = QInputDialog.getText(
            self,
            _("New password"),
            _("New password for {user}:").format(user=name),
            QLineEdit.EchoMode.Password,
        )
        if ok and password:
            session = self.session
            self._run(
                lambda: session.reset_password(name, password),
                _("The password of {user} was changed.").format(user=name),
            )

    def remove_user(self) -> None:
        name = self._selected()
        if not name:
            return
        answer = QMessageBox.question(
            self, _("Remove user"), _("Remove {user} from this device?").format(user=name)
        )
        if answer == QMessageBox.StandardButton.Yes:
            session = self.session
            self._run(lambda: session.remove_user(name), _("Removed {user}.").format(user=name))

    def save_settings(self) -> None:
        session = self.session
        values = {
            "idle_lock_minutes": self.idle.value(),
            "retention_days": self.retention.value(),
            "purge_after_sync": int(self.purge.isChecked()),
            "server_url": self.server.text().strip() or None,
            "ca_file": self.ca_file.text().strip() or None,
        }

        def save() -> None:
            session.require("settings.manage", N_("change settings"))
            for name, value in values.items():
                session.settings.set(name, value)
            session.audit.record(
                session.user, "settings_change", "store", session.store_id, names=sorted(values)
            )

        self._run(save, _("Settings saved."))
