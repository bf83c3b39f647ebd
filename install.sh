#!/bin/sh
# Installs the sloth-kubernetes single executable for this machine from a release (a folder
# or a URL holding the executables and their SHA256SUMS, as `npm run release` writes them),
# after checking its SHA-256. Nothing is installed when the check fails.
#
#   sh install.sh <release folder or URL> [install folder]
#   curl -fsSL <URL>/install.sh | sh -s -- <URL>
#
# Install folder: the second argument, else $SLOTH_INSTALL_DIR, else /usr/local/bin for root
# and ~/.local/bin for anyone else. `sloth` is linked to `sloth-kubernetes` there.
set -eu

die() {
  echo "install.sh: $*" >&2
  exit 1
}

src=${1:-${SLOTH_RELEASE:-}}
[ -n "$src" ] || {
  echo "usage: sh install.sh <release folder or URL> [install folder]" >&2
  exit 2
}
src=${src%/}
dest=${2:-${SLOTH_INSTALL_DIR:-}}
if [ -z "$dest" ]; then
  if [ "$(id -u)" = 0 ]; then dest=/usr/local/bin; else dest=$HOME/.local/bin; fi
fi

case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no executable for $(uname -s) here; on Windows download sloth-kubernetes-win-x64.exe and compare Get-FileHash with SHA256SUMS" ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no executable for the $(uname -m) processor" ;;
esac
name=sloth-kubernetes-$os-$arch

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch() {
  case $src in
    http://* | https://*)
      if command -v curl >/dev/null 2>&1; then
        curl -fsSL "$src/$1" -o "$tmp/$1"
      elif command -v wget >/dev/null 2>&1; then
        wget -q "$src/$1" -O "$tmp/$1"
      else
        die "curl or wget is needed to download from $src"
      fi
      ;;
    file://*) cp "${src#file://}/$1" "$tmp/$1" ;;
    *) cp "$src/$1" "$tmp/$1" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "sha256sum or shasum is needed to check the download"
  fi
}

fetch SHA256SUMS 2>/dev/null || die "cannot read $src/SHA256SUMS: is this a release folder or URL?"
expected=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "the release at $src has no $name (it has: $(awk '{ printf "%s ", $2 }' "$tmp/SHA256SUMS"))"
fetch "$name" 2>/dev/null || die "cannot read $src/$name"
actual=$(sha256 "$tmp/$name")
[ "$actual" = "$expected" ] || die "$name does not match SHA256SUMS (expected $expected, got $actual): not installed"

chmod 0755 "$tmp/$name"
# The executable carries an injected section, so macOS wants a fresh (ad hoc) signature.
if [ "$os" = darwin ]; then codesign --sign - --force "$tmp/$name" >/dev/null 2>&1 || die "codesign failed on $name"; fi
mkdir -p "$dest"
mv -f "$tmp/$name" "$dest/sloth-kubernetes"
ln -sf sloth-kubernetes "$dest/sloth"
echo "installed $dest/sloth-kubernetes (and $dest/sloth): $("$dest/sloth-kubernetes" --version)"
case :$PATH: in
  *":$dest:"*) ;;
  *) echo "note: $dest is not on your PATH" ;;
esac
