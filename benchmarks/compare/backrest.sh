# backrest in ../shared/bench's side-by-side benchmark, kept in the project:
#
#   ../shared/bench/run.sh benchmarks/compare/backrest.sh pyramid limit
#
# The server is the project's checkout (installed editable in the bench's
# venv), configured by benchmarks/compare/wsgi.py (its settings in
# settings.py) on PostgreSQL; the database
# is seeded through backrest's own code (benchmarks/compare/seed.py).
#
# The benchmark sends one header line per request: an API key of the
# benchmark's user (Authorization: Token), which needs no CSRF token, so
# that reads and writes all compare.
TARGET_PORT=8100
TARGET_DB=bench_backrest
TARGET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET_VENV=$BENCH_VENVS/backrest
# The URL as docs/deployment.rst advises: no Kerberos looked for at each new connection.
TARGET_ENV=("BACKREST_SQLALCHEMY_URL=${BENCH_PG_URL_BASE/postgresql:/postgresql+psycopg:}/$TARGET_DB?gssencmode=disable")
TARGET_AUTH=""  # set by target_seed
TARGET_URL_ONE='/-/documents/{id}'
TARGET_URL_LIST='/-/documents/?page=1&ordering=-modified'
TARGET_URL_CREATE='/-/documents/'
TARGET_UPDATE_METHOD=PATCH
TARGET_BODY_UPDATE=$BENCH_PATCH_JSON
TARGET_BODY_CREATE=$BENCH_NOTE_JSON
TARGET_ETAG=1
TARGET_NOTES="API key (Token)"

target_install() {
  # Building psycopg's C implementation (requirements.txt) needs libpq's headers and a compiler.
  { { command -v pg_config && command -v gcc; } >/dev/null || apt-get install -y -q libpq-dev gcc; } >&2 &&
    bench_venv_install "$TARGET_VENV" "$TARGET_DIR/benchmarks/compare/requirements.txt" &&
    "$TARGET_VENV/bin/pip" install -q --disable-pip-version-check -e "$TARGET_DIR" webtest
}

target_seed() {
  local auth
  auth=$(cd "$TARGET_DIR" && env "${TARGET_ENV[@]}" "$TARGET_VENV/bin/python" -m benchmarks.compare.seed \
         "$1" "$BENCH_ROOT/lib" 3>&1 1>&2) || return 1
  TARGET_AUTH=$auth
}

target_command() {
  TARGET_CWD=$TARGET_DIR
  bench_waitress_cmd "$TARGET_VENV" benchmarks.compare.wsgi:application
}
