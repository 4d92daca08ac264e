#!/usr/bin/env bash
# Builds infra/main.bicep to ARM JSON (infra/build/main.json) and lints it with the real
# Bicep CLI; exits non-zero on any error. The CLI is `bicep` from PATH, else `az bicep`,
# else the NuGet package Azure.Bicep.CommandLine.<rid> fetched once into infra/.bicep/
# (git-ignored) through the machine's configured NuGet source.
#
#   bash infra/bicep.sh            build + lint
#   BICEP_VERSION=x.y.z            the version to fetch when no CLI is installed
#   BICEP_NUGET_SOURCE=<index.json> NuGet v3 service index to fetch from without dotnet
#   BICEP_FORCE_DOWNLOAD=1         ignore bicep/az on PATH and use the fetched copy
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
CACHE_DIR="$INFRA_DIR/.bicep"
OUT_DIR="$INFRA_DIR/build"
TEMPLATE="$INFRA_DIR/main.bicep"

log() { printf 'bicep.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

runtime_id() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) die "no Bicep package for $(uname -s); install the Bicep CLI or the Azure CLI" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Bicep package for $(uname -m); install the Bicep CLI or the Azure CLI" ;;
  esac
  printf '%s-%s' "$os" "$arch"
}

# Restores the package with the .NET SDK, which honours the NuGet sources, proxies and
# credentials the machine is configured with.
fetch_with_dotnet() {
  local package="$1" work="$2" major
  major="$(dotnet --version | cut -d. -f1)"
  mkdir -p "$work/restore"
  cat >"$work/restore/fetch.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net${major}.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="${package}" Version="[${BICEP_VERSION}]" /></ItemGroup>
</Project>
EOF
  dotnet restore "$work/restore/fetch.csproj" --packages "$work/packages" --nologo -v quiet >&2 ||
    die "dotnet restore of ${package} ${BICEP_VERSION} failed"
  local lower
  lower="$(printf '%s' "$package" | tr '[:upper:]' '[:lower:]')"
  cp "$work/packages/$lower/$BICEP_VERSION/tools/bicep" "$work/bicep"
}

nuget_source() {
  if [[ -n "${BICEP_NUGET_SOURCE:-}" ]]; then
    printf '%s' "$BICEP_NUGET_SOURCE"
    return
  fi
  local config="${NUGET_CONFIG:-$HOME/.nuget/NuGet/NuGet.Config}"
  [[ -f "$config" ]] || die "no dotnet and no NuGet source: set BICEP_NUGET_SOURCE to a NuGet v3 index.json"
  sed -n 's/.*<add [^>]*value="\(http[^"]*index\.json\)".*/\1/p' "$config" | head -n 1
}

# Without the .NET SDK: the NuGet v3 flat container serves the .nupkg, which is a zip.
fetch_with_curl() {
  local package="$1" work="$2" index base lower
  command -v curl >/dev/null || die "neither dotnet nor curl is available to fetch ${package}"
  index="$(nuget_source)"
  [[ -n "$index" ]] || die "no NuGet v3 source found: set BICEP_NUGET_SOURCE"
  curl -fsSL "$index" -o "$work/index.json" || die "cannot read the NuGet service index $index"
  base="$(node -e '
    const index = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const entry = index.resources.find((r) => String(r["@type"]).startsWith("PackageBaseAddress/3.0.0"));
    if (entry) process.stdout.write(entry["@id"].replace(/\/?$/, "/"));
  ' "$work/index.json")"
  [[ -n "$base" ]] || die "the NuGet source $index has no PackageBaseAddress"
  lower="$(printf '%s' "$package" | tr '[:upper:]' '[:lower:]')"
  curl -fsSL "${base}${lower}/${BICEP_VERSION}/${lower}.${BICEP_VERSION}.nupkg" -o "$work/bicep.nupkg" ||
    die "cannot download ${package} ${BICEP_VERSION}"
  if command -v unzip >/dev/null; then
    unzip -q -o "$work/bicep.nupkg" 'tools/bicep' -d "$work/unpacked"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("tools/bicep", sys.argv[2])' \
      "$work/bicep.nupkg" "$work/unpacked"
  fi
  cp "$work/unpacked/tools/bicep" "$work/bicep"
}

fetched_bicep() {
  local target="$CACHE_DIR/$BICEP_VERSION/bicep"
  if [[ -x "$target" ]] && "$target" --version 2>/dev/null | grep -q "version $BICEP_VERSION "; then
    printf '%s' "$target"
    return
  fi
  local package work
  package="Azure.Bicep.CommandLine.$(runtime_id)"
  mkdir -p "$CACHE_DIR"
  work="$(mktemp -d "$CACHE_DIR/fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "fetching ${package} ${BICEP_VERSION} into infra/.bicep/"
  if command -v dotnet >/dev/null; then
    fetch_with_dotnet "$package" "$work"
  else
    fetch_with_curl "$package" "$work"
  fi
  chmod +x "$work/bicep"
  "$work/bicep" --version >/dev/null || die "the fetched bicep binary does not run"
  mkdir -p "$CACHE_DIR/$BICEP_VERSION"
  # A rename is atomic: a concurrent run sees either no binary or a whole one.
  mv -f "$work/bicep" "$target"
  rm -rf "$work"
  trap - EXIT
  printf '%s' "$target"
}

BICEP=()
if [[ -z "${BICEP_FORCE_DOWNLOAD:-}" ]] && command -v bicep >/dev/null; then
  BICEP=(bicep)
elif [[ -z "${BICEP_FORCE_DOWNLOAD:-}" ]] && command -v az >/dev/null && az bicep version >/dev/null 2>&1; then
  BICEP=(az bicep)
else
  fetched="$(fetched_bicep)"
  BICEP=("$fetched")
fi

mkdir -p "$OUT_DIR"
if [[ "${BICEP[0]}" == az ]]; then
  log "using $(az bicep version 2>/dev/null | head -n 1)"
  az bicep build --file "$TEMPLATE" --outdir "$OUT_DIR"
  az bicep lint --file "$TEMPLATE"
else
  log "using $("${BICEP[@]}" --version | head -n 1)"
  "${BICEP[@]}" build "$TEMPLATE" --outdir "$OUT_DIR"
  "${BICEP[@]}" lint "$TEMPLATE"
fi
log "built $OUT_DIR/main.json and linted with no error"
