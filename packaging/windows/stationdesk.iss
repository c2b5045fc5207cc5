; Inno Setup 6 script: the StationDesk installer for Windows (派出所窗口服务台账).
; UTF-8 with BOM (Inno Setup 6 reads the Chinese names correctly only so).
;
; Build on a Windows PC (see packaging\README.md):
;   py -3.11 -m venv .venv-win
;   .venv-win\Scripts\python -m pip install ".[postgres]" pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
;   .venv-win\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\stationdesk.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\stationdesk.iss
; → dist\stationdesk-0.1.0-setup.exe
;
; NOT VERIFIED: written without a Windows machine; neither the frozen Windows build nor this
; installer has been compiled or run.
;
; The program goes to Program Files; every officer's data stays where the program keeps it
; (platformdirs, not roaming): %LOCALAPPDATA%\StationDesk (database, backups, keys, settings),
; %LOCALAPPDATA%\StationDesk\Logs, the font cache in %LOCALAPPDATA%\StationDesk\Cache, window
; settings in HKCU\Software\StationDesk, the station key in Windows Credential Manager. Nothing
; below touches those: an upgrade keeps them, and so does uninstalling.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "派出所窗口服务台账"
#define AppExe "StationDesk.exe"
#define CliExe "stationdesk-cli.exe"
#define Root "..\.."

[Setup]
; Never change the AppId: it is how an upgrade finds the installed copy.
AppId={{6F1B7E0C-3C1A-4F7E-9A52-5D2C8B0E4A17}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=StationDesk
DefaultDirName={autopf}\StationDesk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=stationdesk-{#AppVersion}-setup
SetupIconFile={#Root}\packaging\icons\stationdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade while the program runs: close it (Restart Manager) and start it again after.
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=no

[Languages]
; Inno Setup 6.4 and later ship ChineseSimplified.isl in its Languages folder; with an older
; version, put the translation from https://jrsoftware.org/files/istrans/ beside this file.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimp"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "chinesesimp"; MessagesFile: "ChineseSimplified.isl"
#endif

[CustomMessages]
chinesesimp.DesktopIcon=在桌面创建快捷方式
chinesesimp.Shortcuts=快捷方式：
chinesesimp.LaunchNow=立即启动 派出所窗口服务台账
chinesesimp.UninstallShortcut=卸载 派出所窗口服务台账

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; GroupDescription: "{cm:Shortcuts}"

[InstallDelete]
; The previous version's program files (not the data, which is never under {app}): a module
; the new version no longer has must not stay behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Root}\dist\stationdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "窗口服务登记、告知、评价与每日台账"
Name: "{group}\{cm:UninstallShortcut}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchNow}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program folder itself holds; %LOCALAPPDATA%\StationDesk stays (the data).
Type: dirifempty; Name: "{app}"
