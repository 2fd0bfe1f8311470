#!/usr/bin/env bash
# Installs ml from a release: the archive for this runner's OS and CPU,
# checked against the release's checksums.txt (sha256) before anything is
# installed, then put on PATH. The setup action (action.yml at the
# repository root) runs it; it works in bash on Linux, macOS and Windows
# (Git Bash) runners, and by hand.
#
# Environment (the action's inputs):
#   ML_VERSION        "latest" (default) or a release: 1.2.3 or v1.2.3
#   ML_INSTALL_DIR    where ml goes; default $RUNNER_TOOL_CACHE/ml/<version>/<arch>,
#                     else ~/.ml/bin
#   ML_DOWNLOAD_BASE  base of the release URLs, for GitHub Enterprise Server or
#                     a mirror (default https://github.com/mlbatch/ml/releases):
#                       <base>/latest                      redirects to <base>/tag/v<version>
#                       <base>/download/v<version>/<asset> the archives and checksums.txt
#   RUNNER_OS, RUNNER_ARCH  set by GitHub; otherwise uname decides
# Asset names follow .goreleaser.yaml: ml_<version>_<os>_<arch>.tar.gz
# (.zip on Windows) and checksums.txt.
set -euo pipefail

base="${ML_DOWNLOAD_BASE:-https://github.com/mlbatch/ml/releases}"
base="${base%/}"
version="${ML_VERSION:-latest}"

die() {
  local msg="$*"
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    msg="${msg//'%'/%25}"
    echo "::error title=setup ml::${msg//$'\n'/%0A}" >&2
  else
    echo "setup ml: $msg" >&2
  fi
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is needed to install ml and is not on PATH"
}
need curl
need tar

# fetch URL FILE downloads URL to FILE, bounded in time and size.
fetch() {
  curl --fail --silent --show-error --location --retry 3 --retry-delay 2 \
    --connect-timeout 20 --max-time 300 --max-filesize 268435456 \
    --output "$2" "$1" || die "cannot download $1"
}

# The OS and CPU, as GitHub names them (RUNNER_OS/RUNNER_ARCH) or uname does.
os_name="${RUNNER_OS:-$(uname -s)}"
case "$os_name" in
  Linux | linux) os=linux ;;
  macOS | Darwin | darwin) os=darwin ;;
  Windows | windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "ml has no release for the OS $os_name; releases exist for Linux, macOS and Windows" ;;
esac
arch_name="${RUNNER_ARCH:-$(uname -m)}"
case "$arch_name" in
  X64 | x86_64 | amd64 | AMD64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) die "ml has no release for the CPU $arch_name on $os_name; releases exist for x64 (amd64) and ARM64" ;;
esac

# "latest" is the release <base>/latest redirects to, as GitHub does.
if [ "$version" = latest ]; then
  resolved="$(curl --fail --silent --show-error --location --retry 3 --connect-timeout 20 --max-time 60 \
    --output /dev/null --write-out '%{url_effective}' "$base/latest")" ||
    die "cannot resolve the latest release from $base/latest"
  case "$resolved" in
    */tag/*) version="${resolved##*/tag/}" ;;
    *) die "cannot resolve the latest release: $base/latest led to $resolved, not to .../tag/<version>; pass a version" ;;
  esac
fi
version="${version#v}"
case "$version" in
  '' | */* | *' '*) die "version '$version' is not a release version such as 1.2.3" ;;
esac

ext=tar.gz
exe=ml
if [ "$os" = windows ]; then
  ext=zip
  exe=ml.exe
fi
asset="ml_${version}_${os}_${arch}.${ext}"
url="$base/download/v$version"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "Downloading $url/$asset"
fetch "$url/checksums.txt" "$tmp/checksums.txt"
fetch "$url/$asset" "$tmp/$asset"

# Nothing is unpacked before the archive matches its sha256 in checksums.txt.
want="$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/checksums.txt")"
[ -n "$want" ] || die "checksums.txt of v$version lists no $asset; refusing to install an unverified archive"
if command -v sha256sum >/dev/null 2>&1; then
  got="$(sha256sum "$tmp/$asset" | awk '{print $1}')"
elif command -v shasum >/dev/null 2>&1; then
  got="$(shasum -a 256 "$tmp/$asset" | awk '{print $1}')"
else
  die "sha256sum or shasum is needed to verify the download"
fi
want="$(printf '%s' "$want" | tr 'A-F' 'a-f')"
[ "$got" = "$want" ] || die "checksum mismatch for $asset: checksums.txt says $want, the download is $got; refusing to install"
echo "Verified sha256 $got"

mkdir "$tmp/unpacked"
if [ "$ext" = zip ]; then
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$tmp/$asset" "$exe" -d "$tmp/unpacked" || die "cannot unpack $exe from $asset"
  elif command -v 7z >/dev/null 2>&1; then
    7z x -y -o"$tmp/unpacked" "$tmp/$asset" "$exe" >/dev/null || die "cannot unpack $exe from $asset"
  else
    die "unzip or 7z is needed to unpack $asset"
  fi
else
  tar -xzf "$tmp/$asset" -C "$tmp/unpacked" "$exe" || die "cannot unpack $exe from $asset"
fi
[ -f "$tmp/unpacked/$exe" ] || die "$asset has no $exe"

dir="${ML_INSTALL_DIR:-}"
if [ -z "$dir" ]; then
  if [ -n "${RUNNER_TOOL_CACHE:-}" ]; then
    dir="$RUNNER_TOOL_CACHE/ml/$version/$arch"
  else
    dir="$HOME/.ml/bin"
  fi
fi
mkdir -p "$dir"
cp "$tmp/unpacked/$exe" "$dir/$exe"
chmod 755 "$dir/$exe"

if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir" >>"$GITHUB_PATH"
else
  echo "Add $dir to PATH to run ml"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "version=$version"
    echo "path=$dir/$exe"
  } >>"$GITHUB_OUTPUT"
fi
"$dir/$exe" version
