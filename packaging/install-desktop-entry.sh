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
case $exe in *"
"*) echo "install-desktop-entry.sh: the folder's path holds a line break, which a menu entry" \
         "cannot name; move the bundle to another folder" >&2; exit 1 ;;
esac
# The path quoted for the Exec key (the Desktop Entry spec): inside the quotes \ " ` $ take a
# backslash, which the key's own escaping doubles, and % is written %%. A & or | in a folder's
# name broke the sed this used, a | leaving the entry empty, and a % started nothing (audit 56).
quoted=$(printf '%s' "$exe" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')
mkdir -p "$apps" "$icons"
cp "$icon" "$icons/fer-desktop.png"
# Written beside and renamed: a failure leaves an earlier entry as it was.
tmp=$(mktemp "$apps/.fer-desktop.desktop.XXXXXX")
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
        Exec=*) printf 'Exec="%s" %%f\n' "$quoted" ;;  # %f: the file opened with it
        *) printf '%s\n' "$line" ;;
    esac
done < "$here/fer-desktop.desktop" > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$apps/fer-desktop.desktop"
trap - EXIT
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "added FER Desktop to the application menu ($apps/fer-desktop.desktop -> $exe)"
