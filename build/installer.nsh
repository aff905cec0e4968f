; TAP Kiosk: electron-builder's NSIS include (electron-builder.yml nsis.include). customInstall runs after the app's
; files are installed, elevated (perMachine). It creates the machine-wide folders and gives them an explicit ACL
; (issue 12, part 4), which the app checks at every start (main/kiosk/acl-check.ts, acl-policy.ts):
;
;   %ProgramData%\TAP Kiosk          owner Administrators; inheritance from ProgramData removed (no Users read,
;                                    no Authenticated Users append); Administrators and SYSTEM full control;
;                                    the group "TAP Kiosk Operators" read and execute (config.json inherits this)
;   %ProgramData%\TAP Kiosk\audit    owner Administrators; inheritance removed; Administrators and SYSTEM full
;                                    control; "TAP Kiosk Operators" modify (write records, never change the ACL)
;
; The kiosk account: the local group "TAP Kiosk Operators" (created here) holds it. Name it at install with
;   "TAP Kiosk Setup.exe" /S /KIOSKUSER=KIOSK01\kiosk
; or add it to the group later (`net localgroup "TAP Kiosk Operators" <account> /add`). Well-known principals are
; given by SID (*S-1-5-32-544 Administrators, *S-1-5-18 SYSTEM), so a localized Windows names them right; the group
; is created here, so it is named (icacls resolves it to its SID when it writes the ACL).
;
; test/kiosk/installer-acl.test.ts reads the icacls lines below, derives the ACL they produce and feeds it to the
; decision the app makes at start: keep each ACL change on one `nsExec::ExecToLog '"$SYSDIR\icacls.exe" …'` line.

!include LogicLib.nsh
!include FileFunc.nsh

!macro tapKioskRun command
  nsExec::ExecToLog '${command}'
  Pop $1
  ${If} $1 != 0
    DetailPrint `TAP Kiosk: failed ($1): ${command}`
    MessageBox MB_ICONSTOP|MB_OK "TAP Kiosk could not protect its data folder (exit code $1). The installation is stopped; see the details." /SD IDOK
    Abort
  ${EndIf}
!macroend

!macro customInstall
  Push $0
  Push $1
  Push $2
  Push $3
  ReadEnvStr $0 "PROGRAMDATA"
  ${If} $0 == ""
    StrCpy $0 "C:\ProgramData"
  ${EndIf}
  CreateDirectory "$0\TAP Kiosk"
  CreateDirectory "$0\TAP Kiosk\audit"

  ; The group that holds the kiosk account (exit code 2: it exists already, which is fine).
  nsExec::ExecToLog '"$SYSDIR\net.exe" localgroup "TAP Kiosk Operators" /add /comment:"The account the TAP Kiosk station runs as"'
  Pop $1
  ${GetParameters} $2
  ClearErrors
  ${GetOptions} $2 "/KIOSKUSER=" $3
  ${IfNot} ${Errors}
  ${AndIf} $3 != ""
    nsExec::ExecToLog '"$SYSDIR\net.exe" localgroup "TAP Kiosk Operators" "$3" /add'
    Pop $1
  ${EndIf}

  !insertmacro tapKioskRun '"$SYSDIR\icacls.exe" "$0\TAP Kiosk" /setowner *S-1-5-32-544 /T /C /Q'
  !insertmacro tapKioskRun '"$SYSDIR\icacls.exe" "$0\TAP Kiosk" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F "TAP Kiosk Operators:(OI)(CI)RX" /Q'
  ; What is already there (a reinstall: config.json, journal files) drops explicit extras and inherits; then the
  ; journal folder gets its own protected ACL, which its files inherit.
  !insertmacro tapKioskRun '"$SYSDIR\icacls.exe" "$0\TAP Kiosk\*" /reset /T /C /Q'
  !insertmacro tapKioskRun '"$SYSDIR\icacls.exe" "$0\TAP Kiosk\audit" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F "TAP Kiosk Operators:(OI)(CI)M" /Q'
  Pop $3
  Pop $2
  Pop $1
  Pop $0
!macroend
