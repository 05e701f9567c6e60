#!/bin/sh
# Add FER Desktop to this user's application menu (no root needed). Run it from the unpacked
# bundle folder, where it lives beside the executable; `--uninstall` removes the entry again.
# It copies the desktop entry with Exec= pointing at this folder's executable, and the icon.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/512x512/apps"
if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/fer-desktop.desktop" "$icons/fer-desktop.png"
    echo "removed FER Desktop from the application menu"
    exit 0
fi
exe=""
for name in fer-desktop fer-desktop-gui; do
    if [ -x "$here/$name" ]; then exe="$here/$name"; break; fi
done
if [ -z "$exe" ]; then
    echo "install-desktop-entry.sh: no fer-desktop executable in $here; run the copy that" \
         "sits in the unpacked bundle folder" >&2
    exit 1
fi
icon="$here/_internal/assets/icon.png"
[ -f "$icon" ] || icon="$here/../assets/icon.png"
mkdir -p "$apps" "$icons"
cp "$icon" "$icons/fer-desktop.png"
# Quote the path for the Exec key (spaces in folder names are common).
sed -e "s|^Exec=.*|Exec=\"$exe\"|" "$here/fer-desktop.desktop" > "$apps/fer-desktop.desktop"
chmod 644 "$apps/fer-desktop.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "added FER Desktop to the application menu ($apps/fer-desktop.desktop -> $exe)"
