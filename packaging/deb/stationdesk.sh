#!/bin/sh
# /usr/bin/stationdesk: the program lives in /opt/stationdesk (a PyInstaller one-folder build).
exec /opt/stationdesk/stationdesk "$@"
