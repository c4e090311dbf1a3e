#!/bin/sh
# The image's entry command.
#   no arguments:  the bot, as VETBOT_MODE says: webhook (default) or polling
#   arguments:     any vetbot command, e.g. `docker compose run --rm vetbot check`
# `exec` makes vetbot PID 1, so `docker stop` (SIGTERM) reaches it and it stops cleanly.
set -eu

if [ "$#" -gt 0 ]; then
    exec vetbot "$@"
fi

case "${VETBOT_MODE:-webhook}" in
    webhook) exec vetbot webhook ;;
    polling) exec vetbot run ;;
    *)
        echo "vetbot: configuration error: VETBOT_MODE must be webhook or polling, not '${VETBOT_MODE}'" >&2
        exit 2
        ;;
esac
