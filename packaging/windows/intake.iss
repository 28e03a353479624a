; Inno Setup 6 script for Intake on Windows: a per-user install, no administrator rights.
;
; Build (on Windows, after `bash packaging/build.sh` has made dist\intake with intake.exe and
; intake-cli.exe):
;     iscc /DAppVersion=0.1.0 packaging\windows\intake.iss
; -> dist\Intake-0.1.0-setup.exe
;
; What it does
;   * installs dist\intake\ into %LOCALAPPDATA%\Programs\Intake (per user, no UAC prompt)
;   * a start-menu entry "Intake" (and optionally a desktop icon)
;   * uninstall removes the program; the interview data in %LOCALAPPDATA%\Intake (encrypted
;     store, key file, settings, logs) is KEPT unless the user ticks "also delete all data" in
;     the uninstaller's first window. Silent uninstalls (/SILENT, /VERYSILENT) always keep it.
;   * the device secret in the Windows Credential Manager (service "de.jobcenter.intake") is not
;     touched: without the data it unlocks nothing, and with kept data it is still needed.
; Unattended install for software distribution: Intake-<version>-setup.exe /VERYSILENT
; Needs Inno Setup 6.3 or later (x64compatible).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Intake"
#define AppId "de.jobcenter.intake"

[Setup]
AppId={{7C1B7F7E-3B9A-4E55-9D8C-1A2F6E4B7D10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Intake contributors
AppComments=Erstprofil interviews for Jobcenters, offline and encrypted
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=Intake-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\intake.exe
UninstallDisplayName={#AppName} {#AppVersion}
CloseApplications=yes

[Languages]
Name: "de"; MessagesFile: "compiler:Languages\German.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
de.DesktopIcon=Symbol auf dem Desktop anlegen
en.DesktopIcon=Create a desktop icon
de.CommandLine=Intake (Kommandozeile)
en.CommandLine=Intake (command line)
de.KeepTitle=Intake deinstallieren
en.KeepTitle=Uninstall Intake
de.KeepText=Das Programm wird entfernt. Die Gesprächsdaten dieses Windows-Kontos (verschlüsselter Datenbestand, Schlüsseldatei, Einstellungen, Protokolle in %1) bleiben erhalten, damit eine neue Installation sie wieder öffnen kann.
en.KeepText=The program will be removed. The interview data of this Windows account (encrypted store, key file, settings, logs in %1) is kept, so that a new installation can open it again.
de.RemoveData=Auch alle Intake-Daten dieses Kontos löschen (kann nicht rückgängig gemacht werden)
en.RemoveData=Also delete all Intake data of this account (cannot be undone)

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: unchecked

[Files]
Source: "dist\intake\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\intake.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\intake.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\intake.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself may have left in its own folder (never the data folder).
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
var
  RemoveData: Boolean;

function DataDir(): String;
begin
  { platformdirs.user_data_dir("Intake", appauthor=False) on Windows }
  Result := ExpandConstant('{localappdata}\{#AppName}');
end;

function InitializeUninstall(): Boolean;
var
  Form: TSetupForm;
  Info: TNewStaticText;
  Box: TNewCheckBox;
  OkButton, CancelButton: TNewButton;
begin
  Result := True;
  RemoveData := False;
  if UninstallSilent() or not DirExists(DataDir()) then
    Exit;
  Form := CreateCustomForm();
  try
    Form.ClientWidth := ScaleX(460);
    Form.ClientHeight := ScaleY(170);
    Form.Caption := CustomMessage('KeepTitle');

    Info := TNewStaticText.Create(Form);
    Info.Parent := Form;
    Info.Left := ScaleX(16);
    Info.Top := ScaleY(16);
    Info.Width := Form.ClientWidth - ScaleX(32);
    Info.WordWrap := True;
    Info.AutoSize := True;
    Info.Caption := FmtMessage(CustomMessage('KeepText'), [DataDir()]);

    Box := TNewCheckBox.Create(Form);
    Box.Parent := Form;
    Box.Left := ScaleX(16);
    Box.Top := ScaleY(92);
    Box.Width := Form.ClientWidth - ScaleX(32);
    Box.Height := ScaleY(20);
    Box.Caption := CustomMessage('RemoveData');
    Box.Checked := False;

    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Width := ScaleX(90);
    OkButton.Height := ScaleY(24);
    OkButton.Left := Form.ClientWidth - ScaleX(2 * 90 + 24);
    OkButton.Top := Form.ClientHeight - ScaleY(24 + 14);
    OkButton.Caption := SetupMessage(msgButtonOK);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;

    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Width := ScaleX(90);
    CancelButton.Height := ScaleY(24);
    CancelButton.Left := Form.ClientWidth - ScaleX(90 + 16);
    CancelButton.Top := OkButton.Top;
    CancelButton.Caption := SetupMessage(msgButtonCancel);
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;

    Form.ActiveControl := OkButton;
    if Form.ShowModal() = mrOk then
      RemoveData := Box.Checked
    else
      Result := False;  { cancelled: nothing is uninstalled }
  finally
    Form.Free();
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and RemoveData then
    DelTree(DataDir(), True, True, True);
end;
