# Sourced by scripts/run and scripts/test: shared settings.
: "${SWITCHBOARD_CACHE:=$HOME/.cache/switchboard}"
# One target directory outside the repository, reused across runs and clones.
: "${CARGO_TARGET_DIR:=$SWITCHBOARD_CACHE/target}"
export SWITCHBOARD_CACHE CARGO_TARGET_DIR
